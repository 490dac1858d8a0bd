"""Help → About shows the version and the support log; an uncaught slot error is logged."""

from __future__ import annotations

import logging
import sys

import pytest
from pytestqt.qtbot import QtBot

from rlwb.ui import app as app_module
from rlwb.ui.about import about_text
from rlwb.ui.i18n import set_language
from rlwb.ui.main_window import MainWindow
from rlwb.workbench import support_log
from rlwb.workbench.session import Session
from rlwb.workbench.version import APP_VERSION


def test_about_box_names_version_and_log(qtbot: QtBot, clerk: Session) -> None:
    window = MainWindow(clerk)
    qtbot.addWidget(window)
    titles = [a.text() for a in window.menuBar().actions()]
    assert "ヘルプ" in titles
    assert window.about_action.text() == "このアプリについて"
    text = about_text()
    assert APP_VERSION in text and str(support_log.log_path()) in text
    set_language("en")
    try:
        assert f"version {APP_VERSION}" in about_text()
    finally:
        set_language("ja")
    window.logout()


def test_uncaught_exception_in_the_gui_is_logged_and_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(
        app_module.QMessageBox, "critical", lambda parent, title, text: shown.append(text)
    )
    try:
        raise KeyError("slot failed near 123456789018")
    except KeyError:
        kind, exc, tb = sys.exc_info()
    assert kind is not None and exc is not None
    app_module._show_unexpected(kind, exc, tb)
    log = support_log.log_path()
    assert len(shown) == 1 and str(log) in shown[0]
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log.read_text(encoding="utf-8")
    assert "unexpected KeyError in a window event handler" in text
    assert "test_uncaught_exception_in_the_gui_is_logged_and_shown" in text
    assert "123456789018" not in text
