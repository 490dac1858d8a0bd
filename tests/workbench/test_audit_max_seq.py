"""EventFilter.max_seq: a snapshot of a growing log, and pages read by seeking."""

from __future__ import annotations

from rlwb.workbench.audit.events import Actor, EventDraft, EventType, Outcome
from rlwb.workbench.audit.log import EventFilter
from rlwb.workbench.workspace import Workspace


def test_max_seq_bounds_queries_and_counts(workspace: Workspace) -> None:
    log = workspace.audit
    actor = Actor("clerk1", ("clerk",))
    log.append_many(
        [EventDraft(EventType.SEARCH, Outcome.OK, actor, details={"i": i}) for i in range(20)]
    )
    top = log.last()
    assert top is not None
    bound = top.seq - 5
    snapshot = EventFilter(max_seq=bound)
    assert log.count(snapshot) == bound
    page = log.query(snapshot, limit=3)
    assert [e.seq for e in page] == [bound, bound - 1, bound - 2]
    searches = EventFilter(event_types=(EventType.SEARCH,), max_seq=page[-1].seq - 1)
    after = log.query(searches, limit=2)
    assert [e.seq for e in after] == [bound - 3, bound - 4]
    log.append(EventDraft(EventType.SEARCH, Outcome.OK, actor))
    assert log.count(snapshot) == bound  # later events stay out of the snapshot
    assert log.count(EventFilter()) == top.seq + 1
