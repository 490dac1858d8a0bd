"""A list of access-log events beside the full detail of the selected one."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import QSplitter, QTextBrowser, QWidget

from rlwb.ui.event_pager import EventPager
from rlwb.ui.i18n import tr
from rlwb.ui.log_model import Background, EventTableModel, event_detail_html
from rlwb.ui.widgets import big_table_view
from rlwb.workbench.services.types import AuditEvent

#: Starting widths in pixels (seq, time, user, event, outcome, subject, purpose, details).
COLUMN_WIDTHS = (64, 142, 76, 150, 64, 170, 100, 260)


class EventBrowser(QSplitter):
    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        ready: Callable[[], bool] = lambda: True,
        background: Background | None = None,
    ) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.model = EventTableModel(self, ready=ready, background=background)
        self.view = big_table_view()
        self.view.setModel(self.model)
        self.view.horizontalHeader().setSortIndicatorShown(False)
        for column, width in enumerate(COLUMN_WIDTHS):
            self.view.setColumnWidth(column, width)
        self.detail = QTextBrowser()
        self.detail.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.detail.setPlaceholderText(tr("log.detail.none"))
        self.addWidget(self.view)
        self.addWidget(self.detail)
        self.setStretchFactor(0, 5)
        self.setStretchFactor(1, 2)
        self.setSizes([860, 360])
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
        if event is None:
            self.detail.clear()
        else:
            self.detail.setHtml(event_detail_html(event))
