"""A list of access-log events beside the full detail of the selected one."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QPlainTextEdit, QSplitter, QWidget

from ui.i18n import tr
from ui.log_model import EventPager, EventTableModel, event_detail_text
from ui.widgets import big_table_view
from workbench.audit.events import AuditEvent

#: Starting widths in pixels; the details column takes what is left.
COLUMN_WIDTHS = (70, 150, 170, 70, 90, 110, 200, 110)


class EventBrowser(QSplitter):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.model = EventTableModel(self)
        self.view = big_table_view()
        self.view.setModel(self.model)
        self.view.horizontalHeader().setSortIndicatorShown(False)
        for column, width in enumerate(COLUMN_WIDTHS):
            self.view.setColumnWidth(column, width)
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.detail.setFont(mono)
        self.detail.setPlaceholderText(tr("log.detail.none"))
        self.addWidget(self.view)
        self.addWidget(self.detail)
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 2)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self.detail.clear)

    def set_pager(self, pager: EventPager | None) -> None:
        self.model.set_pager(pager)

    def selected_event(self) -> AuditEvent | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.event_at(rows[0].row()) if rows else None

    def show_row(self, row: int) -> AuditEvent | None:
        """Select a row and show its detail."""
        self.view.selectRow(row)
        return self.selected_event()

    def _selection_changed(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        event = self.selected_event()
        self.detail.setPlainText("" if event is None else event_detail_text(event))
