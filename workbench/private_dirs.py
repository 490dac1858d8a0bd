"""Refuse folders that other users could write: the workspace, the state folder, the folder
of the checkpoint file (as ssh refuses a key file others can read).

Whoever can write such a folder can swap the database, a frame or a checkpoint for their
own. The message says how to fix it. POSIX only: Windows folders are guarded by ACLs.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from rlwb.workbench.errors import WorkspaceError


def unsafe_dir_problem(path: Path, what: str) -> str | None:
    """Why ``path`` is not private enough to hold ``what``, with the fix; None when fine
    (or when the folder does not exist yet, or on Windows)."""
    if os.name != "posix":  # pragma: no cover - POSIX CI
        return None
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    if not stat.S_ISDIR(info.st_mode):
        return None
    if info.st_uid not in (os.getuid(), 0):
        return (
            f"The {what} {path} belongs to another user (uid {info.st_uid}), who could change "
            "or replace its files. Use a folder of your own (copy it, or have an "
            f"administrator run `chown -R {_me()} {path}`), then try again."
        )
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return (
            f"The {what} {path} can be written by other users (mode "
            f"{stat.S_IMODE(info.st_mode):04o}), who could change or replace its files. "
            f"Fix it with `chmod 700 {path}`, then try again."
        )
    return None


def check_private_dir(path: Path, what: str) -> None:
    """Raise WorkspaceError when :func:`unsafe_dir_problem` finds a problem."""
    problem = unsafe_dir_problem(path, what)
    if problem is not None:
        raise WorkspaceError(problem)


def check_workspace_dirs(path: Path) -> None:
    """The workspace folder and every folder directly inside it (datasets/, runs/, ...)."""
    check_private_dir(path, "workspace folder")
    try:
        children = [c for c in path.iterdir() if c.is_dir()]
    except OSError:
        return  # the open that follows reports an unreadable workspace in its own words
    for child in children:
        check_private_dir(child, "workspace folder")


def _me() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):  # pragma: no cover - no passwd entry
        return str(os.getuid())
