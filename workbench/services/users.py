"""User administration (administrator role)."""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from pathlib import Path

from rlwb.crypto.backup import read_backup
from rlwb.crypto.errors import BackupError, CryptoError
from rlwb.crypto.keyset import open_keyset
from rlwb.workbench.access import authorize, record
from rlwb.workbench.audit.events import EventDraft, EventType, Outcome
from rlwb.workbench.db import transaction
from rlwb.workbench.errors import InvalidInput
from rlwb.workbench.number_screen import refuse_number
from rlwb.workbench.permissions import Action, Role, parse_roles
from rlwb.workbench.session import Session
from rlwb.workbench.users import User
from rlwb.workbench.workspace import Workspace

SEGREGATION_WARNING = (
    "This user holds both the clerk and the auditor role: the same person would check their "
    "own access to personal data. Keep the roles with different people where you can."
)


SELF_CLERK_WARNING = (
    "You gave yourself the clerk role: as an administrator you also manage the users and "
    "keys that guard personal data, and now you can see that data too. Keep the roles with "
    "different people where you can."
)


def role_warnings(roles: Iterable[Role]) -> list[str]:
    held = set(roles)
    return [SEGREGATION_WARNING] if {Role.CLERK, Role.AUDITOR} <= held else []


def _self_warnings(
    session: Session, name: str, before: Iterable[Role], after: Iterable[Role]
) -> list[str]:
    """An administrator who gives themself the clerk role is warned."""
    gained = set(after) - set(before)
    if name == session.user and Role.CLERK in gained and Role.ADMIN in set(after):
        return [SELF_CLERK_WARNING]
    return []


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
    with transaction(ws.conn):  # the change and its event commit together
        user = ws.users.add(
            name,
            password,
            parsed,
            created_by=session.user,
            now=ws.clock(),
            must_change_password=True,
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
    with transaction(ws.conn):
        user = ws.users.set_roles(name, parsed)
        record(
            session,
            EventType.USER_ROLES_CHANGED,
            subject_user=name,
            details={"before": list(before.roles), "after": list(parsed)},
        )
    return user, role_warnings(user.roles) + _self_warnings(session, name, before.roles, user.roles)


def disable_user(session: Session, name: str) -> User:
    authorize(session, Action.USERS_MANAGE, subject_user=name)
    if name == session.user:
        raise InvalidInput("You cannot disable your own account.")
    with transaction(session.workspace.conn):
        user = session.workspace.users.set_disabled(name, True)
        record(session, EventType.USER_DISABLED, subject_user=name)
    return user


def enable_user(session: Session, name: str) -> User:
    authorize(session, Action.USERS_MANAGE, subject_user=name)
    with transaction(session.workspace.conn):
        user = session.workspace.users.set_disabled(name, False)
        record(session, EventType.USER_ENABLED, subject_user=name)
    return user


def unlock_user(session: Session, name: str) -> User:
    authorize(session, Action.USERS_MANAGE, subject_user=name)
    with transaction(session.workspace.conn):
        user = session.workspace.users.unlock(name)
        record(session, EventType.USER_UNLOCKED, subject_user=name)
    return user


def reset_password(session: Session, name: str, new_password: str) -> User:
    """Set a temporary password; the user must change it at the next login."""
    authorize(session, Action.USERS_MANAGE, subject_user=name)
    with transaction(session.workspace.conn):
        user = session.workspace.users.set_password(name, new_password, must_change=True)
        record(session, EventType.USER_PASSWORD_RESET, subject_user=name)
    return user


def unlock_with_key_backup(ws: Workspace, name: str, backup_file: Path, passphrase: str) -> User:
    """Lift a lockout without an administrator session: the recovery for the last
    administrator, locked out by someone typing wrong passwords.

    Whoever holds the workspace's key backup *and* its passphrase (kept apart, by two
    people) already holds every key of the workspace, so they may lift a lock; they still
    need the account's password to log in. Logged as user.unlocked with no actor.
    """
    try:
        backup = read_backup(backup_file, passphrase)
    except BackupError as exc:
        raise InvalidInput(str(exc)) from None
    except OSError as exc:
        raise InvalidInput(
            f"The backup file {backup_file} cannot be read: {exc.strerror}."
        ) from None
    try:
        keyset = open_keyset(backup.keyset_blob, backup.master_key, ws.id)
    except CryptoError:
        keyset = None
    if keyset is None or not hmac.compare_digest(keyset.data_key, ws.keyset.data_key):
        raise InvalidInput(
            f"{backup_file.name} is not a key backup of this workspace; use this workspace's "
            "own key backup."
        )
    with transaction(ws.conn):
        user = ws.users.unlock(name)
        ws.audit.append(
            EventDraft(
                EventType.USER_UNLOCKED,
                Outcome.OK,
                None,
                subject_user=name,
                details={"via": "key_backup"},
            )
        )
    return user
