"""The one choke point between a user and the data: role check, then audit event, then data.

Every service calls :func:`authorize` before it acts and :func:`record` after; every
disclosure of personal data goes through :func:`disclose`, which writes and commits the
event *before* it hands the data back. If the event cannot be written, the caller gets
AuditWriteFailed and no data (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from workbench.audit.events import AuditEvent, EventDraft, EventType, Outcome, PersonRef
from workbench.errors import AccessDenied, WorkbenchError
from workbench.permissions import Action, is_allowed
from workbench.session import Session

T = TypeVar("T")


class PurposeRequired(WorkbenchError):
    """A disclosure needs the purpose of use declared for this working session."""

    def __init__(self) -> None:
        super().__init__(
            "Declare the purpose of use for this working session before looking at personal data."
        )


class SessionLocked(AccessDenied):
    def __init__(self) -> None:
        super().__init__("The session is locked. Enter your password to continue.")


def authorize(
    session: Session,
    action: Action,
    *,
    dataset_id: str | None = None,
    run_id: str | None = None,
    subject_user: str | None = None,
) -> None:
    """Raise AccessDenied (and log it with outcome denied) unless the session may act."""
    if session.closed:
        raise AccessDenied("This session has ended. Log in again.")
    if session.locked:
        raise SessionLocked()
    session.last_activity = session.workspace.clock()
    if is_allowed(session.roles, action):
        return
    session.workspace.audit.append(
        EventDraft(
            EventType.ACCESS_DENIED,
            Outcome.DENIED,
            session.actor,
            purpose=session.purpose,
            dataset_id=dataset_id,
            run_id=run_id,
            subject_user=subject_user,
            details={"action": action.value},
        )
    )
    roles = ", ".join(r.value for r in session.roles)
    raise AccessDenied(
        f"Your role ({roles}) does not allow {action.value}. The attempt was logged."
    )


def record(
    session: Session,
    event_type: EventType,
    *,
    outcome: Outcome = Outcome.OK,
    persons: Sequence[PersonRef] = (),
    dataset_id: str | None = None,
    run_id: str | None = None,
    subject_user: str | None = None,
    details: Mapping[str, object] | None = None,
) -> AuditEvent:
    """Write one event for the session's user; committed when this returns."""
    return session.workspace.audit.append(
        EventDraft(
            event_type,
            outcome,
            session.actor,
            purpose=session.purpose,
            persons=tuple(persons),
            dataset_id=dataset_id,
            run_id=run_id,
            subject_user=subject_user,
            details=dict(details or {}),
        )
    )


def disclose(
    session: Session,
    action: Action,
    fetch: Callable[[], T],
    *,
    persons: Callable[[T], Sequence[PersonRef]],
    event_type: EventType = EventType.REVEAL,
    dataset_id: str | None = None,
    run_id: str | None = None,
    details: Mapping[str, object] | None = None,
) -> T:
    """Return personal data only after its disclosure event is committed."""
    authorize(session, action, dataset_id=dataset_id, run_id=run_id)
    if not session.purpose:
        raise PurposeRequired()
    data = fetch()
    record(
        session,
        event_type,
        persons=persons(data),
        dataset_id=dataset_id,
        run_id=run_id,
        details=details,
    )
    return data
