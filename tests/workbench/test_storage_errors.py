"""Storage failures are named in words, whichever layer reports them."""

from __future__ import annotations

import errno
import os
import sqlite3

import pytest

from rlwb.workbench.errors import AuditWriteFailed
from rlwb.workbench.storage_errors import (
    DISK_FULL,
    READ_ONLY,
    DoneButNotLogged,
    describe_failure,
    logged_after,
    storage_problem,
)


def _os(code: int, filename: str | None = None) -> OSError:
    return OSError(code, os.strerror(code), filename)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (sqlite3.OperationalError("database or disk is full"), DISK_FULL),
        (sqlite3.OperationalError("attempt to write a readonly database"), READ_ONLY),
        (_os(errno.ENOSPC), DISK_FULL),
        (_os(errno.EROFS), READ_ONLY),
        (_os(errno.EACCES, "/ws/keyset.bin"), "Access to /ws/keyset.bin was refused"),
    ],
)
def test_the_problem_is_found_in_the_error_or_its_cause(
    error: BaseException, expected: str
) -> None:
    assert expected in (storage_problem(error) or "")
    try:
        try:
            raise error
        except (sqlite3.Error, OSError) as inner:
            raise AuditWriteFailed("The access log could not be written") from inner
    except AuditWriteFailed as wrapped:
        assert expected in describe_failure(wrapped)
        assert "not completed" in describe_failure(wrapped)


def test_other_errors_keep_their_message() -> None:
    assert storage_problem(ValueError("x")) is None
    assert describe_failure(AuditWriteFailed("as it was")) == "as it was"
    assert "database is locked" in describe_failure(sqlite3.OperationalError("database is locked"))


def test_a_log_failure_after_the_action_says_the_action_was_done() -> None:
    with pytest.raises(DoneButNotLogged) as caught, logged_after("The key backup was written"):
        raise AuditWriteFailed("disk") from _os(errno.ENOSPC)
    message = describe_failure(caught.value)
    assert message.startswith("The key backup was written, but")
    assert DISK_FULL in message and "not completed" not in message
