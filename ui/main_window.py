"""The main window: navigation to the pages the role may use, idle lock, status bar."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from rlwb.ui.about import show_about
from rlwb.ui.i18n import tr, tr_value
from rlwb.ui.login import ChangePasswordDialog, LockScreen, ended_message
from rlwb.ui.pages.registry import PageSpec, pages_for
from rlwb.ui.state import AppState
from rlwb.workbench.services import audit as audit_service
from rlwb.workbench.services import session as session_service
from rlwb.workbench.services.settings import DEFAULT_IDLE_MINUTES, session_idle_minutes
from rlwb.workbench.services.types import Session, WorkbenchError

__all__ = ["DEFAULT_IDLE_MINUTES", "MainWindow", "idle_minutes_setting"]
IDLE_CHECK_MS = 30_000
_INPUT_EVENTS = (
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.Wheel,
)


def idle_minutes_setting(session: Session) -> int:
    return session_idle_minutes(session)


class MainWindow(QMainWindow):
    #: The session ended (logout, or locked out while unlocking): show the login again.
    session_ended = Signal()
    #: The user closed the window: the application ends.
    closed = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        #: Shown by the login when a service ended the session (the account changed).
        self.end_message: str | None = None
        self._ended = False
        self._asking_password = False
        #: Set in tests instead of the dialog: the forced password change, True once done.
        self.ask_password_change: Callable[[], bool] | None = None
        self.state = AppState(session)
        self.idle_minutes = idle_minutes_setting(session)
        workspace_name = session_service.workspace_name(session)
        self.setWindowTitle(tr("window.title", workspace=workspace_name))
        self.resize(1280, 820)

        self.nav = QListWidget()
        self.nav.setMaximumWidth(220)
        self.nav.setMinimumWidth(170)
        self.nav.setStyleSheet(
            "QListWidget { font-size: 11pt; } QListWidget::item { padding: 8px; }"
        )
        self.stack = QStackedWidget()
        self.pages: dict[str, QWidget] = {}
        self.specs: list[PageSpec] = pages_for(session.roles)
        for spec in self.specs:
            page = spec.factory(self.state)
            self.pages[spec.key] = page
            self.stack.addWidget(page)
            item = QListWidgetItem(tr(spec.title_key))
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            self.nav.addItem(item)
        self.nav.currentRowChanged.connect(self._page_chosen)

        content = QWidget()
        row = QHBoxLayout(content)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        if not self.specs:
            row.addWidget(QLabel(tr("window.no_pages")), 1)
        self.lock_screen = LockScreen(session)
        self.lock_screen.unlocked.connect(self._unlocked)
        self.lock_screen.session_ended.connect(self._session_ended)
        self.central = QStackedWidget()
        self.central.addWidget(content)
        self.central.addWidget(self.lock_screen)
        self.setCentralWidget(self.central)

        logout = QAction(tr("action.logout"), self)
        logout.triggered.connect(self.logout)
        self.menuBar().addAction(logout)
        self.logout_action = logout
        help_menu = self.menuBar().addMenu(tr("menu.help"))
        self.about_action = help_menu.addAction(tr("action.about"))
        self.about_action.triggered.connect(lambda: show_about(self))

        self.user_label = QLabel()
        self.workspace_label = QLabel()
        self.log_label = QLabel()
        bar = self.statusBar()
        for label in (self.user_label, self.workspace_label):
            bar.addWidget(label)
        bar.addPermanentWidget(self.log_label)
        roles = "・".join(tr_value("role", r.value) for r in session.roles)
        self.user_label.setText(tr("status.user", user=session.user, roles=roles))
        self.workspace_label.setText(tr("status.workspace", name=workspace_name))
        self.state.activity.connect(self.refresh_status)
        self.state.activity.connect(self._check_session)
        self.state.settings_changed.connect(self._settings_changed)
        self.state.taskman.busy_changed.connect(self._busy_changed)
        self.refresh_status()

        self.idle_timer = QTimer(self)
        self.idle_timer.setInterval(IDLE_CHECK_MS)
        self.idle_timer.timeout.connect(self.check_idle)
        self.idle_timer.start()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        if self.specs:
            self.nav.setCurrentRow(0)

    # -- navigation ------------------------------------------------------------------------------
    def page_keys(self) -> list[str]:
        return [spec.key for spec in self.specs]

    def show_page(self, key: str) -> QWidget:
        self.nav.setCurrentRow(self.page_keys().index(key))
        return self.pages[key]

    def _page_chosen(self, row: int) -> None:
        if row < 0:
            return
        self.stack.setCurrentIndex(row)
        page = self.stack.widget(row)
        activate = getattr(page, "activate", None)
        if callable(activate):
            activate()

    def _busy_changed(self, busy: bool) -> None:
        self.nav.setEnabled(not busy)
        self.logout_action.setEnabled(not busy)

    # -- status bar ------------------------------------------------------------------------------
    def refresh_status(self) -> None:
        if self.state.busy or self.session.closed:
            return
        try:
            status = audit_service.log_status(self.session)
        except WorkbenchError:
            self.log_label.setText(tr("status.log_unreadable"))
            return
        self.log_label.setText(
            tr("status.log", count=f"{status.events:,}", seq=f"{status.anchored_seq:,}")
        )

    # -- idle lock -------------------------------------------------------------------------------
    def _settings_changed(self) -> None:
        self.idle_minutes = idle_minutes_setting(self.session)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS:
            session_service.note_activity(self.session)
        return super().eventFilter(watched, event)

    def check_idle(self) -> None:
        """Lock the window once the session was idle for ``idle_lock_minutes``; anchor the
        log's last events if they were written over a minute ago."""
        if self.session.closed or self.state.busy:
            return
        with contextlib.suppress(WorkbenchError):  # the next write or logout reports it
            audit_service.anchor_if_due(self.session)
        if self.session.locked:
            return
        if session_service.is_idle(self.session, self.idle_minutes):
            self.lock()

    def lock(self) -> None:
        try:
            session_service.lock(self.session)
        except WorkbenchError:
            self.session.locked = True  # hide the data even if the event could not be written
        self.central.setCurrentWidget(self.lock_screen)
        self.lock_screen.reset()
        self.refresh_status()

    @property
    def is_locked(self) -> bool:
        return self.central.currentWidget() is self.lock_screen

    def _unlocked(self) -> None:
        self.central.setCurrentIndex(0)
        self.refresh_status()

    # -- ending ----------------------------------------------------------------------------------
    def _check_session(self) -> None:
        """A service refused the session because the account changed (disabled, locked,
        a role removed): back to the login, which says why."""
        if self.session.closed and self.session.ended_reason and self.end_message is None:
            self.end_message = ended_message(self.session.ended_reason)
            QTimer.singleShot(0, self._session_ended)
        elif (
            self.session.must_change_password
            and not self.session.closed
            and not self._asking_password
        ):
            # An administrator set a temporary password meanwhile: nothing else is allowed.
            self._asking_password = True
            QTimer.singleShot(0, self._password_change)

    def _password_change(self) -> None:
        try:
            ask = self.ask_password_change or self._ask_password_change
            changed = ask()
        finally:
            self._asking_password = False
        if not changed and not self.session.closed:
            self.logout()

    def _ask_password_change(self) -> bool:
        dialog = ChangePasswordDialog(self.session, self)
        try:
            return dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            dialog.deleteLater()

    def _session_ended(self) -> None:
        if self.session.ended_reason and self.end_message is None:
            self.end_message = ended_message(self.session.ended_reason)
        if self._ended:
            return
        self._ended = True
        self._stop()
        self.hide()
        self.session_ended.emit()

    def logout(self) -> None:
        if self.state.busy:
            return
        self._ended = True
        self._logout()
        self.hide()
        self.session_ended.emit()

    def _logout(self) -> None:
        self._stop()
        if self.session.closed:
            return
        try:
            session_service.logout(self.session)
        except WorkbenchError:
            self.session.closed = True

    def _stop(self) -> None:
        self.idle_timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.state.busy:
            # Never kill a worker: ask it to stop, and close once it has.
            self.state.taskman.cancel()
            event.ignore()
            return
        was_open = not self.session.closed
        self._logout()
        event.accept()
        if was_open:
            self.closed.emit()
