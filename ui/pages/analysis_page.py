"""The periodic analysis report of the access log: a period, a chart, the section tables.

The report is computed by workbench.services.audit.analysis_report (which logs it) on a
worker, with progress and Cancel; Export writes it through export_analysis (also logged).
Persons are counted, never listed: the report holds user names, times and counts only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path

import polars as pl
from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from rlwb.ui import save_dialog
from rlwb.ui.chart import BarChart
from rlwb.ui.i18n import tr, value_labels
from rlwb.ui.state import AppState
from rlwb.ui.table_model import FrameTableModel
from rlwb.ui.widgets import MessageBar, ProgressPanel, big_table_view
from rlwb.workbench.services import audit as audit_service
from rlwb.workbench.services.types import (
    SECTIONS,
    AnalysisReport,
    AnalysisSettings,
    CancelToken,
    ProgressCallback,
)

#: User-days shown in the chart (the busiest ones); the table has them all.
CHART_ROWS = 20
SUMMARY_ITEMS = ("events", "reveals", "user_days_over_threshold", *SECTIONS)
TIME_COLUMNS = ("time", "start", "end")
#: Columns of the sections, in the order shown.
SECTION_COLUMNS: dict[str, tuple[str, ...]] = {
    "reveals_per_user_day": ("user", "day", "reveals", "persons"),
    "out_of_hours": ("seq", "time", "user", "event_type", "outcome"),
    "bursts": ("user", "start", "end", "reveals"),
    "reveals_without_work": ("seq", "time", "user", "persons", "run_id"),
    "denials": ("seq", "time", "user", "event_type", "action"),
    "exports": ("seq", "time", "user", "what", "rows", "persons", "file"),
}


def period(settings: AnalysisSettings, first: date, last: date) -> tuple[datetime, datetime]:
    """Whole office-local days from ``first`` to ``last``."""
    zone = settings.zone
    return (
        datetime.combine(first, time.min, tzinfo=zone),
        datetime.combine(last, time.max, tzinfo=zone),
    )


def day_of(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def readable_section(frame: pl.DataFrame) -> pl.DataFrame:
    """Times to the second and codes in the user's language (vectorised)."""
    out = frame
    for name in TIME_COLUMNS:
        if name in out.columns:
            out = out.with_columns(pl.col(name).dt.strftime("%Y-%m-%d %H:%M:%S"))
    if "day" in out.columns:
        out = out.with_columns(pl.col("day").cast(pl.String))
    if "event_type" in out.columns:
        out = out.with_columns(pl.col("event_type").replace(value_labels("event")))
    if "outcome" in out.columns:
        out = out.with_columns(pl.col("outcome").replace(value_labels("event_outcome")))
    return out


def chart_items(per_day: pl.DataFrame, limit: int = CHART_ROWS) -> list[tuple[str, int]]:
    """(user and day, reveals) of the busiest ``limit`` user-days, in date order."""
    if per_day.height == 0:
        return []
    top = (
        per_day.sort(["reveals", "day", "user"], descending=[True, True, False])
        .head(limit)
        .sort(["day", "user"])
    )
    return [
        (f"{row['user']}  {row['day']}", int(row["reveals"])) for row in top.iter_rows(named=True)
    ]


def choose_report_path(parent: QWidget, suggested: str) -> Path | None:
    filters = [(tr("export.filter_xlsx"), "xlsx"), (tr("export.filter_csv"), "csv")]
    return save_dialog.choose_save_path(parent, tr("analysis.export_title"), suggested, filters)


class SectionTable(QWidget):
    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.explanation = QLabel(tr(f"analysis.explain.{name}"))
        self.explanation.setWordWrap(True)
        layout.addWidget(self.explanation)
        columns = [(c, tr(f"analysis.col.{c}")) for c in SECTION_COLUMNS[name]]
        self.model = FrameTableModel(columns, parent=self)
        self.view = big_table_view()
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        layout.addWidget(self.view, 1)

    def show_frame(self, frame: pl.DataFrame) -> None:
        self.model.set_base(readable_section(frame))
        self.view.resizeColumnsToContents()


class AnalysisPage(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.settings = AnalysisSettings()
        self.report: AnalysisReport | None = None
        self.exported: Path | None = None
        #: Replaced in tests; the default opens the platform's save dialog.
        self.ask_path: Callable[[QWidget, str], Path | None] = choose_report_path
        layout = QVBoxLayout(self)
        title = QLabel(tr("analysis.title"))
        title.setStyleSheet("font-size: 14pt; font-weight: 600;")
        layout.addWidget(title)

        row = QHBoxLayout()
        today = QDate.currentDate()
        self.first = QDateEdit(today.addDays(-30))
        self.last = QDateEdit(today)
        for edit in (self.first, self.last):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.run_button = QPushButton(tr("analysis.run"))
        self.run_button.clicked.connect(self.start_report)
        self.export_button = QPushButton(tr("analysis.export"))
        self.export_button.clicked.connect(self.start_export)
        self.export_button.setEnabled(False)
        row.addWidget(QLabel(tr("analysis.from")))
        row.addWidget(self.first)
        row.addWidget(QLabel(tr("analysis.to")))
        row.addWidget(self.last)
        row.addWidget(self.run_button)
        row.addWidget(self.export_button)
        row.addStretch(1)
        layout.addLayout(row)
        s = self.settings
        self.settings_label = QLabel(
            tr(
                "analysis.settings",
                start=f"{s.workday_start:%H:%M}",
                end=f"{s.workday_end:%H:%M}",
                threshold=s.burst_threshold,
                minutes=int(s.burst_window.total_seconds() // 60),
                persons=s.persons_per_day_threshold,
                tz=s.tz,
            )
        )
        self.settings_label.setWordWrap(True)
        self.settings_label.setStyleSheet("color: #555555;")
        layout.addWidget(self.settings_label)
        self.progress = ProgressPanel()
        self.progress.cancel_requested.connect(self.state.taskman.cancel)
        layout.addWidget(self.progress)
        self.message = MessageBar()
        layout.addWidget(self.message)

        self.summary = QGridLayout()
        self.summary_values: dict[str, QLabel] = {}
        for i, item in enumerate(SUMMARY_ITEMS):
            caption = QLabel(tr(f"analysis.summary.{item}"))
            value = QLabel(tr("value.unknown"))
            value.setStyleSheet("font-size: 13pt; font-weight: 600;")
            self.summary_values[item] = value
            self.summary.addWidget(caption, (i // 5) * 2, i % 5)
            self.summary.addWidget(value, (i // 5) * 2 + 1, i % 5)
        layout.addLayout(self.summary)

        splitter = QSplitter()
        self.chart = BarChart()
        self.tabs = QTabWidget()
        self.sections: dict[str, SectionTable] = {}
        for name in SECTIONS:
            table = SectionTable(name)
            self.sections[name] = table
            self.tabs.addTab(table, tr(f"analysis.section.{name}"))
        self.chart.setMinimumWidth(340)
        splitter.addWidget(self.chart)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([400, 800])
        layout.addWidget(splitter, 1)
        state.taskman.busy_changed.connect(self._sync)

    def _sync(self, busy: bool) -> None:
        self.run_button.setEnabled(not busy)
        self.export_button.setEnabled(not busy and self.report is not None)

    # -- the report ----------------------------------------------------------------------------
    def start_report(self) -> None:
        first, last = day_of(self.first.date()), day_of(self.last.date())
        if first > last:
            self.message.show_error(tr("analysis.bad_period"))
            return
        since, until = period(self.settings, first, last)
        session, settings = self.state.session, self.settings

        def work(progress: ProgressCallback, cancel: CancelToken) -> AnalysisReport:
            return audit_service.analysis_report(
                session, since, until, settings, progress=progress, cancel=cancel
            )

        (
            self.state.task(work)
            .success(self.show_report)
            .with_progress(self.progress)
            .with_messages(self.message, cancelled=tr("analysis.cancelled"))
            .run_in_background()
        )

    def show_report(self, report: AnalysisReport) -> None:
        self.report = report
        for item, label in self.summary_values.items():
            label.setText(f"{report.summary.get(item, 0):,}")
        for name, table in self.sections.items():
            table.show_frame(report.section(name))
            self.tabs.setTabText(
                SECTIONS.index(name),
                tr("analysis.section_count", name=tr(f"analysis.section.{name}"),
                   count=f"{report.section(name).height:,}"),
            )  # fmt: skip
        per_day = report.reveals_per_user_day
        title = tr("analysis.chart")
        if per_day.height > CHART_ROWS:
            title = tr("analysis.chart_top", count=CHART_ROWS, total=f"{per_day.height:,}")
        self.chart.set_data(title, chart_items(per_day))
        self.export_button.setEnabled(not self.state.busy)
        zone = report.settings.zone
        self.message.show_success(
            tr(
                "analysis.done",
                since=f"{report.since.astimezone(zone):%Y-%m-%d}",
                until=f"{report.until.astimezone(zone):%Y-%m-%d}",
            )
        )

    # -- export --------------------------------------------------------------------------------
    def start_export(self) -> None:
        report = self.report
        if report is None:
            return
        zone = report.settings.zone
        suggested = (
            f"access-log-analysis-{report.since.astimezone(zone):%Y%m%d}-"
            f"{report.until.astimezone(zone):%Y%m%d}.xlsx"
        )
        path = self.ask_path(self, suggested)
        if path is None:
            return
        session = self.state.session

        def work(progress: ProgressCallback, cancel: CancelToken) -> Path:
            progress("export", 0.3)
            return audit_service.export_analysis(session, report, path, replace=True)

        (
            self.state.task(work)
            .success(self._exported)
            .with_progress(self.progress)
            .with_messages(self.message)
            .run_in_background()
        )

    def _exported(self, result: Path) -> None:
        self.exported = result
        self.message.show_success(tr("analysis.exported", path=str(result)))
