"""Who sees what: clerk pages only for clerks, and no log event means no data."""

from __future__ import annotations

import polars as pl
import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from rlwb.ui.main_window import MainWindow
from rlwb.ui.pages.audit_log_page import AuditLogPage
from rlwb.ui.pages.registry import PageSpec, pages_for, register_page, registered_pages
from rlwb.ui.reveal import open_reveal
from rlwb.ui.state import AppState
from rlwb.workbench.audit.events import EventType, Outcome
from rlwb.workbench.audit.log import EventFilter
from rlwb.workbench.errors import AccessDenied
from rlwb.workbench.permissions import Action, Role
from rlwb.workbench.services import views
from rlwb.workbench.services.session import set_purpose
from rlwb.workbench.session import Session
from rlwb.workbench.workspace import Workspace
from tests.ui.conftest import make_user

CLERK_PAGES = {"import", "reconcile", "review", "export"}
AUDITOR_PAGES = ["audit", "audit_person", "audit_report"]
ADMIN_PAGES = ["admin", "admin_keys", "admin_settings"]


def _events(ws: Workspace, event_type: EventType) -> list:
    return ws.audit.query(EventFilter(event_types=(event_type,)), newest_first=False)


@pytest.mark.parametrize(("role", "pages"), [("auditor", AUDITOR_PAGES), ("admin", ADMIN_PAGES)])
def test_auditor_and_admin_see_no_clerk_page_and_are_denied_data(
    qtbot: QtBot, workspace: Workspace, run_id: str, role: str, pages: list[str]
) -> None:
    session = make_user(workspace, f"{role}2", [role])
    window = MainWindow(session)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: not window.state.busy, timeout=10_000)  # the first page loads
    assert window.page_keys() == pages
    assert not CLERK_PAGES & set(window.pages)
    nav_texts = {window.nav.item(i).text() for i in range(window.nav.count())}
    assert not nav_texts & {"取込", "突合", "確認待ち", "書き出し"}

    set_purpose(session, "監査対応")
    with pytest.raises(AccessDenied):
        views.findings_table(session, run_id)
    with pytest.raises(AccessDenied):
        views.reveal_pair(session, run_id, None, None)
    denied = [
        e for e in _events(workspace, EventType.ACCESS_DENIED) if e.actor_user == session.user
    ]
    assert [e.details["action"] for e in denied] == ["run.view", "person.reveal"]
    assert all(e.outcome == Outcome.DENIED for e in denied)
    assert _events(workspace, EventType.REVEAL) == []
    window.logout()


def test_clerk_and_auditor_roles_together_see_both(qtbot: QtBot, workspace: Workspace) -> None:
    session = make_user(workspace, "both", ["clerk", "auditor"])
    window = MainWindow(session)
    qtbot.addWidget(window)
    assert window.page_keys() == ["import", "reconcile", "review", "export", *AUDITOR_PAGES]
    window.logout()


def test_page_registry_is_the_extension_point() -> None:
    keys = [spec.key for spec in registered_pages()]
    assert keys[:4] == ["import", "reconcile", "review", "export"]
    original = next(s for s in registered_pages() if s.key == "audit")
    assert original.factory is AuditLogPage

    def audit_page(state: AppState) -> QWidget:
        return QWidget()

    register_page(PageSpec("audit", "page.audit", Action.AUDIT_QUERY, audit_page))
    try:
        spec = pages_for([Role.AUDITOR])[0]
        assert spec.factory is audit_page
        assert [s.key for s in registered_pages()] == keys  # replaced in place
    finally:
        register_page(original)


def test_a_log_that_cannot_be_written_blocks_the_reveal(
    qtbot: QtBot, workspace: Workspace, clerk: Session, run_id: str
) -> None:
    state = AppState(clerk)
    set_purpose(clerk, "扶養認定確認")
    findings = views.findings_table(clerk, run_id).filter(
        pl.col("tax_record_id").is_not_null() & pl.col("si_record_id").is_not_null()
    )
    row = findings.row(0, named=True)
    workspace.conn.execute("PRAGMA query_only = ON")
    try:
        dialog = open_reveal(state, None, run_id, row["tax_record_id"], row["si_record_id"])
    finally:
        workspace.conn.execute("PRAGMA query_only = OFF")
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert dialog.message.kind == "error"
    assert "アクセスログに書き込めない" in dialog.message.text()
    assert dialog.pair.view is None and dialog.pair.rowCount() == 0
    assert not dialog.pair.isVisible()
    assert _events(workspace, EventType.REVEAL) == []

    # with the log writable again, the same reveal shows the data and is logged
    dialog = open_reveal(state, None, run_id, row["tax_record_id"], row["si_record_id"])
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert dialog.pair.view is not None and dialog.pair.rowCount() > 0
    assert len(_events(workspace, EventType.REVEAL)) == 1


def test_declining_the_purpose_shows_nothing(
    qtbot: QtBot, workspace: Workspace, clerk: Session, run_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QDialog

    from rlwb.ui import reveal

    monkeypatch.setattr(reveal.PurposeDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    state = AppState(clerk)
    assert open_reveal(state, None, run_id, None, None) is None
    assert clerk.purpose is None
    assert _events(workspace, EventType.REVEAL) == []


def test_purpose_dialog_takes_free_text(qtbot: QtBot, clerk: Session) -> None:
    from rlwb.ui.reveal import PurposeDialog

    dialog = PurposeDialog(AppState(clerk))
    qtbot.addWidget(dialog)
    dialog.choice.setCurrentIndex(dialog.choice.count() - 1)  # "other"
    assert dialog.free_text.isEnabled()
    dialog.ok_button.click()
    assert dialog.message.kind == "error" and clerk.purpose is None
    dialog.free_text.setText("住民税の賦課確認")
    dialog.ok_button.click()
    assert clerk.purpose == "住民税の賦課確認"
