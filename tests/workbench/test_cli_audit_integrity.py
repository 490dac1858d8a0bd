"""`workbench audit verify` and `check-export` against someone who can write the files."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from rlwb.workbench.audit.events import canonical_json
from tests.workbench.test_cli import Cli, team_cli

AUDITOR = {"WORKBENCH_USER": "audit1", "WORKBENCH_PASSWORD": "user-password-1"}


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """A workspace made with the CLI: an administrator, a clerk and an auditor."""
    return team_cli(tmp_path)


def _db(cli: Cli) -> Path:
    return cli.ws / "workbench.sqlite3"


def _verify(cli: Cli) -> tuple[int, str, str]:
    return cli("audit", "verify", str(cli.ws), **AUDITOR)


def test_verify_of_an_untouched_log_exits_0(cli: Cli) -> None:
    code, out, err = _verify(cli)
    assert code == 0 and out.startswith("Intact up to sequence"), out + err
    assert "warning" not in out


def test_a_rewritten_filter_column_hides_a_user_and_verify_exits_1(cli: Cli) -> None:
    cli(
        "audit",
        "verify",
        str(cli.ws),
        WORKBENCH_USER="clerk1",
        WORKBENCH_PASSWORD="user-password-1",
    )
    conn = sqlite3.connect(_db(cli), isolation_level=None)
    (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'audit_events'").fetchone()
    column = "actor_user TEXT GENERATED ALWAYS AS (json_extract(body, '$.actor_user'))"
    rewritten = sql.replace(
        column,
        "actor_user TEXT GENERATED ALWAYS AS "
        "(nullif(json_extract(body, '$.actor_user'), 'clerk1'))",
    )
    assert rewritten != sql
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = 'audit_events'", (rewritten,))
    conn.execute("PRAGMA writable_schema = OFF")
    conn.close()
    conn = sqlite3.connect(_db(cli))
    hidden = conn.execute(
        "SELECT count(*) FROM audit_events NOT INDEXED WHERE actor_user = 'clerk1'"
    ).fetchone()
    conn.close()
    assert hidden == (0,)  # the clerk's denied attempt is gone from the filters
    code, out, _ = _verify(cli)
    assert code == 1
    assert "sign of tampering" in out or "signs of tampering" in out
    assert "warning: The definition of the table audit_events of the access log was changed." in out


def test_an_index_rebuilt_under_another_definition_is_found_by_the_integrity_check(
    cli: Cli,
) -> None:
    """The definition is put back after the index was rebuilt: only the index is wrong."""
    conn = sqlite3.connect(_db(cli), isolation_level=None)
    (sql,) = conn.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'audit_events_by_user'"
    ).fetchone()
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(
        "UPDATE sqlite_master SET sql = ? WHERE name = 'audit_events_by_user'",
        (sql.replace("(actor_user, seq)", "(nullif(actor_user, 'root-admin'), seq)"),),
    )
    conn.close()
    conn = sqlite3.connect(_db(cli), isolation_level=None)
    conn.execute("REINDEX audit_events_by_user")
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = 'audit_events_by_user'", (sql,))
    conn.close()
    conn = sqlite3.connect(_db(cli))
    assert conn.execute(
        "SELECT count(*) FROM audit_events WHERE actor_user = 'root-admin'"
    ).fetchone() == (0,)
    conn.close()
    code, out, _ = _verify(cli)
    assert code == 1
    assert "warning: The integrity check of audit_events failed" in out


def test_dropped_triggers_exit_1_and_every_one_is_printed(cli: Cli) -> None:
    conn = sqlite3.connect(_db(cli), isolation_level=None)
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name LIKE 'audit%'"
    ).fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    conn.close()
    code, out, _ = _verify(cli)
    assert code == 1
    assert out.count("warning: The trigger ") == 9
    assert "warning: The trigger audit_events_no_delete of the access log is missing." in out


def test_a_mismatch_with_the_external_checkpoint_exits_1_not_2(cli: Cli) -> None:
    """The tail and the database checkpoints are cut and the log grows again past them."""
    conn = sqlite3.connect(_db(cli), isolation_level=None)
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name LIKE 'audit%'"
    ).fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("DELETE FROM audit_events WHERE seq > 3")
    conn.execute("DELETE FROM audit_event_persons WHERE seq > 3")
    conn.execute("DELETE FROM audit_checkpoints WHERE seq > 3")
    conn.close()
    code, out, err = _verify(cli)
    assert code == 1, err
    assert out.startswith("Broken at sequence")
    assert "no longer matches the checkpoint kept outside the database" in out
    assert err == ""


def _forge_into_export(export: Path) -> None:
    """Change a row, then re-sign the export with a key of one's own, as an insider would."""
    data = export.read_bytes().replace(b"clerk1", b"admin1")
    export.write_bytes(data)
    sig = export.with_name(export.name + ".sig")
    claims = json.loads(sig.read_text(encoding="utf-8"))
    mallory = Ed25519PrivateKey.generate()
    from hashlib import sha256

    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    claims["sha256"] = sha256(data).hexdigest()
    claims["public_key"] = mallory.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    del claims["signature"]
    claims["signature"] = mallory.sign(canonical_json(claims)).hex()
    sig.write_text(json.dumps(claims), encoding="utf-8")


def test_a_re_signed_export_fails_against_the_workspace_and_the_kept_public_key(
    cli: Cli,
    tmp_path: Path,
) -> None:
    code, out, err = cli("audit", "public-key", str(cli.ws), "--out", str(tmp_path / "ws.pub"))
    assert code == 0 and "fingerprint" in out, err
    assert (tmp_path / "ws.pub").read_text().startswith("-----BEGIN PUBLIC KEY-----")
    cli(
        "audit",
        "verify",
        str(cli.ws),
        WORKBENCH_USER="clerk1",
        WORKBENCH_PASSWORD="user-password-1",
    )
    export = tmp_path / "log.csv"
    code, _, err = cli("audit", "export", str(cli.ws), "--out", str(export), **AUDITOR)
    assert code == 0, err
    for anchor in (["--workspace", str(cli.ws)], ["--public-key", str(tmp_path / "ws.pub")]):
        code, out, err = cli("audit", "check-export", str(export), *anchor)
        assert code == 0 and "is intact" in out, out + err
    _forge_into_export(export)
    code, out, _ = cli("audit", "check-export", str(export))
    assert code == 1 and "checked against nothing trusted" in out  # self-consistent, unanchored
    for anchor in (["--workspace", str(cli.ws)], ["--public-key", str(tmp_path / "ws.pub")]):
        code, out, err = cli("audit", "check-export", str(export), *anchor)
        assert code == 1 and "signed with another key" in out, out + err


def test_check_export_without_an_anchor_exits_non_zero(cli: Cli, tmp_path: Path) -> None:
    export = tmp_path / "log.csv"
    assert cli("audit", "export", str(cli.ws), "--out", str(export), **AUDITOR)[0] == 0
    code, out, _ = cli("audit", "check-export", str(export))
    assert code != 0
    assert "checked against nothing trusted" in out and "--public-key" in out


def test_public_key_prints_pem_and_a_bad_key_file_is_refused(cli: Cli, tmp_path: Path) -> None:
    code, out, _ = cli("audit", "public-key", str(cli.ws))
    assert code == 0 and "-----BEGIN PUBLIC KEY-----" in out and "fingerprint" in out
    junk = tmp_path / "junk.pub"
    junk.write_text("not a key")
    export = tmp_path / "log.csv"
    assert cli("audit", "export", str(cli.ws), "--out", str(export), **AUDITOR)[0] == 0
    code, _, err = cli("audit", "check-export", str(export), "--public-key", str(junk))
    assert code == 2 and "not a public key" in err
