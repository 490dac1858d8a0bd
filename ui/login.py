"""Login, the forced password change, and the lock screen of an idle session."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rlwb.ui.errors import describe_error
from rlwb.ui.i18n import tr
from rlwb.ui.widgets import MessageBar, secret_field
from rlwb.workbench.services import session as session_service
from rlwb.workbench.services.types import (
    AuthenticationError,
    KeyAccess,
    LoginRefused,
    RefusalKind,
    Session,
    WorkbenchError,
    Workspace,
)


def failure_message(exc: AuthenticationError) -> str:
    """Why a login failed, in the user's language, from what the service chose to say
    (never from reading the account: that would tell anyone whether a name exists)."""
    if isinstance(exc, LoginRefused):
        if exc.kind == RefusalKind.DISABLED:
            return tr("login.disabled")
        if exc.kind == RefusalKind.TAMPERED:
            return tr("login.record_tampered")
        if exc.kind == RefusalKind.LOCKED and exc.locked_until is not None:
            return tr("login.locked_until", until=exc.locked_until.astimezone().strftime("%H:%M"))
    return tr("login.wrong")


def ended_message(reason: str) -> str:
    """Why authorize() ended a session (the account changed while logged in)."""
    text = tr(f"session.ended.{reason}")
    return text if not text.startswith("session.ended.") else tr("error.denied")


class LoginDialog(QDialog):
    """Asks for user name and password; ``session`` is set when the dialog is accepted.

    ``ws`` is None when the workspace did not open (``open_error`` says why); then the
    dialog offers to restore the keys from a backup (which opens it) before logging in.
    """

    def __init__(
        self,
        ws: Workspace | None,
        parent: QWidget | None = None,
        *,
        path: Path | None = None,
        access: KeyAccess | None = None,
        open_error: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.ws = ws
        self.path = ws.path if ws is not None else path
        self.access = access
        self.session: Session | None = None
        #: Replaced in tests: runs the restore dialog, returns the opened workspace or None.
        self.ask_restore: Callable[[], Workspace | None] = self._ask_restore
        self.setWindowTitle(tr("login.title"))
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        heading = QLabel(tr("app.title"))
        heading.setStyleSheet("font-size: 16pt; font-weight: 600;")
        layout.addWidget(heading)
        name = self.path.name if self.path is not None else ""
        layout.addWidget(QLabel(tr("login.workspace", name=name)))
        form = QFormLayout()
        self.user = QLineEdit()
        self.password = secret_field()
        form.addRow(tr("login.user"), self.user)
        form.addRow(tr("login.password"), self.password)
        layout.addLayout(form)
        self.message = MessageBar()
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.login_button = buttons.addButton(
            tr("login.submit"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.quit_button = buttons.addButton(
            tr("action.quit"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.login_button.setDefault(True)
        self.login_button.clicked.connect(self.try_login)
        self.quit_button.clicked.connect(self.reject)
        self.password.returnPressed.connect(self.try_login)
        self.restore_button = buttons.addButton(
            tr("login.restore"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.restore_button.clicked.connect(self.restore_keys)
        self.restore_button.setVisible(ws is None and path is not None and access is not None)
        if ws is None:
            self.restore_button.setDefault(True)
            self.login_button.setDefault(False)
        layout.addWidget(buttons)
        if ws is None:
            self.message.show_error(
                tr("login.cannot_open")
                + "\n"
                + (open_error or "")
                + "\n"
                + tr("login.restore_hint")
            )
        self._sync()

    def _sync(self) -> None:
        usable = self.ws is not None
        for widget in (self.user, self.password, self.login_button):
            widget.setEnabled(usable)

    def _ask_restore(self) -> Workspace | None:
        from rlwb.ui.restore import RestoreDialog

        if self.path is None or self.access is None:
            return None
        dialog = RestoreDialog(self.path, self.access, parent=self)
        try:
            dialog.exec()
            return dialog.restored
        finally:
            dialog.deleteLater()

    def restore_keys(self) -> None:
        ws = self.ask_restore()
        if ws is None:
            return
        self.ws = ws
        self.restore_button.hide()
        self.login_button.setDefault(True)
        self._sync()
        self.message.show_success(tr("login.restored"))
        self.user.setFocus()

    def try_login(self) -> None:
        if self.ws is None:
            return
        name = self.user.text().strip()
        password = self.password.text()
        self.password.clear()
        if not name or not password:
            self.message.show_error(tr("login.fill_in"))
            return
        try:
            self.session = session_service.login(self.ws, name, password)
        except AuthenticationError as exc:
            self.message.show_error(failure_message(exc))
            return
        except WorkbenchError as exc:
            self.message.show_error(describe_error(exc))
            return
        self.accept()


class ChangePasswordDialog(QDialog):
    """The own password change, forced after an administrator set a temporary password."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(tr("password.title"))
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        intro = QLabel(tr("password.must_change"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.old = secret_field()
        self.new = secret_field()
        self.repeat = secret_field()
        form.addRow(tr("password.old"), self.old)
        form.addRow(tr("password.new"), self.new)
        form.addRow(tr("password.repeat"), self.repeat)
        layout.addLayout(form)
        self.message = MessageBar()
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(
            tr("password.submit"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        cancel = buttons.addButton(tr("action.cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        self.ok_button.clicked.connect(self.try_change)
        cancel.clicked.connect(self.reject)
        layout.addWidget(buttons)

    def try_change(self) -> None:
        if self.new.text() != self.repeat.text():
            self.message.show_error(tr("password.mismatch"))
            return
        try:
            session_service.change_own_password(self.session, self.old.text(), self.new.text())
        except WorkbenchError as exc:
            self.message.show_error(describe_error(exc))
            return
        self.accept()


class LockScreen(QWidget):
    """Shown instead of the pages while the session is idle-locked; asks for the password."""

    unlocked = Signal()
    #: The account got locked or disabled while unlocking: back to the login.
    session_ended = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        title = QLabel(tr("lock.title"))
        title.setStyleSheet("font-size: 16pt; font-weight: 600;")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        text = QLabel(tr("lock.text", user=session.user))
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setWordWrap(True)
        layout.addWidget(text)
        form = QFormLayout()
        self.password = secret_field()
        form.addRow(tr("login.password"), self.password)
        box = QWidget()
        box.setLayout(form)
        box.setMaximumWidth(420)
        layout.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        self.unlock_button = QPushButton(tr("lock.unlock"))
        self.unlock_button.clicked.connect(self.try_unlock)
        self.password.returnPressed.connect(self.try_unlock)
        layout.addWidget(self.unlock_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self.message = MessageBar()
        self.message.setMaximumWidth(520)
        layout.addWidget(self.message, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)

    def reset(self) -> None:
        self.password.clear()
        self.message.clear_message()
        self.password.setFocus()

    def try_unlock(self) -> None:
        password = self.password.text()
        self.password.clear()
        try:
            session_service.unlock(self.session, password)
        except AuthenticationError as exc:
            if self.session.closed:
                self.session_ended.emit()
                return
            self.message.show_error(failure_message(exc))
            return
        except WorkbenchError as exc:
            self.message.show_error(describe_error(exc))
            return
        self.unlocked.emit()
