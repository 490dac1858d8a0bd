"""Import wizard: pick or drop a file, check the masked preview and the column mapping,
save the mapping as a profile, import in the background, read the report.

The page holds the state of one import (file, preview, the user's mapping changes, the
report) and runs the services; each part in :mod:`rlwb.ui.pages.import_parts` shows one
piece and says what the user did.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from rlwb.ui.errors import describe_error
from rlwb.ui.i18n import tr
from rlwb.ui.issues_dialog import IssuesDialog
from rlwb.ui.pages.import_parts.mapping import EXTRA, MappingTable
from rlwb.ui.pages.import_parts.preview import DetectedLabel, PreviewRows
from rlwb.ui.pages.import_parts.profile import SCREEN_PROFILE, merged_columns
from rlwb.ui.pages.import_parts.report import ReportView
from rlwb.ui.pages.import_parts.source import SourceChooser
from rlwb.ui.state import AppState
from rlwb.ui.widgets import MessageBar, ProgressPanel
from rlwb.workbench.services import imports as import_service
from rlwb.workbench.services import preview as preview_service
from rlwb.workbench.services.imports import ImportReport
from rlwb.workbench.services.preview import ExtractPreview, ImportProfile
from rlwb.workbench.services.types import CancelToken, ProgressCallback, WorkbenchError


class ImportPage(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.path: Path | None = None
        self.preview: ExtractPreview | None = None
        self.overrides: dict[str, str] = {}
        self.report: ImportReport | None = None
        self.issues_dialog: IssuesDialog | None = None
        self._preview_pending = False
        self.setAcceptDrops(True)
        self._build()
        state.taskman.busy_changed.connect(self._sync_buttons)
        self._sync_buttons()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        title = QLabel(tr("import.title"))
        title.setStyleSheet("font-size: 14pt; font-weight: 600;")
        layout.addWidget(title)
        self.source = SourceChooser()
        self.source.file_chosen.connect(self.load_file)
        self.source.choice_changed.connect(self._choice_changed)
        layout.addWidget(self.source)
        self.detected = DetectedLabel()
        layout.addWidget(self.detected)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.mapping = MappingTable()
        self.mapping.mapping_changed.connect(self.set_mapping)
        self.mapping.save_requested.connect(self.save_profile)
        self.rows = PreviewRows()
        split.addWidget(self.mapping)
        split.addWidget(self.rows)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        layout.addWidget(split, 1)

        run_row = QHBoxLayout()
        self.import_button = QPushButton(tr("import.run"))
        self.import_button.clicked.connect(self.start_import)
        run_row.addWidget(self.import_button)
        self.progress = ProgressPanel()
        self.progress.cancel_requested.connect(self.state.taskman.cancel)
        run_row.addWidget(self.progress, 1)
        layout.addLayout(run_row)
        self.message = MessageBar()
        layout.addWidget(self.message)
        self.report_view = ReportView()
        self.report_view.issues_requested.connect(self.show_issues)
        layout.addWidget(self.report_view)

    # -- page life -------------------------------------------------------------------------
    def activate(self) -> None:
        if self.source.profile.count() == 0:
            self.reload_profiles()

    def reload_profiles(self, select: str | None = None) -> None:
        try:
            names = self.state.call(preview_service.saved_profiles, self.state.session)
        except WorkbenchError as exc:
            self.message.show_error(describe_error(exc))
            names = []
        self.source.set_profiles(names, select)

    def _sync_buttons(self, busy: bool | None = None) -> None:
        busy = self.state.busy if busy is None else busy
        ready = self.preview is not None and self.preview.ready
        self.source.set_busy(busy)
        self.mapping.set_enabled(busy, self.preview is not None)
        self.import_button.setEnabled(not busy and self.path is not None and ready)

    # -- the file ------------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.load_file(files[0])

    def load_file(self, path: Path) -> None:
        self.path = path
        self.preview = None
        self.overrides = {}
        self.report = None
        self.report_view.hide()
        self.source.show_file(path)
        self.refresh_preview()

    def _choice_changed(self) -> None:
        self.overrides = {}
        if self.path is not None:
            self.refresh_preview()

    # -- the profile the import will use -------------------------------------------------------
    def saved_profile(self) -> ImportProfile | None:
        name = self.source.profile_name()
        if not name:
            return None
        return self.state.call(preview_service.load_saved_profile, self.state.session, name)

    def effective_profile(self, name: str = SCREEN_PROFILE) -> ImportProfile | None:
        """The saved profile plus the user's changes; None when nothing was changed."""
        saved = self.saved_profile()
        if not self.overrides:
            return saved
        columns = merged_columns(
            saved.columns if saved is not None else {},
            self.preview.profile_columns() if self.preview is not None else {},
            self.overrides,
        )
        encoding = saved.encoding if saved is not None else None
        return preview_service.make_profile(name, self.source.current_kind(), columns, encoding)

    # -- preview ---------------------------------------------------------------------------------
    def refresh_preview(self) -> None:
        if self.path is None:
            return
        if self.state.busy:
            # A preview of an earlier choice is still being read: read again after it.
            self._preview_pending = True
            return
        self._preview_pending = False
        self.message.clear_message()
        try:
            profile = self.effective_profile()
        except WorkbenchError as exc:
            self.message.show_error(describe_error(exc))
            return
        session, path, kind = self.state.session, self.path, self.source.current_kind()

        def work(progress: ProgressCallback, cancel: CancelToken) -> ExtractPreview:
            return preview_service.preview_extract(session, path, kind, profile)

        (
            self.state.task(work)
            .success(self._show_preview)
            .failure(self._preview_failed)
            .run_in_background()
        )

    def _preview_failed(self, message: str) -> None:
        if self._preview_pending:
            self.refresh_preview()
            return
        self.preview = None
        self.mapping.show_preview(None)
        self.message.show_error(message)
        self._sync_buttons()

    def _show_preview(self, preview: ExtractPreview) -> None:
        if self._preview_pending:  # the user changed file, kind or mapping meanwhile
            self.refresh_preview()
            return
        self.preview = preview
        self.detected.show_preview(preview)
        self.mapping.show_preview(preview)
        self.rows.show_preview(preview)
        self._sync_buttons()

    def mapping_combo(self, header: str) -> QComboBox:
        return self.mapping.combo(header)

    def set_mapping(self, header: str, alias: str) -> None:
        """The user maps a file column to a canonical column (or keeps it as extra)."""
        if alias == EXTRA:
            self.overrides.pop(header, None)
        else:
            self.overrides[header] = alias
        self.refresh_preview()

    def save_profile(self, name: str) -> None:
        if not name:
            self.message.show_error(tr("import.profile_name_needed"))
            return
        if self.preview is None:
            return
        try:
            saved = self.saved_profile()
            profile = preview_service.make_profile(
                name,
                self.source.current_kind(),
                self.preview.profile_columns(),
                saved.encoding if saved is not None else None,
            )
            self.state.call(preview_service.save_import_profile, self.state.session, profile)
        except WorkbenchError as exc:
            self.message.show_error(describe_error(exc))
            return
        self.overrides = {}
        self.reload_profiles(select=name)
        self.message.show_success(tr("import.profile_saved", name=name))

    # -- import ----------------------------------------------------------------------------------
    def start_import(self) -> None:
        if self.path is None:
            return
        try:
            profile = self.effective_profile()
        except WorkbenchError as exc:
            self.message.show_error(describe_error(exc))
            return
        session, path, kind = self.state.session, self.path, self.source.current_kind()

        def work(progress: ProgressCallback, cancel: CancelToken) -> ImportReport:
            return import_service.import_extract(
                session, path, kind, profile=profile, progress=progress, cancel=cancel
            )

        self.report_view.hide()
        (
            self.state.task(work)
            .success(self._import_done)
            .with_progress(self.progress)
            .with_messages(self.message, cancelled=tr("import.cancelled"))
            .run_in_background()
        )

    def _import_done(self, report: ImportReport) -> None:
        self.report = report
        self.message.show_success(tr("import.done", id=report.dataset.id))
        self.report_view.show_report(report)
        self.state.datasets_changed.emit()

    def show_issues(self, which: str) -> None:
        if self.report is None:
            return
        try:
            issues, quarantine = self.state.call(
                import_service.dataset_issues, self.state.session, self.report.dataset.id
            )
        except WorkbenchError as exc:
            self.message.show_error(describe_error(exc))
            return
        frame = quarantine if which == "quarantine" else issues
        title = tr("issues.quarantine_title" if which == "quarantine" else "issues.issues_title")
        self.issues_dialog = IssuesDialog(title, frame, self)
        self.issues_dialog.show()
