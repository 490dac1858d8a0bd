"""The administrator's token keys: versions, rotation (cancel and resume), backup.

Rotation rewrites every stored dataset under a new key version and checks each one; it
runs on a worker with progress and Cancel, and a cancelled or interrupted rotation is
offered for resuming. Restoring a backup happens before login (ui/restore.py), because
a workspace whose key is missing does not open at all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
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

from ui.errors import describe_error
from ui.i18n import tr, tr_value
from ui.passphrase import SecretPair
from ui.state import AppState
from ui.tasks import Task
from ui.widgets import MessageBar, ProgressPanel
from workbench.errors import WorkbenchError
from workbench.services import keys as keys_service
from workbench.services.keys import KeyInfo, RotationReport, RotationStatus
from workbench.tasks import CancelToken, ProgressCallback

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
        for button in (self.rotate_button, self.resume_button, self.backup_button):
            actions.addWidget(button)
        actions.addStretch(1)
        layout.addLayout(actions)
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
        for button in (self.rotate_button, self.resume_button, self.backup_button):
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

        self.message.clear_message()
        self.progress.start()
        self.state.run_task(
            Task(
                work,
                self._rotated,
                self._rotation_failed,
                on_progress=self.progress.update_progress,
                on_cancelled=self._rotation_cancelled,
            )
        )

    def _rotated(self, result: Any) -> None:
        self.progress.finish()
        self.report = result
        self.refresh()
        self.message.show_success(
            tr("keys.rotated", version=result.target_version, count=f"{result.migrated:,}")
        )

    def _rotation_cancelled(self) -> None:
        self.progress.finish()
        self.refresh()
        self.message.show_warning(tr("keys.rotation_cancelled"))

    def _rotation_failed(self, message: str) -> None:
        self.progress.finish()
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

        self.message.clear_message()
        self.progress.start()
        self.progress.cancel_button.hide()
        self.state.run_task(
            Task(
                work,
                self._backed_up,
                self._backup_failed,
                on_progress=self.progress.update_progress,
            )
        )

    def _backed_up(self, result: Any) -> None:
        self.progress.finish()
        self.progress.cancel_button.show()
        self.backup_path = result
        self.message.show_success(tr("keys.backed_up", path=str(result)))

    def _backup_failed(self, message: str) -> None:
        self.progress.finish()
        self.progress.cancel_button.show()
        self.message.show_error(message)
