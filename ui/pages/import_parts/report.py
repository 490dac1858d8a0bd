"""The import's report: rows taken, quarantined, identifier problems, the number screen,
issues per column; buttons to the issues and the quarantine, the core's own lines."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rlwb.ui.i18n import tr, tr_field, tr_kind, tr_value
from rlwb.workbench.services.imports import ImportReport


def issue_total(report: ImportReport) -> int:
    return sum(sum(r.values()) for r in report.issues_by_column.values())


def report_lines(report: ImportReport) -> list[str]:
    """The report in the user's language, one sentence (or indented item) a line."""
    info = report.dataset
    lines = [
        tr(
            "import.report.rows",
            rows=f"{report.rows:,}",
            source=f"{report.source_rows:,}",
            id=info.id,
        ),
        tr(
            "import.report.details",
            kind=tr_kind(info.kind),
            encoding=tr_value("encoding", report.encoding),
            version=info.token_version,
        ),
        tr("import.report.quarantined", count=f"{report.quarantined:,}"),
    ]
    invalid = tr("list.separator").join(
        f"{tr_value('id_problem', k)} {v:,}" for k, v in sorted(report.invalid_identifiers.items())
    )
    lines.append(tr("import.report.invalid_ids", detail=invalid or tr("value.none")))
    if report.number_screen:
        lines.append(tr("import.report.number_screen", count=len(report.number_screen)))
        for column, done in sorted(report.number_screen.items()):
            what = tr(f"import.screen.{done.action}", count=f"{done.count:,}")
            lines.append(f"  ・{tr_field(column)}: {what}")
    lines.append(tr("import.report.issues", count=f"{issue_total(report):,}"))
    for column, reasons in sorted(report.issues_by_column.items()):
        for reason, count in sorted(reasons.items()):
            lines.append(f"  ・{tr_field(column)}: {tr_value('reason', reason)} {count:,}")
    return lines


class ReportView(QGroupBox):
    #: "quarantine" or "issues": the user wants to see those rows.
    issues_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(tr("import.report"), parent)
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        buttons = QHBoxLayout()
        self.quarantine_button = QPushButton()
        self.quarantine_button.clicked.connect(lambda: self.issues_requested.emit("quarantine"))
        self.issues_button = QPushButton()
        self.issues_button.clicked.connect(lambda: self.issues_requested.emit("issues"))
        self.details_button = QPushButton(tr("import.report.technical"))
        self.details_button.setCheckable(True)
        buttons.addWidget(self.quarantine_button)
        buttons.addWidget(self.issues_button)
        buttons.addStretch(1)
        buttons.addWidget(self.details_button)
        layout.addLayout(buttons)
        self.core_lines = QPlainTextEdit()  # the core's own report (English), on request
        self.core_lines.setReadOnly(True)
        self.core_lines.hide()
        self.details_button.toggled.connect(self.core_lines.setVisible)
        layout.addWidget(self.core_lines)
        self.hide()

    def show_report(self, report: ImportReport) -> None:
        self.summary.setText("\n".join(report_lines(report)))
        self.quarantine_button.setText(
            tr("import.show_quarantine", count=f"{report.quarantined:,}")
        )
        self.issues_button.setText(tr("import.show_issues", count=f"{issue_total(report):,}"))
        self.core_lines.setPlainText("\n".join(report.lines()))
        self.show()
