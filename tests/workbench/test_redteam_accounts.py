"""Red-team attacks on accounts by someone who can write the workspace files.

Each users row carries a MAC under a key derived from the sealed keyset: whatever is
changed in the database outside the app (a password hash, roles, disabled, a lock, the MAC
itself) makes the account refuse to log in and ends its sessions, logged as
``record_tampered``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from rlwb.crypto.keyset import Keyset, read_keyset_file
from rlwb.crypto.passwords import hash_password
from rlwb.workbench.access import authorize
from rlwb.workbench.audit.events import EventType
from rlwb.workbench.errors import AccountRefused, LoginRefused, RefusalKind
from rlwb.workbench.keyaccess import KeyAccess
from rlwb.workbench.permissions import Action
from rlwb.workbench.services.session import login, logout
from rlwb.workbench.services.users import enable_user, reset_password
from rlwb.workbench.users import RecordTampered
from rlwb.workbench.workspace import KEYSET_FILE, Workspace
from tests.workbench.conftest import (
    ADMIN_PASSWORD,
    TEST_SCRYPT_N,
    USER_PASSWORD,
    FakeClock,
    Team,
)


@pytest.fixture
def raw_db(workspace: Workspace) -> Iterator[sqlite3.Connection]:
    """A second connection to the database: the attacker, outside the app."""
    conn = sqlite3.connect(workspace.path / "workbench.sqlite3", isolation_level=None)
    yield conn
    conn.close()


def _last_event(ws: Workspace) -> tuple[str, dict[str, object], str | None]:
    event = ws.audit.last()
    assert event is not None
    return event.event_type, dict(event.details), event.subject_user


def _refused_as_tampered(ws: Workspace, name: str, password: str) -> None:
    with pytest.raises(LoginRefused) as refused:
        login(ws, name, password)
    assert refused.value.kind is RefusalKind.TAMPERED
    assert "changed outside the app" in str(refused.value)
    assert _last_event(ws) == (
        EventType.LOGIN_FAILED,
        {"reason": "record_tampered"},
        name,
    )


def test_a_password_hash_written_into_the_database_does_not_open_an_account(
    workspace: Workspace, team: Team, raw_db: sqlite3.Connection
) -> None:
    mine = hash_password("attacker-password-1", n=TEST_SCRYPT_N)
    raw_db.execute("UPDATE users SET password_hash = ? WHERE name = 'admin'", (mine,))
    _refused_as_tampered(workspace, "admin", "attacker-password-1")
    # The admin's session that was open ends at its next action.
    with pytest.raises(AccountRefused, match="changed outside the app"):
        authorize(team.admin, Action.USERS_LIST)
    assert team.admin.closed
    event_type, details, _ = _last_event(workspace)
    assert (event_type, details["reason"]) == (EventType.ACCESS_DENIED, "record_tampered")


def test_roles_edited_in_the_database_are_refused(
    workspace: Workspace, team: Team, raw_db: sqlite3.Connection
) -> None:
    raw_db.execute("UPDATE users SET roles = 'admin,clerk' WHERE name = 'clerk1'")
    with pytest.raises(AccountRefused):
        authorize(team.clerk, Action.USERS_LIST)
    _refused_as_tampered(workspace, "clerk1", USER_PASSWORD)


def test_disabled_cleared_in_the_database_is_refused(
    workspace: Workspace, team: Team, raw_db: sqlite3.Connection
) -> None:
    workspace.users.set_disabled("clerk1", True)
    raw_db.execute("UPDATE users SET disabled = 0 WHERE name = 'clerk1'")
    _refused_as_tampered(workspace, "clerk1", USER_PASSWORD)


def test_a_lock_cleared_in_the_database_is_refused(
    workspace: Workspace, team: Team, raw_db: sqlite3.Connection
) -> None:
    for _ in range(workspace.lockout_policy().max_failures):
        with pytest.raises(LoginRefused):
            login(workspace, "clerk1", "not the password")
    raw_db.execute("UPDATE users SET locked_until = NULL, failed_logins = 0")
    _refused_as_tampered(workspace, "clerk1", USER_PASSWORD)


def test_a_row_copied_from_another_user_is_refused(
    workspace: Workspace, team: Team, raw_db: sqlite3.Connection
) -> None:
    # The clerk copies the administrator's row (hash, roles, MAC) onto its own name,
    # hoping the admin's MAC covers it; then logs in with the admin's password.
    raw_db.execute(
        "UPDATE users SET (password_hash, roles, record_mac) = "
        "(SELECT password_hash, roles, record_mac FROM users WHERE name = 'admin') "
        "WHERE name = 'clerk1'"
    )
    _refused_as_tampered(workspace, "clerk1", ADMIN_PASSWORD)
    # And its own MAC on another row does not carry over either.
    raw_db.execute(
        "UPDATE users SET record_mac = (SELECT record_mac FROM users WHERE name = 'auditor1') "
        "WHERE name = 'admin'"
    )
    _refused_as_tampered(workspace, "admin", ADMIN_PASSWORD)


def test_a_nulled_mac_is_refused_and_not_maced_again_when_reopened(
    workspace: Workspace, team: Team, raw_db: sqlite3.Connection, access: KeyAccess
) -> None:
    raw_db.execute("UPDATE users SET record_mac = NULL WHERE name = 'clerk1'")
    _refused_as_tampered(workspace, "clerk1", USER_PASSWORD)
    for session in (team.admin, team.clerk, team.auditor):
        session.closed = True
    workspace.close()
    again = Workspace.open(workspace.path, access=access, scrypt_n=TEST_SCRYPT_N)
    try:
        _refused_as_tampered(again, "clerk1", USER_PASSWORD)
        logout(login(again, "auditor1", USER_PASSWORD))
    finally:
        again.close()


def test_the_app_refuses_to_change_a_tampered_row_except_by_a_password_reset(
    workspace: Workspace, team: Team, raw_db: sqlite3.Connection
) -> None:
    raw_db.execute("UPDATE users SET roles = 'admin' WHERE name = 'clerk1'")
    # An unrelated change would MAC the attacker's roles: refused.
    with pytest.raises(RecordTampered, match="set a new password"):
        workspace.users.set_disabled("clerk1", False)
    with pytest.raises(RecordTampered):
        workspace.users.unlock("clerk1")
    assert not workspace.users.is_intact("clerk1")
    assert not workspace.users.get("clerk1").record_intact  # the administrator's list says so
    # The administrator's reset makes the row valid again, but disabled: its roles are
    # checked and it is enabled by hand.
    user = reset_password(team.admin, "clerk1", "a-new-temporary-1")
    assert user.disabled and user.record_intact
    with pytest.raises(LoginRefused) as refused:
        login(workspace, "clerk1", "a-new-temporary-1")
    assert refused.value.kind is RefusalKind.DISABLED
    workspace.users.set_roles("clerk1", ("clerk",))  # type: ignore[arg-type]
    enable_user(team.admin, "clerk1")
    session = login(workspace, "clerk1", "a-new-temporary-1")
    assert session.roles == ("clerk",) and session.must_change_password


def test_failed_and_successful_logins_keep_the_row_valid(workspace: Workspace, team: Team) -> None:
    with pytest.raises(LoginRefused):
        login(workspace, "clerk1", "not the password")
    assert workspace.users.get("clerk1").failed_logins == 1
    logout(login(workspace, "clerk1", USER_PASSWORD))
    assert all(workspace.users.is_intact(n) for n in ("admin", "clerk1", "auditor1"))


def _create_without_row_macs(tmp_path: Path, access: KeyAccess, clock: FakeClock) -> Path:
    """A workspace as the app wrote it before row MACs: no marker, rows without a MAC."""
    new = Keyset.new

    def old_keyset(*args: object, **kwargs: object) -> Keyset:
        return replace(new(*args, **kwargs), user_record_macs=False)  # type: ignore[arg-type]

    path = tmp_path / "old-ws"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Keyset, "new", old_keyset)
        ws = Workspace.create(
            path,
            access=access,
            admin_name="admin",
            admin_password=ADMIN_PASSWORD,
            clock=clock,
            scrypt_n=TEST_SCRYPT_N,
        )
        ws.close()
    conn = sqlite3.connect(path / "workbench.sqlite3", isolation_level=None)
    conn.execute("UPDATE users SET record_mac = NULL")
    conn.close()
    return path


def test_an_older_workspace_has_its_rows_maced_once_on_first_open(
    tmp_path: Path, access: KeyAccess, clock: FakeClock
) -> None:
    path = _create_without_row_macs(tmp_path, access, clock)
    ws = Workspace.open(path, access=access, clock=clock, scrypt_n=TEST_SCRYPT_N)
    master = ws.master_key()
    assert ws.keyset.user_record_macs
    assert read_keyset_file(path / KEYSET_FILE, master, ws.id).user_record_macs
    assert ws.users.is_intact("admin")
    logout(login(ws, "admin", ADMIN_PASSWORD))
    ws.close()
    # Once only: a MAC removed after the upgrade is not restored by the next open.
    conn = sqlite3.connect(path / "workbench.sqlite3", isolation_level=None)
    conn.execute("UPDATE users SET record_mac = NULL")
    conn.close()
    again = Workspace.open(path, access=access, clock=clock, scrypt_n=TEST_SCRYPT_N)
    try:
        _refused_as_tampered(again, "admin", ADMIN_PASSWORD)
    finally:
        again.close()


def test_saving_a_keyset_without_the_marker_keeps_it(workspace: Workspace) -> None:
    workspace.save_keyset(replace(workspace.keyset, user_record_macs=False))
    stored = read_keyset_file(workspace.path / KEYSET_FILE, workspace.master_key(), workspace.id)
    assert workspace.keyset.user_record_macs and stored.user_record_macs
