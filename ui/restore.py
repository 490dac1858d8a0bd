"""Restore a key backup before anyone logs in: the workspace does not open without its key.

The service (workbench.services.keys.restore_keys) reads the backup with its passphrase,
checks it belongs to this workspace, authenticates an administrator of the workspace, and
only then stores the master key in this machine's key store and logs the restore. The
secrets typed here are cleared from the fields as soon as they are read.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rlwb.ui.errors import describe_error, is_expected
from rlwb.ui.i18n import tr
from rlwb.ui.widgets import MessageBar, secret_field
from rlwb.workbench.services import keys as keys_service
from rlwb.workbench.services import support as support_log
from rlwb.workbench.services.types import Clock, KeyAccess, Workspace, utc_now


class RestoreDialog(QDialog):
    """Backup file, its passphrase, and an administrator's name and password."""

    def __init__(
        self,
        workspace_path: Path,
        access: KeyAccess,
        *,
        clock: Clock = utc_now,
        scrypt_n: int = 2**15,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.workspace_path = workspace_path
        self.access = access
        self.clock = clock
        self.scrypt_n = scrypt_n
        #: The opened workspace once the keys are restored.
        self.restored: Workspace | None = None
        self.setWindowTitle(tr("restore.title"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        intro = QLabel(tr("restore.intro", workspace=workspace_path.name))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.file = QLineEdit()
        choose = QPushButton(tr("settings.choose"))
        choose.clicked.connect(self._choose_file)
        row = QWidget()
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        row_layout.addWidget(self.file, 1)
        row_layout.addWidget(choose)
        self.passphrase = secret_field()
        self.user = QLineEdit()
        self.password = secret_field()
        form.addRow(tr("restore.file"), row)
        form.addRow(tr("keys.passphrase"), self.passphrase)
        form.addRow(tr("restore.admin"), self.user)
        form.addRow(tr("restore.admin_password"), self.password)
        layout.addLayout(form)
        self.message = MessageBar()
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.restore_button = buttons.addButton(
            tr("restore.submit"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        cancel = buttons.addButton(tr("action.cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        self.restore_button.clicked.connect(self.try_restore)
        cancel.clicked.connect(self.reject)
        layout.addWidget(buttons)

    def _choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, tr("restore.file"), self.file.text(), tr("keys.backup_filter")
        )
        if name:
            self.file.setText(name)

    def try_restore(self) -> None:
        file = self.file.text().strip()
        user = self.user.text().strip()
        passphrase, password = self.passphrase.text(), self.password.text()
        self.passphrase.clear()
        self.password.clear()
        if not file or not passphrase or not user or not password:
            self.message.show_error(tr("restore.fill_in"))
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            ws = keys_service.restore_keys(
                self.workspace_path,
                Path(file),
                passphrase,
                access=self.access,
                user=user,
                password=password,
                clock=self.clock,
                scrypt_n=self.scrypt_n,
            )
        except Exception as exc:  # every failure reaches the user as a sentence
            if not is_expected(exc):
                path = support_log.log_unexpected(exc, "key restore")
                self.message.show_error(tr("restore.failed_unexpected", log=str(path)))
            else:
                self.message.show_error(describe_error(exc))
            return
        finally:
            QApplication.restoreOverrideCursor()
        self.restored = ws
        self.accept()
