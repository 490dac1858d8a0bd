"""The access log as a lazy table: pages of events fetched on demand, a few kept.

A million events never come into memory at once. The model knows the count of events
matching the filter and asks the service for one page (``limit``/``offset``, newest
first) when the view paints a row of a page it does not hold. Fetches are debounced:
while the user drags the scroll bar, rows show a placeholder, and only the pages still
wanted when the scrolling pauses are read (one query each, a few milliseconds near the
top, well under a second at the far end of a million events).

The log only grows, at the top (newest first). The table shows the log as it was when it
was loaded; when new matching events arrived since, later pages are read that many rows
further down, so rows never shift or repeat. :class:`EventPager` holds this logic and no
Qt, so it is tested on its own.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor

from ui.errors import describe_error
from ui.i18n import tr, tr_value
from workbench.audit.events import AuditEvent
from workbench.errors import WorkbenchError

PAGE_SIZE = 500
MAX_PAGES = 16
FETCH_DELAY_MS = 60
PLACEHOLDER = "…"
#: Characters of a person token shown to the auditor (a prefix, never the whole token).
TOKEN_PREFIX = 12

Index = QModelIndex | QPersistentModelIndex
CountFn = Callable[[], int]
FetchFn = Callable[[int, int], Sequence[AuditEvent]]
NewestFn = Callable[[], int]

OUTCOME_COLOURS = {"denied": QColor("#f9d9dc"), "failed": QColor("#fdf1d4")}
COLUMNS = (
    ("seq", "log.col.seq"),
    ("time", "log.col.time"),
    ("event_type", "log.col.type"),
    ("outcome", "log.col.outcome"),
    ("user", "log.col.user"),
    ("roles", "log.col.roles"),
    ("subject", "log.col.subject"),
    ("purpose", "log.col.purpose"),
    ("details", "log.col.details"),
)


# -- how an event reads ----------------------------------------------------------------------
def local_time(iso: str) -> str:
    """A stored UTC time in the desk's local time, to the second."""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return iso


def person_text(token_hex: str, key_version: int) -> str:
    return f"{token_hex[:TOKEN_PREFIX]}… (v{key_version})"


def subject_text(event: AuditEvent) -> str:
    parts = []
    if event.dataset_id:
        parts.append(tr("log.subject.dataset", id=event.dataset_id))
    if event.run_id:
        parts.append(tr("log.subject.run", id=event.run_id))
    if event.subject_user:
        parts.append(tr("log.subject.user", name=event.subject_user))
    if event.persons:
        parts.append(tr("log.subject.persons", count=len(event.persons)))
    return tr("list.separator").join(parts)


def compact_details(details: object) -> str:
    if not details:
        return ""
    return json.dumps(details, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


def event_texts(event: AuditEvent) -> tuple[str, ...]:
    """The display text of each column of one event."""
    return (
        str(event.seq),
        local_time(event.time),
        tr_value("event", str(event.event_type)),
        tr_value("event_outcome", str(event.outcome)),
        event.actor_user or "",
        "・".join(tr_value("role", r) for r in event.actor_roles),
        subject_text(event),
        event.purpose or "",
        compact_details(dict(event.details))[:300],
    )


def event_detail_text(event: AuditEvent) -> str:
    """Every field of one event, for the detail pane (details as indented JSON)."""
    none = tr("value.unknown")
    persons = [person_text(p.token_hex, p.key_version) for p in event.persons]
    rows = [
        (tr("log.col.seq"), str(event.seq)),
        (tr("log.detail.time_utc"), event.time),
        (tr("log.col.time"), local_time(event.time)),
        (tr("log.col.type"), f"{tr_value('event', str(event.event_type))} ({event.event_type})"),
        (tr("log.col.outcome"), tr_value("event_outcome", str(event.outcome))),
        (tr("log.col.user"), event.actor_user or none),
        (tr("log.col.roles"), ", ".join(event.actor_roles) or none),
        (tr("log.detail.host"), event.host),
        (tr("log.detail.os_user"), event.os_user),
        (tr("log.detail.app_version"), event.app_version),
        (tr("log.detail.workspace"), event.workspace_id),
        (tr("log.detail.dataset"), event.dataset_id or none),
        (tr("log.detail.run"), event.run_id or none),
        (tr("log.detail.subject_user"), event.subject_user or none),
        (tr("log.col.purpose"), event.purpose or none),
        (tr("log.detail.persons", count=len(persons)), ", ".join(persons) or none),
        (tr("log.detail.prev_hash"), event.prev_hash),
        (tr("log.detail.hash"), event.hash),
    ]
    width = max(len(label) for label, _ in rows)
    lines = [f"{label.ljust(width)}  {value}" for label, value in rows]
    details = json.dumps(dict(event.details), ensure_ascii=False, sort_keys=True, indent=2)
    lines += ["", tr("log.detail.details"), details]
    return "\n".join(lines)


# -- paging without Qt -----------------------------------------------------------------------
class EventPager:
    """Pages of one filtered view of the log, newest first, as of :meth:`reset`.

    ``count()`` counts the matching events now; ``fetch(limit, offset)`` reads a page
    newest first; ``newest()`` is the sequence number of the newest event of the whole log
    (a cheap check whether anything was appended since).
    """

    def __init__(
        self,
        count: CountFn,
        fetch: FetchFn,
        newest: NewestFn,
        *,
        page_size: int = PAGE_SIZE,
        max_pages: int = MAX_PAGES,
    ) -> None:
        self._count, self._fetch, self._newest = count, fetch, newest
        self.page_size = page_size
        self.max_pages = max_pages
        self.total = 0
        #: Matching events appended since the snapshot (they sit above row 0).
        self.new_events = 0
        self._seen_newest = 0
        self._pages: OrderedDict[int, list[AuditEvent]] = OrderedDict()
        #: How many pages were read from the log (tests and the benchmark read it).
        self.page_loads = 0

    def rebind(self, count: CountFn, fetch: FetchFn, newest: NewestFn) -> None:
        """Read through other functions from now on (a snapshot taken on a worker thread
        goes on reading on the GUI thread)."""
        self._count, self._fetch, self._newest = count, fetch, newest

    def reset(self) -> None:
        """Take a new snapshot: count, newest sequence, and the first page."""
        self._pages.clear()
        self.new_events = 0
        self._seen_newest = self._newest()
        self.total = self._count()
        if self.total:
            self.load(0)

    def cached(self, page: int) -> list[AuditEvent] | None:
        events = self._pages.get(page)
        if events is not None:
            self._pages.move_to_end(page)
        return events

    def load(self, page: int) -> list[AuditEvent]:
        """Read one page of the snapshot (the service call may raise)."""
        newest = self._newest()
        if newest != self._seen_newest:
            self.new_events = max(0, self._count() - self.total)
            self._seen_newest = newest
        offset = page * self.page_size
        limit = min(self.page_size, self.total - offset)
        if limit <= 0:
            return []
        events = list(self._fetch(limit, offset + self.new_events))
        self.page_loads += 1
        self._pages[page] = events
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)
        return events

    def event(self, row: int) -> AuditEvent | None:
        """The event on ``row`` (read now if its page is not held)."""
        if not 0 <= row < self.total:
            return None
        page, index = divmod(row, self.page_size)
        events = self.cached(page)
        if events is None:
            events = self.load(page)
        return events[index] if index < len(events) else None

    def held_pages(self) -> set[int]:
        return set(self._pages)


def list_pager(events: Sequence[AuditEvent], **kwargs: Any) -> EventPager:
    """A pager over events already in memory (a person's history)."""
    held = list(events)
    pager = EventPager(
        lambda: len(held), lambda limit, offset: held[offset : offset + limit], lambda: 0, **kwargs
    )
    pager.reset()
    return pager


# -- the Qt model ----------------------------------------------------------------------------
class EventTableModel(QAbstractTableModel):
    """Shows an :class:`EventPager`; pages missing when painted are fetched after a pause."""

    #: A page could not be read (a readable message).
    failed = Signal(str)
    #: Pages arrived (the page may refresh its count of new events).
    pages_loaded = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._pager: EventPager | None = None
        self._texts: dict[int, list[tuple[str, ...]]] = {}
        self._wanted: list[int] = []
        self._headers = [tr(key) for _, key in COLUMNS]
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FETCH_DELAY_MS)
        self._timer.timeout.connect(self.fetch_wanted)

    @property
    def pager(self) -> EventPager | None:
        return self._pager

    def set_pager(self, pager: EventPager | None) -> None:
        self.beginResetModel()
        self._pager = pager
        self._texts.clear()
        self._wanted.clear()
        self.endResetModel()

    def clear(self) -> None:
        self.set_pager(None)

    def event_at(self, row: int) -> AuditEvent | None:
        """The event on a row, read now when needed; None if it cannot be read."""
        pager = self._pager
        if pager is None:
            return None
        page = row // pager.page_size
        was_held = pager.cached(page) is not None
        try:
            event = pager.event(row)
        except WorkbenchError as exc:
            self.failed.emit(describe_error(exc))
            return None
        if not was_held and event is not None:
            self._page_arrived(page)
        return event

    # -- fetching ------------------------------------------------------------------------------
    def _page_texts(self, page: int) -> list[tuple[str, ...]] | None:
        texts = self._texts.get(page)
        if texts is not None and self._pager is not None and self._pager.cached(page) is not None:
            return texts
        self._texts.pop(page, None)
        if self._pager is None:
            return None
        events = self._pager.cached(page)
        if events is None:
            if page not in self._wanted:
                self._wanted.append(page)
                self._timer.start()  # restarted while new pages are asked for: debounced
            return None
        texts = [event_texts(e) for e in events]
        self._texts[page] = texts
        return texts

    def fetch_wanted(self) -> None:
        """Read the pages the view asked for (the latest few); keep them on failure."""
        pager = self._pager
        if pager is None or not self._wanted:
            return
        wanted, self._wanted = self._wanted[-3:], []
        for page in reversed(wanted):
            if pager.cached(page) is not None:
                continue
            try:
                pager.load(page)
            except WorkbenchError as exc:
                self._wanted = [p for p in wanted if pager.cached(p) is None]
                self.failed.emit(describe_error(exc))
                return
            self._page_arrived(page)
        self.pages_loaded.emit()

    def _page_arrived(self, page: int) -> None:
        pager = self._pager
        if pager is None:
            return
        held = pager.held_pages()
        for stale in [p for p in self._texts if p not in held]:
            del self._texts[stale]  # the text follows the pager's few pages, never more
        if page in self._wanted:
            self._wanted.remove(page)
        first = page * pager.page_size
        last = min(first + pager.page_size, pager.total) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))

    def retry(self) -> None:
        """Fetch what is still wanted (after a background task freed the workspace)."""
        if self._wanted:
            self._timer.start()

    # -- QAbstractTableModel -------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._pager is None:
            return 0
        return self._pager.total

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def cell_text(self, row: int, column: int) -> str:
        if self._pager is None:
            return ""
        page, index = divmod(row, self._pager.page_size)
        texts = self._page_texts(page)
        if texts is None or index >= len(texts):
            return PLACEHOLDER
        return texts[index][column]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole or role == Qt.ItemDataRole.ToolTipRole:
            return self.cell_text(index.row(), index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if index.column() == 0:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and self._pager is not None:
            page, row = divmod(index.row(), self._pager.page_size)
            events = self._pager.cached(page)
            if events is not None and row < len(events):
                return OUTCOME_COLOURS.get(str(events[row].outcome))
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._headers[section] if 0 <= section < len(self._headers) else None
        return str(section + 1)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
