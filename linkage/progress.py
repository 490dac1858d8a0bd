"""Progress reporting and cooperative cancel for long-running core work.

The core never knows about Qt: it calls a plain callback and checks a token
between steps. ``ui/`` wraps core calls in workers and forwards both.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

#: ``progress(step, fraction)``: a short step label and a fraction in [0, 1].
ProgressCallback = Callable[[str, float], None]


class Cancelled(Exception):
    """Raised by :meth:`CancelToken.raise_if_cancelled` once cancel was requested."""

    def __init__(self) -> None:
        super().__init__("The operation was cancelled; nothing was changed.")


class CancelToken:
    """A thread-safe flag the UI sets and the core checks between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()


def no_progress(step: str, fraction: float) -> None:
    """Default callback: report nothing."""
