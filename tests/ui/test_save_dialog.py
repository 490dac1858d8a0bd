"""The export pages' save dialog: a name typed without a suffix never replaces an existing
file unasked.

Before, the page added ``.csv``/``.xlsx`` *after* the dialog had closed, so the dialog's own
"replace?" question was about ``report`` (which did not exist), and ``report.csv`` was then
replaced silently. Now the dialog adds the suffix itself (its default suffix follows the
chosen filter), so it asks about the file really written. These tests drive the real Qt
file dialog: type a name, press save, answer the question the dialog puts.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QFileDialog, QLineEdit, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from rlwb.ui.pages.analysis_page import choose_report_path
from rlwb.ui.pages.audit_log_page import choose_export_path
from rlwb.ui.pages.export_page import choose_save_path
from rlwb.ui.save_dialog import with_suffix


class DialogDriver:
    """Plays the user at whatever modal window is open, one step per timer tick."""

    def __init__(self, name: str, *, filter_index: int = 0, replace: bool | None = None) -> None:
        self.name = name
        self.filter_index = filter_index
        self.replace = replace
        self.questions: list[str] = []
        self.typed = False
        self.ticks = 0
        self.timer = QTimer()
        self.timer.setInterval(30)
        self.timer.timeout.connect(self.step)

    def step(self) -> None:
        self.ticks += 1
        modal = QApplication.activeModalWidget()
        if self.ticks > 300:  # about nine seconds: give up rather than hang the suite
            if modal is not None:
                modal.close()
            self.timer.stop()
            return
        if isinstance(modal, QMessageBox):
            self.questions.append(modal.text())
            answer = (
                QMessageBox.StandardButton.Yes if self.replace else QMessageBox.StandardButton.No
            )
            button = modal.button(answer)
            assert button is not None
            button.click()
        elif isinstance(modal, QFileDialog):
            if self.typed:  # back in the dialog after answering "no": cancel
                modal.reject()
                return
            combo = modal.findChild(QComboBox, "fileTypeCombo")
            assert combo is not None
            if self.filter_index:
                combo.setCurrentIndex(self.filter_index)
                # What a click on the list sends (the dialog listens to both).
                combo.activated.emit(self.filter_index)
                combo.textActivated.emit(combo.itemText(self.filter_index))
            edit = modal.findChild(QLineEdit, "fileNameEdit")
            assert edit is not None
            edit.setText(self.name)
            self.typed = True
            # Later, not here: accept() may open the "replace?" question, and a timer is not
            # called again while its own call has not returned.
            QTimer.singleShot(0, modal.accept)

    def run(self, ask: Callable[[], Path | None]) -> Path | None:
        self.timer.start()
        try:
            return ask()
        finally:
            self.timer.stop()


@pytest.fixture
def parent(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def test_a_name_without_suffix_asks_before_the_csv_it_means_is_replaced(
    parent: QWidget, tmp_path: Path
) -> None:
    existing = tmp_path / "report.csv"
    existing.write_text("keep me", encoding="utf-8")
    driver = DialogDriver("report", replace=False)
    chosen = driver.run(lambda: choose_save_path(parent, str(tmp_path / "run-findings.csv")))
    assert chosen is None  # the user said no, then cancelled: nothing will be written
    assert len(driver.questions) == 1 and "report.csv" in driver.questions[0]
    assert existing.read_text(encoding="utf-8") == "keep me"


def test_answering_yes_replaces_the_file_with_the_suffix(parent: QWidget, tmp_path: Path) -> None:
    (tmp_path / "report.csv").write_text("old", encoding="utf-8")
    driver = DialogDriver("report", replace=True)
    chosen = driver.run(lambda: choose_save_path(parent, str(tmp_path / "run-findings.csv")))
    assert chosen == tmp_path / "report.csv"
    assert len(driver.questions) == 1


def test_the_chosen_file_type_gives_the_suffix_and_the_question(
    parent: QWidget, tmp_path: Path
) -> None:
    (tmp_path / "report.xlsx").write_text("old", encoding="utf-8")
    # The analysis page lists Excel first, the export page second: choose it there.
    driver = DialogDriver("report", filter_index=1, replace=False)
    assert driver.run(lambda: choose_save_path(parent, str(tmp_path / "x.csv"))) is None
    assert len(driver.questions) == 1 and "report.xlsx" in driver.questions[0]
    driver = DialogDriver("report", replace=True)
    assert driver.run(lambda: choose_report_path(parent, str(tmp_path / "x.xlsx"))) == (
        tmp_path / "report.xlsx"
    )


def test_a_new_name_is_not_asked_about(parent: QWidget, tmp_path: Path) -> None:
    driver = DialogDriver("events")
    chosen = driver.run(lambda: choose_export_path(parent, str(tmp_path / "log.csv")))
    assert chosen == tmp_path / "events.csv" and driver.questions == []


def test_a_suffix_added_after_the_dialog_is_asked_about_too(tmp_path: Path) -> None:
    """A platform dialog may ignore the default suffix, or the name ends in another one:
    the suffix added afterwards is asked about when that file exists."""
    (tmp_path / "report.v2.csv").write_text("old", encoding="utf-8")
    asked: list[Path] = []

    def no(parent: QWidget | None, path: Path) -> bool:
        asked.append(path)
        return False

    allowed = {"csv", "xlsx"}
    assert with_suffix(None, tmp_path / "report.v2", "csv", allowed, confirm=no) is None
    assert asked == [tmp_path / "report.v2.csv"]
    assert with_suffix(None, tmp_path / "new", "xlsx", allowed, confirm=no) == tmp_path / "new.xlsx"
    assert with_suffix(None, tmp_path / "a.CSV", "xlsx", allowed, confirm=no) == tmp_path / "a.CSV"
    assert asked == [tmp_path / "report.v2.csv"]
