"""Atomic, owner-only file writes shared by the modules that store secrets."""

from __future__ import annotations

import contextlib
import errno
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
    temp = _synced_temp(path, write)
    try:
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)


def _synced_temp(path: Path, write: Callable[[BinaryIO], object]) -> Path:
    """A temp file beside ``path`` (mkstemp: O_EXCL, never a link), filled by ``write``,
    synced and owner-only; removed again if anything fails."""
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, PRIVATE_FILE_MODE)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def write_private_new(
    path: Path, write: Callable[[BinaryIO], object], *, replace: bool = False
) -> None:
    """Create ``path`` (owner-only) from what ``write`` writes; never through a symlink,
    never over an existing file unless ``replace`` is True.

    The content goes to a temp file in the same directory (``mkstemp``: O_EXCL, so never a
    link), is synced, then published. A new file is published with ``os.link``, which fails
    atomically when anything (a dangling symlink included) already has the name; without
    hard links the name is reserved with ``O_CREAT | O_EXCL | O_NOFOLLOW`` first. A
    replacement swaps the directory entry with ``os.replace``, which never writes through
    a link. Raises FileExistsError, or OSError with errno ELOOP when ``path`` is a symlink.
    """
    _refuse_symlink(path)
    if not replace and os.path.lexists(path):
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path))
    temp = _synced_temp(path, write)
    try:
        if replace:
            _refuse_symlink(path)
            os.replace(temp, path)
        else:
            _publish_new(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)


def _refuse_symlink(path: Path) -> None:
    if path.is_symlink():
        raise OSError(errno.ELOOP, "is a symbolic link", str(path))


_NO_HARD_LINKS = {errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOSYS, errno.EOPNOTSUPP}


def _publish_new(temp: Path, path: Path) -> None:
    try:
        os.link(temp, path, follow_symlinks=False)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS:
            raise
        # A file system without hard links: reserve the name, then swap the content in.
        nofollow = getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | nofollow, PRIVATE_FILE_MODE)
        os.close(fd)
        os.replace(temp, path)
        return
    temp.unlink()


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
