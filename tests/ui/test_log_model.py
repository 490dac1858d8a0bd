"""The lazy access-log model: pages on demand, a few kept, rows that never shift."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from rlwb.ui.event_pager import EventPager, list_pager
from rlwb.ui.log_model import (
    PLACEHOLDER,
    EventTableModel,
    event_detail_html,
    event_detail_text,
    event_texts,
    person_text,
)
from rlwb.workbench.audit.events import AuditEvent, EventType, Outcome, PersonRef
from rlwb.workbench.audit.log import EventFilter

TOKEN = "ab" * 32


def make_event(seq: int, **changes: object) -> AuditEvent:
    fields: dict[str, object] = {
        "seq": seq,
        "time": "2026-11-02T09:00:00.000000+00:00",
        "event_type": EventType.REVEAL if seq % 2 else EventType.SEARCH,
        "outcome": Outcome.OK,
        "actor_user": "clerk1",
        "actor_roles": ("clerk",),
        "host": "desk-7",
        "os_user": "sato",
        "app_version": "0.1.0",
        "workspace_id": "ws-1",
        "persons": (PersonRef(TOKEN, 2),) if seq % 2 else (),
        "dataset_id": "tax-1",
        "run_id": None,
        "subject_user": None,
        "purpose": "扶養認定確認",
        "details": {"rows": seq, "file": "対象.csv"},
        "prev_hash": "00" * 32,
        "hash": "11" * 32,
    }
    fields.update(changes)
    return AuditEvent(**fields)  # type: ignore[arg-type]


class FakeLog:
    """``n`` events served newest first, computed, never held as a list. The user filter
    "odd" keeps the odd sequence numbers (a filtered, non-dense view); any text filter
    keeps everything but counts as slow."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.reads: list[tuple[int | None, int]] = []  # (max_seq, offset) of every query

    def _seqs(self, flt: EventFilter) -> range:
        top = self.n if flt.max_seq is None else min(self.n, flt.max_seq)
        if flt.users == ("odd",):
            top -= 1 - top % 2
            return range(top, 0, -2)
        return range(top, 0, -1)

    def count(self, flt: EventFilter) -> int:
        return len(self._seqs(flt))

    def newest(self) -> int:
        return self.n

    def query(self, flt: EventFilter, limit: int, offset: int) -> list[AuditEvent]:
        self.reads.append((flt.max_seq, offset))
        return [make_event(seq) for seq in self._seqs(flt)[offset : offset + limit]]

    def pager(self, flt: EventFilter | None = None, **kwargs: int) -> EventPager:
        return EventPager(flt or EventFilter(), self.query, self.count, self.newest, **kwargs)


def test_pager_seeks_to_any_page_of_a_million_and_keeps_a_few() -> None:
    log = FakeLog(1_000_000)
    pager = log.pager(page_size=500, max_pages=4)
    pager.reset()
    assert pager.total == 1_000_000
    first = pager.event(0)
    assert first is not None and first.seq == 1_000_000
    last = pager.event(999_999)
    assert last is not None and last.seq == 1
    middle = pager.event(500_123)
    assert middle is not None and middle.seq == 1_000_000 - 500_123
    assert all(offset == 0 for _, offset in log.reads)  # every page was one seek
    for page in range(10):
        pager.event(page * 500)
    assert len(pager.held_pages()) == 4  # never more than max_pages
    assert pager.page_loads == 12  # 3 above, then pages 1..9 (page 0 was held)
    assert pager.event(1_000_000) is None and pager.event(-1) is None


def test_a_filtered_view_reads_on_from_the_page_above() -> None:
    log = FakeLog(100_000)
    pager = log.pager(EventFilter(users=("odd",)), page_size=100)
    pager.reset()
    assert pager.total == 50_000
    for row in range(0, 1_000, 100):  # scrolling down page by page
        event = pager.event(row)
        assert event is not None and event.seq == 99_999 - 2 * row
    assert all(offset == 0 for _, offset in log.reads[1:])  # each from the page above
    far = pager.event(30_050)  # a jump: from the nearest page above, a few pages skipped
    assert far is not None and far.seq == 99_999 - 2 * 30_050
    assert log.reads[-1] == (99_999 - 2 * 999 - 1, 29_000)


def test_new_events_never_shift_the_rows_of_the_snapshot() -> None:
    log = FakeLog(2_000)
    pager = log.pager(EventFilter(users=("odd",)), page_size=100)
    pager.reset()
    before = pager.event(950)
    assert before is not None
    log.n += 37  # appended since: newest first, they would sit above row 0
    pager._pages.clear()  # forget what was read, as after scrolling far away
    after = pager.event(950)
    assert after is not None and after.seq == before.seq
    assert pager.total == 1_000
    assert pager.check_newer() and pager.newer_events


def test_model_shows_placeholders_then_reads_after_a_pause(qtbot: QtBot) -> None:
    log = FakeLog(1_000_000)
    pager = log.pager(page_size=500)
    pager.reset()
    model = EventTableModel()
    model.set_pager(pager)
    assert model.rowCount() == 1_000_000 and model.columnCount() == 9
    assert model.cell_text(0, 0) == "1000000"
    far = 700_250
    assert model.cell_text(far, 0) == PLACEHOLDER  # not read while painting
    for row in range(0, 900_000, 50_000):  # a fast drag of the scroll bar
        model.cell_text(row, 0)
    loads = pager.page_loads
    with qtbot.waitSignal(model.dataChanged, timeout=2_000):
        pass  # the debounce timer fires once the "scrolling" stopped
    assert pager.page_loads - loads <= 3  # only the last pages asked for are read
    assert model.event_at(far) is not None
    assert model.cell_text(far, 0) == str(1_000_000 - far)
    assert len(pager.held_pages()) <= pager.max_pages


def test_slow_pages_are_read_on_a_worker_and_wait_while_busy(qtbot: QtBot) -> None:
    log = FakeLog(10_000)
    pager = log.pager(EventFilter(text="扶養"), page_size=100)
    pager.reset()
    busy = [True]
    ran: list[int] = []

    def background(work, done, failed):  # type: ignore[no-untyped-def]
        ran.append(1)
        done(work())  # a worker would run it; the model must not care
        return True

    model = EventTableModel(ready=lambda: not busy[0], background=background)
    model.set_pager(pager)
    assert model.cell_text(5_000, 0) == PLACEHOLDER
    model.fetch_wanted()
    assert ran == [] and model.cell_text(5_000, 0) == PLACEHOLDER  # waits for the workspace
    assert model.event_at(5_000) is None
    busy[0] = False
    model.fetch_wanted()
    assert ran == [1] and model.cell_text(5_000, 0) == str(10_000 - 5_000)


def test_event_texts_and_detail_hide_the_token_and_show_every_field() -> None:
    event = make_event(7, details={"rows": 3, "file": "対象.csv", "nested": {"a": [1, 2]}})
    texts = event_texts(event)
    assert texts[0] == "7" and "clerk1" in texts
    assert TOKEN not in "".join(texts)
    detail = event_detail_text(event)
    assert person_text(TOKEN, 2) in detail and TOKEN not in detail
    assert "(v2)" in detail and "desk-7" in detail and "sato" in detail and "ws-1" in detail
    assert '"nested": {\n    "a": [\n      1,' in detail  # pretty-printed JSON
    assert "対象.csv" in detail and "2026-11-02T09:00:00.000000+00:00" in detail
    shown = event_detail_html(event)
    assert person_text(TOKEN, 2) in shown and TOKEN not in shown and "<pre" in shown


def test_list_pager_over_events_in_memory() -> None:
    events = [make_event(i) for i in range(1, 8)]  # oldest first, as a history is
    pager = list_pager(events, page_size=3)
    assert pager.total == 7
    assert [pager.event(i).seq for i in range(7)] == list(range(1, 8))  # type: ignore[union-attr]
    assert pager.event(1).seq == 2  # type: ignore[union-attr]
