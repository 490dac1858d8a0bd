"""The column mapping: each file column and the canonical column it maps to; saving the
mapping as a named profile."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rlwb.ui.i18n import tr, tr_field
from rlwb.workbench.services.preview import ExtractPreview

#: Combo data of "keep as an extra column".
EXTRA = ""


class MappingTable(QGroupBox):
    #: (file header, canonical column or EXTRA): the user changed one row.
    mapping_changed = Signal(str, str)
    #: The user asked to save the mapping as a profile of this name.
    save_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(tr("import.mapping"), parent)
        self.headers: list[str] = []
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels([tr("import.file_column"), tr("import.maps_to")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table)
        save_row = QHBoxLayout()
        self.profile_name = QLineEdit()
        self.profile_name.setPlaceholderText(tr("import.profile_name"))
        self.save_profile_button = QPushButton(tr("import.save_profile"))
        self.save_profile_button.clicked.connect(
            lambda: self.save_requested.emit(self.profile_name.text().strip())
        )
        save_row.addWidget(self.profile_name, 1)
        save_row.addWidget(self.save_profile_button)
        layout.addLayout(save_row)

    def show_preview(self, preview: ExtractPreview | None) -> None:
        self.headers = [] if preview is None else list(preview.headers)
        self.table.setRowCount(len(self.headers))
        if preview is None:
            return
        for row, header in enumerate(preview.headers):
            self.table.setItem(row, 0, QTableWidgetItem(header))
            combo = QComboBox()
            combo.addItem(tr("import.keep_extra"), EXTRA)
            for choice in preview.choices:
                mark = " *" if choice.required else ""
                combo.addItem(f"{tr_field(choice.alias)}{mark}", choice.alias)
            combo.setCurrentIndex(max(combo.findData(preview.mapping[header] or EXTRA), 0))
            combo.currentIndexChanged.connect(
                lambda _i, h=header, c=combo: self.mapping_changed.emit(h, str(c.currentData()))
            )
            self.table.setCellWidget(row, 1, combo)

    def combo(self, header: str) -> QComboBox:
        widget = self.table.cellWidget(self.headers.index(header), 1)
        assert isinstance(widget, QComboBox)
        return widget

    def set_enabled(self, busy: bool, has_preview: bool) -> None:
        self.table.setEnabled(not busy and has_preview)
        self.save_profile_button.setEnabled(not busy and has_preview)
