"""One definition per concept: the CLI's choices are the enums' values, engine errors become
InvalidInput once at the service boundary, and the CLI and the GUI agree on what is expected."""

from __future__ import annotations

import argparse
import errno
import sqlite3

import pytest

from rlwb.crypto.errors import KeystoreUnavailable
from rlwb.linkage.errors import ProfileError, RulesFileError
from rlwb.linkage.progress import Cancelled
from rlwb.workbench.cli import build_parser
from rlwb.workbench.errors import InvalidInput, WorkbenchError, is_expected
from rlwb.workbench.services.boundary import engine_errors
from rlwb.workbench.services.findings import FindingStatus
from rlwb.workbench.services.review import ReviewDecision


def _choices(argv: list[str], dest: str) -> list[str]:
    """The choices argparse offers for ``dest`` in the subcommand named by ``argv``."""
    parser = build_parser()
    for name in argv:
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = sub.choices[name]
    action = next(a for a in parser._actions if a.dest == dest)
    return list(action.choices or [])


def test_cli_choices_come_from_the_enums() -> None:
    assert _choices(["review", "decide"], "decision") == ["match", "non_match", "unsure"]
    assert _choices(["review", "decide"], "decision") == [str(d) for d in ReviewDecision]
    assert _choices(["findings", "set"], "status") == [str(s) for s in FindingStatus]
    assert _choices(["import"], "kind") == ["tax", "si"]
    assert _choices(["profiles", "save"], "kind") == ["tax", "si"]
    assert _choices(["users", "add"], "role") == ["clerk", "auditor", "admin"]


def test_engine_errors_leave_the_boundary_as_invalid_input() -> None:
    with pytest.raises(InvalidInput, match=r"^the profile is damaged$"), engine_errors():
        raise ProfileError("the profile is damaged")

    @engine_errors()
    def service() -> None:
        raise RulesFileError("rules.toml: 'severity' must be one of high, review, info")

    with pytest.raises(InvalidInput, match="severity"):
        service()
    with pytest.raises(KeyError), engine_errors():  # anything else passes unchanged
        raise KeyError("x")


@pytest.mark.parametrize(
    "exc",
    [
        WorkbenchError("x"),
        Cancelled(),
        RulesFileError("x"),
        KeystoreUnavailable("x"),
        sqlite3.OperationalError("database or disk is full"),
        OSError(errno.ENOSPC, "No space left on device"),
    ],
)
def test_expected_errors_are_one_list(exc: BaseException) -> None:
    assert is_expected(exc)


def test_a_bug_is_not_expected() -> None:
    assert not is_expected(KeyError("x")) and not is_expected(RuntimeError("x"))


def test_the_support_log_masks_with_the_one_screen() -> None:
    # A number after another digit group: the old regex of the support log left it whole;
    # the access log's screen (workbench.number_screen) finds it, and now both use that.
    from rlwb.workbench.number_screen import holds_number
    from rlwb.workbench.support_log import MASKED_MY_NUMBER, mask_my_numbers

    text = "year 2024 1234 5678 9018 paid"
    assert holds_number(text)
    assert mask_my_numbers(text) == f"year 2024 {MASKED_MY_NUMBER} paid"
