"""The access log as a lazy table: pages of events read on demand, a few kept.

A million events never come into memory at once. The model shows an
:class:`~ui.event_pager.EventPager` (the count of matching events and a few pages of 500)
and asks for a page when the view paints a row of it. Reads are debounced: while the user
drags the scroll bar, rows show a placeholder, and only the pages still wanted when the
scrolling pauses are read. A page of a plain or indexed filter is one seek (milliseconds);
a page of a slow filter (free text, a time range) is read on a worker when the caller
gives the model a way to run one, so the window never freezes.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
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

from rlwb.ui.errors import describe_error
from rlwb.ui.event_pager import EventPager, PageRead, read_page
from rlwb.ui.i18n import tr, tr_value
from rlwb.workbench.services.types import AuditEvent, WorkbenchError

FETCH_DELAY_MS = 60
PLACEHOLDER = "…"
#: Characters of a person token shown to the auditor (a prefix, never the whole token).
TOKEN_PREFIX = 12

Index = QModelIndex | QPersistentModelIndex
#: ``background(work, done, failed)`` runs ``work`` on a worker and calls ``done(result)``
#: or ``failed(message)`` on the GUI thread; False when it cannot start now.
Background = Callable[[Callable[[], object], Callable[[object], None], Callable[[str], None]], bool]

OUTCOME_COLOURS = {"denied": QColor("#f9d9dc"), "failed": QColor("#fdf1d4")}
COLUMNS = (
    ("seq", "log.col.seq"),
    ("time", "log.col.time"),
    ("user", "log.col.user"),
    ("event_type", "log.col.type"),
    ("outcome", "log.col.outcome"),
    ("subject", "log.col.subject"),
    ("purpose", "log.col.purpose"),
    ("details", "log.col.details"),
    ("roles", "log.col.roles"),
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
    if event.persons:  # first: who was seen is what the auditor looks for
        parts.append(tr("log.subject.persons", count=len(event.persons)))
    if event.subject_user:
        parts.append(tr("log.subject.user", name=event.subject_user))
    if event.dataset_id:
        parts.append(tr("log.subject.dataset", id=event.dataset_id))
    if event.run_id:
        parts.append(tr("log.subject.run", id=event.run_id))
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
        event.actor_user or "",
        tr_value("event", str(event.event_type)),
        tr_value("event_outcome", str(event.outcome)),
        subject_text(event),
        event.purpose or "",
        compact_details(dict(event.details))[:300],
        tr("roles.separator").join(tr_value("role", r) for r in event.actor_roles),
    )


def _detail_rows(event: AuditEvent) -> list[tuple[str, str]]:
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
    return rows


def _pretty_details(event: AuditEvent) -> str:
    return json.dumps(dict(event.details), ensure_ascii=False, sort_keys=True, indent=2)


def event_detail_text(event: AuditEvent) -> str:
    """Every field of one event as plain text (details as indented JSON)."""
    rows = _detail_rows(event)
    width = max(len(label) for label, _ in rows)
    lines = [f"{label.ljust(width)}  {value}" for label, value in rows]
    lines += ["", tr("log.detail.details"), _pretty_details(event)]
    return "\n".join(lines)


def event_detail_html(event: AuditEvent) -> str:
    """The same as :func:`event_detail_text`, laid out as a table for the detail pane."""
    cells = "".join(
        f"<tr><td style='color:#555555; padding-right:10px'>{html.escape(label)}</td>"
        f"<td>{html.escape(value)}</td></tr>"
        for label, value in _detail_rows(event)
    )
    details = html.escape(_pretty_details(event))
    return (
        f"<table cellspacing='0' cellpadding='2'>{cells}</table>"
        f"<p style='color:#555555; margin-bottom:2px'>{html.escape(tr('log.detail.details'))}</p>"
        f"<pre style='margin-top:0'>{details}</pre>"
    )


# -- the Qt model ----------------------------------------------------------------------------
class EventTableModel(QAbstractTableModel):
    """Shows an :class:`EventPager`; pages missing when painted are read after a pause.

    ``ready()`` says whether the workspace may be read now (not while a background task
    holds it); ``background`` runs the reads of slow filters on a worker.
    """

    #: A page could not be read (a readable message).
    failed = Signal(str)
    #: Pages arrived (the page may refresh its count line).
    pages_loaded = Signal()

    def __init__(
        self,
        parent: Any = None,
        *,
        ready: Callable[[], bool] = lambda: True,
        background: Background | None = None,
    ) -> None:
        super().__init__(parent)
        self._pager: EventPager | None = None
        self._texts: dict[int, list[tuple[str, ...]]] = {}
        self._wanted: list[int] = []
        self._reading = False
        self.ready = ready
        self.background = background
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
        self._reading = False
        self.endResetModel()

    def clear(self) -> None:
        self.set_pager(None)

    def event_at(self, row: int) -> AuditEvent | None:
        """The event on a row, read now when needed; None if it cannot be read now."""
        pager = self._pager
        if pager is None:
            return None
        page = row // pager.page_size
        if pager.cached(page) is None and not self.ready():
            return None
        try:
            event = pager.event(row)
        except WorkbenchError as exc:
            self.failed.emit(describe_error(exc))
            return None
        self._page_arrived(page)
        return event

    # -- fetching ------------------------------------------------------------------------------
    def _page_texts(self, page: int) -> list[tuple[str, ...]] | None:
        pager = self._pager
        if pager is None:
            return None
        events = pager.cached(page)
        if events is None:
            self._texts.pop(page, None)
            if page not in self._wanted:
                self._wanted.append(page)
                self._timer.start()  # restarted while new pages are asked for: debounced
            return None
        texts = self._texts.get(page)
        if texts is None:
            texts = [event_texts(e) for e in events]
            self._texts[page] = texts
        return texts

    def fetch_wanted(self) -> None:
        """Read the pages the view asked for last (a few); keep them when reading must wait."""
        pager = self._pager
        if pager is None or not self._wanted or self._reading or not self.ready():
            return
        pages = [p for p in self._wanted[-3:] if pager.cached(p) is None]
        self._wanted = []
        plans = [plan for p in reversed(pages) if (plan := pager.plan(p)) is not None]
        if not plans:
            return
        if pager.slow and self.background is not None:
            self._read_on_worker(pager, plans)
            return
        for plan in plans:
            try:
                events = read_page(pager.query, plan)
            except WorkbenchError as exc:
                self._wanted = [p.page for p in plans if pager.cached(p.page) is None]
                self.failed.emit(describe_error(exc))
                return
            pager.store(plan.page, events)
            self._page_arrived(plan.page)
        self.pages_loaded.emit()

    def _read_on_worker(self, pager: EventPager, plans: list[PageRead]) -> None:
        query = pager.query

        def work() -> object:
            return [(plan.page, read_page(query, plan)) for plan in plans]

        def done(result: object) -> None:
            self._reading = False
            if pager is not self._pager:
                return  # the filter changed meanwhile
            for page, events in result:  # type: ignore[attr-defined]
                pager.store(page, events)
                self._page_arrived(page)
            self.pages_loaded.emit()
            self.retry()

        def failed(message: str) -> None:
            self._reading = False
            self._wanted = [p.page for p in plans]
            self.failed.emit(message)

        assert self.background is not None
        self._reading = self.background(work, done, failed)
        if not self._reading:
            self._wanted = [p.page for p in plans]

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
        """Read what is still wanted (after a background task freed the workspace)."""
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
