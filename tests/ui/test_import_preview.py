"""The import preview: the service (no Qt) and the wizard's mapping and profiles."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from rlwb.ui.pages.import_page import ImportPage
from rlwb.ui.state import AppState
from rlwb.workbench.audit.events import EventType
from rlwb.workbench.audit.log import EventFilter
from rlwb.workbench.errors import AccessDenied, InvalidInput
from rlwb.workbench.services.preview import (
    MASK,
    make_profile,
    preview_extract,
    save_import_profile,
    saved_profiles,
)
from rlwb.workbench.session import Session
from rlwb.workbench.workspace import Workspace
from tests.ui.conftest import make_user

# Synthetic numbers with valid check digits (tests.workbench.conftest.valid_numbers).
NUMBERS = ("100000000007", "100000079196")
HEADER = "社員番号,個人番号,氏名,生年月日,支払金額,年分,メモ"
ROWS = (
    f'E1,{NUMBERS[0]},山田　太郎,1980-01-02,"3,000,000",2024,{NUMBERS[1]}',
    "E2,1000-0007-9196,鈴木 花子,S60.4.1,2500000,R6,",
    "E3,,佐藤 次郎,19900101,1200000円,2024,-",
)


def _extract(tmp_path: Path, encoding: str = "utf-8") -> Path:
    path = tmp_path / "payroll.csv"
    path.write_bytes(("\n".join((HEADER, *ROWS)) + "\n").encode(encoding))
    return path


def test_preview_masks_numbers_and_reports_missing_columns(
    workspace: Workspace, clerk: Session, tmp_path: Path
) -> None:
    preview = preview_extract(clerk, _extract(tmp_path, "cp932"), "tax")
    assert preview.encoding == "cp932" and preview.source_rows == 3
    assert preview.mapping["個人番号"] == "my_number" and preview.mapping["社員番号"] is None
    assert preview.missing_required == ("record_id",) and not preview.ready
    numbers = [row[1] for row in preview.rows]
    assert numbers == [MASK, MASK, ""]
    assert preview.rows[0][6] == MASK  # a number in an unknown column is masked as well
    assert preview.rows[2][6] == "-"
    text = repr(preview)
    assert all(n not in text for n in NUMBERS) and "0007-9196" not in text

    profile = make_profile("payroll", "tax", {"社員番号": "record_id"})
    fixed = preview_extract(clerk, _extract(tmp_path), "tax", profile)
    assert fixed.ready and fixed.mapping["社員番号"] == "record_id"
    assert fixed.profile_columns()["氏名"] == "name"

    twice = make_profile("twice", "tax", {"社員番号": "record_id", "メモ": "name"})
    clash = preview_extract(clerk, _extract(tmp_path), "tax", twice)
    assert clash.duplicate_targets == {"name": ("氏名", "メモ")} and not clash.ready


def test_preview_is_for_clerks_only(workspace: Workspace, tmp_path: Path) -> None:
    auditor = make_user(workspace, "auditor9", ["auditor"])
    with pytest.raises(AccessDenied):
        preview_extract(auditor, _extract(tmp_path), "tax")
    (denied,) = workspace.audit.query(EventFilter(event_types=(EventType.ACCESS_DENIED,)))
    assert denied.details["action"] == "dataset.import"


def test_preview_errors_are_readable(clerk: Session, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InvalidInput, match="empty"):
        preview_extract(clerk, empty, "tax")
    with pytest.raises(InvalidInput, match="tax or si"):
        preview_extract(clerk, _extract(tmp_path), "pension")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        make_profile("bad/name", "tax", {})
    profile = make_profile("si-layout", "si", {})
    with pytest.raises(InvalidInput, match="si extracts"):
        preview_extract(clerk, _extract(tmp_path), "tax", profile)


def test_wizard_fixes_the_mapping_saves_a_profile_and_imports(
    qtbot: QtBot, workspace: Workspace, clerk: Session, tmp_path: Path
) -> None:
    page = ImportPage(AppState(clerk))
    qtbot.addWidget(page)
    page.activate()
    assert page.source.profile.count() == 1  # only "detect automatically"
    page.source.ask_file = lambda parent: _extract(tmp_path)
    page.source.choose_button.click()
    qtbot.waitUntil(lambda: page.preview is not None and not page.state.busy)
    assert not page.import_button.isEnabled()
    assert "整理番号" in page.detected.text()  # the missing required column is named
    combo = page.mapping_combo("社員番号")
    combo.setCurrentIndex(combo.findData("record_id"))
    qtbot.waitUntil(lambda: not page.state.busy and page.preview is not None and page.preview.ready)
    assert page.import_button.isEnabled()
    assert page.mapping_combo("社員番号").currentData() == "record_id"
    assert page.rows.rows.item(0, 1).text() == MASK

    page.mapping.profile_name.setText("給与システムA")
    page.mapping.save_profile_button.click()
    assert page.message.kind == "success"
    assert saved_profiles(clerk) == ["給与システムA"]
    assert page.source.profile.currentData() == "給与システムA"

    page.import_button.click()
    qtbot.waitUntil(lambda: page.report is not None and not page.state.busy, timeout=20_000)
    assert page.report is not None and page.report.rows == 3
    assert "3 行中 3 行" in page.report_view.summary.text()
    page.show_issues("quarantine")
    assert page.issues_dialog is not None and page.issues_dialog.model.rowCount() == 0


def test_wizard_cancel_and_failure_leave_nothing(
    qtbot: QtBot, workspace: Workspace, clerk: Session, tmp_path: Path
) -> None:
    page = ImportPage(AppState(clerk))
    qtbot.addWidget(page)
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"\x00\x01binary")
    page.load_file(broken)
    qtbot.waitUntil(lambda: page.message.kind == "error" and not page.state.busy)
    assert "broken.csv" in page.message.text() and page.preview is None
    assert not page.import_button.isEnabled()
    save_import_profile(clerk, make_profile("tax-layout", "tax", {"社員番号": "record_id"}))
    page.reload_profiles(select="tax-layout")
    page.load_file(_extract(tmp_path))
    qtbot.waitUntil(lambda: page.preview is not None and not page.state.busy)
    assert page.preview is not None and page.preview.ready  # the saved profile applied
    page.start_import()
    page.state.taskman.cancel()
    qtbot.waitUntil(lambda: not page.state.busy, timeout=20_000)
    if page.report is None:  # cancelled in time: nothing stored
        assert page.message.kind == "info"
        assert workspace.conn.execute("SELECT COUNT(*) FROM datasets").fetchone()[0] == 0
    else:  # the small file was done before the cancel arrived
        assert page.report.rows == 3


def test_dropping_a_file_opens_its_preview(
    qtbot: QtBot, workspace: Workspace, clerk: Session, tmp_path: Path
) -> None:
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    page = ImportPage(AppState(clerk))
    qtbot.addWidget(page)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(_extract(tmp_path)))])
    event = QDropEvent(
        QPointF(5, 5),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    page.dropEvent(event)
    qtbot.waitUntil(lambda: page.preview is not None and not page.state.busy)
    assert page.path is not None and page.path.name == "payroll.csv"
    assert page.source.file_label.text().endswith("payroll.csv")


def test_wizard_report_says_what_the_number_screen_did(
    qtbot: QtBot, workspace: Workspace, clerk: Session, tmp_path: Path
) -> None:
    from tests.workbench.conftest import valid_numbers

    spouse, remark = valid_numbers(2, start=44_000_000_000)
    path = tmp_path / "extra.csv"
    path.write_text(
        "整理番号,氏名,生年月日,支払金額,年分,控除対象配偶者個人番号,摘要\n"
        f"E1,山田 太郎,1980-01-02,3000000,2024,{spouse},扶養親族 {remark} 確認済\n",
        encoding="utf-8",
    )
    page = ImportPage(AppState(clerk))
    qtbot.addWidget(page)
    page.load_file(path)
    qtbot.waitUntil(lambda: page.preview is not None and not page.state.busy)
    page.import_button.click()
    qtbot.waitUntil(lambda: page.report is not None and not page.state.busy, timeout=20_000)
    summary = page.report_view.summary.text()
    assert "控除対象配偶者個人番号: 列ごと削除（見出しが個人番号）" in summary
    assert "摘要: 1 件のセルの個人番号を伏字にしました" in summary
    assert spouse not in summary and remark not in summary
