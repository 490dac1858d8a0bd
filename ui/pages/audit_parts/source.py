"""Where the access-log table reads its events: the audit services, page by page."""

from __future__ import annotations

from rlwb.ui.event_pager import EventPager
from rlwb.workbench.services import audit as audit_service
from rlwb.workbench.services.types import EventFilter, Session


def newest_seq(session: Session) -> int:
    events = audit_service.query_events(session, EventFilter(), limit=1)
    return events[0].seq if events else 0


def service_pager(session: Session, flt: EventFilter) -> EventPager:
    """A pager over the audit services. The page calls it only while no other task runs
    (on a worker for the snapshot and slow pages, else on the GUI thread)."""
    return EventPager(
        flt,
        lambda f, limit, offset: audit_service.query_events(session, f, limit=limit, offset=offset),
        lambda f: audit_service.count_events(session, f),
        lambda: newest_seq(session),
    )
