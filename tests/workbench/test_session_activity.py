"""What the window asks the services for instead of reading the session and the log:
activity for the idle lock, and the log's length for the status bar."""

from __future__ import annotations

import pytest

from rlwb.workbench.errors import AccessDenied
from rlwb.workbench.services import audit as audit_service
from rlwb.workbench.services import session as session_service
from rlwb.workbench.workspace import Workspace
from tests.workbench.conftest import FakeClock, Team


def test_activity_moves_the_idle_clock_but_not_while_locked(team: Team, clock: FakeClock) -> None:
    session = team.clerk
    started = session.last_activity
    clock.advance(seconds=session_service.ACTIVITY_RESOLUTION_SECONDS)
    session_service.note_activity(session)
    assert session.last_activity == started  # a burst of keys is one activity
    clock.advance(minutes=2)
    session_service.note_activity(session)
    assert session.last_activity == clock.now
    assert not session_service.is_idle(session, 1)

    session_service.lock(session)
    clock.advance(minutes=5)
    session_service.note_activity(session)  # typing into the lock screen
    assert session_service.is_idle(session, 5)


def test_log_status_is_the_logs_length_and_its_last_anchor(
    workspace: Workspace, team: Team
) -> None:
    status = audit_service.log_status(team.clerk)
    last = workspace.audit.last()
    checkpoint = workspace.audit.latest_checkpoint()
    assert last is not None and status.events == last.seq
    assert status.anchored_seq == (0 if checkpoint is None else checkpoint.seq)
    workspace.audit.checkpoint()
    assert audit_service.log_status(team.auditor).anchored_seq == last.seq

    session_service.logout(team.clerk)
    with pytest.raises(AccessDenied):
        audit_service.log_status(team.clerk)
