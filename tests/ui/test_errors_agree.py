"""The GUI and the CLI treat the same errors as expected (workbench.errors.is_expected)."""

from __future__ import annotations

import errno

from rlwb.ui.errors import describe_error, is_expected
from rlwb.workbench.errors import InvalidInput, WorkbenchError
from rlwb.workbench.errors import is_expected as core_is_expected
from rlwb.workbench.storage_errors import DISK_FULL


def test_the_gui_expects_what_the_cli_expects() -> None:
    for exc in (
        InvalidInput("x"),
        WorkbenchError("x"),
        OSError(errno.ENOSPC, "No space left on device"),
        KeyError("x"),
    ):
        assert is_expected(exc) == core_is_expected(exc)


def test_a_full_disk_is_said_in_words_in_the_gui_too() -> None:
    text = describe_error(OSError(errno.ENOSPC, "No space left on device"))
    assert DISK_FULL in text and "Traceback" not in text
