"""Files the command line writes, and how it fails: never through a symlink, never over a
file without --force, quiet on a closed pipe, full disk and read-only in words."""

from __future__ import annotations

import errno
import io
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from rlwb.workbench.cli import EXIT_BROKEN_PIPE, EXIT_DONE_NOT_LOGGED, Context, main
from tests.workbench.test_cli import ADMIN, CLERK, Cli, cli  # noqa: F401 - a fixture

AUDITOR = {"WORKBENCH_USER": "audit1", "WORKBENCH_PASSWORD": "user-password-1"}


@pytest.fixture
def run_cli(cli: Cli) -> Cli:  # noqa: F811 - the fixture of test_cli.py
    """test_cli's workspace (an admin, a clerk, an auditor), both samples and one run."""
    from rlwb.fixtures.samples import sample_paths

    paths = sample_paths()
    for kind, sample in (("tax", "tax_cp932"), ("si", "si_utf8bom")):
        code, _, err = cli("import", str(cli.ws), "--kind", kind, str(paths[sample]), **CLERK)
        assert code == 0, err
    assert cli("reconcile", str(cli.ws), **CLERK)[0] == 0
    return cli


def _export(run: Cli, out: Path, *extra: str) -> tuple[int, str, str]:
    return run(
        "export", str(run.ws), "latest", "--what", "links", "--out", str(out), *extra, **CLERK
    )


def test_an_export_to_a_symlink_is_refused_and_the_link_target_untouched(
    run_cli: Cli, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    link = tmp_path / "links.csv"
    link.symlink_to(victim)
    dangling = tmp_path / "new.csv"
    dangling.symlink_to(tmp_path / "does-not-exist.csv")
    for target, extra in ((link, ()), (link, ("--force",)), (dangling, ())):
        code, _, err = _export(run_cli, target, *extra)
        assert code == 2, err
        assert "symbolic link" in err and err.count("\n") == 1
    assert victim.read_text() == "keep me"
    assert not (tmp_path / "does-not-exist.csv").exists()
    assert link.is_symlink() and dangling.is_symlink()


def test_an_existing_file_is_replaced_only_with_force(run_cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "links.csv"
    out.write_text("earlier work")
    code, _, err = _export(run_cli, out)
    assert code == 2 and "already exists" in err and "--force" in err
    assert out.read_text() == "earlier work"
    code, _, err = _export(run_cli, out, "--force")
    assert code == 0, err
    assert out.read_text(encoding="utf-8-sig").startswith("tax_record_id,")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    fresh = tmp_path / "fresh.xlsx"
    assert _export(run_cli, fresh)[0] == 0
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    assert not list(tmp_path.glob(".*.tmp"))


def test_audit_export_and_key_backup_need_force_too(run_cli: Cli, tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    (tmp_path / "log.csv.sig").write_text("an older signature")
    code, _, err = run_cli("audit", "export", str(run_cli.ws), "--out", str(log), **AUDITOR)
    assert code == 2 and "log.csv.sig already exists" in err
    assert not log.exists()
    assert (tmp_path / "log.csv.sig").read_text() == "an older signature"
    code, _, err = run_cli(
        "audit", "export", str(run_cli.ws), "--out", str(log), "--force", **AUDITOR
    )
    assert code == 0, err
    assert run_cli("audit", "check-export", str(log), "--workspace", str(run_cli.ws))[0] == 0

    report = tmp_path / "report.xlsx"
    report.write_text("x")
    code, _, err = run_cli(
        "audit", "report", str(run_cli.ws), "--from", "2020-01-01", "--to", "2030-12-31",
        "--out", str(report), **AUDITOR,
    )  # fmt: skip
    assert code == 2 and "already exists" in err and report.read_text() == "x"

    backup = tmp_path / "keys.bak"
    backup.write_text("older backup")
    env = {**ADMIN, "WORKBENCH_BACKUP_PASSPHRASE": "a long backup passphrase"}
    code, _, err = run_cli("keys", "backup", str(run_cli.ws), "--out", str(backup), **env)
    assert code == 2 and "already exists" in err and backup.read_text() == "older backup"
    code, _, err = run_cli(
        "keys", "backup", str(run_cli.ws), "--out", str(backup), "--force", **env
    )
    assert code == 0, err
    assert backup.read_bytes() != b"older backup"
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600


def _closed_pipe() -> io.TextIOWrapper:
    read_end, write_end = os.pipe()
    os.close(read_end)
    return io.TextIOWrapper(os.fdopen(write_end, "wb"), encoding="utf-8")


def test_findings_list_into_a_closed_pipe_ends_quietly(run_cli: Cli) -> None:
    out, err = _closed_pipe(), io.StringIO()
    ctx = Context(
        environ={"WORKBENCH_STATE_DIR": str(run_cli.state), **CLERK},
        out=out,
        err=err,
        keyring_backend=run_cli.ring,
        scrypt_n=run_cli_scrypt(),
    )
    code = main(["findings", "list", str(run_cli.ws), "latest"], ctx)
    assert code == EXIT_BROKEN_PIPE
    assert err.getvalue() == ""
    out.close()  # the stream was pointed at /dev/null: closing raises nothing
    # The command still logged out cleanly: the next one works.
    assert run_cli("findings", "list", str(run_cli.ws), "latest", **CLERK)[0] == 0


def run_cli_scrypt() -> int:
    from tests.workbench.conftest import TEST_SCRYPT_N

    return TEST_SCRYPT_N


def test_the_workbench_command_piped_into_head_exits_without_a_traceback(
    tmp_path: Path,
) -> None:
    """The real command in its own process, writing into real pipes."""
    store = {
        "WORKBENCH_KEYSTORE": "passphrase",
        "WORKBENCH_KEYSTORE_PASSPHRASE": "a passphrase for the test store",
    }
    fresh = Cli(tmp_path)
    init = fresh(
        "init", str(fresh.ws), "--admin", "root-admin",
        WORKBENCH_NEW_PASSWORD="admin-password-1", **store,
    )  # fmt: skip
    assert init[0] == 0, init
    env = {**os.environ, **store, **ADMIN, "WORKBENCH_STATE_DIR": str(fresh.state)}
    listing = f"{sys.executable} -m rlwb.workbench.cli users list {fresh.ws}"
    # `true` leaves before the command writes: every write meets a closed pipe.
    for reader in ("true", "head -1"):
        shell = subprocess.run(
            ["sh", "-c", f"{listing} | {reader}"], env=env, capture_output=True, text=True
        )
        assert shell.returncode == 0, shell.stderr
        assert shell.stderr == "", shell.stderr
        assert shell.stdout.count("\n") == (0 if reader == "true" else 1)


def test_a_read_only_workspace_is_said_in_words(
    run_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rlwb.workbench.db import connect

    def read_only(path: Path, *, create: bool = False) -> sqlite3.Connection:
        conn = connect(path, create=create)
        conn.execute("PRAGMA query_only = 1")  # SQLite answers as for a read-only file
        return conn

    monkeypatch.setattr("rlwb.workbench.workspace.connect", read_only)
    code, _, err = run_cli("findings", "list", str(run_cli.ws), "latest", **CLERK)
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "read-only" in err and "Make it writable" in err


def test_a_full_disk_is_said_in_words(run_cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    from rlwb.workbench.store import FrameStore

    def full(self: FrameStore, name: str, frame: object) -> Path:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(FrameStore, "write", full)
    code, _, err = run_cli("reconcile", str(run_cli.ws), **CLERK)
    assert code == 2 and "The disk is full" in err and "not completed" in err
    assert err.count("\n") == 1


def test_an_action_done_before_its_log_write_failed_says_it_was_done(
    run_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rlwb.workbench.audit.log import AuditLog

    real_checkpoint = AuditLog.checkpoint

    def full_at_logout(self: AuditLog) -> object:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(AuditLog, "checkpoint", full_at_logout)
    code, out, err = run_cli("findings", "list", str(run_cli.ws), "latest", **CLERK)
    monkeypatch.setattr(AuditLog, "checkpoint", real_checkpoint)
    assert code == EXIT_DONE_NOT_LOGGED
    assert "findings." in out
    assert "The command was done" in err and "The disk is full" in err


def test_the_import_size_limit_is_set_from_the_command_line(cli: Cli, tmp_path: Path) -> None:  # noqa: F811
    from rlwb.fixtures.samples import sample_paths

    big = tmp_path / "big.csv"
    big.write_bytes(sample_paths()["tax_cp932"].read_bytes() * 300)
    code, out, err = cli("settings", "set", str(cli.ws), "import_max_mb", "1", **ADMIN)
    assert code == 0 and "import_max_mb: (default) -> 1 (changed)" in out, err
    code, out, _ = cli("settings", "show", str(cli.ws), **ADMIN)
    assert "import_max_mb\t1" in out
    code, _, err = cli("import", str(cli.ws), "--kind", "tax", str(big), **CLERK)
    assert code == 2 and "more than the import limit of 1 MB" in err
    assert "import_max_mb" in err
    code, _, err = cli("settings", "set", str(cli.ws), "import_max_mb", "", **ADMIN)
    assert code == 0, err
    code, out, _ = cli("settings", "show", str(cli.ws), **ADMIN)
    assert "import_max_mb\t4096" in out
