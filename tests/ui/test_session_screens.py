"""Login with lockout messages, the forced password change, the idle lock, the controller."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from rlwb.ui.app import AppController, language_from_argv
from rlwb.ui.login import ChangePasswordDialog, LoginDialog
from rlwb.ui.main_window import MainWindow
from rlwb.workbench.audit.events import EventType
from rlwb.workbench.audit.log import EventFilter
from rlwb.workbench.db import set_setting
from rlwb.workbench.services.session import login
from rlwb.workbench.services.users import add_user
from rlwb.workbench.session import Session
from rlwb.workbench.workspace import SETTING_IDLE_MINUTES, Workspace
from tests.ui.conftest import USER_PASSWORD, FakeClock, make_user


def _events(ws: Workspace, event_type: EventType) -> list:
    return ws.audit.query(EventFilter(event_types=(event_type,)), newest_first=False)


def _try(dialog: LoginDialog, name: str, password: str) -> None:
    dialog.user.setText(name)
    dialog.password.setText(password)
    dialog.login_button.click()


def test_repeated_failures_lock_the_account_and_say_until_when(
    qtbot: QtBot, workspace: Workspace, clerk: Session
) -> None:
    dialog = LoginDialog(workspace)
    qtbot.addWidget(dialog)
    _try(dialog, "", "")
    assert "入力してください" in dialog.message.text()
    _try(dialog, "nobody", "whatever-password")
    assert dialog.message.text() == "利用者名またはパスワードが違います。"
    for _ in range(5):
        _try(dialog, "clerk1", "wrong-password-x")
    assert "ロックされています" in dialog.message.text()
    assert dialog.password.text() == ""  # never kept in the field
    _try(dialog, "clerk1", USER_PASSWORD)  # right password, still locked
    assert dialog.session is None and "ロック" in dialog.message.text()
    assert _events(workspace, EventType.LOGIN_LOCKED_OUT)


def test_disabled_account_message(qtbot: QtBot, workspace: Workspace, clerk: Session) -> None:
    workspace.users.set_disabled("clerk1", True)
    dialog = LoginDialog(workspace)
    qtbot.addWidget(dialog)
    _try(dialog, "clerk1", USER_PASSWORD)
    assert "無効" in dialog.message.text()


def test_forced_password_change(qtbot: QtBot, workspace: Workspace) -> None:
    admin = login(workspace, "admin", "admin-password-1")
    add_user(admin, "newclerk", USER_PASSWORD, ["clerk"])
    session = login(workspace, "newclerk", USER_PASSWORD)
    assert session.must_change_password
    dialog = ChangePasswordDialog(session)
    qtbot.addWidget(dialog)
    dialog.old.setText(USER_PASSWORD)
    dialog.new.setText("a-new-password-1")
    dialog.repeat.setText("a-new-password-2")
    dialog.ok_button.click()
    assert "一致しません" in dialog.message.text()
    dialog.repeat.setText("a-new-password-1")
    dialog.ok_button.click()
    assert dialog.result() == ChangePasswordDialog.DialogCode.Accepted
    assert not session.must_change_password
    assert login(workspace, "newclerk", "a-new-password-1").user == "newclerk"


def test_idle_lock_hides_the_pages_and_asks_for_the_password(
    qtbot: QtBot, workspace: Workspace, clerk: Session, clock: FakeClock
) -> None:
    set_setting(workspace.conn, SETTING_IDLE_MINUTES, "10")
    window = MainWindow(clerk)
    qtbot.addWidget(window)
    assert window.idle_minutes == 10
    clock.advance(minutes=9)
    window.check_idle()
    assert not window.is_locked
    clock.advance(minutes=2)
    window.check_idle()
    assert window.is_locked and clerk.locked
    assert _events(workspace, EventType.SESSION_IDLE_LOCK)[-1].actor_user == "clerk1"

    screen = window.lock_screen
    screen.password.setText("wrong-password-x")
    screen.unlock_button.click()
    assert window.is_locked and "パスワードが違います" in screen.message.text()
    screen.password.setText(USER_PASSWORD)
    screen.unlock_button.click()
    assert not window.is_locked and not clerk.locked
    assert _events(workspace, EventType.SESSION_UNLOCK)
    window.logout()


def test_locked_out_while_unlocking_ends_the_session(
    qtbot: QtBot, workspace: Workspace, clerk: Session
) -> None:
    window = MainWindow(clerk)
    qtbot.addWidget(window)
    window.lock()
    with qtbot.waitSignal(window.session_ended, timeout=5000):
        for _ in range(5):
            window.lock_screen.password.setText("wrong-password-x")
            window.lock_screen.unlock_button.click()
    assert clerk.closed


def test_controller_goes_from_login_to_the_window_and_back(
    qtbot: QtBot, workspace: Workspace
) -> None:
    from PySide6.QtWidgets import QApplication

    make_user(workspace, "clerk1", ["clerk"])
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    controller = AppController(workspace, app)
    controller.start()
    dialog = controller.login_dialog
    assert dialog is not None and dialog.isVisible()
    _try(dialog, "clerk1", USER_PASSWORD)
    qtbot.waitUntil(lambda: controller.window is not None)
    window = controller.window
    assert window is not None
    qtbot.addWidget(window)
    assert window.page_keys()[0] == "import"
    window.logout()
    qtbot.waitUntil(lambda: controller.login_dialog is not None)
    assert controller.window is None
    controller.login_dialog.reject()
    assert _events(workspace, EventType.LOGOUT)[-1].actor_user == "clerk1"


def test_language_from_argv() -> None:
    assert language_from_argv(["app", "--lang", "en"], "ja") == "en"
    assert language_from_argv(["app", "--lang=en"], "ja") == "en"
    assert language_from_argv(["app"], "ja") == "ja"
