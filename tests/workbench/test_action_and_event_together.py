"""A review decision, a finding status change and a user-admin change commit together with
their access-log event: when the event cannot be written, the change is not made either,
and the message (which says the action was not carried out) is true.

The event write is made to fail inside SQLite, as a full disk would: a trigger on the log
table refuses every insert (added through a plain connection to the workspace file).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from rlwb.fixtures.samples import sample_paths
from rlwb.workbench.errors import AuditWriteFailed
from rlwb.workbench.runs import RunInfo
from rlwb.workbench.services import findings as findings_service
from rlwb.workbench.services import review as review_service
from rlwb.workbench.services import users as users_service
from rlwb.workbench.services.imports import import_extract
from rlwb.workbench.services.reconcile import reconcile_datasets
from rlwb.workbench.workspace import DB_FILE, Workspace
from tests.workbench.conftest import Team


@contextmanager
def event_writes_fail(ws: Workspace) -> Iterator[None]:
    other = sqlite3.connect(ws.path / DB_FILE, isolation_level=None)
    other.execute(
        "CREATE TRIGGER test_event_write_fails BEFORE INSERT ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
    )
    try:
        yield
    finally:
        other.execute("DROP TRIGGER test_event_write_fails")
        other.close()


def _count(ws: Workspace, table: str) -> int:
    return int(ws.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


@pytest.fixture
def run(workspace: Workspace, team: Team) -> RunInfo:
    paths = sample_paths()
    import_extract(team.clerk, paths["tax_cp932"], "tax")
    import_extract(team.clerk, paths["si_utf8bom"], "si")
    return reconcile_datasets(team.clerk)


def test_a_review_decision_whose_event_fails_is_not_made(
    workspace: Workspace, team: Team, run: RunInfo
) -> None:
    pair = review_service.review_queue(team.clerk, run.id).row(0, named=True)
    events = _count(workspace, "audit_events")
    with event_writes_fail(workspace), pytest.raises(AuditWriteFailed) as caught:
        review_service.decide(
            team.clerk, run.id, pair["tax_record_id"], pair["si_record_id"], "match"
        )
    assert "was not carried out" in str(caught.value)
    assert _count(workspace, "review_decisions") == 0
    assert _count(workspace, "audit_events") == events
    assert not workspace.conn.in_transaction
    # Once the log can be written again, the same decision goes through, with its event.
    decision = review_service.decide(
        team.clerk, run.id, pair["tax_record_id"], pair["si_record_id"], "match"
    )
    assert _count(workspace, "review_decisions") == 1
    last = workspace.audit.last()
    assert last is not None and last.event_type == "review.decision"
    assert last.details["decision_id"] == decision.id


def test_a_finding_status_whose_event_fails_is_not_changed(
    workspace: Workspace, team: Team, run: RunInfo
) -> None:
    f = findings_service.list_findings(team.clerk, run.id).row(0, named=True)
    key = (f["code"], f["tax_record_id"], f["si_record_id"])
    with event_writes_fail(workspace), pytest.raises(AuditWriteFailed, match="not carried out"):
        findings_service.set_status(team.clerk, run.id, *key, "confirmed", "checked")
    assert _count(workspace, "finding_events") == 0
    current = findings_service.list_findings(team.clerk, run.id).row(0, named=True)
    assert current["status"] == "open"
    findings_service.set_status(team.clerk, run.id, *key, "confirmed", "checked")
    last = workspace.audit.last()
    assert last is not None and last.event_type == "finding.status"
    assert _count(workspace, "finding_events") == 1


def test_user_admin_changes_whose_event_fails_are_not_made(
    workspace: Workspace, team: Team
) -> None:
    with event_writes_fail(workspace):
        with pytest.raises(AuditWriteFailed):
            users_service.set_roles(team.admin, "clerk1", ["clerk", "auditor"])
        with pytest.raises(AuditWriteFailed):
            users_service.disable_user(team.admin, "clerk1")
        with pytest.raises(AuditWriteFailed):
            users_service.add_user(team.admin, "newcomer", "a-long-enough-passw0rd!", ["clerk"])
    clerk = workspace.users.get("clerk1")
    assert [r.value for r in clerk.roles] == ["clerk"] and not clerk.disabled
    assert not workspace.users.exists("newcomer")
    users_service.disable_user(team.admin, "clerk1")
    assert workspace.users.get("clerk1").disabled
    last = workspace.audit.last()
    assert last is not None and last.event_type == "user.disabled"
