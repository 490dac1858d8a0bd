"""The support log: a rotating file that keeps tracebacks and never a 個人番号."""

from __future__ import annotations

import io
import logging
import stat
from datetime import datetime
from pathlib import Path

import pytest

from rlwb.workbench import support_log
from rlwb.workbench.cli import EXIT_UNEXPECTED, Context, main
from rlwb.workbench.support_log import MASKED_MY_NUMBER, mask_my_numbers
from rlwb.workbench.version import APP_VERSION
from tests.memory_keyring import MemoryKeyring
from tests.workbench.conftest import TEST_SCRYPT_N

VALID = "123456789018"  # the spec's example: passes the check digit
FAILS_CHECK = "983205673210"


@pytest.fixture
def log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "logs"
    monkeypatch.setenv("WORKBENCH_LOG_DIR", str(directory))
    support_log.install()
    return directory


def _log_text(directory: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return (directory / support_log.LOG_FILE_NAME).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "text",
    [
        f"row 7 had {VALID}",
        "row 7 had 1234-5678-9018",
        "row 7 had １２３４５６７８９０１８",  # full-width digits
        "row 7 had 1234 5678 9018",
    ],
)
def test_mask_replaces_numbers_that_pass_the_check(text: str) -> None:
    masked = mask_my_numbers(text)
    assert masked == f"row 7 had {MASKED_MY_NUMBER}"


def test_mask_leaves_other_numbers_alone() -> None:
    text = f"id {FAILS_CHECK}, 13 digits 1234567890183, token v1:{'a' * 8}"
    assert mask_my_numbers(text) == text


def test_filter_masks_message_arguments_and_traceback(log_dir: Path) -> None:
    logger = logging.getLogger("workbench.test_support_log")
    logger.warning("import of record %s failed for %s", "R-17", VALID)
    try:
        raise ValueError(f"bad value {VALID}")
    except ValueError:
        logger.exception("while parsing")
    text = _log_text(log_dir)
    assert VALID not in text
    assert "import of record R-17 failed for [個人番号]" in text
    assert "ValueError: bad value [個人番号]" in text
    assert "Traceback (most recent call last)" in text


def test_log_file_is_owner_only_and_rotates(log_dir: Path) -> None:
    path = log_dir / support_log.LOG_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(log_dir.stat().st_mode) == 0o700
    handler = next(
        h for h in logging.getLogger().handlers if isinstance(h, support_log.RotatingFileHandler)
    )
    assert handler.maxBytes == support_log.MAX_BYTES
    assert handler.backupCount == support_log.BACKUP_COUNT


def test_install_twice_keeps_one_handler(log_dir: Path) -> None:
    support_log.install()
    support_log.install()
    ours = [
        h for h in logging.getLogger().handlers if isinstance(h, support_log.RotatingFileHandler)
    ]
    assert len(ours) == 1


def _exploding_clock() -> datetime:
    raise RuntimeError(f"clock broke while holding {VALID}")


def test_cli_unexpected_error_goes_to_the_log_with_its_traceback(
    log_dir: Path, tmp_path: Path
) -> None:
    out, err = io.StringIO(), io.StringIO()
    ctx = Context(
        environ={
            "WORKBENCH_STATE_DIR": str(tmp_path / "state"),
            "WORKBENCH_NEW_PASSWORD": "admin-password-1",
        },
        out=out,
        err=err,
        keyring_backend=MemoryKeyring(),
        clock=_exploding_clock,
        scrypt_n=TEST_SCRYPT_N,
    )
    code = main(["init", str(tmp_path / "ws"), "--admin", "root"], ctx)
    assert code == EXIT_UNEXPECTED
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 1
    assert "unexpected error (RuntimeError)" in lines[0]
    assert str(log_dir / support_log.LOG_FILE_NAME) in lines[0]
    assert VALID not in err.getvalue()
    text = _log_text(log_dir)
    assert "unexpected RuntimeError in workbench init" in text
    assert "Traceback (most recent call last)" in text
    assert "_exploding_clock" in text
    assert "RuntimeError: clock broke while holding [個人番号]" in text
    assert VALID not in text


def test_version_names_the_version_and_the_log(
    log_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"], Context())
    assert exit_info.value.code == 0
    printed = capsys.readouterr().out
    assert f"workbench {APP_VERSION}" in printed
    assert f"support log: {log_dir / support_log.LOG_FILE_NAME}" in printed
