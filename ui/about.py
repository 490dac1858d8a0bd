"""The About box: the version, and where the support log is (what to send to support)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from rlwb.ui.i18n import tr
from rlwb.workbench.services import support as support_log
from rlwb.workbench.services.types import APP_VERSION


def about_text() -> str:
    return tr("about.text", version=APP_VERSION, log=str(support_log.log_path()))


def show_about(parent: QWidget | None) -> None:
    QMessageBox.about(parent, tr("about.title"), about_text())
