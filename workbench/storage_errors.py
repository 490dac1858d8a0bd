"""Storage failures in words: a full disk, a read-only workspace, a refused permission.

SQLite and the OS report these as ``OperationalError("attempt to write a readonly
database")``, ``OSError(ENOSPC)`` and the like; the person at the desk needs to know which
one it is and what to do. Also: an action that was done although its access-log event,
written after it, failed, says that it was done.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from rlwb.workbench.errors import AuditError, AuditWriteFailed

DISK_FULL = (
    "The disk is full, so the workspace could not be written. Free some space (or ask the "
    "administrator to) and try again."
)
READ_ONLY = (
    "The workspace cannot be written: its disk, folder or database file is read-only. "
    "Make it writable (or copy the workspace to a writable place) and try again."
)


class DoneButNotLogged(AuditError):
    """The action took place, but the access-log event written after it failed."""


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def storage_problem(exc: BaseException) -> str | None:
    """A message for a full disk, a read-only workspace or a refused permission found in
    ``exc`` or its causes; None for anything else."""
    for cause in _causes(exc):
        if isinstance(cause, sqlite3.Error):
            text = str(cause).lower()
            if "disk is full" in text:
                return DISK_FULL
            if "readonly" in text or "read-only" in text:
                return READ_ONLY
        if isinstance(cause, OSError):
            if cause.errno in (errno.ENOSPC, errno.EDQUOT):
                return DISK_FULL
            if cause.errno == errno.EROFS:
                return READ_ONLY
            if cause.errno in (errno.EACCES, errno.EPERM):
                where = f" to {cause.filename}" if cause.filename else ""
                return (
                    f"Access{where} was refused (permission denied). Check that your account "
                    "may read and write there (or choose another place) and try again."
                )
    return None


def describe_failure(exc: BaseException) -> str:
    """One line for the command line: the storage problem in words, else the message."""
    problem = storage_problem(exc)
    if isinstance(exc, DoneButNotLogged):
        return f"{exc} {problem}" if problem else str(exc)
    if problem is not None:
        return f"{problem} (The action was not completed.)"
    if isinstance(exc, sqlite3.Error | OSError):
        return (
            f"The workspace could not be read or written ({_reason(exc)}). The action was "
            "not completed; check the disk and try again."
        )
    return str(exc)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    if isinstance(exc, sqlite3.Error):
        return str(exc)  # SQLite's texts name the problem, never a value
    return type(exc).__name__


@contextmanager
def logged_after(done: str) -> Iterator[None]:
    """Around the event of an action that is already done: a failure to log it says so
    (``done`` is e.g. "The key backup was written to X")."""
    try:
        yield
    except AuditWriteFailed as exc:
        raise DoneButNotLogged(
            f"{done}, but its access-log event could not be written. Tell the administrator "
            "(the log lacks this event)."
        ) from exc
