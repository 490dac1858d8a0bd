from __future__ import annotations

import pytest

from rlwb.workbench.audit.events import EventType, Outcome
from rlwb.workbench.audit.log import EventFilter
from rlwb.workbench.errors import AccessDenied, AuthenticationError, InvalidInput
from rlwb.workbench.permissions import PERMISSIONS, Action, Role
from rlwb.workbench.services import session as session_service
from rlwb.workbench.services import users as user_service
from rlwb.workbench.services.session import login
from rlwb.workbench.workspace import Workspace
from tests.workbench.conftest import ADMIN_PASSWORD, USER_PASSWORD, FakeClock, Team


def events(ws: Workspace, *types: EventType) -> list:
    return ws.audit.query(EventFilter(event_types=tuple(types)), newest_first=False)


def test_roles_never_mix_personal_data_with_log_or_keys() -> None:
    personal = {Action.PERSON_REVEAL, Action.PERSON_SEARCH, Action.RESULT_EXPORT}
    assert not personal & PERMISSIONS[Role.AUDITOR]
    assert not personal & PERMISSIONS[Role.ADMIN]
    assert not {Action.AUDIT_QUERY, Action.KEYS_ROTATE} & PERMISSIONS[Role.CLERK]


def test_login_ok_and_wrong_password_are_logged(workspace: Workspace) -> None:
    session = login(workspace, "admin", ADMIN_PASSWORD)
    assert session.roles == (Role.ADMIN,)
    with pytest.raises(AuthenticationError, match="Wrong user name or password"):
        login(workspace, "admin", "not-the-password")
    with pytest.raises(AuthenticationError, match="Wrong user name or password"):
        login(workspace, "nobody", "whatever-password")
    ok = events(workspace, EventType.LOGIN_OK)
    failed = events(workspace, EventType.LOGIN_FAILED)
    assert [e.actor_user for e in ok] == ["admin"]
    assert [(e.subject_user, e.outcome) for e in failed] == [
        ("admin", Outcome.DENIED),
        ("unknown", Outcome.DENIED),  # a name that is no user's is never logged as typed
    ]


def test_lockout_after_five_failures_for_fifteen_minutes(
    workspace: Workspace, team: Team, clock: FakeClock
) -> None:
    for _ in range(4):
        with pytest.raises(AuthenticationError, match="Wrong"):
            login(workspace, "clerk1", "wrong-password-x")
    with pytest.raises(AuthenticationError, match="locked until"):
        login(workspace, "clerk1", "wrong-password-x")
    # Even the right password is refused while locked.
    with pytest.raises(AuthenticationError, match="locked until"):
        login(workspace, "clerk1", USER_PASSWORD)
    assert len(events(workspace, EventType.LOGIN_LOCKED_OUT)) == 1
    clock.advance(minutes=14, seconds=59)
    with pytest.raises(AuthenticationError, match="locked"):
        login(workspace, "clerk1", USER_PASSWORD)
    clock.advance(seconds=2)
    assert login(workspace, "clerk1", USER_PASSWORD).user == "clerk1"


def test_admin_unlock_lifts_the_lock(workspace: Workspace, team: Team) -> None:
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            login(workspace, "clerk1", "wrong-password-x")
    user_service.unlock_user(team.admin, "clerk1")
    assert login(workspace, "clerk1", USER_PASSWORD).user == "clerk1"
    assert [e.subject_user for e in events(workspace, EventType.USER_UNLOCKED)] == ["clerk1"]


def test_disabled_user_cannot_log_in(workspace: Workspace, team: Team) -> None:
    user_service.disable_user(team.admin, "clerk1")
    with pytest.raises(AuthenticationError, match="disabled"):
        login(workspace, "clerk1", USER_PASSWORD)


def test_new_user_must_change_password_and_can(workspace: Workspace, team: Team) -> None:
    user_service.add_user(team.admin, "newbie", USER_PASSWORD, ["clerk"])
    newbie = login(workspace, "newbie", USER_PASSWORD)
    assert newbie.must_change_password
    with pytest.raises(InvalidInput, match="new password of your own"):
        session_service.change_own_password(newbie, USER_PASSWORD, USER_PASSWORD)
    session_service.change_own_password(newbie, USER_PASSWORD, "a-brand-new-pass")
    assert not login(workspace, "newbie", "a-brand-new-pass").must_change_password
    with pytest.raises(AuthenticationError):
        session_service.change_own_password(newbie, "wrong-old-pass", "another-new-pass")


def test_reset_password_by_admin(workspace: Workspace, team: Team) -> None:
    user_service.reset_password(team.admin, "clerk1", "temporary-pass-1")
    session = login(workspace, "clerk1", "temporary-pass-1")
    assert session.must_change_password


def test_weak_password_and_bad_names_are_refused(team: Team) -> None:
    with pytest.raises(InvalidInput, match="at least 10"):
        user_service.add_user(team.admin, "short", "short", ["clerk"])
    with pytest.raises(InvalidInput, match="user name"):
        user_service.add_user(team.admin, "bad name!", USER_PASSWORD, ["clerk"])
    with pytest.raises(InvalidInput, match="Unknown role"):
        user_service.add_user(team.admin, "someone", USER_PASSWORD, ["superuser"])
    with pytest.raises(InvalidInput, match="already exists"):
        user_service.add_user(team.admin, "clerk1", USER_PASSWORD, ["clerk"])


def test_clerk_plus_auditor_gives_a_warning(team: Team) -> None:
    _, warnings = user_service.add_user(team.admin, "both", USER_PASSWORD, ["clerk", "auditor"])
    assert warnings and "clerk and the auditor" in warnings[0]
    _, warnings = user_service.set_roles(team.admin, "both", ["clerk"])
    assert warnings == []


def test_clerk_cannot_manage_users_and_the_denial_is_logged(
    workspace: Workspace, team: Team
) -> None:
    with pytest.raises(AccessDenied, match="logged"):
        user_service.add_user(team.clerk, "intruder", USER_PASSWORD, ["admin"])
    denied = events(workspace, EventType.ACCESS_DENIED)
    assert [(e.actor_user, e.outcome, e.details["action"]) for e in denied] == [
        ("clerk1", Outcome.DENIED, "users.manage")
    ]
    assert not workspace.users.exists("intruder")


def test_idle_lock_blocks_actions_until_unlock(
    workspace: Workspace, team: Team, clock: FakeClock
) -> None:
    clock.advance(minutes=15)
    assert session_service.is_idle(team.admin, 15)
    session_service.lock(team.admin)
    with pytest.raises(AccessDenied, match="locked"):
        user_service.list_users(team.admin)
    with pytest.raises(AuthenticationError):
        session_service.unlock(team.admin, "wrong-password-x")
    session_service.unlock(team.admin, ADMIN_PASSWORD)
    assert [u.name for u in user_service.list_users(team.admin)] == ["admin", "auditor1", "clerk1"]
    assert len(events(workspace, EventType.SESSION_IDLE_LOCK)) == 1
    assert len(events(workspace, EventType.SESSION_UNLOCK)) == 1


def test_logout_ends_the_session(team: Team) -> None:
    session_service.logout(team.admin)
    with pytest.raises(AccessDenied, match="ended"):
        user_service.list_users(team.admin)


def test_cannot_remove_own_admin_role_or_disable_self(team: Team) -> None:
    with pytest.raises(InvalidInput):
        user_service.set_roles(team.admin, "admin", ["clerk"])
    with pytest.raises(InvalidInput):
        user_service.disable_user(team.admin, "admin")
