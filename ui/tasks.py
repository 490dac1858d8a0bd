"""Background work: core calls on QThreadPool workers, results back on the GUI thread.

A page describes one operation as a typed :class:`Task`, in the style of Anki's
``CollectionOp``/``QueryOp`` (``aqt/operations``)::

    state.task(work)                      # work(progress, cancel) -> ImportReport
        .success(self._import_done)       # called with the ImportReport, on the GUI thread
        .with_progress(self.progress)     # start/update/finish a ProgressPanel
        .with_messages(self.message, cancelled=tr("import.cancelled"))
        .run_in_background()

Shaped after superqt's worker (a QRunnable with a separate signals QObject, cooperative
cancel) and Anki's taskman (one worker at a time for operations on the collection):

- The function runs on a pool thread and gets ``progress(step, fraction)`` and a
  :class:`CancelToken`; it must not touch a widget. It returns a result or raises.
- :class:`TaskManager` lives on the GUI thread. Worker signals are queued to it and it
  calls the task's callbacks there, so callbacks may update widgets.
- Only one task runs at a time: the workspace's SQLite connection is shared, and every
  service call touches it (role check, access log), so calls are serialised.
- A :class:`WorkbenchError` becomes its readable message; anything else becomes a
  generic message (the traceback goes to the log, never to the screen). A cancel is
  reported apart from a failure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from rlwb.ui.errors import describe_error
from rlwb.ui.i18n import tr
from rlwb.workbench.services.types import Cancelled, CancelToken, ProgressCallback

T = TypeVar("T")

#: What runs on the worker: it reports progress, checks the token, returns a ``T``.
TaskFunction = Callable[[ProgressCallback, CancelToken], T]


class ProgressView(Protocol):
    """What :meth:`Task.with_progress` drives (``ui.widgets.ProgressPanel``)."""

    def start(self, cancellable: bool = True) -> None: ...
    def update_progress(self, step: str, fraction: float) -> None: ...
    def finish(self) -> None: ...


class MessageView(Protocol):
    """What :meth:`Task.with_messages` writes to (``ui.widgets.MessageBar``)."""

    def clear_message(self) -> None: ...
    def show_error(self, text: str) -> None: ...
    def show_info(self, text: str) -> None: ...


class WorkerSignals(QObject):
    """Signals of one worker; created on the GUI thread so receivers there get them queued."""

    progress = Signal(str, float)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()


class Worker(QRunnable):
    def __init__(self, fn: Callable[[ProgressCallback, CancelToken], object]) -> None:
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


class Task(Generic[T]):
    """One background operation returning ``T``; every callback runs on the GUI thread.

    Build it with :meth:`success`, :meth:`failure`, :meth:`cancelled`,
    :meth:`with_progress` and :meth:`with_messages` (each returns the task), then call
    :meth:`run_in_background`. A failure goes to the failure callback, else to the
    message view; a cancel goes to the cancel callback, else to the message view as
    ``cancelled`` text, else to the failure path as "cancelled".
    """

    def __init__(self, manager: TaskManager, fn: TaskFunction[T]) -> None:
        self.manager = manager
        self.fn = fn
        self._on_success: Callable[[T], None] | None = None
        self._on_failure: Callable[[str], None] | None = None
        self._on_cancelled: Callable[[], None] | None = None
        self._progress: ProgressView | None = None
        self._cancellable = True
        self._messages: MessageView | None = None
        self._cancelled_text: str | None = None
        self.worker: Worker | None = None

    # -- building ------------------------------------------------------------------------------
    def success(self, callback: Callable[[T], None]) -> Task[T]:
        self._on_success = callback
        return self

    def failure(self, callback: Callable[[str], None]) -> Task[T]:
        """``callback(message)`` with the readable sentence of what went wrong."""
        self._on_failure = callback
        return self

    def cancelled(self, callback: Callable[[], None]) -> Task[T]:
        self._on_cancelled = callback
        return self

    def with_progress(self, view: ProgressView, *, cancellable: bool = True) -> Task[T]:
        """Start ``view`` when the task starts, feed it progress, finish it at any end;
        ``cancellable=False`` hides its Cancel button (work that cannot stop half-way)."""
        self._progress = view
        self._cancellable = cancellable
        return self

    def with_messages(self, view: MessageView, cancelled: str | None = None) -> Task[T]:
        """Clear ``view`` at the start; show a failure (and ``cancelled``) there."""
        self._messages = view
        self._cancelled_text = cancelled
        return self

    def run_in_background(self) -> bool:
        """Start the task; False (and the failure reported) while another task runs."""
        return self.manager.run(self)

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.token.cancel()

    # -- called by the TaskManager on the GUI thread ---------------------------------------------
    def _started(self) -> None:
        if self._messages is not None:
            self._messages.clear_message()
        if self._progress is not None:
            self._progress.start(self._cancellable)

    def _report_progress(self, step: str, fraction: float) -> None:
        if self._progress is not None:
            self._progress.update_progress(step, fraction)

    def _finish_progress(self) -> None:
        if self._progress is not None:
            self._progress.finish()

    def _succeeded(self, result: T) -> None:
        self._finish_progress()
        if self._on_success is not None:
            self._on_success(result)

    def _failed(self, message: str) -> None:
        self._finish_progress()
        if self._on_failure is not None:
            self._on_failure(message)
        elif self._messages is not None:
            self._messages.show_error(message)

    def _was_cancelled(self) -> None:
        if self._on_cancelled is not None:
            self._finish_progress()
            self._on_cancelled()
        elif self._messages is not None and self._cancelled_text is not None:
            self._finish_progress()
            self._messages.show_info(self._cancelled_text)
        else:
            self._failed(tr("task.cancelled"))


class TaskManager(QObject):
    """Runs one task at a time on the global thread pool."""

    busy_changed = Signal(bool)
    #: Emitted after every task, whatever its outcome (the status bar refreshes on it).
    task_ended = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._current: Task[object] | None = None

    @property
    def busy(self) -> bool:
        return self._current is not None

    @property
    def current(self) -> Task[object] | None:
        return self._current

    def task(self, fn: TaskFunction[T]) -> Task[T]:
        """A new task of ``fn`` run by this manager (build it, then ``run_in_background``)."""
        return Task(self, fn)

    def run(self, task: Task[T]) -> bool:
        """Start ``task``; False (and nothing started) while another task runs."""
        if self._current is not None:
            task._failed(tr("task.busy"))
            return False
        worker = Worker(task.fn)
        task.worker = worker
        worker.signals.progress.connect(self._on_progress)
        worker.signals.finished.connect(self._on_finished)
        worker.signals.failed.connect(self._on_failed)
        worker.signals.cancelled.connect(self._on_cancelled)
        self._current = task  # type: ignore[assignment]  # T is only known to its callbacks
        task._started()
        self.busy_changed.emit(True)
        QThreadPool.globalInstance().start(worker)
        return True

    def cancel(self) -> None:
        if self._current is not None:
            self._current.cancel()

    def _end(self) -> Task[object]:
        task = self._current
        assert task is not None
        self._current = None
        self.busy_changed.emit(False)
        return task

    @Slot(str, float)
    def _on_progress(self, step: str, fraction: float) -> None:
        if self._current is not None:
            self._current._report_progress(step, fraction)

    @Slot(object)
    def _on_finished(self, result: object) -> None:
        task = self._end()
        try:
            task._succeeded(result)
        finally:
            self.task_ended.emit()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        task = self._end()
        try:
            task._failed(message)
        finally:
            self.task_ended.emit()

    @Slot()
    def _on_cancelled(self) -> None:
        task = self._end()
        try:
            task._was_cancelled()
        finally:
            self.task_ended.emit()


def wait_for_workers(msecs: int = 30_000) -> bool:
    """Block until the pool is idle (at exit, so no worker outlives the workspace)."""
    return bool(QThreadPool.globalInstance().waitForDone(msecs))
