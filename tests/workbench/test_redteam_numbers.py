"""Red-team attempts to get a raw 個人番号 stored through places other than an import's cells."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

import polars as pl
import pytest

from rlwb.linkage.profiles import ImportProfile
from rlwb.workbench import support_log
from rlwb.workbench.db import get_setting
from rlwb.workbench.errors import InvalidInput
from rlwb.workbench.number_screen import MASK, count_numbers, holds_number, mask_text
from rlwb.workbench.services.preview import save_import_profile
from rlwb.workbench.services.settings import set_setting
from rlwb.workbench.workspace import Workspace
from tests.workbench.conftest import TEST_SCRYPT_N, Team, valid_numbers, workspace_bytes


def _spaced(number: str) -> str:
    """The number as a header cell or a typed text might hold it: full width, in groups."""
    wide = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return f"{wide[:4]}\u3000{wide[4:8]}\u3000{wide[8:]}"


def test_a_setting_holding_a_number_is_refused_and_not_stored(
    workspace: Workspace, team: Team, tmp_path: Path
) -> None:
    """Before: the path was stored in the settings table, then its change event was refused
    (the setting changed anyway, unlogged, and the message said it had not)."""
    (number,) = valid_numbers(1)
    folder = tmp_path / number
    folder.mkdir(mode=0o700)
    with pytest.raises(InvalidInput, match="checkpoint_file"):
        set_setting(team.admin, "checkpoint_file", str(folder / "checkpoints.jsonl"))
    assert get_setting(workspace.conn, "checkpoint_file") is None
    assert number.encode() not in workspace_bytes(workspace.path)


def test_an_import_profile_holding_a_number_is_refused(workspace: Workspace, team: Team) -> None:
    """Before: the CLI's `profiles save` and the service kept the profile name (also the file
    name) and the mapped headers as typed, so a header row that was a record landed in a file."""
    number, other = valid_numbers(2)
    named = ImportProfile(number, "tax", {"個人番号": "my_number"}, None)
    mapped = ImportProfile("layout-b", "tax", {_spaced(other): "my_number"}, None)
    for profile in (named, mapped):
        with pytest.raises(InvalidInput, match="profile"):
            save_import_profile(team.clerk, profile)
    profiles = workspace.path / "profiles"
    assert not profiles.exists() or not any(profiles.iterdir())
    stored = workspace_bytes(workspace.path)
    assert number.encode() not in stored and _spaced(other).encode() not in stored


@pytest.mark.parametrize(
    "template",
    [
        "{n}added",  # a missing space before a word of hex letters
        "扶養親族 dead{n}",
        "cafe{n} 確認済",
        "zwsp",  # zero-width spaces between the digits (copied from a web page)
        "{a}\u00ad{b}\u00ad{c}",  # soft hyphens
        "{a}\u2060{b}\u2060{c}",  # word joiners
    ],
)
def test_a_number_touching_hex_letters_or_split_by_invisible_characters_is_masked(
    template: str,
) -> None:
    """Before: a 12-digit run with hex letters beside it made a 'hex word' of 16 or more
    characters, which the screen treats as an opaque token; invisible format characters
    split the digits into groups nothing joined. Both were stored as typed."""
    (number,) = valid_numbers(1)
    if template == "zwsp":
        text = "\u200b".join(number)
    else:
        text = template.replace("{n}", number).format(a=number[:4], b=number[4:8], c=number[8:])
    assert holds_number(text)
    masked = mask_text(text)
    assert number not in masked and MASK in masked
    assert count_numbers(pl.Series([masked])) == 0


def test_tokens_and_hashes_stay_opaque() -> None:
    """The other side: random hex words (tokens, hashes) are not read as numbers."""
    words = pl.Series([secrets.token_hex(32) for _ in range(20_000)])
    assert count_numbers(words) == 0


def test_the_support_log_masks_numbers_the_import_screen_finds_also_in_a_repr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: the support log used a simpler rule than the import's screen, so a number in
    groups with spaced dashes, next to hex letters, or split by ideographic spaces that a
    traceback's repr() wrote as escapes (``'1234\\u30005678\\u30009018'``) was written as is."""
    directory = tmp_path / "logs"
    monkeypatch.setenv("WORKBENCH_LOG_DIR", str(directory))
    support_log.install()
    a, b, c, d = valid_numbers(4)
    logger = logging.getLogger("workbench.test_redteam_numbers")
    try:
        raise ValueError(repr(f"{a[:4]}\u3000{a[4:8]}\u3000{a[8:]}"))
    except ValueError:
        logger.exception("cell %s / %s / %s", f"{b[:4]} - {b[4:8]} - {b[8:]}", f"{c}added", d)
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = (directory / support_log.LOG_FILE_NAME).read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text
    for number in (a, b, c, d):
        assert number not in text
    assert f"{a[:4]}\\u3000{a[4:8]}" not in text
    assert f"{b[:4]} - {b[4:8]}" not in text


def test_a_key_backup_or_export_named_with_a_number_is_refused_before_anything_is_written(
    workspace: Workspace, team: Team, tmp_path: Path
) -> None:
    """Before: `keys backup --out 123456789018.key` wrote the backup, then its event was
    refused (the file name is in it): a key backup the log does not know about, made at
    will. The same name for the compromise response's backup would have destroyed the old
    keys without their event. Every file the app writes for a user is checked first now."""
    from rlwb.workbench.compromise import check_backup_target
    from rlwb.workbench.services.keys import backup_keys

    (number,) = valid_numbers(1)
    before = workspace.audit.last()
    out = tmp_path / f"{number[:4]}-{number[4:8]}-{number[8:]}.key"
    with pytest.raises(InvalidInput, match="file name"):
        backup_keys(team.admin, out, "a long backup passphrase", scrypt_n=TEST_SCRYPT_N)
    with pytest.raises(InvalidInput, match="file name"):
        check_backup_target(out, "a long backup passphrase")
    # Restoring a backup stores the keys, then logs the file name: checked first as well.
    from rlwb.workbench.services.keys import restore_keys

    with pytest.raises(InvalidInput, match="file name"):
        restore_keys(
            workspace.path,
            out,
            "a long backup passphrase",
            access=workspace.access,
            user="admin",
            password="unused-here",
        )
    folder = tmp_path / number
    folder.mkdir()
    with pytest.raises(InvalidInput, match="file name or its folder"):
        backup_keys(
            team.admin, folder / "k.key", "a long backup passphrase", scrypt_n=TEST_SCRYPT_N
        )
    assert not out.exists() and not list(tmp_path.rglob("*.key"))
    assert workspace.audit.last() == before  # refused before anything, so nothing logged


def test_a_denied_attempt_naming_a_number_is_logged_with_the_number_masked(
    workspace: Workspace, team: Team
) -> None:
    """Before: a clerk asking to disable user "1234-5678-9018" got "program error" and the
    denial was not logged at all; an auditor asking for run 123456789018 had the raw number
    stored in the access.denied event (run_id), and so in every audit export."""
    from rlwb.workbench.access import authorize
    from rlwb.workbench.errors import AccessDenied
    from rlwb.workbench.permissions import Action

    number, other = valid_numbers(2)
    spaced = f"{other[:4]}-{other[4:8]}-{other[8:]}"
    with pytest.raises(AccessDenied):
        authorize(team.clerk, Action.USERS_MANAGE, subject_user=spaced)
    denied_user = workspace.audit.last()
    with pytest.raises(AccessDenied):
        authorize(team.auditor, Action.RUN_VIEW, run_id=number)
    denied_run = workspace.audit.last()
    assert denied_user is not None and denied_run is not None
    assert str(denied_user.event_type) == str(denied_run.event_type) == "access.denied"
    assert denied_user.subject_user == MASK and denied_run.run_id == MASK
    stored = workspace_bytes(workspace.path)
    assert number.encode() not in stored and spaced.encode() not in stored
