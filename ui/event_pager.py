"""Pages of one filtered view of the access log, newest first, without Qt.

The view is a snapshot: at :meth:`EventPager.reset` it notes the newest sequence number of
the log and reads only events up to it (``EventFilter.max_seq``), so events logged later
never shift its rows. A page is read by *seeking*, never by skipping a large offset (which
makes SQLite step through every skipped event, seconds at the far end of a million):

- below a page already held, the next rows are the matching events older than its last
  event (``max_seq = last seq - 1``, and an offset of whole pages in between);
- with no filter the log has every sequence number from 1 up (the log's own trigger keeps
  it so), hence row ``r`` is the event ``newest - r``: any page is one seek;
- otherwise (a jump far down a filtered view) the offset counts from the top.

Reading is split in three so a slow page can be read on a worker thread: :meth:`plan`
(on the GUI thread, it looks at the held pages), :func:`read_page` (the service call, any
thread), :meth:`store` (on the GUI thread again).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from rlwb.workbench.services.types import AuditEvent, EventFilter

PAGE_SIZE = 500
MAX_PAGES = 16

QueryFn = Callable[[EventFilter, int, int], Sequence[AuditEvent]]
CountFn = Callable[[EventFilter], int]
NewestFn = Callable[[], int]


@dataclass(frozen=True)
class PageRead:
    """How to read one page: a filter, a limit and an offset for the service."""

    page: int
    flt: EventFilter
    limit: int
    offset: int


def read_page(query: QueryFn, plan: PageRead) -> list[AuditEvent]:
    return list(query(plan.flt, plan.limit, plan.offset))


def is_slow(flt: EventFilter) -> bool:
    """Filters whose pages may take a while on a big log (a scan, or a sort by time)."""
    return bool(flt.text) or flt.since is not None or flt.until is not None


class EventPager:
    """``query(filter, limit, offset)`` reads newest first; ``count(filter)`` counts;
    ``newest()`` is the sequence number of the newest event of the whole log."""

    def __init__(
        self,
        flt: EventFilter,
        query: QueryFn,
        count: CountFn,
        newest: NewestFn,
        *,
        page_size: int = PAGE_SIZE,
        max_pages: int = MAX_PAGES,
        seek: bool = True,
    ) -> None:
        """``seek=False``: plain offsets over a fixed list in any order (no snapshot)."""
        self.filter = flt
        self.seek = seek
        self.query, self._count, self._newest = query, count, newest
        self.page_size = page_size
        self.max_pages = max_pages
        self.total = 0
        #: The newest sequence number of the log when the snapshot was taken.
        self.snapshot_newest = 0
        #: True once :meth:`check_newer` saw events logged after the snapshot.
        self.newer_events = False
        self._pinned = flt
        self._bound = 0
        self._dense = False
        self._pages: OrderedDict[int, list[AuditEvent]] = OrderedDict()
        #: How many pages were read from the log (tests and the benchmark read it).
        self.page_loads = 0

    @property
    def slow(self) -> bool:
        return is_slow(self.filter)

    def reset(self) -> None:
        """Take the snapshot: newest sequence, count, and the first page."""
        self._pages.clear()
        self.newer_events = False
        top = self._newest()
        self.snapshot_newest = top
        bound = top if self.filter.max_seq is None else min(top, self.filter.max_seq)
        self._bound = bound
        if self.seek:
            self._pinned = replace(self.filter, max_seq=bound)
        self._dense = False
        if self.seek and self.filter == EventFilter():
            # Counting the whole log uses a small index; counting up to a bound walks the
            # table. If nothing was appended meanwhile, the whole log is the snapshot.
            total = self._count(self.filter)
            self._dense = total == top and self._newest() == top
        self.total = top if self._dense else self._count(self._pinned)
        if self.total:
            self.load(0)

    def check_newer(self) -> bool:
        """Whether events were logged since the snapshot (one cheap query)."""
        self.newer_events = self._newest() != self.snapshot_newest
        return self.newer_events

    # -- pages --------------------------------------------------------------------------------
    def cached(self, page: int) -> list[AuditEvent] | None:
        events = self._pages.get(page)
        if events is not None:
            self._pages.move_to_end(page)
        return events

    def held_pages(self) -> set[int]:
        return set(self._pages)

    def plan(self, page: int) -> PageRead | None:
        offset = page * self.page_size
        limit = min(self.page_size, self.total - offset)
        if page < 0 or limit <= 0:
            return None
        if not self.seek:
            return PageRead(page, self._pinned, limit, offset)
        if self._dense:
            return PageRead(page, replace(self._pinned, max_seq=self._bound - offset), limit, 0)
        above = [q for q, events in self._pages.items() if q < page and events]
        if above:
            anchor = max(above)
            last = self._pages[anchor][-1].seq
            skip = (page - anchor - 1) * self.page_size
            return PageRead(page, replace(self._pinned, max_seq=last - 1), limit, skip)
        return PageRead(page, self._pinned, limit, offset)

    def store(self, page: int, events: list[AuditEvent]) -> None:
        self.page_loads += 1
        self._pages[page] = events
        self._pages.move_to_end(page)
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)

    def load(self, page: int) -> list[AuditEvent]:
        """Read one page now (the service call may raise)."""
        plan = self.plan(page)
        if plan is None:
            return []
        events = read_page(self.query, plan)
        self.store(page, events)
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


def list_pager(events: Sequence[AuditEvent], **kwargs: int) -> EventPager:
    """A pager over events already in memory (a person's history), in the given order."""
    held = list(events)
    pager = EventPager(
        EventFilter(),
        lambda flt, limit, offset: held[offset : offset + limit],
        lambda flt: len(held),
        lambda: 0,
        seek=False,
        **kwargs,
    )
    pager.reset()
    return pager
