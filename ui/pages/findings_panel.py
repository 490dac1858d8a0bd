"""The findings of a run: a lazy table with filters, the logged reveal, status and history."""

from __future__ import annotations

import re
from typing import Any

import polars as pl
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rlwb.ui.errors import describe_error
from rlwb.ui.i18n import tr, tr_value, value_labels
from rlwb.ui.reveal import RevealDialog, open_reveal
from rlwb.ui.state import AppState
from rlwb.ui.table_model import FrameTableModel, SortKey
from rlwb.ui.widgets import MessageBar, big_table_view
from rlwb.workbench.services import findings as findings_service
from rlwb.workbench.services import views
from rlwb.workbench.services.types import CancelToken, ProgressCallback, WorkbenchError

SEVERITIES = findings_service.SEVERITIES
#: Tables at least this long are sorted and filtered on a worker thread.
BACKGROUND_ROWS = 200_000
TEXT_COLUMNS = (
    "code",
    "detail",
    "tax_record_id",
    "si_record_id",
    "tax_name",
    "tax_name_kana",
    "si_name",
    "si_name_kana",
)
SEVERITY_COLOURS: dict[str, QColor] = {
    findings_service.Severity.HIGH: QColor("#f9d9dc"),
    findings_service.Severity.REVIEW: QColor("#fdf1d4"),
}


def findings_filter(
    rule: str = "",
    severity: str = "",
    status: str = "",
    text: str = "",
    columns: tuple[str, ...] = TEXT_COLUMNS,
) -> pl.Expr | None:
    """One polars expression for the filters the user set (None: show everything)."""
    parts: list[pl.Expr] = []
    if rule:
        parts.append(pl.col("code") == rule)
    if severity:
        parts.append(pl.col("severity") == severity)
    if status:
        parts.append(pl.col("status") == status)
    text = text.strip()
    if text and columns:
        pattern = "(?i)" + re.escape(text)
        parts.append(
            pl.any_horizontal(
                [pl.col(c).cast(pl.String).str.contains(pattern).fill_null(False) for c in columns]
            )
        )
    if not parts:
        return None
    expr = parts[0]
    for part in parts[1:]:
        expr = expr & part
    return expr


#: Starting widths in pixels; the detail column takes what is left.
COLUMN_WIDTHS = {
    "code": 56,
    "severity": 76,
    "status": 86,
    "tax_record_id": 96,
    "tax_name": 96,
    "tax_birth_year": 84,
    "si_record_id": 96,
    "si_name": 96,
    "si_birth_year": 84,
}


def finding_columns() -> list[tuple[str, str]]:
    return [
        ("code", tr("findings.code")),
        ("severity", tr("findings.severity")),
        ("status", tr("findings.status")),
        ("tax_record_id", tr("findings.tax_record")),
        ("tax_name", tr("findings.tax_name")),
        ("tax_birth_year", tr("findings.tax_birth_year")),
        ("si_record_id", tr("findings.si_record")),
        ("si_name", tr("findings.si_name")),
        ("si_birth_year", tr("findings.si_birth_year")),
        ("detail", tr("findings.detail")),
    ]


class StatusDialog(QDialog):
    def __init__(self, current: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("findings.status_title"))
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("findings.status_now", status=tr_value("status", current))))
        form = QFormLayout()
        self.status = QComboBox()
        for status in findings_service.STATUSES:
            if status != current:
                self.status.addItem(tr_value("status", status), status)
        self.note = QLineEdit()
        self.note.setPlaceholderText(tr("findings.note_hint"))
        form.addRow(tr("findings.new_status"), self.status)
        form.addRow(tr("findings.note"), self.note)
        layout.addLayout(form)
        buttons = QDialogButtonBox()
        buttons.addButton(tr("action.ok"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(tr("action.cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class HistoryDialog(QDialog):
    def __init__(
        self, changes: list[findings_service.StatusChange], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("findings.history_title"))
        self.resize(640, 320)
        layout = QVBoxLayout(self)
        self.table = QTableWidget(len(changes), 4)
        self.table.setHorizontalHeaderLabels(
            [tr("history.when"), tr("history.who"), tr("history.status"), tr("history.note")]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for row, change in enumerate(changes):
            for col, text in enumerate(
                (
                    change.changed_at[:19].replace("T", " "),
                    change.changed_by,
                    tr_value("status", change.status),
                    change.note,
                )
            ):
                self.table.setItem(row, col, QTableWidgetItem(text))
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table)
        if not changes:
            layout.addWidget(QLabel(tr("history.none")))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("action.close"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class FindingsPanel(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.run_id: str | None = None
        self.reveal_dialog: RevealDialog | None = None
        self.history_dialog: HistoryDialog | None = None
        self._arrange_pending = False
        #: Replaced in tests: returns (status, note) or None when cancelled.
        self.ask_status = self._ask_status
        layout = QVBoxLayout(self)
        filters = QHBoxLayout()
        self.rule = QComboBox()
        self.severity = QComboBox()
        self.severity.addItem(tr("filter.all_severities"), "")
        for severity in SEVERITIES:
            self.severity.addItem(tr_value("severity", severity), severity)
        self.status = QComboBox()
        self.status.addItem(tr("filter.all_statuses"), "")
        for status in findings_service.STATUSES:
            self.status.addItem(tr_value("status", status), status)
        self.text = QLineEdit()
        self.text.setPlaceholderText(tr("filter.text"))
        self.text.setClearButtonEnabled(True)
        for label, widget in (
            (tr("filter.rule"), self.rule),
            (tr("filter.severity"), self.severity),
            (tr("filter.status"), self.status),
        ):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addWidget(self.text, 1)
        self.count = QLabel()
        filters.addWidget(self.count)
        layout.addLayout(filters)
        self._text_timer = QTimer(self)
        self._text_timer.setSingleShot(True)
        self._text_timer.setInterval(250)
        self._text_timer.timeout.connect(self.apply_filter)
        self.text.textChanged.connect(self._text_timer.start)
        for combo in (self.rule, self.severity, self.status):
            combo.currentIndexChanged.connect(self.apply_filter)

        self.model = FrameTableModel(
            finding_columns(),
            value_labels={"severity": value_labels("severity"), "status": value_labels("status")},
            cell_colours={"severity": SEVERITY_COLOURS},
            parent=self,
        )
        self.view = big_table_view()
        self.view.setModel(self.model)
        header = self.view.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.sortIndicatorChanged.connect(self._sort_clicked)
        self.view.doubleClicked.connect(lambda _i: self.reveal_selected())
        layout.addWidget(self.view, 1)

        actions = QHBoxLayout()
        self.reveal_button = QPushButton(tr("findings.reveal"))
        self.reveal_button.clicked.connect(self.reveal_selected)
        self.status_button = QPushButton(tr("findings.change_status"))
        self.status_button.clicked.connect(self.change_status_of_selected)
        self.history_button = QPushButton(tr("findings.history"))
        self.history_button.clicked.connect(self.history_of_selected)
        for button in (self.reveal_button, self.status_button, self.history_button):
            actions.addWidget(button)
        actions.addStretch(1)
        layout.addLayout(actions)
        self.message = MessageBar()
        layout.addWidget(self.message)
        self._update_count()

    # -- data ------------------------------------------------------------------------------------
    def load(self, run_id: str) -> None:
        """Fetch the run's findings (masked identity) in the background."""
        self.run_id = run_id
        session = self.state.session

        def work(progress: ProgressCallback, cancel: CancelToken) -> pl.DataFrame:
            progress("findings", 0.1)
            return views.findings_table(session, run_id).with_columns(
                pl.col("detail").fill_null("")
            )

        (
            self.state.task(work)
            .success(self.set_findings)
            .with_messages(self.message)
            .run_in_background()
        )

    def set_findings(self, frame: pl.DataFrame) -> None:
        codes = sorted(frame["code"].unique().drop_nulls().to_list()) if frame.height else []
        self.rule.blockSignals(True)
        self.rule.clear()
        self.rule.addItem(tr("filter.all_rules"), "")
        for code in codes:
            self.rule.addItem(f"{code} {tr_value('rule', code)}", code)
        self.rule.blockSignals(False)
        self.model.set_base(frame, arrange=False)
        self.apply_filter()
        for i in range(self.model.columnCount()):
            width = COLUMN_WIDTHS.get(self.model.column_name(i))
            if width is not None:
                self.view.setColumnWidth(i, width)

    def current_filter(self) -> pl.Expr | None:
        return findings_filter(
            rule=str(self.rule.currentData() or ""),
            severity=str(self.severity.currentData() or ""),
            status=str(self.status.currentData() or ""),
            text=self.text.text(),
            columns=tuple(c for c in TEXT_COLUMNS if c in self.model.base.columns),
        )

    def apply_filter(self) -> None:
        self.arrange(self.model.sort_key)

    def _sort_clicked(self, section: int, order: Qt.SortOrder) -> None:
        if 0 <= section < self.model.columnCount():
            self.arrange(self.model.sort_for(section, order))

    def arrange(self, sort: SortKey) -> None:
        """Sort and filter in polars: at once for small tables, on a worker for big ones
        (a million strings take a second or more to sort; the window stays responsive)."""
        expr = self.current_filter()
        if self.model.base.height < BACKGROUND_ROWS:
            self.model.arrange(sort, expr)
            self._update_count()
            return
        if self.state.busy:
            self._arrange_pending = True  # done again with the newest choice afterwards
            return
        self._arrange_pending = False
        model = self.model

        def work(
            progress: ProgressCallback, cancel: CancelToken
        ) -> tuple[pl.DataFrame, pl.DataFrame]:
            return model.arranged(sort, expr)

        def done(result: tuple[pl.DataFrame, pl.DataFrame]) -> None:
            model.show_arranged(sort, expr, *result)
            self._update_count()
            if self._arrange_pending:
                self.apply_filter()

        self.count.setText(tr("findings.arranging"))
        self.state.task(work).success(done).failure(self.message.show_error).run_in_background()

    def _update_count(self) -> None:
        self.count.setText(
            tr(
                "findings.count",
                shown=f"{self.model.rowCount():,}",
                total=f"{self.model.base.height:,}",
            )
        )

    def selected(self) -> dict[str, Any] | None:
        rows = self.view.selectionModel().selectedRows() if self.view.selectionModel() else []
        if not rows:
            self.message.show_info(tr("findings.select_first"))
            return None
        return self.model.row_dict(rows[0].row())

    def select_key(self, key: str) -> None:
        """Select a finding again after the table was reset (if the filter still shows it)."""
        found = self.model.frame.with_row_index("_i").filter(pl.col("finding_key") == key)["_i"]
        if found.len():
            self.view.selectRow(int(found[0]))

    # -- actions ---------------------------------------------------------------------------------
    def reveal_selected(self) -> None:
        row = self.selected()
        if row is None or self.run_id is None:
            return
        self.reveal_dialog = open_reveal(
            self.state, self, self.run_id, row.get("tax_record_id"), row.get("si_record_id")
        )

    def _ask_status(self, current: str) -> tuple[str, str] | None:
        dialog = StatusDialog(current, self)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return str(dialog.status.currentData()), dialog.note.text()
        finally:
            dialog.deleteLater()

    def change_status_of_selected(self) -> None:
        row = self.selected()
        if row is None or self.run_id is None:
            return
        answer = self.ask_status(str(row["status"]))
        if answer is None:
            return
        status, note = answer
        try:
            change = self.state.call(
                findings_service.set_status,
                self.state.session,
                self.run_id,
                str(row["code"]),
                row.get("tax_record_id"),
                row.get("si_record_id"),
                status,
                note,
            )
        except WorkbenchError as exc:
            self.message.show_error(describe_error(exc))
            return
        key = pl.col("finding_key") == change.finding_key
        self.model.update_values(
            pl.when(key).then(pl.lit(change.status)).otherwise(pl.col("status")).alias("status")
        )
        self._update_count()
        self.select_key(change.finding_key)
        self.message.show_success(
            tr("findings.status_changed", status=tr_value("status", change.status))
        )

    def history_of_selected(self) -> None:
        row = self.selected()
        if row is None or self.run_id is None:
            return
        try:
            changes = self.state.call(
                findings_service.finding_history,
                self.state.session,
                self.run_id,
                str(row["finding_key"]),
            )
        except WorkbenchError as exc:
            self.message.show_error(describe_error(exc))
            return
        self.history_dialog = HistoryDialog(changes, self)
        self.history_dialog.show()
