"""The compromise response on the administrator's keys page: explained, behind a typed
confirmation (the workspace name), then retired datasets listed and refused for reconciling."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from rlwb.ui.i18n import set_language
from rlwb.ui.main_window import MainWindow
from rlwb.ui.pages.keys_page import CompromiseAnswer, CompromiseDialog, KeysPage
from rlwb.workbench.audit.events import EventType
from rlwb.workbench.audit.log import EventFilter
from rlwb.workbench.errors import NotFound
from rlwb.workbench.services import compromise as compromise_service
from rlwb.workbench.services.reconcile import reconcile_datasets
from rlwb.workbench.services.session import login
from rlwb.workbench.session import Session
from rlwb.workbench.workspace import KEYSET_FILE, Workspace
from tests.ui.conftest import ADMIN_PASSWORD

PASSPHRASE = "Kagi-no-Hozon 2026!"


def _keys_page(qtbot: QtBot, ws: Workspace) -> tuple[MainWindow, KeysPage]:
    window = MainWindow(login(ws, "admin", ADMIN_PASSWORD))
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: not window.state.busy, timeout=30_000)
    page = window.show_page("admin_keys")
    assert isinstance(page, KeysPage)
    return window, page


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_dialog_explains_and_opens_only_for_the_typed_workspace_name(
    qtbot: QtBot, workspace: Workspace, run_id: str, language: str
) -> None:
    set_language(language)
    window, page = _keys_page(qtbot, workspace)
    assert page.compromise_button.isVisibleTo(page) and not page.retired_table.isVisibleTo(page)
    plan = compromise_service.compromise_plan(window.session)
    dialog = CompromiseDialog(plan, page)
    qtbot.addWidget(dialog)
    text = dialog.explanation.text()
    if language == "ja":
        assert "無関係な鍵系列" in text and "データセット 2 件" in text and "「ws」" in text
        assert "元に戻すことはできません" in text
    else:
        assert "unrelated" in text and "retire the 2 datasets and 1 runs" in text
        assert "“ws”" in text and "cannot be undone" in text
    assert "tax_sample_cp932.csv" in dialog.files.text()
    assert "si_sample_utf8bom.csv" in dialog.files.text()
    assert not dialog.ok_button.isEnabled()
    dialog.reason.setText("鍵を保存したノートPCの紛失")
    for wrong in ("", "w", "WS", "ws ", "yes"):
        dialog.typed.setText(wrong)
        assert not dialog.ok_button.isEnabled()
    dialog.typed.setText("ws")
    assert dialog.ok_button.isEnabled()
    dialog.reason.setText("  ")
    assert not dialog.ok_button.isEnabled()
    window.logout()


def test_cancelling_at_any_step_changes_nothing(
    qtbot: QtBot, workspace: Workspace, run_id: str
) -> None:
    window, page = _keys_page(qtbot, workspace)
    keyset = (workspace.path / KEYSET_FILE).read_bytes()
    page.ask_compromise = lambda plan: None
    page.compromise_button.click()
    assert "何も変更していません" in page.message.text()
    page.ask_compromise = lambda plan: CompromiseAnswer("漏えい", "ws", True)
    page.ask_backup_path = lambda parent, suggested: None  # the save dialog was cancelled
    page.compromise_button.click()
    assert "何も変更していません" in page.message.text()
    assert (workspace.path / KEYSET_FILE).read_bytes() == keyset
    assert compromise_service.compromise_plan(window.session).open_response is None
    assert not workspace.audit.query(EventFilter(event_types=(EventType.KEYS_COMPROMISE_STARTED,)))
    window.logout()


def test_the_response_from_the_page_retires_old_data_and_destroys_old_keys(
    qtbot: QtBot, workspace: Workspace, run_id: str, clerk: Session, tmp_path: Path
) -> None:
    window, page = _keys_page(qtbot, workspace)
    page.backup_scrypt_n = 2**10
    out = tmp_path / "new-chain.rlwkey"
    page.ask_compromise = lambda plan: CompromiseAnswer("鍵の漏えいのおそれ", "ws", False)
    page.compromise_button.click()
    qtbot.waitUntil(lambda: not window.state.busy, timeout=30_000)
    assert page.message.kind == "warning" and "旧い鍵はまだ残っています" in page.message.text()
    assert page.destroy_button.isVisibleTo(page) and not page.compromise_button.isVisibleTo(page)
    assert "v1" in page.open_compromise.text()
    assert page.retired_table.isVisibleTo(page) and page.retired_table.rowCount() == 2
    files = {page.retired_table.item(r, 1).text() for r in range(2)}
    assert files == {"tax_sample_cp932.csv", "si_sample_utf8bom.csv"}
    states = {page.table.item(r, 1).text() for r in range(page.table.rowCount())}
    assert any("廃止" in s for s in states)
    with pytest.raises(NotFound, match="import its source file again"):
        reconcile_datasets(clerk)

    page.ask_compromise = lambda plan: CompromiseAnswer(plan.open_response.reason, "ws", True)  # type: ignore[union-attr]
    page.ask_backup_path = lambda parent, suggested: out
    page.ask_passphrase = lambda path: PASSPHRASE
    page.destroy_button.click()
    qtbot.waitUntil(lambda: not window.state.busy, timeout=30_000)
    assert page.message.kind == "success", page.message.text()
    assert str(out) in page.message.text() and out.is_file()
    assert not page.destroy_button.isVisibleTo(page)
    assert [k.version for k in window.session.workspace.keyset.versions] == [2]
    assert page.retired_table.rowCount() == 2
    window.logout()


def test_a_clerk_sees_retired_runs_marked_and_retired_datasets_not_offered(
    qtbot: QtBot, workspace: Workspace, run_id: str, clerk: Session
) -> None:
    admin = login(workspace, "admin", ADMIN_PASSWORD)
    compromise_service.start_compromise(admin, "漏えいのおそれ", confirmation="ws")
    window = MainWindow(clerk)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: not window.state.busy, timeout=30_000)
    page = window.show_page("reconcile")
    qtbot.waitUntil(lambda: not window.state.busy, timeout=30_000)
    page.reload_datasets()  # type: ignore[attr-defined]
    assert page.tax.count() == 0 and page.si.count() == 0  # type: ignore[attr-defined]
    assert not page.run_button.isEnabled()  # type: ignore[attr-defined]
    page.runs.refresh()  # type: ignore[attr-defined]
    labels = [page.runs.itemText(i) for i in range(page.runs.count())]  # type: ignore[attr-defined]
    assert labels and all(label.startswith("【廃止】") for label in labels)
    assert run_id in labels[0]
    window.logout()
