"""Reconciliation: choose two datasets, run in the background, read the dashboard and
work the findings."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from rlwb.ui.chart import BarChart
from rlwb.ui.errors import describe_error
from rlwb.ui.i18n import tr, tr_kind, tr_value
from rlwb.ui.pages.findings_panel import FindingsPanel
from rlwb.ui.state import AppState
from rlwb.ui.widgets import MessageBar, ProgressPanel, RunPicker
from rlwb.workbench.services import compromise as compromise_service
from rlwb.workbench.services import reconcile as reconcile_service
from rlwb.workbench.services import views
from rlwb.workbench.services.types import (
    CancelToken,
    DatasetInfo,
    ProgressCallback,
    RunInfo,
    WorkbenchError,
)

OUTCOME_ORDER = reconcile_service.OUTCOMES


def split_summary(summary: dict[str, int]) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(outcomes in workflow order, rule codes in code order) of a run's summary."""
    outcomes = [(str(k), summary[k]) for k in OUTCOME_ORDER if k in summary]
    outcomes += sorted(
        (k, v) for k, v in summary.items() if k not in OUTCOME_ORDER and not _is_rule(k)
    )
    rules = sorted((k, v) for k, v in summary.items() if _is_rule(k))
    return outcomes, rules


def _is_rule(key: str) -> bool:
    return len(key) >= 2 and key[0] == "R" and key[1:].isdigit()


def dataset_label(info: DatasetInfo) -> str:
    return tr(
        "dataset.label",
        id=info.id,
        file=info.file_name,
        rows=f"{info.rows:,}",
        version=info.token_version,
        kind=tr_kind(info.kind),
    )


class Dashboard(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.heading = QLabel(tr("dashboard.no_run"))
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        charts = QHBoxLayout()
        self.outcomes = BarChart()
        self.rules = BarChart()
        charts.addWidget(self.outcomes, 1)
        charts.addWidget(self.rules, 1)
        layout.addLayout(charts, 1)

    def show_run(self, run: RunInfo) -> None:
        outcomes, rules = split_summary(run.summary)
        self.heading.setText(
            tr(
                "dashboard.heading",
                id=run.id,
                when=run.created_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                who=run.created_by,
                version=run.key_version,
                rules=run.rules_version,
            )
        )
        self.outcomes.set_data(
            tr("dashboard.by_outcome"), [(tr_value("outcome", k), v) for k, v in outcomes]
        )
        self.rules.set_data(
            tr("dashboard.by_rule"), [(f"{k} {tr_value('rule', k)}", v) for k, v in rules]
        )


class ReconcilePage(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.run: RunInfo | None = None
        self._dirty = True
        layout = QVBoxLayout(self)
        title = QLabel(tr("reconcile.title"))
        title.setStyleSheet("font-size: 14pt; font-weight: 600;")
        layout.addWidget(title)

        choose = QGridLayout()
        self.tax = QComboBox()
        self.si = QComboBox()
        for combo in (self.tax, self.si):
            combo.setMinimumContentsLength(40)
        self.run_button = QPushButton(tr("reconcile.run"))
        self.run_button.clicked.connect(self.start_reconcile)
        choose.addWidget(QLabel(tr("reconcile.tax")), 0, 0)
        choose.addWidget(self.tax, 0, 1)
        choose.addWidget(QLabel(tr("reconcile.si")), 1, 0)
        choose.addWidget(self.si, 1, 1)
        choose.addWidget(self.run_button, 0, 2, 2, 1)
        choose.setColumnStretch(1, 1)
        layout.addLayout(choose)
        self.progress = ProgressPanel()
        self.progress.cancel_requested.connect(self.state.taskman.cancel)
        layout.addWidget(self.progress)
        self.message = MessageBar()
        layout.addWidget(self.message)

        pick = QHBoxLayout()
        pick.addWidget(QLabel(tr("reconcile.show_run")))
        self.runs = RunPicker(state)
        pick.addWidget(self.runs, 1)
        layout.addLayout(pick)

        self.tabs = QTabWidget()
        self.dashboard = Dashboard()
        self.findings = FindingsPanel(state)
        self.tabs.addTab(self.dashboard, tr("reconcile.dashboard"))
        self.tabs.addTab(self.findings, tr("reconcile.findings"))
        layout.addWidget(self.tabs, 1)

        state.run_changed.connect(self._run_changed)
        state.datasets_changed.connect(self._datasets_changed)
        state.taskman.busy_changed.connect(self._sync_buttons)

    def _sync_buttons(self, busy: bool) -> None:
        for widget in (self.run_button, self.tax, self.si, self.runs):
            widget.setEnabled(not busy)
        for button in (
            self.findings.reveal_button,
            self.findings.status_button,
            self.findings.history_button,
        ):
            button.setEnabled(not busy)

    def activate(self) -> None:
        if self.state.busy:
            return
        if self._dirty:
            self._dirty = False
            self.reload_datasets()
            error = self.runs.refresh()  # may choose a run: then _run_changed loads it
            if error:
                self.message.show_error(error)
        self._load_current()

    def _load_current(self) -> None:
        run_id = self.state.run_id
        if run_id and not self.state.busy and (self.run is None or self.run.id != run_id):
            self.load_run(run_id)

    def _datasets_changed(self) -> None:
        self._dirty = True

    def _run_changed(self, run_id: str) -> None:
        if self.isVisible():
            self._load_current()

    def reload_datasets(self) -> None:
        try:
            found = self.state.call(views.datasets, self.state.session)
            retired = {
                d.id
                for d in self.state.call(compromise_service.retired_datasets, self.state.session)
            }
        except WorkbenchError as exc:
            self.message.show_error(describe_error(exc))
            return
        for combo, kind in ((self.tax, "tax"), (self.si, "si")):
            combo.clear()
            # Retired by a compromise response: never offered for reconciling.
            for info in reversed([d for d in found if d.kind == kind and d.id not in retired]):
                combo.addItem(dataset_label(info), info.id)
        if not self.tax.count() or not self.si.count():
            self.message.show_info(tr("reconcile.need_both"))
        self.run_button.setEnabled(bool(self.tax.count() and self.si.count()))

    def start_reconcile(self) -> None:
        tax, si = self.tax.currentData(), self.si.currentData()
        if not tax or not si:
            self.message.show_error(tr("reconcile.need_both"))
            return
        session = self.state.session

        def work(progress: ProgressCallback, cancel: CancelToken) -> RunInfo:
            return reconcile_service.reconcile_datasets(
                session, tax_dataset=str(tax), si_dataset=str(si), progress=progress, cancel=cancel
            )

        (
            self.state.task(work)
            .success(self._reconciled)
            .with_progress(self.progress)
            .with_messages(self.message, cancelled=tr("reconcile.cancelled"))
            .run_in_background()
        )

    def _reconciled(self, run: RunInfo) -> None:
        self.message.show_success(tr("reconcile.done", id=run.id))
        self.state.runs_changed.emit()
        self.state.set_run(run.id)
        self._load_current()

    def load_run(self, run_id: str) -> None:
        try:
            runs = self.state.call(views.runs, self.state.session)
        except WorkbenchError as exc:
            self.message.show_error(describe_error(exc))
            return
        run = next((r for r in runs if r.id == run_id), None)
        if run is None:
            return
        self.run = run
        self.dashboard.show_run(run)
        self.findings.load(run.id)
