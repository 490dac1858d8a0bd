"""The quarantine list or the data-quality issues of an import: positions and reasons only."""

from __future__ import annotations

import polars as pl
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from rlwb.ui.i18n import field_labels, tr, tr_field, value_labels
from rlwb.ui.table_model import FrameTableModel
from rlwb.ui.widgets import big_table_view


def readable(frame: pl.DataFrame) -> pl.DataFrame:
    """Column names and reason codes in the user's language (vectorised, any size)."""
    out = frame
    if "reason" in out.columns:
        labels = value_labels("reason")
        out = out.with_columns(pl.col("reason").replace(labels))
    if "column" in out.columns:
        out = out.with_columns(pl.col("column").replace(field_labels()))
    return out


class IssuesDialog(QDialog):
    def __init__(self, title: str, frame: pl.DataFrame, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(640, 480)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("issues.count", count=f"{frame.height:,}")))
        columns = [
            ("row_number", tr("issues.row")),
            ("record_id", tr_field("record_id")),
            ("column", tr("issues.column")),
            ("reason", tr("issues.reason")),
        ]
        self.model = FrameTableModel(columns, parent=self)
        self.model.set_base(readable(frame))
        self.view = big_table_view()
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        layout.addWidget(self.view, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("action.close"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
