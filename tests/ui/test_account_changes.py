"""Issue 8, section 3 in the window: a session the account no longer allows goes back to the
login saying why; login messages do not tell names apart; the self-given clerk role warns."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from rlwb.ui.app import AppController
from rlwb.ui.login import LoginDialog
from rlwb.ui.main_window import MainWindow
from rlwb.ui.pages.users_page import UsersPage
from rlwb.workbench.errors import AccountRefused, PasswordChangeRequired
from rlwb.workbench.services import users as user_service
from rlwb.workbench.services.preview import saved_profiles
from rlwb.workbench.services.session import change_own_password, login
from rlwb.workbench.session import Session
from rlwb.workbench.workspace import Workspace
from tests.ui.conftest import ADMIN_PASSWORD, USER_PASSWORD, make_user


def _try(dialog: LoginDialog, name: str, password: str) -> str:
    dialog.user.setText(name)
    dialog.password.setText(password)
    dialog.login_button.click()
    return dialog.message.text()


def test_disabled_while_logged_in_goes_back_to_the_login_saying_why(
    qtbot: QtBot, workspace: Workspace
) -> None:
    make_user(workspace, "clerk1", ["clerk"])
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    controller = AppController(workspace, app)
    controller.start()
    assert controller.login_dialog is not None
    _try(controller.login_dialog, "clerk1", USER_PASSWORD)
    qtbot.waitUntil(lambda: controller.window is not None)
    window = controller.window
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    session = window.session
    assert window.state.call(saved_profiles, session) == []

    user_service.disable_user(login(workspace, "admin", ADMIN_PASSWORD), "clerk1")
    with pytest.raises(AccountRefused):
        window.state.call(saved_profiles, session)
    qtbot.waitUntil(lambda: controller.login_dialog is not None)
    assert controller.window is None
    dialog = controller.login_dialog
    assert dialog is not None
    assert "無効" in dialog.message.text() and "セッションを終了" in dialog.message.text()
    dialog.reject()


def test_login_messages_do_not_tell_an_unknown_name_from_a_wrong_password(
    qtbot: QtBot, workspace: Workspace
) -> None:
    make_user(workspace, "clerk1", ["clerk"])
    workspace.users.set_disabled("clerk1", True)
    dialog = LoginDialog(workspace)
    qtbot.addWidget(dialog)
    unknown = _try(dialog, "nobody", "wrong-password-x")
    assert unknown == "利用者名またはパスワードが違います。"
    assert _try(dialog, "clerk1", "wrong-password-x") == unknown  # disabled: not said
    for _ in range(4):
        _try(dialog, "nobody", "wrong-password-x")
        _try(dialog, "clerk1", "wrong-password-x")
    locked_unknown = _try(dialog, "nobody", "wrong-password-x")
    assert "ロックされています" in locked_unknown
    assert _try(dialog, "clerk1", USER_PASSWORD) == locked_unknown


def test_users_page_warns_an_administrator_who_gives_themself_the_clerk_role(
    qtbot: QtBot, workspace: Workspace
) -> None:
    window = MainWindow(login(workspace, "admin", ADMIN_PASSWORD))
    qtbot.addWidget(window)
    page = window.pages["admin"]
    assert isinstance(page, UsersPage)
    page.refresh()
    page.select("admin")
    page.ask_roles = lambda user: ("admin", "clerk")
    page.roles_button.click()
    assert page.message.kind == "warning"
    assert "自分自身に事務取扱担当者の役割" in page.message.text()


def test_password_reset_while_logged_in_asks_for_the_change_first(
    qtbot: QtBot, workspace: Workspace, clerk: Session
) -> None:
    window = MainWindow(clerk)
    qtbot.addWidget(window)
    user_service.reset_password(
        login(workspace, "admin", ADMIN_PASSWORD), "clerk1", "temporary-pass-1"
    )
    asked: list[bool] = []

    def change() -> bool:
        asked.append(True)
        change_own_password(clerk, "temporary-pass-1", "clerk-own-pass-1")
        return True

    window.ask_password_change = change
    with pytest.raises(PasswordChangeRequired):
        window.state.call(saved_profiles, clerk)
    qtbot.waitUntil(lambda: bool(asked))
    assert window.state.call(saved_profiles, clerk) == []
    assert not clerk.closed and asked == [True]
    window.logout()
