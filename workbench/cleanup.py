"""What a crash leaves behind, removed when the workspace is opened by nobody else.

A crash (power cut, kill) between writing a file and committing the row that refers to it
leaves a temp file (``*.tmp``) or an encrypted frame that no row names: a dataset, its
import reports, a run's links and findings, a large export's person list. Such files
hold personal data (encrypted) that nothing will ever read or delete, so they go.

Another process writing the workspace at the same moment could have such files in
flight. Every open workspace therefore holds a shared lock on ``workspace.json``, and the
clean-up runs only when the opener gets the lock exclusively: nobody else has it open.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from pathlib import Path

_log = logging.getLogger(__name__)
_FRAME = ".parquet.enc"
#: Areas whose frames are named after a database row (see datasets.py, runs.py,
#: services/imports.py, services/export.py).
FRAME_AREAS = ("datasets", "runs", "reports", "exports")


class WorkspaceLock:
    """A lock on ``workspace.json`` held for as long as a workspace is open (POSIX
    ``flock``): exclusive while the opener is alone and cleans up, shared afterwards."""

    def __init__(self, fd: int | None, exclusive: bool) -> None:
        self._fd = fd
        #: True while this opener holds the workspace alone (nobody else has it open).
        self.exclusive = exclusive

    @classmethod
    def take(cls, lock_file: Path) -> WorkspaceLock:
        """Exclusive when nobody else has the workspace open, else shared."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no lock, so no clean-up
            return cls(None, False)
        try:
            fd = os.open(lock_file, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return cls(None, False)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return cls(fd, True)
        except OSError:
            pass
        fcntl.flock(fd, fcntl.LOCK_SH)  # waits while another opener is cleaning up
        return cls(fd, False)

    def share(self) -> None:
        """Let other processes open the workspace too."""
        if self._fd is not None and self.exclusive:
            import fcntl

            fcntl.flock(self._fd, fcntl.LOCK_SH)
        self.exclusive = False

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = None


def remove_leftovers(workspace: Path, conn: sqlite3.Connection) -> int:
    """Delete temp files and unreferenced frames; return how many files went. When the
    database cannot say what is referenced, nothing but temp files is deleted."""
    try:
        keep: dict[str, set[str]] | None = _referenced(conn)
    except sqlite3.Error:
        keep = None
    removed = 0
    folders = [workspace, *(c for c in _children(workspace) if c.is_dir() and not c.is_symlink())]
    for folder in folders:
        area = folder.name if folder != workspace else ""
        for path in _children(folder):
            if path.is_symlink() or not path.is_file():
                continue
            if path.name.endswith(".tmp") or _orphan(conn, keep, area, path.name):
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed += 1
    if removed:
        _log.warning("removed %d files left by an interrupted operation", removed)
    return removed


def _orphan(
    conn: sqlite3.Connection, keep: dict[str, set[str]] | None, area: str, name: str
) -> bool:
    if keep is None or area not in FRAME_AREAS or not name.endswith(_FRAME):
        return False
    if area != "exports":
        return name not in keep[area]
    try:  # a large export's person list is evidence while an export event names it
        return not _named_by_export_event(conn, name.removesuffix(_FRAME))
    except sqlite3.Error:
        return False


def _children(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def _referenced(conn: sqlite3.Connection) -> dict[str, set[str]]:
    datasets = [(str(i), str(s)) for i, s in conn.execute("SELECT id, storage_name FROM datasets")]
    runs = [str(r) for (r,) in conn.execute("SELECT id FROM runs")]
    return {
        "datasets": {f"{storage}{_FRAME}" for _, storage in datasets},
        "runs": {f"{r}.{part}{_FRAME}" for r in runs for part in ("links", "findings")},
        "reports": {
            f"{i}.{part}{_FRAME}" for i, _ in datasets for part in ("issues", "quarantine")
        },
    }


def _named_by_export_event(conn: sqlite3.Connection, stem: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM audit_events WHERE event_type = 'export' AND instr(body, ?) > 0 LIMIT 1",
        (stem,),
    ).fetchone()
    return row is not None
