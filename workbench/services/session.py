"""Login, logout, idle lock and unlock, purpose of use, own password change."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import NoReturn

from rlwb.workbench.access import SessionLocked, record
from rlwb.workbench.audit.events import Actor, EventDraft, EventType, Outcome
from rlwb.workbench.errors import (
    AccessDenied,
    AuthenticationError,
    InvalidInput,
    LoginReason,
    SessionEndReason,
)
from rlwb.workbench.keyaccess import KeyAccess
from rlwb.workbench.number_screen import refuse_number
from rlwb.workbench.session import Session
from rlwb.workbench.users import LoginCheck, refusal
from rlwb.workbench.workspace import Workspace

#: Input closer together than this is one activity (the GUI calls note_activity per key).
ACTIVITY_RESOLUTION_SECONDS = 5


def open_workspace(path: Path, access: KeyAccess) -> Workspace:
    """Open the workspace at ``path`` with the key from ``access`` (nobody is logged in)."""
    return Workspace.open(path, access=access)


def close_workspace(ws: Workspace) -> None:
    ws.close()


def workspace_name(session: Session) -> str:
    """The workspace's folder name, for the window title and the status bar."""
    return session.workspace.path.name


def login(ws: Workspace, name: str, password: str) -> Session:
    """Authenticate and start a session; every attempt is logged."""
    now = ws.clock()
    check = ws.users.authenticate(name, password, now=now, policy=ws.lockout_policy())
    user, reason = check.user, check.reason
    if not check.ok or user is None:
        event = (
            EventType.LOGIN_LOCKED_OUT
            if reason is LoginReason.LOCKED_OUT
            else EventType.LOGIN_FAILED
        )
        actor = Actor(user.name, tuple(r.value for r in user.roles)) if user else None
        # A name that is no user's is kept as "unknown", never as typed: it may be a
        # password typed into the wrong field, or a 個人番号.
        subject = user.name if user else "unknown"
        ws.audit.append(
            EventDraft(
                event, Outcome.DENIED, actor, subject_user=subject, details={"reason": reason}
            )
        )
        raise refusal(check)
    session = Session(
        workspace=ws,
        user=user.name,
        roles=user.roles,
        started_at=now,
        last_activity=now,
        must_change_password=user.must_change_password,
    )
    record(session, EventType.LOGIN_OK, subject_user=user.name)
    return session


def logout(session: Session) -> None:
    if session.closed:
        return
    record(session, EventType.LOGOUT, subject_user=session.user)
    session.closed = True
    session.workspace.audit.checkpoint()


def lock(session: Session) -> None:
    """Idle lock: the window hides its data until the password is given again."""
    if session.locked or session.closed:
        return
    record(session, EventType.SESSION_IDLE_LOCK, subject_user=session.user)
    session.locked = True


def unlock(session: Session, password: str) -> None:
    ws = session.workspace
    if session.closed:
        raise AccessDenied("This session has ended. Log in again.")
    check = ws.users.authenticate(
        session.user, password, now=ws.clock(), policy=ws.lockout_policy()
    )
    if not check.ok:
        _refuse(session, check, "unlock")
    session.locked = False
    session.last_activity = ws.clock()
    record(session, EventType.SESSION_UNLOCK, subject_user=session.user)


#: Check outcomes after which the session cannot go on.
_ENDS_SESSION = (
    LoginReason.LOCKED_OUT,
    LoginReason.LOCKED,
    LoginReason.DISABLED,
    LoginReason.TAMPERED,
)


def _ended_by(check: LoginCheck) -> SessionEndReason:
    if check.reason is LoginReason.DISABLED:
        return SessionEndReason.DISABLED
    if check.reason is LoginReason.TAMPERED:
        return SessionEndReason.TAMPERED
    return SessionEndReason.LOCKED


def _refuse(session: Session, check: LoginCheck, during: str) -> NoReturn:
    record(
        session,
        EventType.LOGIN_LOCKED_OUT
        if check.reason is LoginReason.LOCKED_OUT
        else EventType.LOGIN_FAILED,
        outcome=Outcome.DENIED,
        subject_user=session.user,
        details={"reason": check.reason, "during": during},
    )
    if check.reason in _ENDS_SESSION:
        session.closed = True
        session.ended_reason = _ended_by(check)
    raise refusal(check)


def now(session: Session) -> datetime:
    """The workspace clock's time (what lockouts and the idle lock are measured with)."""
    return session.workspace.clock()


def note_activity(session: Session) -> None:
    """The user did something (a key, a click): the idle lock counts from now.

    Nothing while the session is locked or ended (typing the password into the lock screen
    is not activity); updates at most every few seconds, as the GUI calls it per event.
    """
    if session.locked or session.closed:
        return
    now = session.workspace.clock()
    if (now - session.last_activity).total_seconds() > ACTIVITY_RESOLUTION_SECONDS:
        session.last_activity = now


def is_idle(session: Session, idle_minutes: int) -> bool:
    elapsed = session.workspace.clock() - session.last_activity
    return elapsed.total_seconds() >= idle_minutes * 60


def set_purpose(session: Session, purpose: str) -> None:
    """Declare (or change) the purpose of use; it is written into every later event."""
    purpose = purpose.strip()
    if not purpose:
        raise InvalidInput("Choose or type a purpose of use.")
    if len(purpose) > 200:
        raise InvalidInput("A purpose of use is at most 200 characters.")
    refuse_number(purpose, "purpose of use")
    session.purpose = purpose
    record(session, EventType.SESSION_PURPOSE, subject_user=session.user)


def change_own_password(session: Session, old_password: str, new_password: str) -> None:
    """The user's own change; the one thing a temporary password allows."""
    ws = session.workspace
    if session.closed:
        raise AccessDenied("This session has ended. Log in again.")
    if session.locked:
        raise SessionLocked()
    check = ws.users.authenticate(
        session.user, old_password, now=ws.clock(), policy=ws.lockout_policy()
    )
    if not check.ok or check.user is None:
        record(
            session,
            EventType.USER_PASSWORD_CHANGED,
            outcome=Outcome.DENIED,
            subject_user=session.user,
            details={"reason": check.reason},
        )
        if check.reason in _ENDS_SESSION:
            session.closed = True
            session.ended_reason = _ended_by(check)
            raise refusal(check)
        raise AuthenticationError("The current password is wrong.")
    if check.user.must_change_password and new_password == old_password:
        raise InvalidInput(
            "Choose a new password of your own: the temporary one is known to the "
            "administrator who set it."
        )
    ws.users.set_password(session.user, new_password, must_change=False)
    session.must_change_password = False
    record(session, EventType.USER_PASSWORD_CHANGED, subject_user=session.user)
