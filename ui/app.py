"""Entry point of the desktop app: open the workspace, log in, show the main window.

``workbench gui [WORKSPACE]`` and ``workbench demo`` call :func:`run_gui`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from rlwb.ui.errors import describe_error, unexpected_error
from rlwb.ui.fonts import apply_cjk_font
from rlwb.ui.i18n import LANGUAGES, set_language, tr
from rlwb.ui.login import ChangePasswordDialog, LoginDialog
from rlwb.ui.main_window import MainWindow
from rlwb.ui.tasks import wait_for_workers
from rlwb.workbench.services import session as session_service
from rlwb.workbench.services.types import KeyAccess, Session, WorkbenchError, Workspace


def language_from_argv(argv: list[str], default: str) -> str:
    """``--lang en`` / ``--lang=en`` in the Qt argv wins over the caller's default."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return default


class AppController(QObject):
    """Login → (password change) → main window → logout → login …; closing quits."""

    def __init__(
        self,
        ws: Workspace | None,
        app: QApplication,
        *,
        path: Path | None = None,
        access: KeyAccess | None = None,
        open_error: str | None = None,
    ) -> None:
        super().__init__()
        self.ws = ws
        self.app = app
        #: Why the workspace did not open (the login dialog offers a key restore).
        self.path = path
        self.access = access
        self.open_error = open_error
        self.login_dialog: LoginDialog | None = None
        self.password_dialog: ChangePasswordDialog | None = None
        self.window: MainWindow | None = None

    def start(self) -> None:
        self.show_login()

    def show_login(self) -> None:
        ended = None
        if self.window is not None:
            ended = self.window.end_message
            self.window.deleteLater()
            self.window = None
        dialog = LoginDialog(
            self.ws,
            path=self.path,
            access=self.access,
            open_error=self.open_error if self.ws is None else None,
        )
        if ended:
            dialog.message.show_error(ended)
        dialog.finished.connect(self._login_finished)
        self.login_dialog = dialog
        dialog.show()

    def _login_finished(self, result: int) -> None:
        dialog = self.login_dialog
        self.login_dialog = None
        if dialog is None:
            return
        dialog.deleteLater()
        if dialog.ws is not None and dialog.ws is not self.ws:
            self.ws, self.open_error = dialog.ws, None  # opened by a key restore
        if result != QDialog.DialogCode.Accepted or dialog.session is None:
            self.app.quit()
            return
        session = dialog.session
        if session.must_change_password:
            self.password_dialog = ChangePasswordDialog(session)
            self.password_dialog.finished.connect(
                lambda r, s=session: self._password_finished(r, s)
            )
            self.password_dialog.show()
            return
        self.open_main(session)

    def _password_finished(self, result: int, session: Session) -> None:
        if self.password_dialog is not None:
            self.password_dialog.deleteLater()
            self.password_dialog = None
        if result == QDialog.DialogCode.Accepted:
            self.open_main(session)
            return
        try:
            session_service.logout(session)
        except WorkbenchError:
            session.closed = True
        self.show_login()

    def open_main(self, session: Session) -> MainWindow:
        window = MainWindow(session)
        window.session_ended.connect(self.show_login)
        window.closed.connect(self.app.quit)
        self.window = window
        window.show()
        return window


def _show_unexpected(
    kind: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    """sys.excepthook while the window is up: an exception no handler caught (a slot that
    raised) is written to the support log with its traceback, and the user is told where."""
    if not isinstance(exc, Exception):  # KeyboardInterrupt, SystemExit: the default way
        sys.__excepthook__(kind, exc, tb)
        return
    exc.__traceback__ = tb
    text = unexpected_error(exc, "a window event handler")
    QMessageBox.critical(None, tr("app.title"), text)


def run_gui(
    workspace_path: Path,
    access: KeyAccess,
    *,
    lang: str = "ja",
    argv: list[str] | None = None,
) -> int:
    """Run the desktop app on one workspace until the user quits; returns the exit code."""
    args = list(argv) if argv is not None else sys.argv[:1]
    language = language_from_argv(args, lang)
    set_language(language if language in LANGUAGES else "ja")
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(args)
    app.setApplicationName(tr("app.title"))
    app.setQuitOnLastWindowClosed(False)
    apply_cjk_font(app)
    ws: Workspace | None = None
    open_error: str | None = None
    try:
        ws = session_service.open_workspace(Path(workspace_path), access)
    except WorkbenchError as exc:
        open_error = describe_error(exc)  # the login dialog shows it and offers a key restore
    except Exception as exc:  # e.g. the key store's own errors: still a window, not a crash
        open_error = describe_error(exc)  # the traceback goes to the support log
    controller = AppController(
        ws, app, path=Path(workspace_path), access=access, open_error=open_error
    )
    controller.start()
    previous_hook = sys.excepthook
    sys.excepthook = _show_unexpected
    try:
        code = int(app.exec())
    finally:
        sys.excepthook = previous_hook
        if controller.window is not None:
            controller.window.close()
        wait_for_workers()
        if controller.ws is not None:
            try:
                session_service.close_workspace(controller.ws)
            except WorkbenchError as exc:
                print(describe_error(exc), file=sys.stderr)
                code = code or 1
        elif open_error is not None:
            code = code or 2
    return code
