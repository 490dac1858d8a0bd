from __future__ import annotations

import pytest

from rlwb.workbench.access import PurposeRequired
from rlwb.workbench.audit.events import EventType, Outcome
from rlwb.workbench.audit.log import EventFilter
from rlwb.workbench.errors import AccessDenied, AuditWriteFailed
from rlwb.workbench.services.people import reveal_records
from rlwb.workbench.services.session import set_purpose
from rlwb.workbench.workspace import Workspace
from tests.workbench.conftest import Team, store_tokenised, valid_numbers


def _events(ws: Workspace, event_type: EventType) -> list:
    return ws.audit.query(EventFilter(event_types=(event_type,)), newest_first=False)


def test_reveal_needs_a_purpose_then_logs_every_person(workspace: Workspace, team: Team) -> None:
    numbers = valid_numbers(3)
    info = store_tokenised(workspace, "tax", numbers)
    with pytest.raises(PurposeRequired):
        reveal_records(team.clerk, info.id, ["R0000"])
    assert _events(workspace, EventType.REVEAL) == []

    set_purpose(team.clerk, "扶養認定確認")
    records = reveal_records(team.clerk, info.id, ["R0000", "R0002"])
    assert [r.fields["name"] for r in records] == ["山田 太郎", "山田 太郎"]
    assert all("token" not in r.fields for r in records)

    (event,) = _events(workspace, EventType.REVEAL)
    assert event.actor_user == "clerk1"
    assert event.purpose == "扶養認定確認"
    assert event.dataset_id == info.id
    expected = workspace.keyset.tokenizer().tokenize(numbers[2])
    assert [p.token_hex for p in event.persons][1] == expected.hex
    assert {p.key_version for p in event.persons} == {1}


@pytest.mark.parametrize("who", ["auditor", "admin"])
def test_auditor_and_admin_are_denied_reveal_and_it_is_logged(
    workspace: Workspace, team: Team, who: str
) -> None:
    info = store_tokenised(workspace, "tax", valid_numbers(1))
    session = getattr(team, who)
    set_purpose(session, "監査対応")
    with pytest.raises(AccessDenied):
        reveal_records(session, info.id, ["R0000"])
    (denied,) = _events(workspace, EventType.ACCESS_DENIED)
    assert denied.outcome == Outcome.DENIED
    assert denied.actor_user == session.user
    assert denied.details["action"] == "person.reveal"
    assert _events(workspace, EventType.REVEAL) == []


def test_no_event_no_data(workspace: Workspace, team: Team) -> None:
    info = store_tokenised(workspace, "tax", valid_numbers(1))
    set_purpose(team.clerk, "適用調査")
    workspace.conn.execute("PRAGMA query_only = ON")  # the log can no longer be written
    try:
        with pytest.raises(AuditWriteFailed):
            reveal_records(team.clerk, info.id, ["R0000"])
    finally:
        workspace.conn.execute("PRAGMA query_only = OFF")
    assert _events(workspace, EventType.REVEAL) == []
