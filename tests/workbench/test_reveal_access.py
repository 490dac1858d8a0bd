from __future__ import annotations

import pytest

from rlwb.workbench.access import PurposeRequired
from rlwb.workbench.audit.events import EventType, Outcome
from rlwb.workbench.audit.log import EventFilter
from rlwb.workbench.errors import AccessDenied, AuditWriteFailed
from rlwb.workbench.services.session import set_purpose
from rlwb.workbench.services.views import reveal_pair
from rlwb.workbench.workspace import Workspace
from tests.workbench.conftest import Team, stored_run, valid_numbers


def _events(ws: Workspace, event_type: EventType) -> list:
    return ws.audit.query(EventFilter(event_types=(event_type,)), newest_first=False)


def test_reveal_needs_a_purpose_then_logs_every_person(workspace: Workspace, team: Team) -> None:
    numbers: list[str | None] = list(valid_numbers(3))
    run_id = stored_run(workspace, team.clerk, numbers)
    with pytest.raises(PurposeRequired):
        reveal_pair(team.clerk, run_id, "T0000", None)
    assert _events(workspace, EventType.REVEAL) == []

    set_purpose(team.clerk, "扶養認定確認")
    pair = reveal_pair(team.clerk, run_id, "T0002", "S0000")
    assert pair.tax is not None and pair.si is not None
    assert [pair.tax["name"], pair.si["name"]] == ["山田 太郎", "山田 太郎"]
    assert "token" not in pair.tax and "token" not in pair.si

    (event,) = _events(workspace, EventType.REVEAL)
    assert event.actor_user == "clerk1"
    assert event.purpose == "扶養認定確認"
    assert event.run_id == run_id
    tokenizer = workspace.keyset.tokenizer()
    expected = [tokenizer.tokenize(numbers[2]).hex, tokenizer.tokenize(numbers[0]).hex]
    assert [p.token_hex for p in event.persons] == expected  # both sides of the pair
    assert {p.key_version for p in event.persons} == {1}


@pytest.mark.parametrize("who", ["auditor", "admin"])
def test_auditor_and_admin_are_denied_reveal_and_it_is_logged(
    workspace: Workspace, team: Team, who: str
) -> None:
    run_id = stored_run(workspace, team.clerk, list(valid_numbers(1)))
    session = getattr(team, who)
    set_purpose(session, "監査対応")
    with pytest.raises(AccessDenied):
        reveal_pair(session, run_id, "T0000", "S0000")
    (denied,) = _events(workspace, EventType.ACCESS_DENIED)
    assert denied.outcome == Outcome.DENIED
    assert denied.actor_user == session.user
    assert denied.details["action"] == "person.reveal"
    assert _events(workspace, EventType.REVEAL) == []


def test_no_event_no_data(workspace: Workspace, team: Team) -> None:
    """Fail-closed on the path the app uses: the review and reveal screens call
    reveal_pair; when its event cannot be written it raises and returns nothing."""
    run_id = stored_run(workspace, team.clerk, list(valid_numbers(1)))
    set_purpose(team.clerk, "適用調査")
    workspace.conn.execute("PRAGMA query_only = ON")  # the log can no longer be written
    try:
        with pytest.raises(AuditWriteFailed):
            reveal_pair(team.clerk, run_id, "T0000", "S0000")
    finally:
        workspace.conn.execute("PRAGMA query_only = OFF")
    assert _events(workspace, EventType.REVEAL) == []
