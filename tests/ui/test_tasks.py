"""Background tasks: results on the GUI thread, readable errors, cooperative cancel."""

from __future__ import annotations

import logging
import threading

from pytestqt.qtbot import QtBot

from rlwb.ui.tasks import Task, TaskManager
from rlwb.workbench import support_log
from rlwb.workbench.errors import InvalidInput
from rlwb.workbench.tasks import CancelToken, ProgressCallback


class Outcome:
    def __init__(self) -> None:
        self.done: list[object] = []
        self.failed: list[str] = []
        self.cancelled = 0
        self.progress: list[tuple[str, float]] = []

    def on_done(self, value: object) -> None:
        self.done.append(value)

    def task(self, fn, **kw) -> Task:  # type: ignore[no-untyped-def]
        return Task(
            fn,
            self.on_done,
            self.failed.append,
            on_progress=lambda s, f: self.progress.append((s, f)),
            on_cancelled=lambda: setattr(self, "cancelled", self.cancelled + 1),
            **kw,
        )


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
    task = seen.task(work)
    task.on_done = lambda v: (callbacks.append(threading.get_ident()), seen.done.append(v))
    with qtbot.waitSignal(manager.task_ended, timeout=5000):
        assert manager.run(task)
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

    assert manager.run(first.task(slow))
    assert not manager.run(second.task(lambda p, c: "second"))
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
        manager.run(seen.task(bad_input))
    assert seen.failed == ["入力を確認してください。\nChoose a file ending in .csv."]

    def crash(progress: ProgressCallback, cancel: CancelToken) -> None:
        raise RuntimeError("value 123456789018 leaked")

    with qtbot.waitSignal(manager.task_ended, timeout=5000):
        manager.run(seen.task(crash))
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

    def loop(progress: ProgressCallback, cancel: CancelToken) -> None:
        started.set()
        while True:
            cancel.raise_if_cancelled()
            threading.Event().wait(0.001)

    manager.run(seen.task(loop))
    assert started.wait(5)
    with qtbot.waitSignal(manager.task_ended, timeout=5000):
        manager.cancel()
    assert seen.cancelled == 1 and seen.failed == [] and not manager.busy
