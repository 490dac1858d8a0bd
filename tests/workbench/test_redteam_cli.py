"""Red-team attacks through the command line, on files someone with file access changed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.workbench.test_cli import Cli, team_cli

AUDITOR = {"WORKBENCH_USER": "audit1", "WORKBENCH_PASSWORD": "user-password-1"}


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return team_cli(tmp_path)


def test_no_signed_export_of_a_log_whose_filter_columns_were_rewritten(
    cli: Cli, tmp_path: Path
) -> None:
    """The filter column actor_user is rewritten (PRAGMA writable_schema) to hide clerk1.
    `audit verify` says so, but before this an export filtered by user was still written
    and signed by the app: a signed file without the clerk's events that check-export
    accepts. Now the export is refused and names the change."""
    code, _, err = cli(
        "audit",
        "verify",
        str(cli.ws),
        WORKBENCH_USER="clerk1",
        WORKBENCH_PASSWORD="user-password-1",
    )
    assert code == 2, err  # a clerk may not verify: a denied event by clerk1 is in the log
    db = cli.ws / "workbench.sqlite3"
    conn = sqlite3.connect(db, isolation_level=None)
    (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'audit_events'").fetchone()
    column = "actor_user TEXT GENERATED ALWAYS AS (json_extract(body, '$.actor_user'))"
    rewritten = sql.replace(
        column,
        "actor_user TEXT GENERATED ALWAYS AS (nullif(json_extract(body, '$.actor_user'), 'clerk1'))",
    )
    assert rewritten != sql
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = 'audit_events'", (rewritten,))
    conn.execute("PRAGMA writable_schema = OFF")
    conn.close()

    out = tmp_path / "clerk1.csv"
    code, _, err = cli(
        "audit", "export", str(cli.ws), "--out", str(out), "--user", "clerk1", **AUDITOR
    )
    assert code == 2, err
    assert "audit_events" in err and "verify" in err
    assert not out.exists() and not Path(f"{out}.sig").exists()


def test_an_export_filter_or_file_name_holding_a_number_is_refused_in_words(
    cli: Cli, tmp_path: Path
) -> None:
    """Before: the export's event refused the filter (it holds the user names) with "this
    is a program error: report it". Nothing was stored either way; now the message says
    which field to change."""
    code, _, err = cli(
        "audit",
        "export",
        str(cli.ws),
        "--out",
        str(tmp_path / "log.csv"),
        "--user",
        "1234 5678 9018",
        **AUDITOR,
    )
    assert code == 2 and "user name to filter by" in err and "program error" not in err
    code, _, err = cli(
        "audit", "export", str(cli.ws), "--out", str(tmp_path / "123456789018.csv"), **AUDITOR
    )
    assert code == 2 and "file name" in err and "program error" not in err
    assert not list(tmp_path.glob("*.csv"))


def test_an_import_profile_is_an_owner_only_file(cli: Cli) -> None:
    """Before: profiles were written with the process umask (0644 here), unlike every other
    file of the workspace (0600 in a 0700 folder)."""
    code, _, err = cli(
        "profiles",
        "save",
        str(cli.ws),
        "layout-b",
        "--kind",
        "tax",
        "--map",
        "社員コード=record_id",
        WORKBENCH_USER="clerk1",
        WORKBENCH_PASSWORD="user-password-1",
    )
    assert code == 0, err
    (path,) = (cli.ws / "profiles").iterdir()
    assert path.stat().st_mode & 0o777 == 0o600
