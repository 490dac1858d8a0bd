"""A clerk's working day driven through the GUI, checked against the access log."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from rlwb.ui.login import LoginDialog
from rlwb.ui.main_window import MainWindow
from rlwb.ui.pages.export_page import ExportPage
from rlwb.ui.pages.import_page import ImportPage
from rlwb.ui.pages.reconcile_page import ReconcilePage
from rlwb.ui.pages.review_page import ReviewPage
from rlwb.ui.reveal import PurposeDialog
from rlwb.workbench.audit.events import EventType, Outcome
from rlwb.workbench.audit.log import EventFilter
from rlwb.workbench.services.preview import MASK
from rlwb.workbench.services.session import login
from rlwb.workbench.services.users import add_user
from rlwb.workbench.session import STANDARD_PURPOSES
from rlwb.workbench.workspace import Workspace
from tests.ui.conftest import USER_PASSWORD

TWELVE_DIGITS = re.compile(r"(?<!\d)\d{12}(?!\d)")


def _events(ws: Workspace, event_type: EventType) -> list:
    return ws.audit.query(EventFilter(event_types=(event_type,)), newest_first=False)


def _answer_purpose(index: int) -> None:
    """Answer the modal purpose dialog once it is up (it blocks the caller until then)."""

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, PurposeDialog)
        dialog.choice.setCurrentIndex(index)
        dialog.ok_button.click()

    QTimer.singleShot(0, answer)


def _import(qtbot: QtBot, page: ImportPage, path: Path, kind: str) -> None:
    page.source.kind.setCurrentIndex(page.source.kind.findData(kind))
    page.load_file(path)
    qtbot.waitUntil(lambda: page.preview is not None and not page.state.busy, timeout=20_000)
    preview = page.preview
    assert preview is not None and preview.ready
    number_column = next(h for h, a in preview.mapping.items() if a == "my_number")
    index = preview.headers.index(number_column)
    shown = [row[index] for row in preview.rows]
    assert MASK in shown and all(cell in (MASK, "") for cell in shown)
    for r in range(page.rows.rows.rowCount()):
        for c in range(page.rows.rows.columnCount()):
            assert not TWELVE_DIGITS.search(page.rows.rows.item(r, c).text())
    assert page.import_button.isEnabled()
    page.import_button.click()
    qtbot.waitUntil(lambda: page.report is not None and not page.state.busy, timeout=30_000)
    assert page.report_view.isVisible()


def test_clerk_logs_in_imports_reconciles_reveals_reviews_and_exports(
    qtbot: QtBot, workspace: Workspace, sample_files: tuple[Path, Path], tmp_path: Path
) -> None:
    admin = login(workspace, "admin", "admin-password-1")
    add_user(admin, "clerk1", USER_PASSWORD, ["clerk"])
    workspace.users.set_password("clerk1", USER_PASSWORD, must_change=False)
    tax_file, si_file = sample_files

    # -- login: a wrong password first, then the right one ------------------------------------------
    dialog = LoginDialog(workspace)
    qtbot.addWidget(dialog)
    dialog.user.setText("clerk1")
    dialog.password.setText("not-the-password")
    dialog.login_button.click()
    assert dialog.session is None
    assert "パスワードが違います" in dialog.message.text()
    dialog.password.setText(USER_PASSWORD)
    dialog.login_button.click()
    session = dialog.session
    assert session is not None and session.user == "clerk1"

    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    assert window.page_keys() == ["import", "reconcile", "review", "export"]
    assert "clerk1" in window.user_label.text() and "事務取扱担当者" in window.user_label.text()

    # -- import both extracts ----------------------------------------------------------------------
    page = window.show_page("import")
    assert isinstance(page, ImportPage)
    _import(qtbot, page, tax_file, "tax")
    tax_report = page.report
    assert tax_report is not None and tax_report.rows > 0
    assert "取り込みました" in page.report_view.summary.text()
    page.show_issues("issues")
    assert page.issues_dialog is not None
    assert page.issues_dialog.model.rowCount() == sum(
        sum(r.values()) for r in tax_report.issues_by_column.values()
    )
    page.issues_dialog.close()
    _import(qtbot, page, si_file, "si")
    assert page.report is not None and page.report.dataset.kind == "si"

    # -- reconcile -----------------------------------------------------------------------------------
    recon = window.show_page("reconcile")
    assert isinstance(recon, ReconcilePage)
    assert recon.tax.count() == 1 and recon.si.count() == 1
    assert "鍵 v1" in recon.tax.currentText()
    recon.run_button.click()
    qtbot.waitUntil(lambda: recon.run is not None and not window.state.busy, timeout=60_000)
    qtbot.waitUntil(lambda: recon.findings.model.base.height > 0, timeout=20_000)
    run = recon.run
    assert run is not None
    labels = dict(recon.dashboard.outcomes.items)
    assert labels["番号で一致"] == run.summary["token"]
    assert sum(n for _, n in recon.dashboard.rules.items) == recon.findings.model.base.height

    # findings: filter, then reveal with a declared purpose
    panel = recon.findings
    panel.severity.setCurrentIndex(panel.severity.findData("high"))
    assert 0 < panel.model.rowCount() <= panel.model.base.height
    assert set(panel.model.frame["severity"].to_list()) == {"high"}
    panel.severity.setCurrentIndex(0)
    pair_row = next(
        i
        for i, (t, s) in enumerate(
            zip(panel.model.frame["tax_record_id"], panel.model.frame["si_record_id"], strict=True)
        )
        if t is not None and s is not None
    )
    panel.view.selectRow(pair_row)
    _answer_purpose(1)
    panel.reveal_selected()
    reveal = panel.reveal_dialog
    assert reveal is not None and reveal.pair.view is not None
    assert reveal.pair.rowCount() > 3
    assert STANDARD_PURPOSES[1] in reveal.notice.text()
    (revealed,) = _events(workspace, EventType.REVEAL)
    assert revealed.purpose == STANDARD_PURPOSES[1] and revealed.actor_user == "clerk1"
    assert revealed.persons
    reveal.close()

    # finding status: dismissing needs a note; confirming works and shows in the table
    row = panel.model.row_dict(pair_row)
    panel.ask_status = lambda current: ("dismissed", "")
    panel.change_status_of_selected()
    assert panel.message.kind == "error" and "note" in panel.message.text()
    panel.ask_status = lambda current: ("confirmed", "給与担当に確認済み")
    panel.change_status_of_selected()
    assert panel.message.kind == "success"
    assert panel.model.row_dict(pair_row)["status"] == "confirmed"
    assert panel.model.cell_text(pair_row, 2) == "確認済み"
    panel.history_of_selected()
    assert panel.history_dialog is not None and panel.history_dialog.table.rowCount() == 1
    panel.history_dialog.close()
    (status_event,) = _events(workspace, EventType.FINDING_STATUS)
    assert status_event.details["to"] == "confirmed"
    assert row["finding_key"] == status_event.details["finding"]

    # -- review: keys M / N and Ctrl+Z, position in the queue ---------------------------------------------
    review = window.show_page("review")
    assert isinstance(review, ReviewPage)
    total = review.queue.height
    assert total >= 2
    assert review.position_label.text() == f"1 / {total}"
    assert review.view is not None  # the pair was revealed (the purpose is already declared)
    assert set(review.pair.colours) >= {"name", "birth_date"}
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    review.pair.setFocus()
    qtbot.keyClick(review.pair, Qt.Key.Key_M)
    assert review.position_label.text() == f"2 / {total}"
    qtbot.keyClick(review.pair, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert review.position_label.text() == f"1 / {total}"
    assert review.queue["decision"][0] is None
    review.note.setText("住所が異なる")
    review.decision_buttons["non_match"].click()
    assert review.queue["decision"][0] == "non_match"
    decisions = _events(workspace, EventType.REVIEW_DECISION)
    assert [e.details["decision"] for e in decisions] == ["match", "withdrawn", "non_match"]
    assert decisions[2].details["note_given"] is True
    reveals = _events(workspace, EventType.REVEAL)
    assert len(reveals) >= 4  # the finding, and every pair opened in the review

    # -- export ---------------------------------------------------------------------------------------------
    export = window.show_page("export")
    assert isinstance(export, ExportPage)
    out = tmp_path / "findings.xlsx"
    export.ask_path = lambda parent, suggested: out
    export.export_button.click()
    qtbot.waitUntil(lambda: export.result is not None and not window.state.busy, timeout=20_000)
    assert out.is_file() and export.message.kind == "success"
    (exported,) = _events(workspace, EventType.EXPORT)
    assert exported.run_id == run.id and exported.details["what"] == "findings"

    # -- the log holds the whole day, all by clerk1 ---------------------------------------------------------
    clerk_events = workspace.audit.query(EventFilter(users=("clerk1",)), newest_first=False)
    kinds = [e.event_type for e in clerk_events]
    for expected in (
        EventType.LOGIN_FAILED,
        EventType.LOGIN_OK,
        EventType.IMPORT_STARTED,
        EventType.IMPORT_FINISHED,
        EventType.RECONCILE_RUN,
        EventType.REVEAL,
        EventType.FINDING_STATUS,
        EventType.REVIEW_DECISION,
        EventType.EXPORT,
    ):
        assert expected in kinds, expected
    assert kinds.count(EventType.IMPORT_FINISHED) == 2
    assert all(
        e.outcome == Outcome.OK for e in clerk_events if e.event_type != EventType.LOGIN_FAILED
    )
    assert str(clerk_events[-1].seq) in window.log_label.text().replace(",", "")

    window.logout()
    assert session.closed
    assert _events(workspace, EventType.LOGOUT)[-1].actor_user == "clerk1"
