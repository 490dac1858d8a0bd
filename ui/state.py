"""What the pages of one logged-in window share: the session, the task manager, the run.

Pages call services through :meth:`AppState.call` (quick, on the GUI thread) or
:meth:`AppState.task` (long, on a worker: a typed :class:`~rlwb.ui.tasks.Task`). Both refuse while a task runs: the
workspace connection is shared, so workspace work is strictly one at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from rlwb.ui.i18n import tr
from rlwb.ui.tasks import Task, TaskFunction, TaskManager
from rlwb.workbench.services.types import Session, WorkbenchError

T = TypeVar("T")


class Busy(WorkbenchError):
    """A service call was asked for while a background task still runs."""


class AppState(QObject):
    run_changed = Signal(str)
    runs_changed = Signal()
    datasets_changed = Signal()
    #: A service was called (the status bar shows the log's new length).
    activity = Signal()
    #: The administrator changed a workspace setting the window uses (the idle lock).
    settings_changed = Signal()

    def __init__(self, session: Session, taskman: TaskManager | None = None) -> None:
        super().__init__()
        self.session = session
        self.taskman = taskman if taskman is not None else TaskManager(self)
        self.run_id: str | None = None
        self.taskman.task_ended.connect(self.activity)

    @property
    def busy(self) -> bool:
        return self.taskman.busy

    def set_run(self, run_id: str | None) -> None:
        if run_id != self.run_id:
            self.run_id = run_id
            self.run_changed.emit(run_id or "")

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """A quick service call on the GUI thread; raises what the service raises."""
        if self.taskman.busy:
            raise Busy(tr("task.busy"))
        try:
            return fn(*args, **kwargs)
        finally:
            self.activity.emit()

    def task(self, fn: TaskFunction[T]) -> Task[T]:
        """A background operation of ``fn``; build it, then call ``run_in_background``."""
        return self.taskman.task(fn)
