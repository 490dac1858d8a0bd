"""Atomic, owner-only file writes shared by the modules that store secrets."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

PRIVATE_FILE_MODE = 0o600


def write_private_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically, readable by the owner only."""
    write_private_atomic_with(path, lambda out: out.write(data))


def write_private_atomic_with(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Let ``write`` fill a temp file in the target's directory, then swap it in.

    Temp file in the same directory (so the rename stays on one file system), created
    0o600 by mkstemp, fsync'ed, os.replace'd over the target, then the directory is
    fsync'ed so the rename itself survives a crash. Readers see the old file or the new
    one, never a mix; a failure leaves no temp file behind.
    """
    directory = path.parent
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, PRIVATE_FILE_MODE)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_directory(directory)


def fsync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable. Not possible (nor needed) on Windows."""
    if os.name == "nt":  # pragma: no cover - POSIX CI
        return
    with _open_directory(directory) as fd:
        os.fsync(fd)


@contextlib.contextmanager
def _open_directory(directory: Path) -> Iterator[int]:
    fd = os.open(directory, os.O_RDONLY)
    try:
        yield fd
    finally:
        os.close(fd)
