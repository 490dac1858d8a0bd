"""The administrator's workspace: users and roles, key rotation with cancel and resume,
backup and restore from the login dialog, settings — and never personal data."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import polars as pl
import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from rlwb.crypto.keystore import KeyringMasterKeyStore
from rlwb.ui.app import AppController
from rlwb.ui.errors import describe_error
from rlwb.ui.main_window import MainWindow
from rlwb.ui.pages.keys_page import BackupDialog, KeysPage, RotateDialog
from rlwb.ui.pages.settings_page import SettingsPage
from rlwb.ui.pages.users_page import AddUserDialog, ResetPasswordDialog, UsersPage
from rlwb.ui.restore import RestoreDialog
from rlwb.workbench import rotation
from rlwb.workbench.audit.events import EventType, Outcome
from rlwb.workbench.audit.log import EventFilter
from rlwb.workbench.errors import AccessDenied, AuthenticationError, InvalidInput, WorkbenchError
from rlwb.workbench.keyaccess import KeyAccess
from rlwb.workbench.permissions import Role
from rlwb.workbench.services import keys as keys_service
from rlwb.workbench.services import settings as settings_service
from rlwb.workbench.services import views
from rlwb.workbench.services.reconcile import reconcile_datasets
from rlwb.workbench.services.session import login
from rlwb.workbench.session import Session
from rlwb.workbench.workspace import Workspace
from tests.memory_keyring import MemoryKeyring
from tests.ui.conftest import ADMIN_PASSWORD, FakeClock
from tests.workbench.conftest import TEST_SCRYPT_N

PASSPHRASE = "Kagi-no-Hozon 2026!"


def _events(ws: Workspace, event_type: EventType) -> list:
    return ws.audit.query(EventFilter(event_types=(event_type,)), newest_first=False)


def _idle(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.state.busy, timeout=30_000)


def _admin_window(qtbot: QtBot, ws: Workspace) -> MainWindow:
    window = MainWindow(login(ws, "admin", ADMIN_PASSWORD))
    qtbot.addWidget(window)
    _idle(qtbot, window)
    assert window.page_keys() == ["admin", "admin_keys", "admin_settings"]
    return window


def _cell(page: UsersPage, name: str, column: int) -> str:
    row = next(i for i, u in enumerate(page.users) if u.name == name)
    item = page.table.item(row, column)
    return "" if item is None else item.text()


def test_users_add_roles_disable_unlock_and_reset(qtbot: QtBot, workspace: Workspace) -> None:
    window = _admin_window(qtbot, workspace)
    page = window.pages["admin"]
    assert isinstance(page, UsersPage)
    assert [u.name for u in page.users] == ["admin"]

    def fill_in_new_user() -> object:
        dialog = AddUserDialog(page)
        qtbot.addWidget(dialog)
        dialog.name.setText("sato")
        dialog.roles.boxes[Role.CLERK].setChecked(True)
        assert not dialog.roles.warning.isVisibleTo(dialog)
        dialog.roles.boxes[Role.AUDITOR].setChecked(True)
        assert dialog.roles.warning.isVisibleTo(dialog)  # the warning shows while choosing
        dialog.password.first.setText("first-password-1")
        dialog.password.second.setText("first-password-2")
        assert not dialog.ok_button.isEnabled()
        assert "一致しません" in dialog.password.hint.text()
        dialog.password.second.setText("first-password-1")
        assert dialog.ok_button.isEnabled()
        return dialog.new_user()

    page.ask_new_user = fill_in_new_user  # type: ignore[assignment]
    page.add_button.click()
    assert page.message.kind == "warning" and "両方の役割" in page.message.text()
    assert page.segregation.isVisibleTo(page) and "sato" in page.segregation.text()
    assert "兼務" in _cell(page, "sato", 5)
    assert _cell(page, "sato", 3) == "はい"  # must change the first password
    (created,) = [e for e in _events(workspace, EventType.USER_CREATED) if e.subject_user == "sato"]
    assert created.details["roles"] == ["auditor", "clerk"]

    page.select("sato")
    page.ask_roles = lambda user: ("clerk",)
    page.roles_button.click()
    assert page.message.kind == "success" and not page.segregation.isVisibleTo(page)
    assert _cell(page, "sato", 5) == ""
    (changed,) = _events(workspace, EventType.USER_ROLES_CHANGED)
    assert changed.details == {"before": ["auditor", "clerk"], "after": ["clerk"]}

    asked: list[str] = []
    page.confirm = lambda text: asked.append(text) or False  # type: ignore[func-returns-value]
    page.disable_button.click()
    assert asked and "sato" in asked[0] and _cell(page, "sato", 2) == "有効"
    assert _events(workspace, EventType.USER_DISABLED) == []
    page.confirm = lambda text: True
    page.disable_button.click()
    assert _cell(page, "sato", 2) == "無効" and page.disable_button.text() == "有効にする"
    assert _events(workspace, EventType.USER_DISABLED)[0].subject_user == "sato"
    page.disable_button.click()
    assert _cell(page, "sato", 2) == "有効" and _events(workspace, EventType.USER_ENABLED)

    for _ in range(5):
        with pytest.raises(AuthenticationError):
            login(workspace, "sato", "wrong-password-x")
    page.refresh()
    assert _cell(page, "sato", 2) == "ロック中"
    page.unlock_button.click()
    assert _cell(page, "sato", 2) == "有効"
    assert _events(workspace, EventType.USER_UNLOCKED)[0].subject_user == "sato"

    def fill_in_password(name: str) -> str | None:
        dialog = ResetPasswordDialog(name, page)
        qtbot.addWidget(dialog)
        dialog.password.first.setText("temporary-pass-9")
        dialog.password.second.setText("temporary-pass-8")
        assert not dialog.ok_button.isEnabled()
        dialog.password.second.setText("temporary-pass-9")
        assert dialog.ok_button.isEnabled()
        return dialog.password.value()

    page.ask_password = fill_in_password
    page.reset_button.click()
    assert page.message.kind == "success"
    assert _events(workspace, EventType.USER_PASSWORD_RESET)[0].subject_user == "sato"
    assert login(workspace, "sato", "temporary-pass-9").must_change_password

    page.select("admin")
    page.confirm = lambda text: True
    page.disable_button.click()  # the service refuses; the page says so
    assert page.message.kind == "error" and _cell(page, "admin", 2) == "有効"
    window.logout()


def test_rotation_from_the_window_cancels_resumes_and_keeps_the_results(
    qtbot: QtBot,
    workspace: Workspace,
    clerk: Session,
    run_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pair_columns = ["tax_record_id", "si_record_id", "outcome"]
    links_before = views.links_table(clerk, run_id).select(pair_columns).sort(pair_columns)
    summary_before = views.runs(clerk)[-1].summary
    window = _admin_window(qtbot, workspace)
    page = window.show_page("admin_keys")
    assert isinstance(page, KeysPage)
    assert "T_v" in page.note.text() and page.table.rowCount() == 1
    assert page.table.item(0, 4).text() == "2"  # both datasets on v1

    dialog = RotateDialog(1, 2, page)
    qtbot.addWidget(dialog)
    text = dialog.explanation.text()
    assert "v2" in text and "2 件" in text and "取り消す" in text and "再開" in text
    assert not dialog.ok_button.isEnabled()
    dialog.reason.setText("年次の定期更新")
    assert dialog.ok_button.isEnabled()

    migrated: list[str] = []
    original = rotation.migrate_dataset

    def migrate_then_cancel(ws: Workspace, info: object, target: int) -> object:
        result = original(ws, info, target)  # type: ignore[arg-type]
        migrated.append(result.id)
        task = window.state.taskman.current
        if len(migrated) == 1 and task is not None:
            task.cancel()  # as the Cancel button would, between two datasets
        return result

    monkeypatch.setattr(rotation, "migrate_dataset", migrate_then_cancel)
    asked: list[tuple[int, int]] = []
    page.ask_rotation = lambda current, datasets: asked.append((current, datasets)) or "年次更新"  # type: ignore[func-returns-value]
    page.rotate_button.click()
    assert page.progress.isVisibleTo(page)
    _idle(qtbot, window)
    assert asked == [(1, 2)]
    assert page.message.kind == "warning" and "再開" in page.message.text()
    assert page.resume_button.isVisibleTo(page) and not page.rotate_button.isVisibleTo(page)
    assert "v2" in page.open_rotation.text()
    keys = {k.version: k.datasets for k in keys_service.list_keys(window.session)}
    assert keys == {1: 1, 2: 1}  # each dataset wholly on one version

    page.resume_button.click()
    _idle(qtbot, window)
    assert page.message.kind == "success" and "v2" in page.message.text()
    assert not page.resume_button.isVisibleTo(page)
    assert keys_service.rotation_status(window.session) is None
    keys = {k.version: k.datasets for k in keys_service.list_keys(window.session)}
    assert keys == {1: 0, 2: 2} and len(migrated) == 2
    assert page.table.item(0, 0).text() == "v2" and "主鍵" in page.table.item(0, 1).text()
    started = _events(workspace, EventType.KEYS_ROTATION_STARTED)
    assert [e.details["resumed"] for e in started] == [False, True]
    assert started[0].details["reason"] == "年次更新"
    finished = _events(workspace, EventType.KEYS_ROTATION_FINISHED)
    assert [e.outcome for e in finished] == [Outcome.FAILED, Outcome.OK]
    assert len(_events(workspace, EventType.KEYS_DATASET_MIGRATED)) == 2
    window.logout()

    rerun = reconcile_datasets(clerk)
    assert rerun.key_version == 2
    assert rerun.summary == summary_before
    links_after = views.links_table(clerk, rerun.id).select(pair_columns).sort(pair_columns)
    assert links_after.equals(links_before)
    assert links_after.filter(pl.col("outcome") == "token").height > 0


def test_backup_then_restore_into_an_empty_keyring_from_the_login_dialog(
    qtbot: QtBot, workspace: Workspace, tmp_path: Path, clock: FakeClock
) -> None:
    window = _admin_window(qtbot, workspace)
    page = window.show_page("admin_keys")
    assert isinstance(page, KeysPage)
    page.backup_scrypt_n = 2**10  # cheap in tests; the file records its cost
    out = tmp_path / "keys.rlwkey"
    page.ask_backup_path = lambda parent, suggested: out

    def fill_in_passphrase(path: Path) -> str | None:
        dialog = BackupDialog(path, page)
        qtbot.addWidget(dialog)
        pair = dialog.passphrase
        pair.first.setText("short")
        assert "12 文字以上" in pair.hint.text() and not dialog.ok_button.isEnabled()
        pair.first.setText("aaaaaaaaaaaaaaaa")
        pair.second.setText("aaaaaaaaaaaaaaaa")
        assert pair.strength < 2 and "弱すぎます" in pair.hint.text()
        assert not dialog.ok_button.isEnabled()
        pair.first.setText(PASSPHRASE)
        pair.second.setText(PASSPHRASE)
        assert pair.strength >= 3 and pair.meter.value() == pair.strength
        assert dialog.ok_button.isEnabled()
        return pair.value()

    page.ask_passphrase = fill_in_passphrase
    page.backup_button.click()
    _idle(qtbot, window)
    assert out.is_file() and page.message.kind == "success"
    assert _events(workspace, EventType.KEYS_BACKUP)[0].actor_user == "admin"
    window.logout()
    workspace.close()

    # another machine: the workspace folder, the backup file, and an empty key store
    empty = MemoryKeyring()
    fresh = KeyAccess(KeyringMasterKeyStore(backend=empty), empty, tmp_path / "state2")
    with pytest.raises(WorkbenchError) as failure:
        Workspace.open(workspace.path, access=fresh)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    controller = AppController(
        None, app, path=workspace.path, access=fresh, open_error=describe_error(failure.value)
    )
    controller.start()
    dialog = controller.login_dialog
    assert dialog is not None
    assert dialog.restore_button.isVisibleTo(dialog) and not dialog.login_button.isEnabled()
    assert "作業領域を開けません" in dialog.message.text()

    def fill_in_restore() -> Workspace | None:
        restore = RestoreDialog(
            workspace.path, fresh, clock=clock, scrypt_n=TEST_SCRYPT_N, parent=dialog
        )
        qtbot.addWidget(restore)
        restore.file.setText(str(out))
        restore.user.setText("admin")
        for passphrase, password in (
            ("not the passphrase 1", ADMIN_PASSWORD),
            (PASSPHRASE, "not-the-admin-pw"),
        ):
            restore.passphrase.setText(passphrase)
            restore.password.setText(password)
            restore.restore_button.click()
            assert restore.restored is None and restore.message.kind == "error"
            assert restore.passphrase.text() == "" and restore.password.text() == ""
            assert not empty.entries  # nothing half-restored
        restore.passphrase.setText(PASSPHRASE)
        restore.password.setText(ADMIN_PASSWORD)
        restore.restore_button.click()
        return restore.restored

    dialog.ask_restore = fill_in_restore
    dialog.restore_button.click()
    restored = dialog.ws
    assert restored is not None and dialog.login_button.isEnabled()
    assert dialog.message.kind == "success" and not dialog.restore_button.isVisibleTo(dialog)
    try:
        assert empty.entries  # the master key is in this machine's store now
        dialog.user.setText("admin")
        dialog.password.setText(ADMIN_PASSWORD)
        dialog.login_button.click()
        qtbot.waitUntil(lambda: controller.window is not None)
        assert controller.ws is restored
        window2 = controller.window
        assert window2 is not None
        qtbot.addWidget(window2)
        _idle(qtbot, window2)
        restores = _events(restored, EventType.KEYS_RESTORE)
        assert [e.details["file"] for e in restores] == ["keys.rlwkey"]
        window2.logout()
        qtbot.waitUntil(lambda: controller.login_dialog is not None)
        controller.login_dialog.reject()
    finally:
        restored.conn.close()
    reopened = Workspace.open(workspace.path, access=fresh)  # opens without a restore now
    reopened.conn.close()


def test_settings_are_checked_stored_and_logged(
    qtbot: QtBot, workspace: Workspace, clerk: Session, tmp_path: Path
) -> None:
    window = _admin_window(qtbot, workspace)
    page = window.show_page("admin_settings")
    assert isinstance(page, SettingsPage)
    assert page.idle.value() == settings_service.DEFAULT_IDLE_MINUTES
    assert page.checkpoint.text() == "" and page.rules.text() == ""
    assert "ルールの版" in page.rules_version.text()

    def changes() -> list[dict[str, object]]:
        return [
            dict(e.details)
            for e in _events(workspace, settings_service.SETTING_CHANGED_EVENT)
            if "setting" in e.details
        ]

    page.rules.setText("")  # untouched settings are not stored (nor logged) on Save
    page.save_button.click()
    assert page.message.kind == "info" and changes() == []
    page.idle.setValue(20)
    page.save_button.click()
    assert page.message.kind == "success" and window.idle_minutes == 20
    assert changes() == [{"setting": "idle_lock_minutes", "before": None, "after": "20"}]
    page.save_button.click()
    assert page.message.kind == "info" and len(changes()) == 1

    for bad in ("relative/cp.jsonl", str(workspace.path / "cp.jsonl"), str(tmp_path / "no" / "c")):
        page.checkpoint.setText(bad)
        page.save_button.click()
        assert (
            page.message.kind == "error" and "外部チェックポイントファイル" in page.message.text()
        )
        assert page.checkpoint.text() == bad  # kept for correcting
    assert len(changes()) == 1
    good = tmp_path / "checkpoints.jsonl"
    page.ask_checkpoint_file = lambda parent, current: str(good)
    page._choose_checkpoint()
    page.save_button.click()
    assert page.message.kind == "success" and "次に作業領域を開いたとき" in page.message.text()
    assert changes()[-1] == {"setting": "checkpoint_file", "before": None, "after": str(good)}

    broken = tmp_path / "broken.toml"
    broken.write_text("version = [", encoding="utf-8")
    page.rules.setText(str(broken))
    page.save_button.click()
    assert page.message.kind == "error" and "突合ルール" in page.message.text()
    rules = tmp_path / "rules.toml"
    with resources.as_file(resources.files("rlwb.linkage.rules") / "default_rules.toml") as shipped:
        shutil.copy(shipped, rules)
    page.rules.setText(str(rules))
    page.save_button.click()
    assert page.message.kind == "success"
    assert settings_service.get_settings(window.session).rules_file == str(rules)
    assert len(changes()) == 3

    with pytest.raises(InvalidInput):
        settings_service.set_setting(window.session, "idle_lock_minutes", "0")
    with pytest.raises(InvalidInput):
        settings_service.set_setting(window.session, "no_such_setting", "1")
    with pytest.raises(AccessDenied):
        settings_service.set_setting(clerk, "idle_lock_minutes", "99")
    denied = _events(workspace, EventType.ACCESS_DENIED)
    assert denied[-1].actor_user == "clerk1" and denied[-1].details["action"] == "settings.manage"
    window.logout()
