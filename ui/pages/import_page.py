"""Import wizard: pick or drop a file, check the masked preview and the column mapping,
save the mapping as a profile, import in the background, read the report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rlwb.ui.errors import describe_error
from rlwb.ui.i18n import tr, tr_field, tr_kind, tr_value
from rlwb.ui.issues_dialog import IssuesDialog
from rlwb.ui.state import AppState
from rlwb.ui.tasks import Task
from rlwb.ui.widgets import MessageBar, ProgressPanel
from rlwb.workbench.datasets import Kind
from rlwb.workbench.errors import WorkbenchError
from rlwb.workbench.services import imports as import_service
from rlwb.workbench.services import preview as preview_service
from rlwb.workbench.services.imports import ImportReport
from rlwb.workbench.services.preview import ExtractPreview, ImportProfile
from rlwb.workbench.tasks import CancelToken, ProgressCallback

#: The unsaved profile built from the mapping the user fixed on screen.
SCREEN_PROFILE = "on-screen mapping"
_EXTRA = ""  # combo data of "keep as an extra column"


def choose_file(parent: QWidget) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(
        parent, tr("import.choose_title"), "", tr("import.file_filter")
    )
    return Path(name) if name else None


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
        #: Replaced in tests; the default opens the platform's file dialog.
        self.ask_file: Callable[[QWidget], Path | None] = choose_file
        self.setAcceptDrops(True)
        self._build()
        state.taskman.busy_changed.connect(self._sync_buttons)
        self._sync_buttons()

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        title = QLabel(tr("import.title"))
        title.setStyleSheet("font-size: 14pt; font-weight: 600;")
        layout.addWidget(title)

        source = QGridLayout()
        self.file_label = QLabel(tr("import.no_file"))
        self.file_label.setWordWrap(True)
        self.choose_button = QPushButton(tr("import.choose"))
        self.choose_button.clicked.connect(self._choose)
        self.kind = QComboBox()
        for kind in Kind:
            self.kind.addItem(tr_kind(kind), kind)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.profile = QComboBox()
        self.profile.currentIndexChanged.connect(self._profile_changed)
        source.addWidget(QLabel(tr("import.file")), 0, 0)
        source.addWidget(self.file_label, 0, 1)
        source.addWidget(self.choose_button, 0, 2)
        source.addWidget(QLabel(tr("import.kind")), 1, 0)
        source.addWidget(self.kind, 1, 1)
        source.addWidget(QLabel(tr("import.profile")), 2, 0)
        source.addWidget(self.profile, 2, 1)
        source.setColumnStretch(1, 1)
        layout.addLayout(source)
        hint = QLabel(tr("import.drop_hint"))
        hint.setStyleSheet("color: #666;")
        layout.addWidget(hint)

        self.detected = QLabel()
        self.detected.setWordWrap(True)
        layout.addWidget(self.detected)

        split = QSplitter(Qt.Orientation.Horizontal)
        mapping_box = QGroupBox(tr("import.mapping"))
        mapping_layout = QVBoxLayout(mapping_box)
        self.mapping = QTableWidget(0, 2)
        self.mapping.setHorizontalHeaderLabels([tr("import.file_column"), tr("import.maps_to")])
        self.mapping.verticalHeader().hide()
        self.mapping.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.mapping.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        self.mapping.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        mapping_layout.addWidget(self.mapping)
        save_row = QHBoxLayout()
        self.profile_name = QLineEdit()
        self.profile_name.setPlaceholderText(tr("import.profile_name"))
        self.save_profile_button = QPushButton(tr("import.save_profile"))
        self.save_profile_button.clicked.connect(self.save_profile)
        save_row.addWidget(self.profile_name, 1)
        save_row.addWidget(self.save_profile_button)
        mapping_layout.addLayout(save_row)
        split.addWidget(mapping_box)

        preview_box = QGroupBox(tr("import.preview"))
        preview_layout = QVBoxLayout(preview_box)
        self.rows = QTableWidget(0, 0)
        self.rows.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.rows.setWordWrap(False)
        preview_layout.addWidget(self.rows)
        split.addWidget(preview_box)
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

        self.report_box = QGroupBox(tr("import.report"))
        report_layout = QVBoxLayout(self.report_box)
        self.report_summary = QLabel()
        self.report_summary.setWordWrap(True)
        self.report_summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        report_layout.addWidget(self.report_summary)
        buttons = QHBoxLayout()
        self.quarantine_button = QPushButton()
        self.details_button = QPushButton(tr("import.report.technical"))
        self.details_button.setCheckable(True)
        self.quarantine_button.clicked.connect(lambda: self.show_issues("quarantine"))
        self.issues_button = QPushButton()
        self.issues_button.clicked.connect(lambda: self.show_issues("issues"))
        buttons.addWidget(self.quarantine_button)
        buttons.addWidget(self.issues_button)
        buttons.addStretch(1)
        buttons.addWidget(self.details_button)
        report_layout.addLayout(buttons)
        self.report_lines = QPlainTextEdit()  # the core's own report (English), on request
        self.report_lines.setReadOnly(True)
        self.report_lines.hide()
        self.details_button.toggled.connect(self.report_lines.setVisible)
        report_layout.addWidget(self.report_lines)
        self.report_box.hide()
        layout.addWidget(self.report_box)

    # -- page life -------------------------------------------------------------------------
    def activate(self) -> None:
        if self.profile.count() == 0:
            self.reload_profiles()

    def current_kind(self) -> Kind:
        return Kind.SI if self.kind.currentData() == Kind.SI else Kind.TAX

    def reload_profiles(self, select: str | None = None) -> None:
        try:
            names = self.state.call(preview_service.saved_profiles, self.state.session)
        except WorkbenchError as exc:
            self.message.show_error(describe_error(exc))
            names = []
        self.profile.blockSignals(True)
        self.profile.clear()
        self.profile.addItem(tr("import.profile_auto"), "")
        for name in names:
            self.profile.addItem(name, name)
        if select:
            self.profile.setCurrentIndex(max(self.profile.findData(select), 0))
        self.profile.blockSignals(False)

    def _sync_buttons(self, busy: bool | None = None) -> None:
        busy = self.state.busy if busy is None else busy
        has_file = self.path is not None
        ready = self.preview is not None and self.preview.ready
        self.choose_button.setEnabled(not busy)
        self.kind.setEnabled(not busy)
        self.profile.setEnabled(not busy)
        self.mapping.setEnabled(not busy and self.preview is not None)
        self.import_button.setEnabled(not busy and has_file and ready)
        self.save_profile_button.setEnabled(not busy and self.preview is not None)

    # -- choosing the file -------------------------------------------------------------------
    def _choose(self) -> None:
        path = self.ask_file(self)
        if path is not None:
            self.load_file(path)

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
        self.report_box.hide()
        self.file_label.setText(str(path))
        self.refresh_preview()

    def _kind_changed(self) -> None:
        self.overrides = {}
        if self.path is not None:
            self.refresh_preview()

    def _profile_changed(self) -> None:
        self.overrides = {}
        if self.path is not None:
            self.refresh_preview()

    # -- the profile the import will use -------------------------------------------------------
    def saved_profile(self) -> ImportProfile | None:
        name = str(self.profile.currentData() or "")
        if not name:
            return None
        return self.state.call(preview_service.load_saved_profile, self.state.session, name)

    def effective_profile(self, name: str = SCREEN_PROFILE) -> ImportProfile | None:
        """The saved profile plus the user's changes; None when nothing was changed."""
        saved = self.saved_profile()
        if not self.overrides:
            return saved
        columns = dict(saved.columns) if saved is not None else {}
        if self.preview is not None:
            columns.update(self.preview.profile_columns())
        for header, alias in self.overrides.items():
            columns = {h: a for h, a in columns.items() if a != alias or h == header}
            columns[header] = alias
        encoding = saved.encoding if saved is not None else None
        return preview_service.make_profile(name, self.current_kind(), columns, encoding)

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
        session, path, kind = self.state.session, self.path, self.current_kind()

        def work(progress: ProgressCallback, cancel: CancelToken) -> ExtractPreview:
            return preview_service.preview_extract(session, path, kind, profile)

        self.state.run_task(Task(work, self._show_preview, self._preview_failed))

    def _preview_failed(self, message: str) -> None:
        if self._preview_pending:
            self.refresh_preview()
            return
        self.preview = None
        self._fill_mapping()
        self.message.show_error(message)
        self._sync_buttons()

    def _show_preview(self, result: Any) -> None:
        if self._preview_pending:  # the user changed file, kind or mapping meanwhile
            self.refresh_preview()
            return
        preview: ExtractPreview = result
        self.preview = preview
        problems = [
            tr("import.encoding", encoding=tr_value("encoding", preview.encoding)),
            tr("import.rows_in_file", rows=f"{preview.source_rows:,}"),
        ]
        if preview.missing_required:
            names = tr("list.separator").join(tr_field(a) for a in preview.missing_required)
            problems.append(tr("import.missing", columns=names))
        for alias, headers in preview.duplicate_targets.items():
            problems.append(
                tr(
                    "import.duplicate",
                    column=tr_field(alias),
                    headers=tr("list.separator").join(headers),
                )
            )
        self.detected.setText("\n".join(problems))
        self.detected.setStyleSheet("" if preview.ready else "color: #8a1020;")
        self._fill_mapping()
        self._fill_rows()
        self._sync_buttons()

    def _fill_mapping(self) -> None:
        preview = self.preview
        self.mapping.setRowCount(0 if preview is None else len(preview.headers))
        if preview is None:
            return
        for row, header in enumerate(preview.headers):
            self.mapping.setItem(row, 0, QTableWidgetItem(header))
            combo = QComboBox()
            combo.addItem(tr("import.keep_extra"), _EXTRA)
            for choice in preview.choices:
                mark = " *" if choice.required else ""
                combo.addItem(f"{tr_field(choice.alias)}{mark}", choice.alias)
            combo.setCurrentIndex(max(combo.findData(preview.mapping[header] or _EXTRA), 0))
            combo.currentIndexChanged.connect(
                lambda _i, h=header, c=combo: self.set_mapping(h, str(c.currentData()))
            )
            self.mapping.setCellWidget(row, 1, combo)

    def _fill_rows(self) -> None:
        preview = self.preview
        assert preview is not None
        self.rows.clear()
        self.rows.setColumnCount(len(preview.headers))
        self.rows.setRowCount(len(preview.rows))
        self.rows.setHorizontalHeaderLabels(list(preview.headers))
        for r, cells in enumerate(preview.rows):
            for c, cell in enumerate(cells):
                self.rows.setItem(r, c, QTableWidgetItem(cell))
        self.rows.resizeColumnsToContents()

    def mapping_combo(self, header: str) -> QComboBox:
        assert self.preview is not None
        row = self.preview.headers.index(header)
        widget = self.mapping.cellWidget(row, 1)
        assert isinstance(widget, QComboBox)
        return widget

    def set_mapping(self, header: str, alias: str) -> None:
        """The user maps a file column to a canonical column (or keeps it as extra)."""
        if alias == _EXTRA:
            self.overrides.pop(header, None)
        else:
            self.overrides[header] = alias
        self.refresh_preview()

    def save_profile(self) -> None:
        name = self.profile_name.text().strip()
        if not name:
            self.message.show_error(tr("import.profile_name_needed"))
            return
        if self.preview is None:
            return
        try:
            saved = self.saved_profile()
            profile = preview_service.make_profile(
                name,
                self.current_kind(),
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
        session, path, kind = self.state.session, self.path, self.current_kind()

        def work(progress: ProgressCallback, cancel: CancelToken) -> ImportReport:
            return import_service.import_extract(
                session, path, kind, profile=profile, progress=progress, cancel=cancel
            )

        self.message.clear_message()
        self.report_box.hide()
        self.progress.start()
        self.state.run_task(
            Task(
                work,
                self._import_done,
                self._import_failed,
                on_progress=self.progress.update_progress,
                on_cancelled=self._import_cancelled,
            )
        )

    def _import_failed(self, message: str) -> None:
        self.progress.finish()
        self.message.show_error(message)

    def _import_cancelled(self) -> None:
        self.progress.finish()
        self.message.show_info(tr("import.cancelled"))

    def _import_done(self, result: Any) -> None:
        report: ImportReport = result
        self.progress.finish()
        self.report = report
        self.message.show_success(tr("import.done", id=report.dataset.id))
        self._show_report(report)
        self.state.datasets_changed.emit()

    def _show_report(self, report: ImportReport) -> None:
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
            f"{tr_value('id_problem', k)} {v:,}"
            for k, v in sorted(report.invalid_identifiers.items())
        )
        lines.append(tr("import.report.invalid_ids", detail=invalid or tr("value.none")))
        if report.number_screen:
            lines.append(tr("import.report.number_screen", count=len(report.number_screen)))
            for column, done in sorted(report.number_screen.items()):
                what = tr(f"import.screen.{done.action}", count=f"{done.count:,}")
                lines.append(f"  ・{tr_field(column)}: {what}")
        issue_total = sum(sum(r.values()) for r in report.issues_by_column.values())
        lines.append(tr("import.report.issues", count=f"{issue_total:,}"))
        for column, reasons in sorted(report.issues_by_column.items()):
            for reason, count in sorted(reasons.items()):
                lines.append(f"  ・{tr_field(column)}: {tr_value('reason', reason)} {count:,}")
        self.report_summary.setText("\n".join(lines))
        self.quarantine_button.setText(
            tr("import.show_quarantine", count=f"{report.quarantined:,}")
        )
        self.issues_button.setText(tr("import.show_issues", count=f"{issue_total:,}"))
        self.report_lines.setPlainText("\n".join(report.lines()))
        self.report_box.show()

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
