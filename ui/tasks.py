"""Background work: core calls on QThreadPool workers, results back on the GUI thread.

Shaped after superqt's worker (a QRunnable with a separate signals QObject, cooperative
cancel) and Anki's taskman (one worker at a time for operations on the collection):

- The function runs on a pool thread and gets ``progress(step, fraction)`` and a
  :class:`CancelToken`; it must not touch a widget. It returns a result or raises.
- :class:`TaskManager` lives on the GUI thread. Worker signals are queued to it and it
  calls the caller's callbacks there, so callbacks may update widgets.
- Only one task runs at a time: the workspace's SQLite connection is shared, and every
  service call touches it (role check, access log), so calls are serialised.
- A :class:`WorkbenchError` becomes its readable message; anything else becomes a
  generic message (the traceback goes to the log, never to the screen). A cancel is
  reported apart from a failure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from rlwb.ui.errors import describe_error
from rlwb.ui.i18n import tr
from rlwb.workbench.tasks import Cancelled, CancelToken, ProgressCallback

TaskFunction = Callable[[ProgressCallback, CancelToken], Any]


class WorkerSignals(QObject):
    """Signals of one worker; created on the GUI thread so receivers there get them queued."""

    progress = Signal(str, float)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()


class Worker(QRunnable):
    def __init__(self, fn: TaskFunction) -> None:
        super().__init__()
        self.fn = fn
        self.token = CancelToken()
        self.signals = WorkerSignals()
        self.setAutoDelete(True)

    def _progress(self, step: str, fraction: float) -> None:
        self.signals.progress.emit(step, float(fraction))

    def run(self) -> None:
        try:
            result = self.fn(self._progress, self.token)
        except Cancelled:
            self.signals.cancelled.emit()
        except Exception as exc:  # every failure reaches the user as a sentence
            # describe_error writes an unexpected one's traceback to the support log.
            self.signals.failed.emit(describe_error(exc))
        else:
            self.signals.finished.emit(result)


@dataclass
class Task:
    """What the caller wants done with the outcome; every callback runs on the GUI thread."""

    fn: TaskFunction
    on_done: Callable[[Any], None]
    on_failed: Callable[[str], None]
    on_progress: Callable[[str, float], None] | None = None
    on_cancelled: Callable[[], None] | None = None
    worker: Worker | None = field(default=None, repr=False)

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.token.cancel()


class TaskManager(QObject):
    """Runs one task at a time on the global thread pool."""

    busy_changed = Signal(bool)
    #: Emitted after every task, whatever its outcome (the status bar refreshes on it).
    task_ended = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._current: Task | None = None

    @property
    def busy(self) -> bool:
        return self._current is not None

    @property
    def current(self) -> Task | None:
        return self._current

    def run(self, task: Task) -> bool:
        """Start ``task``; False (and nothing started) while another task runs."""
        if self._current is not None:
            task.on_failed(tr("task.busy"))
            return False
        worker = Worker(task.fn)
        task.worker = worker
        worker.signals.progress.connect(self._on_progress)
        worker.signals.finished.connect(self._on_finished)
        worker.signals.failed.connect(self._on_failed)
        worker.signals.cancelled.connect(self._on_cancelled)
        self._current = task
        self.busy_changed.emit(True)
        QThreadPool.globalInstance().start(worker)
        return True

    def cancel(self) -> None:
        if self._current is not None:
            self._current.cancel()

    def _end(self) -> Task:
        task = self._current
        assert task is not None
        self._current = None
        self.busy_changed.emit(False)
        return task

    @Slot(str, float)
    def _on_progress(self, step: str, fraction: float) -> None:
        if self._current is not None and self._current.on_progress is not None:
            self._current.on_progress(step, fraction)

    @Slot(object)
    def _on_finished(self, result: object) -> None:
        task = self._end()
        try:
            task.on_done(result)
        finally:
            self.task_ended.emit()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        task = self._end()
        try:
            task.on_failed(message)
        finally:
            self.task_ended.emit()

    @Slot()
    def _on_cancelled(self) -> None:
        task = self._end()
        try:
            if task.on_cancelled is not None:
                task.on_cancelled()
            else:
                task.on_failed(tr("task.cancelled"))
        finally:
            self.task_ended.emit()


def wait_for_workers(msecs: int = 30_000) -> bool:
    """Block until the pool is idle (at exit, so no worker outlives the workspace)."""
    return bool(QThreadPool.globalInstance().waitForDone(msecs))
