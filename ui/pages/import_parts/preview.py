"""What the preview found: encoding, row count, missing and doubled columns, and the
first rows of the file as the service masked them."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rlwb.ui.i18n import tr, tr_field, tr_value
from rlwb.workbench.services.preview import ExtractPreview


def detected_lines(preview: ExtractPreview) -> list[str]:
    """The sentences above the tables: what was detected, and what stops the import."""
    lines = [
        tr("import.encoding", encoding=tr_value("encoding", preview.encoding)),
        tr("import.rows_in_file", rows=f"{preview.source_rows:,}"),
    ]
    separator = tr("list.separator")
    if preview.missing_required:
        names = separator.join(tr_field(a) for a in preview.missing_required)
        lines.append(tr("import.missing", columns=names))
    for alias, headers in preview.duplicate_targets.items():
        lines.append(
            tr("import.duplicate", column=tr_field(alias), headers=separator.join(headers))
        )
    return lines


class DetectedLabel(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)

    def show_preview(self, preview: ExtractPreview) -> None:
        self.setText("\n".join(detected_lines(preview)))
        self.setStyleSheet("" if preview.ready else "color: #8a1020;")


class PreviewRows(QGroupBox):
    """The first rows of the file, masked by the service."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(tr("import.preview"), parent)
        layout = QVBoxLayout(self)
        self.rows = QTableWidget(0, 0)
        self.rows.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.rows.setWordWrap(False)
        layout.addWidget(self.rows)

    def show_preview(self, preview: ExtractPreview) -> None:
        rows = self.rows
        rows.clear()
        rows.setColumnCount(len(preview.headers))
        rows.setRowCount(len(preview.rows))
        rows.setHorizontalHeaderLabels(list(preview.headers))
        for r, cells in enumerate(preview.rows):
            for c, cell in enumerate(cells):
                rows.setItem(r, c, QTableWidgetItem(cell))
        rows.resizeColumnsToContents()
