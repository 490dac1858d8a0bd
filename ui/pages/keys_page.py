"""The administrator's token keys: versions, rotation (cancel and resume), backup.

Rotation rewrites every stored dataset under a new key version and checks each one; it
runs on a worker with progress and Cancel, and a cancelled or interrupted rotation is
offered for resuming. Restoring a backup happens before login (ui/restore.py), because
a workspace whose key is missing does not open at all.

The compromise response (the keys may have leaked) sits behind a typed confirmation: the
dialog says what will happen and which source files must be imported again, and the
button works only once the workspace name is typed. Retired datasets are listed here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rlwb.ui.errors import describe_error
from rlwb.ui.i18n import tr, tr_kind, tr_value
from rlwb.ui.passphrase import SecretPair
from rlwb.ui.state import AppState
from rlwb.ui.widgets import MessageBar, ProgressPanel
from rlwb.workbench.services import compromise as compromise_service
from rlwb.workbench.services import keys as keys_service
from rlwb.workbench.services.compromise import CompromisePlan, CompromiseReport
from rlwb.workbench.services.keys import KeyInfo, RotationReport, RotationStatus
from rlwb.workbench.services.types import (
    CancelToken,
    DatasetInfo,
    ProgressCallback,
    WorkbenchError,
)

#: The service's own minimum; the dialog also asks for a "fair" strength at least.
MIN_PASSPHRASE = 12
MIN_STRENGTH = 2
BACKUP_SCRYPT_N = 2**17
COLUMNS = (
    "keys.col.version",
    "keys.col.state",
    "keys.col.created_at",
    "keys.col.created_by",
    "keys.col.datasets",
)
RETIRED_COLUMNS = (
    "keys.retired.col.kind",
    "keys.retired.col.file",
    "keys.retired.col.rows",
    "keys.retired.col.imported_at",
    "keys.retired.col.id",
)


class CompromiseDialog(QDialog):
    """What the compromise response does, the files to import again, the reason, and the
    typed confirmation: the button works only once the workspace name is typed exactly."""

    def __init__(self, plan: CompromisePlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.setWindowTitle(tr("keys.compromise_title"))
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        first, last = plan.old_versions
        if plan.open_response is None:
            text = tr(
                "keys.compromise_explain",
                datasets=f"{len(plan.datasets):,}",
                runs=f"{plan.runs:,}",
                first=first,
                last=last,
                word=plan.confirmation_word,
            )
        else:
            text = tr(
                "keys.compromise_resume_explain",
                when=f"{plan.open_response.started_at.astimezone():%Y-%m-%d %H:%M}",
                first=first,
                last=last,
                word=plan.confirmation_word,
            )
        self.explanation = QLabel(text)
        self.explanation.setWordWrap(True)
        layout.addWidget(self.explanation)
        self.files = QLabel(reimport_text(plan.datasets))
        self.files.setWordWrap(True)
        self.files.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.files.setVisible(bool(plan.datasets))
        layout.addWidget(self.files)
        form = QFormLayout()
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(tr("keys.compromise_reason_hint"))
        if plan.open_response is None:
            form.addRow(tr("keys.reason"), self.reason)
        else:
            self.reason.setText(plan.open_response.reason)
            self.reason.hide()
        self.typed = QLineEdit()
        self.typed.setPlaceholderText(tr("keys.compromise_type_hint", word=plan.confirmation_word))
        form.addRow(tr("keys.compromise_type"), self.typed)
        layout.addLayout(form)
        self.destroy_now = QCheckBox(tr("keys.compromise_destroy_now"))
        self.destroy_now.setChecked(True)
        self.destroy_now.setVisible(plan.open_response is None)
        layout.addWidget(self.destroy_now)
        buttons = QDialogButtonBox()
        label = (
            "keys.compromise_confirm"
            if plan.open_response is None
            else ("keys.compromise_destroy_confirm")
        )
        self.ok_button = buttons.addButton(tr(label), QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setStyleSheet("QPushButton { color: #a40000; font-weight: 600; }")
        buttons.addButton(tr("action.cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.reason.textChanged.connect(self._sync)
        self.typed.textChanged.connect(self._sync)
        self._sync()

    def _sync(self) -> None:
        self.ok_button.setEnabled(
            bool(self.reason.text().strip()) and self.typed.text() == self.plan.confirmation_word
        )

    def answer(self) -> CompromiseAnswer:
        return CompromiseAnswer(
            self.reason.text().strip(),
            self.typed.text(),
            self.destroy_now.isChecked() or self.plan.open_response is not None,
        )


@dataclass(frozen=True)
class CompromiseAnswer:
    reason: str
    typed: str
    destroy_now: bool


def reimport_text(datasets: tuple[DatasetInfo, ...] | list[DatasetInfo]) -> str:
    lines = [tr("keys.compromise_files")]
    lines += [
        tr(
            "keys.compromise_file",
            kind=tr_kind(d.kind),
            file=d.file_name,
            rows=f"{d.rows:,}",
            when=f"{d.imported_at.astimezone():%Y-%m-%d %H:%M}",
        )
        for d in datasets
    ]
    return "\n".join(lines)


class RotateDialog(QDialog):
    """Says what a rotation does before it starts, and asks for the reason (logged)."""

    def __init__(self, current: int, datasets: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("keys.rotate_title"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        self.explanation = QLabel(
            tr("keys.rotate_explain", new=current + 1, old=current, count=f"{datasets:,}")
        )
        self.explanation.setWordWrap(True)
        layout.addWidget(self.explanation)
        form = QFormLayout()
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(tr("keys.reason_hint"))
        form.addRow(tr("keys.reason"), self.reason)
        layout.addLayout(form)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(
            tr("keys.rotate_confirm", new=current + 1), QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.addButton(tr("action.cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.reason.textChanged.connect(lambda text: self.ok_button.setEnabled(bool(text.strip())))
        self.ok_button.setEnabled(False)


class BackupDialog(QDialog):
    """The passphrase of a key backup, typed twice, with a strength meter."""

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("keys.backup_title"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        intro = QLabel(tr("keys.backup_intro", path=str(path)))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.passphrase = SecretPair(
            tr("keys.passphrase"),
            tr("keys.passphrase_again"),
            min_length=MIN_PASSPHRASE,
            min_strength=MIN_STRENGTH,
        )
        layout.addWidget(self.passphrase)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(
            tr("keys.backup_confirm"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.addButton(tr("action.cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.passphrase.changed.connect(
            lambda: self.ok_button.setEnabled(self.passphrase.value() is not None)
        )
        self.ok_button.setEnabled(False)


def choose_backup_path(parent: QWidget, suggested: str) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(
        parent, tr("keys.backup_save_title"), suggested, tr("keys.backup_filter")
    )
    return Path(name) if name else None


class KeysPage(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.keys: list[KeyInfo] = []
        self.status: RotationStatus | None = None
        self.report: RotationReport | None = None
        self.backup_path: Path | None = None
        #: scrypt cost of new backups (tests lower it; the file records what was used).
        self.backup_scrypt_n = BACKUP_SCRYPT_N
        #: Replaced in tests; the defaults open dialogs.
        self.ask_rotation: Callable[[int, int], str | None] = self._ask_rotation
        self.ask_backup_path: Callable[[QWidget, str], Path | None] = choose_backup_path
        self.ask_passphrase: Callable[[Path], str | None] = self._ask_passphrase
        self.ask_compromise: Callable[[CompromisePlan], CompromiseAnswer | None] = (
            self._ask_compromise
        )
        self.plan: CompromisePlan | None = None
        self.retired: list[DatasetInfo] = []
        layout = QVBoxLayout(self)
        title = QLabel(tr("keys.title"))
        title.setStyleSheet("font-size: 14pt; font-weight: 600;")
        layout.addWidget(title)
        self.note = QLabel(tr("keys.chaining_note"))
        self.note.setWordWrap(True)
        self.note.setStyleSheet(
            "QLabel { background:#eef4fb; color:#1f3d63; border:1px solid #b7cbe6; "
            "padding:6px; border-radius:3px; }"
        )
        layout.addWidget(self.note)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([tr(key) for key in COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table)
        self.open_rotation = QLabel()
        self.open_rotation.setWordWrap(True)
        self.open_rotation.setStyleSheet(
            "QLabel { background:#fdf1d4; color:#6b4a00; border:1px solid #e6c15a; "
            "padding:6px; border-radius:3px; }"
        )
        self.open_rotation.hide()
        layout.addWidget(self.open_rotation)
        actions = QHBoxLayout()
        self.rotate_button = QPushButton(tr("keys.rotate"))
        self.rotate_button.clicked.connect(self.start_rotation)
        self.resume_button = QPushButton(tr("keys.resume"))
        self.resume_button.clicked.connect(self.resume_rotation)
        self.resume_button.hide()
        self.backup_button = QPushButton(tr("keys.backup"))
        self.backup_button.clicked.connect(self.start_backup)
        self.compromise_button = QPushButton(tr("keys.compromise"))
        self.compromise_button.setStyleSheet("QPushButton { color: #a40000; }")
        self.compromise_button.clicked.connect(self.start_compromise)
        self.destroy_button = QPushButton(tr("keys.compromise_destroy"))
        self.destroy_button.setStyleSheet("QPushButton { color: #a40000; }")
        self.destroy_button.clicked.connect(self.start_compromise)
        self.destroy_button.hide()
        for button in (self.rotate_button, self.resume_button, self.backup_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.compromise_button)
        actions.addWidget(self.destroy_button)
        layout.addLayout(actions)
        self.open_compromise = QLabel()
        self.open_compromise.setWordWrap(True)
        self.open_compromise.setStyleSheet(
            "QLabel { background:#fbe3e3; color:#7a1010; border:1px solid #e0a0a0; "
            "padding:6px; border-radius:3px; }"
        )
        self.open_compromise.hide()
        layout.addWidget(self.open_compromise)
        self.retired_title = QLabel(tr("keys.retired_title"))
        self.retired_title.hide()
        layout.addWidget(self.retired_title)
        self.retired_table = QTableWidget(0, len(RETIRED_COLUMNS))
        self.retired_table.setHorizontalHeaderLabels([tr(key) for key in RETIRED_COLUMNS])
        self.retired_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.retired_table.verticalHeader().hide()
        self.retired_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.retired_table.hide()
        layout.addWidget(self.retired_table)
        restore = QLabel(tr("keys.restore_hint"))
        restore.setWordWrap(True)
        layout.addWidget(restore)
        self.progress = ProgressPanel()
        self.progress.cancel_requested.connect(self.state.taskman.cancel)
        layout.addWidget(self.progress)
        self.message = MessageBar()
        layout.addWidget(self.message)
        layout.addStretch(1)
        state.taskman.busy_changed.connect(self._sync)

    def _sync(self, busy: bool) -> None:
        for button in (
            self.rotate_button,
            self.resume_button,
            self.backup_button,
            self.compromise_button,
            self.destroy_button,
        ):
            button.setEnabled(not busy)

    def activate(self) -> None:
        self.refresh()

    @property
    def dataset_count(self) -> int:
        return sum(k.datasets for k in self.keys)

    def refresh(self) -> None:
        if self.state.busy:
            return
        session = self.state.session
        try:
            self.keys = self.state.call(keys_service.list_keys, session)
            self.status = self.state.call(keys_service.rotation_status, session)
            self.plan = self.state.call(compromise_service.compromise_plan, session)
            self.retired = self.state.call(compromise_service.retired_datasets, session)
        except WorkbenchError as exc:
            self.message.show_error(describe_error(exc))
            return
        self.table.setRowCount(len(self.keys))
        for row, key in enumerate(reversed(self.keys)):
            cells = (
                f"v{key.version}",
                tr_value("key_state", str(key.state)),
                f"{key.created_at.astimezone():%Y-%m-%d %H:%M}",
                key.created_by,
                f"{key.datasets:,}",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == len(cells) - 1:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, column, item)
        self._fit_table()
        status = self.status
        if status is not None:
            self.open_rotation.setText(
                tr(
                    "keys.open_rotation",
                    version=status.target_version,
                    pending=f"{status.pending_datasets:,}",
                    who=status.started_by or tr("value.unknown"),
                    reason=status.reason or tr("value.unknown"),
                )
            )
        self.open_rotation.setVisible(status is not None)
        self.resume_button.setVisible(status is not None)
        self.rotate_button.setVisible(status is None)
        self._show_compromise()

    def _show_compromise(self) -> None:
        plan = self.plan
        pending = plan is not None and plan.open_response is not None
        if plan is not None and pending:
            first, last = plan.old_versions
            self.open_compromise.setText(tr("keys.open_compromise", first=first, last=last))
        self.open_compromise.setVisible(pending)
        self.destroy_button.setVisible(pending)
        self.compromise_button.setVisible(not pending)
        table = self.retired_table
        table.setRowCount(len(self.retired))
        for row, info in enumerate(self.retired):
            cells = (
                tr_kind(info.kind),
                info.file_name,
                f"{info.rows:,}",
                f"{info.imported_at.astimezone():%Y-%m-%d %H:%M}",
                info.id,
            )
            for column, text in enumerate(cells):
                table.setItem(row, column, QTableWidgetItem(text))
        self.retired_title.setVisible(bool(self.retired))
        table.setVisible(bool(self.retired))

    def _fit_table(self) -> None:
        """As tall as its rows: a keyset has a handful of versions."""
        table = self.table
        rows = sum(table.rowHeight(r) for r in range(table.rowCount()))
        height = table.horizontalHeader().height() + rows + 2 * table.frameWidth() + 2
        table.setFixedHeight(max(height, 80))

    # -- rotation ------------------------------------------------------------------------------
    def _ask_rotation(self, current: int, datasets: int) -> str | None:
        dialog = RotateDialog(current, datasets, self)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return dialog.reason.text().strip() or None
        finally:
            dialog.deleteLater()

    def start_rotation(self) -> None:
        self.refresh()
        if self.status is not None:
            self.resume_rotation()
            return
        current = max((k.version for k in self.keys), default=1)
        reason = self.ask_rotation(current, self.dataset_count)
        if reason is None:
            return
        self._rotate(reason)

    def resume_rotation(self) -> None:
        status = self.status
        self._rotate(status.reason if status is not None and status.reason else tr("keys.resumed"))

    def _rotate(self, reason: str) -> None:
        session = self.state.session

        def work(progress: ProgressCallback, cancel: CancelToken) -> RotationReport:
            return keys_service.rotate_keys(session, reason, progress=progress, cancel=cancel)

        (
            self.state.task(work)
            .success(self._rotated)
            .failure(self._rotation_failed)
            .cancelled(self._rotation_cancelled)
            .with_progress(self.progress)
            .with_messages(self.message)
            .run_in_background()
        )

    def _rotated(self, result: RotationReport) -> None:
        self.report = result
        self.refresh()
        self.message.show_success(
            tr("keys.rotated", version=result.target_version, count=f"{result.migrated:,}")
        )

    def _rotation_cancelled(self) -> None:
        self.refresh()
        self.message.show_warning(tr("keys.rotation_cancelled"))

    def _rotation_failed(self, message: str) -> None:
        self.refresh()
        self.message.show_error(message)

    # -- compromise response --------------------------------------------------------------------
    def _ask_compromise(self, plan: CompromisePlan) -> CompromiseAnswer | None:
        dialog = CompromiseDialog(plan, self)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return dialog.answer()
        finally:
            dialog.deleteLater()

    def start_compromise(self) -> None:
        """Explain, take the typed confirmation, then (to destroy the old keys) a new backup
        file and its passphrase. Cancelling any of them changes nothing."""
        self.refresh()
        plan = self.plan
        if plan is None:
            return
        answer = self.ask_compromise(plan)
        if answer is None or answer.typed != plan.confirmation_word:
            self.message.show_info(tr("keys.compromise_cancelled"))
            return
        path: Path | None = None
        passphrase: str | None = None
        if answer.destroy_now:
            stamp = datetime.now().strftime("%Y%m%d")
            path = self.ask_backup_path(self, f"workbench-keys-{stamp}-new-chain.rlwkey")
            passphrase = None if path is None else self.ask_passphrase(path)
            if path is None or passphrase is None:
                self.message.show_info(tr("keys.compromise_cancelled"))
                return
        session, scrypt_n = self.state.session, self.backup_scrypt_n

        def work(progress: ProgressCallback, cancel: CancelToken) -> CompromiseReport:
            progress("backup", 0.3)
            return compromise_service.respond_to_compromise(
                session,
                answer.reason,
                confirmation=answer.typed,
                backup_out=path,
                passphrase=passphrase,
                scrypt_n=scrypt_n,
            )

        (
            self.state.task(work)
            .success(self._compromised)
            .failure(self._compromise_failed)
            .with_progress(self.progress, cancellable=False)
            .with_messages(self.message)
            .run_in_background()
        )

    def _compromised(self, report: CompromiseReport) -> None:
        self.refresh()
        self.state.datasets_changed.emit()
        if report.destroyed is None:
            self.message.show_warning(
                tr(
                    "keys.compromise_started",
                    chain=report.chain,
                    version=report.first_version,
                    count=f"{len(report.reimport):,}",
                )
            )
        else:
            self.message.show_success(
                tr(
                    "keys.compromise_done",
                    chain=report.chain,
                    count=f"{len(report.reimport):,}",
                    path=str(report.backup_file),
                )
            )

    def _compromise_failed(self, message: str) -> None:
        self.refresh()
        self.message.show_error(message)

    # -- backup --------------------------------------------------------------------------------
    def _ask_passphrase(self, path: Path) -> str | None:
        dialog = BackupDialog(path, self)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return dialog.passphrase.value()
        finally:
            dialog.passphrase.clear()
            dialog.deleteLater()

    def start_backup(self) -> None:
        stamp = datetime.now().strftime("%Y%m%d")
        path = self.ask_backup_path(self, f"workbench-keys-{stamp}.rlwkey")
        if path is None:
            return
        passphrase = self.ask_passphrase(path)
        if passphrase is None:
            return
        session, scrypt_n = self.state.session, self.backup_scrypt_n

        def work(progress: ProgressCallback, cancel: CancelToken) -> Path:
            progress("backup", 0.3)
            keys_service.backup_keys(session, path, passphrase, scrypt_n=scrypt_n, replace=True)
            return path

        (
            self.state.task(work)
            .success(self._backed_up)
            .with_progress(self.progress, cancellable=False)
            .with_messages(self.message)
            .run_in_background()
        )

    def _backed_up(self, result: Path) -> None:
        self.backup_path = result
        self.message.show_success(tr("keys.backed_up", path=str(result)))
