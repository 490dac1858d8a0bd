"""The one choke point between a user and the data: role check, then audit event, then data.

Every service calls :func:`authorize` before it acts and :func:`record` after; every
disclosure of personal data goes through :func:`disclose`, which writes and commits the
event *before* it hands the data back. If the event cannot be written, the caller gets
AuditWriteFailed and no data (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TypeVar

from rlwb.workbench.audit.events import AuditEvent, EventDraft, EventType, Outcome, PersonRef
from rlwb.workbench.errors import (
    AccessDenied,
    AccountRefused,
    NotFound,
    PasswordChangeRequired,
    SessionEndReason,
    WorkbenchError,
)
from rlwb.workbench.number_screen import mask_text
from rlwb.workbench.permissions import Action, is_allowed
from rlwb.workbench.session import Session
from rlwb.workbench.users import RecordTampered

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
    """Raise AccessDenied (and log it with outcome denied) unless the session may act.

    The account is read again from the database on every call, so what an administrator
    changed while the user was logged in counts from the next action on: a disabled or
    locked account, or one that lost a role, ends the session (AccountRefused); a
    temporary password allows nothing but changing it (PasswordChangeRequired).
    """
    if session.closed:
        raise AccessDenied("This session has ended. Log in again.")
    if session.locked:
        raise SessionLocked()
    ws = session.workspace
    now = ws.clock()
    session.last_activity = now
    where = {"dataset_id": dataset_id, "run_id": run_id, "subject_user": subject_user}
    changed = _account_change(session, now)
    if changed is not None:
        reason, message = changed
        _log_denial(session, action, reason, **where)
        session.closed = True
        session.ended_reason = reason
        raise AccountRefused(message)
    if session.must_change_password:
        _log_denial(session, action, "must_change_password", **where)
        raise PasswordChangeRequired(
            "Your password is a temporary one set by an administrator: change it before "
            "anything else (in the app, or `workbench users change-password WORKSPACE`). "
            "The attempt was logged."
        )
    if is_allowed(session.roles, action):
        return
    _log_denial(session, action, None, **where)
    roles = ", ".join(r.value for r in session.roles)
    raise AccessDenied(
        f"Your role ({roles}) does not allow {action.value}. The attempt was logged."
    )


def _account_change(session: Session, now: datetime) -> tuple[SessionEndReason, str] | None:
    """(reason, message) if the account no longer allows this session; also carries over
    a temporary password an administrator set since the login."""
    try:
        user = session.workspace.users.get_verified(session.user)
    except NotFound:
        return (
            SessionEndReason.NO_SUCH_USER,
            "Your account no longer exists. The attempt was logged.",
        )
    except RecordTampered:
        return (
            SessionEndReason.TAMPERED,
            "This account's record was changed outside the app, so the session ended; an "
            "administrator must reset it (set a new password). The attempt was logged.",
        )
    if user.disabled:
        return (
            SessionEndReason.DISABLED,
            "An administrator disabled your account while you were logged in, so the "
            "session ended. Ask an administrator. The attempt was logged.",
        )
    if user.is_locked(now):
        return (
            SessionEndReason.LOCKED,
            "Your account was locked after too many failed logins, so the session ended. "
            "Log in again once the lock has passed, or ask an administrator to unlock it. "
            "The attempt was logged.",
        )
    if set(session.roles) - set(user.roles):
        return (
            SessionEndReason.ROLES_CHANGED,
            "An administrator changed your roles while you were logged in, so the session "
            "ended. Log in again to work with your current roles. The attempt was logged.",
        )
    if user.must_change_password:
        session.must_change_password = True
    return None


def _log_denial(
    session: Session,
    action: Action,
    reason: str | None,
    *,
    dataset_id: str | None,
    run_id: str | None,
    subject_user: str | None,
) -> None:
    details: dict[str, object] = {"action": action.value}
    if reason is not None:
        details["reason"] = reason
    # What was asked for is named as the user typed it, which may be anything: a number in
    # it is masked, so the denial is still logged (the log refuses a raw number).
    session.workspace.audit.append(
        EventDraft(
            EventType.ACCESS_DENIED,
            Outcome.DENIED,
            session.actor,
            purpose=session.purpose,
            dataset_id=_masked(dataset_id),
            run_id=_masked(run_id),
            subject_user=_masked(subject_user),
            details=details,
        )
    )


def _masked(typed: str | None) -> str | None:
    return None if typed is None else mask_text(typed)


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
