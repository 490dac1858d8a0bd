"""The one way the app writes a file the user named: exports, signatures, key backups.

Never through a symbolic link, never over an existing file unless the user asked for it
(the GUI's save dialog asks; the command line needs ``--force``), owner-only (0600), and
atomic: a temp file beside the target is synced and then moved into place.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

from rlwb.crypto._files import write_private_new
from rlwb.workbench.errors import InvalidInput
from rlwb.workbench.number_screen import holds_number


def _exists(path: Path) -> InvalidInput:
    return InvalidInput(
        f"{path} already exists; nothing was written. Choose another file name, or ask to "
        "replace it (on the command line: --force)."
    )


def _symlink(path: Path) -> InvalidInput:
    return InvalidInput(
        f"{path} is a symbolic link; the app never writes through a link. Choose a file name "
        "that is not a link."
    )


def refuse_numbered_name(path: Path) -> None:
    """File names go into the access log with the action: a name holding a 個人番号 would
    make the action's event unloggable after the file was written (an export or a key
    backup without its event). Refused before anything is done."""
    if holds_number(str(path)):
        raise InvalidInput(
            "The file name or its folder holds what looks like a 個人番号, and file names are "
            "kept in the access log: choose another name; nothing was written."
        )


def check_targets(paths: Iterable[Path], *, replace: bool) -> None:
    """Refuse before anything is done or logged: a name holding a 個人番号, a link, a folder,
    or (unless ``replace``) an existing file among ``paths``. The write itself checks
    again, atomically."""
    for path in paths:
        refuse_numbered_name(path)
        if path.is_symlink():
            raise _symlink(path)
        if path.is_dir():
            raise InvalidInput(f"{path} is a folder; choose a file name.")
        if not replace and os.path.lexists(path):
            raise _exists(path)


def write_private_file(
    path: Path, write: Callable[[BinaryIO], object], *, replace: bool = False
) -> None:
    """Write ``path`` through ``write``. InvalidInput for a link or an existing file (unless
    ``replace``); other OSErrors (no space, read-only, no permission) pass through."""
    try:
        write_private_new(path, write, replace=replace)
    except FileExistsError:
        raise _exists(path) from None
    except IsADirectoryError:
        raise InvalidInput(f"{path} is a folder; choose a file name.") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _symlink(path) from None
        raise
