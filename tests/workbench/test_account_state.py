"""Issue 8, section 3: the account is read again on every action; temporary passwords;
logins that do not tell names apart; the last administrator's way back; password cost."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path

import pytest

from rlwb import crypto
from rlwb.crypto.backup import KeyBackup, write_backup
from rlwb.crypto.keystore import DEFAULT_SCRYPT_N as KEYSTORE_DEFAULT_N
from rlwb.crypto.keystore import PassphraseMasterKeyStore, master_key_store_from_env
from rlwb.workbench.audit.events import EventType, Outcome
from rlwb.workbench.audit.log import EventFilter
from rlwb.workbench.cli import Context
from rlwb.workbench.errors import (
    AccessDenied,
    AccountRefused,
    AuthenticationError,
    InvalidInput,
    LoginRefused,
    PasswordChangeRequired,
)
from rlwb.workbench.keyaccess import KeyAccess
from rlwb.workbench.services import session as session_service
from rlwb.workbench.services import users as user_service
from rlwb.workbench.services.preview import saved_profiles
from rlwb.workbench.services.session import login, set_purpose
from rlwb.workbench.services.views import reveal_pair
from rlwb.workbench.users import UserStore
from rlwb.workbench.workspace import KEYSET_FILE, Workspace
from tests.workbench.conftest import (
    ADMIN_PASSWORD,
    TEST_SCRYPT_N,
    USER_PASSWORD,
    FakeClock,
    Team,
    stored_run,
    valid_numbers,
)


def _denials(ws: Workspace) -> list:
    return ws.audit.query(EventFilter(event_types=(EventType.ACCESS_DENIED,)), newest_first=False)


def _refusal(action: Callable[[], object]) -> LoginRefused:
    with pytest.raises(LoginRefused) as caught:
        action()
    return caught.value


# -- the account is read again on every action --------------------------------------------------
def test_disabled_while_logged_in_is_refused_from_the_next_action(
    workspace: Workspace, team: Team
) -> None:
    run_id = stored_run(workspace, team.clerk, list(valid_numbers(2)))
    set_purpose(team.clerk, "扶養認定確認")
    assert reveal_pair(team.clerk, run_id, "T0000", None).tax  # works while enabled
    user_service.disable_user(team.admin, "clerk1")
    with pytest.raises(AccountRefused, match="disabled your account"):
        reveal_pair(team.clerk, run_id, "T0000", None)
    assert team.clerk.closed and team.clerk.ended_reason == "disabled"
    with pytest.raises(AccessDenied):  # and every other action after it
        saved_profiles(team.clerk)
    (denied,) = _denials(workspace)
    assert denied.actor_user == "clerk1" and denied.outcome == Outcome.DENIED
    assert denied.details == {"action": "person.reveal", "reason": "disabled"}
    reveals = workspace.audit.query(EventFilter(event_types=(EventType.REVEAL,)))
    assert len(reveals) == 1  # only the one before the account was disabled


def test_locked_out_while_logged_in_is_refused(workspace: Workspace, team: Team) -> None:
    assert saved_profiles(team.clerk) == []
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            login(workspace, "clerk1", "wrong-password-x")
    with pytest.raises(AccountRefused, match="locked"):
        saved_profiles(team.clerk)
    assert _denials(workspace)[-1].details["reason"] == "locked"


def test_role_removed_while_logged_in_is_refused(workspace: Workspace, team: Team) -> None:
    user_service.add_user(team.admin, "both", USER_PASSWORD, ["clerk", "auditor"])
    workspace.users.set_password("both", USER_PASSWORD, must_change=False)
    both = login(workspace, "both", USER_PASSWORD)
    run_id = stored_run(workspace, both, list(valid_numbers(1)))
    set_purpose(both, "適用調査")
    assert reveal_pair(both, run_id, "T0000", None).tax
    user_service.set_roles(team.admin, "both", ["auditor"])
    with pytest.raises(AccountRefused, match="changed your roles"):
        reveal_pair(both, run_id, "T0000", None)
    assert _denials(workspace)[-1].details == {"action": "person.reveal", "reason": "roles_changed"}
    # Logged in again, the remaining role works and the removed one is plainly denied.
    again = login(workspace, "both", USER_PASSWORD)
    from rlwb.workbench.services.audit import verify

    assert verify(again).intact
    with pytest.raises(AccessDenied, match="does not allow"):
        saved_profiles(again)


# -- a temporary password allows nothing but changing it -----------------------------------------
def test_temporary_password_allows_only_its_change(workspace: Workspace, team: Team) -> None:
    user_service.reset_password(team.admin, "clerk1", "temporary-pass-1")
    # The session that was open when the administrator reset the password is held too.
    with pytest.raises(PasswordChangeRequired):
        saved_profiles(team.clerk)
    session = login(workspace, "clerk1", "temporary-pass-1")
    assert session.must_change_password
    with pytest.raises(PasswordChangeRequired, match="temporary"):
        saved_profiles(session)
    assert _denials(workspace)[-1].details == {
        "action": "dataset.import",
        "reason": "must_change_password",
    }
    session_service.change_own_password(session, "temporary-pass-1", "clerk-own-pass-1")
    assert saved_profiles(session) == []
    assert not workspace.users.get("clerk1").must_change_password


# -- logins do not tell names apart ------------------------------------------------------------
def test_unknown_name_and_wrong_password_read_the_same_up_to_the_lockout(
    workspace: Workspace, team: Team, clock: FakeClock
) -> None:
    def attempt(name: str, password: str = "wrong-password-x") -> LoginRefused:
        return _refusal(lambda: login(workspace, name, password))

    for _ in range(4):
        known, unknown = attempt("clerk1"), attempt("no-such-clerk")
        assert str(known) == str(unknown) == "Wrong user name or password."
        assert known.kind == unknown.kind == "wrong"
    known, unknown = attempt("clerk1"), attempt("no-such-clerk")
    assert "locked until" in str(known)
    assert str(known) == str(unknown) and unknown.kind == "locked"
    # While locked, even the right password reads the same as for a name that is no user.
    assert str(attempt("clerk1", USER_PASSWORD)) == str(attempt("no-such-clerk"))
    clock.advance(minutes=16)
    assert str(attempt("no-such-clerk")) == "Wrong user name or password."
    assert login(workspace, "clerk1", USER_PASSWORD).user == "clerk1"
    # The failures of a name that is no user are counted under an HMAC of it, never as typed.
    ((name_hmac, failures, _),) = workspace.conn.execute("SELECT * FROM login_failures")
    assert isinstance(name_hmac, bytes) and len(name_hmac) == 32 and failures == 1
    assert b"no-such-clerk" not in name_hmac


def test_disabled_is_only_said_to_whoever_knows_the_password(
    workspace: Workspace, team: Team
) -> None:
    user_service.disable_user(team.admin, "clerk1")
    wrong = _refusal(lambda: login(workspace, "clerk1", "wrong-password-x"))
    assert str(wrong) == "Wrong user name or password."
    right = _refusal(lambda: login(workspace, "clerk1", USER_PASSWORD))
    assert right.kind == "disabled" and "disabled" in str(right)


def test_every_login_costs_one_scrypt_with_the_same_parameters(
    workspace: Workspace, team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_service.add_user(team.admin, "gone", USER_PASSWORD, ["clerk"])
    user_service.disable_user(team.admin, "gone")
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            login(workspace, "auditor1", "wrong-password-x")
    calls: list[int] = []
    real = crypto.passwords._scrypt

    def counting(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
        calls.append(n)
        return real(password, salt, n, r, p)

    monkeypatch.setattr(crypto.passwords, "_scrypt", counting)
    cases = {
        "unknown name": ("nobody-here", USER_PASSWORD),
        "wrong password": ("clerk1", "wrong-password-x"),
        "disabled": ("gone", "wrong-password-x"),
        "disabled, right password": ("gone", USER_PASSWORD),
        "locked": ("auditor1", USER_PASSWORD),
    }
    for label, (name, password) in cases.items():
        calls.clear()
        with pytest.raises(AuthenticationError):
            login(workspace, name, password)
        assert calls == [TEST_SCRYPT_N], label


# -- the last administrator cannot be locked out for good --------------------------------------
def test_last_administrator_locked_out_is_unlocked_with_the_key_backup(
    workspace: Workspace, tmp_path: Path
) -> None:
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            login(workspace, "admin", "wrong-password-x")
    with pytest.raises(AuthenticationError, match="locked until"):
        login(workspace, "admin", ADMIN_PASSWORD)
    backup = tmp_path / "keys.backup"
    blob = (workspace.path / KEYSET_FILE).read_bytes()
    write_backup(
        backup, KeyBackup(workspace.id, workspace.master_key(), blob), "backup-pass-12", 2**4
    )

    with pytest.raises(InvalidInput, match="passphrase"):
        user_service.unlock_with_key_backup(workspace, "admin", backup, "not-the-passphrase")
    other = tmp_path / "other.backup"
    from rlwb.crypto.keyset import Keyset, seal_keyset

    foreign_key = bytes(range(32))
    foreign = seal_keyset(Keyset.new(workspace.id, "x", workspace.clock()), foreign_key)
    write_backup(other, KeyBackup(workspace.id, foreign_key, foreign), "backup-pass-12", 2**4)
    with pytest.raises(InvalidInput, match="not a key backup of this workspace"):
        user_service.unlock_with_key_backup(workspace, "admin", other, "backup-pass-12")
    with pytest.raises(AuthenticationError, match="locked"):
        login(workspace, "admin", ADMIN_PASSWORD)

    user_service.unlock_with_key_backup(workspace, "admin", backup, "backup-pass-12")
    assert login(workspace, "admin", ADMIN_PASSWORD).user == "admin"
    (event,) = workspace.audit.query(EventFilter(event_types=(EventType.USER_UNLOCKED,)))
    assert event.subject_user == "admin" and event.actor_user is None
    assert event.details == {"via": "key_backup"}


# -- an administrator giving themself the clerk role is warned ----------------------------------
def test_admin_giving_themself_the_clerk_role_is_warned(team: Team) -> None:
    _, warnings = user_service.set_roles(team.admin, "auditor1", ["auditor"])
    assert warnings == []
    _, warnings = user_service.set_roles(team.admin, "admin", ["admin", "clerk"])
    assert warnings == [user_service.SELF_CLERK_WARNING]
    assert "gave yourself the clerk role" in warnings[0]


# -- password cost -------------------------------------------------------------------------------
def test_production_scrypt_cost_is_at_least_two_to_the_seventeen() -> None:
    minimum = 2**17
    defaults = [
        crypto.passwords.DEFAULT_N,
        KEYSTORE_DEFAULT_N,
        inspect.signature(crypto.passwords.hash_password).parameters["n"].default,
        inspect.signature(UserStore).parameters["scrypt_n"].default,
        inspect.signature(Workspace.create).parameters["scrypt_n"].default,
        inspect.signature(Workspace.open).parameters["scrypt_n"].default,
        inspect.signature(PassphraseMasterKeyStore).parameters["scrypt_n"].default,
        inspect.signature(master_key_store_from_env).parameters["scrypt_n"].default,
        Context().scrypt_n,
    ]
    assert all(n >= minimum for n in defaults), defaults


def test_an_old_parameter_hash_is_migrated_at_the_next_login(
    tmp_path: Path, access: KeyAccess, clock: FakeClock
) -> None:
    cheap, current = 2**4, 2**6
    ws = Workspace.create(
        tmp_path / "ws",
        access=access,
        admin_name="admin",
        admin_password=ADMIN_PASSWORD,
        clock=clock,
        scrypt_n=cheap,
    )
    assert ws.users.password_cost("admin") == "scrypt$ln=4,r=8,p=1"
    ws.close()
    ws = Workspace.open(tmp_path / "ws", access=access, clock=clock, scrypt_n=current)
    with pytest.raises(AuthenticationError):
        login(ws, "admin", "wrong-password-x")
    assert ws.users.password_cost("admin") == "scrypt$ln=4,r=8,p=1"  # only after a success
    login(ws, "admin", ADMIN_PASSWORD)
    assert ws.users.password_cost("admin") == "scrypt$ln=6,r=8,p=1"
    ws.close()
    # A workspace opened with a lower cost (as the tests do) never weakens a stored hash.
    ws = Workspace.open(tmp_path / "ws", access=access, clock=clock, scrypt_n=cheap)
    login(ws, "admin", ADMIN_PASSWORD)
    assert ws.users.password_cost("admin") == "scrypt$ln=6,r=8,p=1"
    ws.close()
