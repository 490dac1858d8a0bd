from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest

from rlwb.workbench.cli import Context, main
from tests.memory_keyring import MemoryKeyring
from tests.workbench.conftest import TEST_SCRYPT_N, valid_numbers, workspace_bytes

ADMIN = {"WORKBENCH_USER": "root-admin", "WORKBENCH_PASSWORD": "admin-password-1"}


class Cli:
    def __init__(self, tmp_path: Path) -> None:
        self.ring = MemoryKeyring()
        self.ws = tmp_path / "ws"
        self.state = tmp_path / "state"

    def __call__(self, *argv: str, **env: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        environ = {"WORKBENCH_STATE_DIR": str(self.state), **env}
        ctx = Context(
            environ=environ,
            out=out,
            err=err,
            keyring_backend=self.ring,
            prompt=_no_prompt,
            scrypt_n=TEST_SCRYPT_N,
        )
        code = main(list(argv), ctx)
        return code, out.getvalue(), err.getvalue()


def _no_prompt(question: str) -> str:
    raise AssertionError(f"unexpected prompt: {question}")


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return team_cli(tmp_path)


def team_cli(tmp_path: Path) -> Cli:
    """A workspace made with the CLI: root-admin, clerk1 and audit1 (own passwords set)."""
    run = Cli(tmp_path)
    code, out, err = run(
        "init", str(run.ws), "--admin", "root-admin", WORKBENCH_NEW_PASSWORD="admin-password-1"
    )
    assert code == 0, err
    assert "Created workspace" in out
    for name, role in (("clerk1", "clerk"), ("audit1", "auditor")):
        code, out, err = run(
            "users",
            "add",
            str(run.ws),
            name,
            "--role",
            role,
            WORKBENCH_NEW_PASSWORD="first-password-0",
            **ADMIN,
        )
        assert code == 0, err
        # The first password is temporary: each user sets their own before anything else.
        code, out, err = run(
            "users",
            "change-password",
            str(run.ws),
            WORKBENCH_USER=name,
            WORKBENCH_PASSWORD="first-password-0",
            WORKBENCH_NEW_PASSWORD="user-password-1",
        )
        assert code == 0, err
    return run


def test_users_list_and_lifecycle(cli: Cli) -> None:
    code, out, _ = cli("users", "list", str(cli.ws), **ADMIN)
    assert code == 0
    assert out.splitlines() == [
        "audit1\tauditor\tactive",
        "clerk1\tclerk\tactive",
        "root-admin\tadmin\tactive",
    ]
    assert cli("users", "disable", str(cli.ws), "clerk1", **ADMIN)[0] == 0
    code, out, _ = cli("users", "list", str(cli.ws), **ADMIN)
    assert "clerk1\tclerk\tdisabled" in out
    assert cli("users", "enable", str(cli.ws), "clerk1", **ADMIN)[0] == 0
    assert "clerk1\tclerk\tactive" in cli("users", "list", str(cli.ws), **ADMIN)[1]
    assert cli("users", "unlock", str(cli.ws), "audit1", **ADMIN)[0] == 0
    code, _, _ = cli(
        "users",
        "reset-password",
        str(cli.ws),
        "audit1",
        WORKBENCH_NEW_PASSWORD="fresh-password-9",
        **ADMIN,
    )
    assert code == 0
    code, _, err = cli(
        "users",
        "change-password",
        str(cli.ws),
        WORKBENCH_USER="audit1",
        WORKBENCH_PASSWORD="fresh-password-9",
        WORKBENCH_NEW_PASSWORD="audit1-own-password",
    )
    assert code == 0, err
    code, _, err = cli(
        "audit",
        "verify",
        str(cli.ws),
        WORKBENCH_USER="audit1",
        WORKBENCH_PASSWORD="audit1-own-password",
    )
    assert code == 0, err


def test_expected_errors_are_one_line_without_traceback(cli: Cli, tmp_path: Path) -> None:
    cases = [
        (
            "users",
            "list",
            str(cli.ws),
            {"WORKBENCH_USER": "root-admin", "WORKBENCH_PASSWORD": "nope-nope-nope"},
        ),
        (
            "users",
            "add",
            str(cli.ws),
            "x",
            "--role",
            "clerk",
            {
                "WORKBENCH_USER": "clerk1",
                "WORKBENCH_PASSWORD": "user-password-1",
                "WORKBENCH_NEW_PASSWORD": "user-password-2",
            },
        ),
        ("keys", "list", str(tmp_path / "missing"), ADMIN),
        ("users", "list", str(cli.ws), {"WORKBENCH_PASSWORD": "admin-password-1"}),
        ("users", "disable", str(cli.ws), ADMIN),
    ]
    for *argv, env in cases:
        code, out, err = cli(*argv, **env)
        assert code == 2, (argv, out, err)
        assert err.count("\n") == 1 and err.startswith("workbench: "), err
        assert "Traceback" not in err


def test_keys_rotate_backup_restore(cli: Cli, tmp_path: Path) -> None:
    code, out, _ = cli("keys", "list", str(cli.ws), **ADMIN)
    assert code == 0 and out.startswith("v1\tprimary")
    code, out, err = cli("keys", "rotate", str(cli.ws), "--reason", "annual", **ADMIN)
    assert code == 0, err
    assert "key version 2 is primary" in out
    backup = tmp_path / "keys.backup"
    code, out, err = cli(
        "keys",
        "backup",
        str(cli.ws),
        "--out",
        str(backup),
        WORKBENCH_BACKUP_PASSPHRASE="a long backup passphrase",
        **ADMIN,
    )
    assert code == 0, err
    cli.ring = MemoryKeyring()  # another machine
    code, _, err = cli("keys", "list", str(cli.ws), **ADMIN)
    assert code == 2 and "restore a key backup" in err
    code, _, err = cli(
        "keys",
        "restore",
        str(cli.ws),
        str(backup),
        WORKBENCH_BACKUP_PASSPHRASE="the wrong passphrase",
        **ADMIN,
    )
    assert code == 2 and "passphrase" in err
    code, out, err = cli(
        "keys",
        "restore",
        str(cli.ws),
        str(backup),
        WORKBENCH_BACKUP_PASSPHRASE="a long backup passphrase",
        **ADMIN,
    )
    assert code == 0, err
    code, out, _ = cli("keys", "list", str(cli.ws), **ADMIN)
    assert code == 0 and "v2\tprimary" in out


def test_audit_export_history_and_verify(cli: Cli, tmp_path: Path) -> None:
    auditor = {"WORKBENCH_USER": "audit1", "WORKBENCH_PASSWORD": "user-password-1"}
    number = valid_numbers(1)[0]
    code, out, err = cli("audit", "history", str(cli.ws), "--number", number, **auditor)
    assert code == 0, err
    assert "0 events concern this person" in out
    code, out, err = cli("audit", "history", str(cli.ws), "--number", "123", **auditor)
    assert code == 2 and number not in err
    # the clerk is denied the log, and that denial is itself in the export
    code, _, err = cli(
        "audit",
        "verify",
        str(cli.ws),
        WORKBENCH_USER="clerk1",
        WORKBENCH_PASSWORD="user-password-1",
    )
    assert code == 2 and "does not allow" in err
    export = tmp_path / "log.csv"
    code, out, err = cli("audit", "export", str(cli.ws), "--out", str(export), **auditor)
    assert code == 0, err
    rows = list(csv.DictReader(export.open(encoding="utf-8")))
    assert {"ok", "denied"} <= {r["outcome"] for r in rows}
    assert any(r["event_type"] == "access.denied" and r["actor_user"] == "clerk1" for r in rows)
    code, out, _ = cli("audit", "check-export", str(export))
    assert code == 1 and "checked against nothing trusted" in out  # no anchor given
    code, out, err = cli("audit", "check-export", str(export), "--workspace", str(cli.ws))
    assert code == 0 and "is intact" in out, out + err
    code, out, err = cli(
        "audit",
        "export",
        str(cli.ws),
        "--out",
        str(tmp_path / "c.csv"),
        "--user",
        "clerk1",
        "--from",
        "2000-01-01",
        **auditor,
    )
    assert code == 0, err
    assert {
        r["actor_user"] for r in csv.DictReader((tmp_path / "c.csv").open(encoding="utf-8"))
    } == {"clerk1"}
    code, out, _ = cli("audit", "verify", str(cli.ws), **auditor)
    assert code == 0 and out.startswith("Intact up to sequence")
    assert number.encode() not in workspace_bytes(cli.ws)
    assert all(number not in v for v in cli.ring.entries.values())


def test_verify_exits_1_on_a_tampered_log(cli: Cli) -> None:
    conn = sqlite3.connect(cli.ws / "workbench.sqlite3")
    triggers = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")]
    for name in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("UPDATE audit_events SET body = json_set(body, '$.actor_user', 'x') WHERE seq = 3")
    conn.commit()
    conn.close()
    code, out, _ = cli(
        "audit",
        "verify",
        str(cli.ws),
        WORKBENCH_USER="audit1",
        WORKBENCH_PASSWORD="user-password-1",
    )
    assert code == 1
    assert "sequence 3" in out


CLERK = {"WORKBENCH_USER": "clerk1", "WORKBENCH_PASSWORD": "user-password-1"}


def test_clerk_commands_import_reconcile_review_findings_export(cli: Cli, tmp_path: Path) -> None:
    from rlwb.fixtures.samples import sample_paths

    paths = sample_paths()
    code, out, err = cli("import", str(cli.ws), "--kind", "tax", str(paths["tax_cp932"]), **CLERK)
    assert code == 0, err
    assert "encoding cp932" in out and "Quarantined rows" in out
    code, out, err = cli("import", str(cli.ws), "--kind", "si", str(paths["si_utf8bom"]), **CLERK)
    assert code == 0, err
    code, out, err = cli("reconcile", str(cli.ws), **CLERK)
    assert code == 0, err
    assert out.startswith("Run run-") and "\ttoken\t" not in out and "  token\t" in out

    code, out, _ = cli("review", "list", str(cli.ws), "latest", **CLERK)
    assert code == 0
    header, first = out.splitlines()[0], out.splitlines()[1]
    assert header.startswith("tax_record_id\tsi_record_id")
    tax_id, si_id = first.split("\t")[:2]
    code, out, err = cli(
        "review",
        "decide",
        str(cli.ws),
        "latest",
        tax_id,
        si_id,
        "match",
        "--note",
        "same person",
        **CLERK,
    )
    assert code == 0 and "= match" in out, err
    code, out, _ = cli("review", "undo", str(cli.ws), "latest", **CLERK)
    assert code == 0 and "withdrawn" in out

    code, out, _ = cli("findings", "list", str(cli.ws), "latest", **CLERK)
    assert code == 0
    code_, _severity, _status, tax, si = out.splitlines()[0].split("\t")[:5]
    code, out, err = cli(
        "findings",
        "set",
        str(cli.ws),
        "latest",
        code_,
        tax,
        si,
        "confirmed",
        "--note",
        "checked",
        **CLERK,
    )
    assert code == 0 and "is now confirmed" in out, err

    for what, suffix in (("links", "csv"), ("findings", "xlsx"), ("summary", "csv")):
        target = tmp_path / f"{what}.{suffix}"
        code, out, err = cli(
            "export", str(cli.ws), "latest", "--what", what, "--out", str(target), **CLERK
        )
        assert code == 0 and target.exists(), err
    rows = list(csv.DictReader((tmp_path / "links.csv").open(encoding="utf-8-sig")))
    assert set(rows[0]) == {
        "tax_record_id",
        "si_record_id",
        "outcome",
        "match_weight",
        "match_probability",
    }

    # The auditor cannot run clerk commands; a bad file stores nothing; errors are one line.
    code, _, err = cli(
        "reconcile", str(cli.ws), WORKBENCH_USER="audit1", WORKBENCH_PASSWORD="user-password-1"
    )
    assert code == 2 and "does not allow" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("整理番号,氏名\nA1,山田\n", encoding="utf-8")
    code, _, err = cli("import", str(cli.ws), "--kind", "tax", str(bad), **CLERK)
    assert code == 2 and err.count("\n") == 1 and "bad.csv" in err
    assert len(list((cli.ws / "datasets").iterdir())) == 2
