"""Stand-in for pages a later release brings (the auditor's and the administrator's)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from rlwb.ui.i18n import tr
from rlwb.ui.state import AppState


class PlaceholderPage(QWidget):
    def __init__(self, state: AppState, title_key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        layout = QVBoxLayout(self)
        title = QLabel(tr(title_key))
        title.setStyleSheet("font-size: 14pt; font-weight: 600;")
        layout.addWidget(title)
        text = QLabel(tr("placeholder.text"))
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignTop)
        layout.addWidget(text, 1)
