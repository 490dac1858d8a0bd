"""User administration (administrator role)."""

from __future__ import annotations

from collections.abc import Iterable

from workbench.access import authorize, record
from workbench.audit.events import EventType
from workbench.errors import InvalidInput
from workbench.number_screen import refuse_number
from workbench.permissions import Action, Role, parse_roles
from workbench.session import Session
from workbench.users import User

SEGREGATION_WARNING = (
    "This user holds both the clerk and the auditor role: the same person would check their "
    "own access to personal data. Keep the roles with different people where you can."
)


def role_warnings(roles: Iterable[Role]) -> list[str]:
    held = set(roles)
    return [SEGREGATION_WARNING] if {Role.CLERK, Role.AUDITOR} <= held else []


def _roles(names: Iterable[str]) -> tuple[Role, ...]:
    try:
        return parse_roles(names)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


def add_user(
    session: Session, name: str, password: str, roles: Iterable[str]
) -> tuple[User, list[str]]:
    refuse_number(name, "user name")
    authorize(session, Action.USERS_MANAGE, subject_user=name)
    parsed = _roles(roles)
    ws = session.workspace
    user = ws.users.add(
        name, password, parsed, created_by=session.user, now=ws.clock(), must_change_password=True
    )
    record(session, EventType.USER_CREATED, subject_user=name, details={"roles": list(parsed)})
    return user, role_warnings(user.roles)


def list_users(session: Session) -> list[User]:
    authorize(session, Action.USERS_LIST)
    return session.workspace.users.list()


def set_roles(session: Session, name: str, roles: Iterable[str]) -> tuple[User, list[str]]:
    authorize(session, Action.USERS_MANAGE, subject_user=name)
    parsed = _roles(roles)
    ws = session.workspace
    before = ws.users.get(name)
    if name == session.user and Role.ADMIN in before.roles and Role.ADMIN not in parsed:
        raise InvalidInput(
            "You cannot remove your own administrator role; ask another administrator."
        )
    user = ws.users.set_roles(name, parsed)
    record(
        session,
        EventType.USER_ROLES_CHANGED,
        subject_user=name,
        details={"before": list(before.roles), "after": list(parsed)},
    )
    return user, role_warnings(user.roles)


def disable_user(session: Session, name: str) -> User:
    authorize(session, Action.USERS_MANAGE, subject_user=name)
    if name == session.user:
        raise InvalidInput("You cannot disable your own account.")
    user = session.workspace.users.set_disabled(name, True)
    record(session, EventType.USER_DISABLED, subject_user=name)
    return user


def enable_user(session: Session, name: str) -> User:
    authorize(session, Action.USERS_MANAGE, subject_user=name)
    user = session.workspace.users.set_disabled(name, False)
    record(session, EventType.USER_ENABLED, subject_user=name)
    return user


def unlock_user(session: Session, name: str) -> User:
    authorize(session, Action.USERS_MANAGE, subject_user=name)
    user = session.workspace.users.unlock(name)
    record(session, EventType.USER_UNLOCKED, subject_user=name)
    return user


def reset_password(session: Session, name: str, new_password: str) -> User:
    """Set a temporary password; the user must change it at the next login."""
    authorize(session, Action.USERS_MANAGE, subject_user=name)
    user = session.workspace.users.set_password(name, new_password, must_change=True)
    record(session, EventType.USER_PASSWORD_RESET, subject_user=name)
    return user
