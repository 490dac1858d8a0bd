"""Background tasks: results on the GUI thread, readable errors, cooperative cancel."""

from __future__ import annotations

import logging
import threading
from typing import TypeVar

from pytestqt.qtbot import QtBot

from rlwb.ui.tasks import Task, TaskFunction, TaskManager
from rlwb.workbench import support_log
from rlwb.workbench.errors import InvalidInput
from rlwb.workbench.tasks import CancelToken, ProgressCallback

T = TypeVar("T")


class Outcome:
    def __init__(self) -> None:
        self.started: bool | None = None
        self.finished = False
        self.done: list[object] = []
        self.failed: list[str] = []
        self.cancelled = 0
        self.progress: list[tuple[str, float]] = []

    def on_done(self, value: object) -> None:
        self.done.append(value)

    def task(self, manager: TaskManager, fn: TaskFunction[T]) -> Task[T]:
        return (
            manager.task(fn)
            .success(self.on_done)
            .failure(self.failed.append)
            .with_progress(self)
            .cancelled(lambda: setattr(self, "cancelled", self.cancelled + 1))
        )

    # the ProgressView a task drives
    def start(self, cancellable: bool = True) -> None:
        self.started = cancellable

    def update_progress(self, step: str, fraction: float) -> None:
        self.progress.append((step, fraction))

    def finish(self) -> None:
        self.finished = True


def until_cancelled(started: threading.Event) -> TaskFunction[None]:
    """Work that says it started, then runs until cancelled."""

    def loop(progress: ProgressCallback, cancel: CancelToken) -> None:
        started.set()
        while True:
            cancel.raise_if_cancelled()
            threading.Event().wait(0.001)

    return loop


def test_result_and_progress_arrive_on_the_gui_thread(qtbot: QtBot) -> None:
    manager = TaskManager()
    seen = Outcome()
    gui = threading.get_ident()
    worker_threads: list[int] = []

    def work(progress: ProgressCallback, cancel: CancelToken) -> int:
        worker_threads.append(threading.get_ident())
        progress("parse", 0.5)
        return 42

    callbacks: list[int] = []
    task = seen.task(manager, work).success(
        lambda v: (callbacks.append(threading.get_ident()), seen.done.append(v))
    )
    with qtbot.waitSignal(manager.task_ended, timeout=5000):
        assert task.run_in_background()
        assert manager.busy
    assert seen.done == [42] and seen.progress == [("parse", 0.5)]
    assert worker_threads[0] != gui and callbacks == [gui]
    assert not manager.busy


def test_one_task_at_a_time(qtbot: QtBot) -> None:
    manager = TaskManager()
    gate = threading.Event()
    first, second = Outcome(), Outcome()

    def slow(progress: ProgressCallback, cancel: CancelToken) -> str:
        gate.wait(5)
        return "first"

    assert first.task(manager, slow).run_in_background()
    assert not second.task(manager, lambda p, c: "second").run_in_background()
    assert second.failed and "実行中" in second.failed[0]
    with qtbot.waitSignal(manager.task_ended, timeout=5000):
        gate.set()
    assert first.done == ["first"] and second.done == []


def test_errors_are_sentences_never_tracebacks(qtbot: QtBot) -> None:
    manager = TaskManager()
    seen = Outcome()

    def bad_input(progress: ProgressCallback, cancel: CancelToken) -> None:
        raise InvalidInput("Choose a file ending in .csv.")

    with qtbot.waitSignal(manager.task_ended, timeout=5000):
        seen.task(manager, bad_input).run_in_background()
    assert seen.failed == ["入力を確認してください。\nChoose a file ending in .csv."]

    def crash(progress: ProgressCallback, cancel: CancelToken) -> None:
        raise RuntimeError("value 123456789018 leaked")

    with qtbot.waitSignal(manager.task_ended, timeout=5000):
        seen.task(manager, crash).run_in_background()
    assert "予期しないエラー" in seen.failed[1]
    assert "123456789018" not in seen.failed[1] and "Traceback" not in seen.failed[1]
    # The sentence says where the support log is; the traceback is there, masked.
    log = support_log.log_path()
    assert str(log) in seen.failed[1]
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log.read_text(encoding="utf-8")
    assert "in crash" in text and "RuntimeError: value [個人番号] leaked" in text
    assert "123456789018" not in text


def test_cancel_is_cooperative(qtbot: QtBot) -> None:
    manager = TaskManager()
    seen = Outcome()
    started = threading.Event()

    seen.task(manager, until_cancelled(started)).run_in_background()
    assert started.wait(5)
    with qtbot.waitSignal(manager.task_ended, timeout=5000):
        manager.cancel()
    assert seen.cancelled == 1 and seen.failed == [] and not manager.busy


class Messages:
    """The MessageView a task writes to."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str]] = [("old", "from the last action")]

    def clear_message(self) -> None:
        self.shown.clear()

    def show_error(self, text: str) -> None:
        self.shown.append(("error", text))

    def show_info(self, text: str) -> None:
        self.shown.append(("info", text))


def test_progress_and_messages_are_wired_by_the_task(qtbot: QtBot) -> None:
    """with_progress/with_messages do what every page used to copy: clear the message,
    start the panel (without Cancel when asked), finish it and show the failure."""
    manager = TaskManager()
    panel, messages = Outcome(), Messages()

    def bad(progress: ProgressCallback, cancel: CancelToken) -> int:
        raise InvalidInput("Choose a file ending in .csv.")

    task = manager.task(bad).with_progress(panel, cancellable=False).with_messages(messages)
    with qtbot.waitSignal(manager.task_ended, timeout=5000):
        assert task.run_in_background()
        assert messages.shown == [] and panel.started is False
    assert panel.finished
    assert messages.shown == [("error", "入力を確認してください。\nChoose a file ending in .csv.")]


def test_a_cancel_shows_the_pages_sentence(qtbot: QtBot) -> None:
    manager = TaskManager()
    panel, messages = Outcome(), Messages()
    started = threading.Event()

    task = (
        manager.task(until_cancelled(started))
        .with_progress(panel)
        .with_messages(messages, cancelled="stopped")
    )
    task.run_in_background()
    assert started.wait(5) and panel.started is True
    with qtbot.waitSignal(manager.task_ended, timeout=5000):
        manager.cancel()
    assert panel.finished and messages.shown == [("info", "stopped")]
