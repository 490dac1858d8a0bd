"""Export a run's links, findings or summary to CSV or XLSX (logged by the service)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rlwb.ui import save_dialog
from rlwb.ui.i18n import tr
from rlwb.ui.state import AppState
from rlwb.ui.widgets import MessageBar, ProgressPanel, RunPicker
from rlwb.workbench.services import export as export_service
from rlwb.workbench.services.export import ExportResult
from rlwb.workbench.services.types import CancelToken, ProgressCallback

WHAT = ("findings", "links", "summary")


def choose_save_path(parent: QWidget, suggested: str) -> Path | None:
    """The save dialog; the chosen filter decides the suffix when the name has none."""
    filters = [(tr("export.filter_csv"), "csv"), (tr("export.filter_xlsx"), "xlsx")]
    return save_dialog.choose_save_path(parent, tr("export.save_title"), suggested, filters)


class ExportPage(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.result: ExportResult | None = None
        #: Replaced in tests; the default opens the platform's save dialog.
        self.ask_path: Callable[[QWidget, str], Path | None] = choose_save_path
        layout = QVBoxLayout(self)
        title = QLabel(tr("export.title"))
        title.setStyleSheet("font-size: 14pt; font-weight: 600;")
        layout.addWidget(title)
        intro = QLabel(tr("export.intro"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.runs = RunPicker(state)
        self.what = QComboBox()
        for what in WHAT:
            self.what.addItem(tr(f"export.what.{what}"), what)
        form.addRow(tr("reconcile.show_run"), self.runs)
        form.addRow(tr("export.what"), self.what)
        layout.addLayout(form)
        self.export_button = QPushButton(tr("export.run"))
        self.export_button.clicked.connect(self.start_export)
        layout.addWidget(self.export_button)
        self.progress = ProgressPanel()
        layout.addWidget(self.progress)
        self.message = MessageBar()
        layout.addWidget(self.message)
        layout.addStretch(1)
        state.taskman.busy_changed.connect(self._sync)

    def _sync(self, busy: bool) -> None:
        self.export_button.setEnabled(not busy)
        self.runs.setEnabled(not busy)

    def activate(self) -> None:
        error = self.runs.refresh()
        if error:
            self.message.show_error(error)

    def start_export(self) -> None:
        run_id = self.state.run_id
        if not run_id:
            self.message.show_error(tr("export.no_run"))
            return
        what = str(self.what.currentData())
        path = self.ask_path(self, f"{run_id}-{what}.xlsx")
        if path is None:
            return
        session = self.state.session

        def work(progress: ProgressCallback, cancel: CancelToken) -> ExportResult:
            progress("export", 0.2)
            # The save dialog asked before replacing an existing file.
            return export_service.export_run(session, run_id, what, path, replace=True)  # type: ignore[arg-type]

        # An export is short and cannot be cancelled.
        (
            self.state.task(work)
            .success(self._done)
            .with_progress(self.progress, cancellable=False)
            .with_messages(self.message)
            .run_in_background()
        )

    def _done(self, result: ExportResult) -> None:
        self.result = result
        self.message.show_success(
            tr(
                "export.done",
                rows=f"{result.rows:,}",
                persons=f"{result.persons:,}",
                path=str(result.path),
            )
        )
