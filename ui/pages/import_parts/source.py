"""The import's source: the file (chosen or dropped), its kind and the saved profile."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rlwb.ui.i18n import tr, tr_kind
from rlwb.workbench.services.types import Kind


def choose_file(parent: QWidget) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(
        parent, tr("import.choose_title"), "", tr("import.file_filter")
    )
    return Path(name) if name else None


class SourceChooser(QWidget):
    """File, kind and profile; says when the user picked a file or changed kind or profile."""

    #: The user chose (or dropped) a file.
    file_chosen = Signal(object)
    #: The kind or the profile changed (the on-screen mapping starts again).
    choice_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: Replaced in tests; the default opens the platform's file dialog.
        self.ask_file: Callable[[QWidget], Path | None] = choose_file
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        grid = QGridLayout()
        self.file_label = QLabel(tr("import.no_file"))
        self.file_label.setWordWrap(True)
        self.choose_button = QPushButton(tr("import.choose"))
        self.choose_button.clicked.connect(self._choose)
        self.kind = QComboBox()
        for kind in Kind:
            self.kind.addItem(tr_kind(kind), kind)
        self.kind.currentIndexChanged.connect(self.choice_changed)
        self.profile = QComboBox()
        self.profile.currentIndexChanged.connect(self.choice_changed)
        grid.addWidget(QLabel(tr("import.file")), 0, 0)
        grid.addWidget(self.file_label, 0, 1)
        grid.addWidget(self.choose_button, 0, 2)
        grid.addWidget(QLabel(tr("import.kind")), 1, 0)
        grid.addWidget(self.kind, 1, 1)
        grid.addWidget(QLabel(tr("import.profile")), 2, 0)
        grid.addWidget(self.profile, 2, 1)
        grid.setColumnStretch(1, 1)
        outer.addLayout(grid)
        hint = QLabel(tr("import.drop_hint"))
        hint.setStyleSheet("color: #666;")
        outer.addWidget(hint)

    def _choose(self) -> None:
        path = self.ask_file(self)
        if path is not None:
            self.file_chosen.emit(path)

    def show_file(self, path: Path) -> None:
        self.file_label.setText(str(path))

    def current_kind(self) -> Kind:
        return Kind.SI if self.kind.currentData() == Kind.SI else Kind.TAX

    def profile_name(self) -> str:
        """The chosen saved profile; "" for automatic detection."""
        return str(self.profile.currentData() or "")

    def set_profiles(self, names: list[str], select: str | None = None) -> None:
        self.profile.blockSignals(True)
        self.profile.clear()
        self.profile.addItem(tr("import.profile_auto"), "")
        for name in names:
            self.profile.addItem(name, name)
        if select:
            self.profile.setCurrentIndex(max(self.profile.findData(select), 0))
        self.profile.blockSignals(False)

    def set_busy(self, busy: bool) -> None:
        for widget in (self.choose_button, self.kind, self.profile):
            widget.setEnabled(not busy)
