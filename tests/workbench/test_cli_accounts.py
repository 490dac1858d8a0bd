"""The CLI obeys the account rules of the service layer: a temporary password allows only
`users change-password`; the locked-out last administrator's way back; the clerk-role warning."""

from __future__ import annotations

import io
from pathlib import Path

from rlwb.workbench.cli import Context, main
from tests.workbench import test_cli as base
from tests.workbench.conftest import TEST_SCRYPT_N
from tests.workbench.test_cli import ADMIN, Cli

cli = base.cli  # the fixture: a workspace with root-admin, clerk1 and audit1

CLERK = {"WORKBENCH_USER": "clerk1", "WORKBENCH_PASSWORD": "user-password-1"}


def _with_prompt(cli: Cli, answers: list[str], *argv: str, **env: str) -> tuple[int, str, str]:
    """Run a command whose secrets are typed at the prompt, in the order asked."""
    out, err = io.StringIO(), io.StringIO()
    asked: list[str] = []

    def prompt(question: str) -> str:
        asked.append(question)
        return answers.pop(0)

    ctx = Context(
        environ={"WORKBENCH_STATE_DIR": str(cli.state), **env},
        out=out,
        err=err,
        keyring_backend=cli.ring,
        prompt=prompt,
        scrypt_n=TEST_SCRYPT_N,
    )
    code = main(list(argv), ctx)
    assert not answers, f"not asked: {answers} (asked: {asked})"
    return code, out.getvalue(), err.getvalue()


def test_temporary_password_refuses_other_commands_until_changed(cli: Cli) -> None:
    code, _, err = cli(
        "users",
        "reset-password",
        str(cli.ws),
        "clerk1",
        WORKBENCH_NEW_PASSWORD="temporary-pass-1",
        **ADMIN,
    )
    assert code == 0, err
    temporary = {"WORKBENCH_USER": "clerk1", "WORKBENCH_PASSWORD": "temporary-pass-1"}
    for argv in (("profiles", "list"), ("reconcile",), ("users", "list")):
        code, out, err = cli(argv[0], *argv[1:], str(cli.ws), **temporary)
        assert code == 2, (argv, out)
        assert "temporary" in err and "users change-password" in err, err
    # Asked at the prompt: the current password once, the new one twice (must agree).
    code, _, err = _with_prompt(
        cli,
        ["temporary-pass-1", "clerk-own-pass-1", "clerk-own-pass-2"],
        "users",
        "change-password",
        str(cli.ws),
        WORKBENCH_USER="clerk1",
    )
    assert code == 2 and "differ" in err
    code, out, err = _with_prompt(
        cli,
        ["temporary-pass-1", "clerk-own-pass-1", "clerk-own-pass-1"],
        "users",
        "change-password",
        str(cli.ws),
        WORKBENCH_USER="clerk1",
    )
    assert code == 0, err
    assert "Password of clerk1 changed" in out
    code, out, err = cli(
        "profiles",
        "list",
        str(cli.ws),
        WORKBENCH_USER="clerk1",
        WORKBENCH_PASSWORD="clerk-own-pass-1",
    )
    assert code == 0, err
    code, out, err = cli(
        "audit",
        "export",
        str(cli.ws),
        "--out",
        str(cli.ws.parent / "log.csv"),
        "--as",
        "audit1",
        WORKBENCH_PASSWORD="user-password-1",
    )
    assert code == 0, err
    log = (cli.ws.parent / "log.csv").read_text(encoding="utf-8")
    assert "must_change_password" in log  # each refusal is in the access log


def test_locked_out_last_administrator_is_unlocked_with_the_key_backup(
    cli: Cli, tmp_path: Path
) -> None:
    backup = tmp_path / "keys.backup"
    code, _, err = cli(
        "keys",
        "backup",
        str(cli.ws),
        "--out",
        str(backup),
        WORKBENCH_BACKUP_PASSPHRASE="a long backup passphrase",
        **ADMIN,
    )
    assert code == 0, err
    wrong = {**ADMIN, "WORKBENCH_PASSWORD": "not-the-admin-password"}
    for _ in range(5):
        assert cli("users", "list", str(cli.ws), **wrong)[0] == 2
    code, _, err = cli("users", "list", str(cli.ws), **ADMIN)
    assert code == 2 and "locked until" in err
    # Without the backup's passphrase nothing happens; with it, the lock is lifted.
    code, _, err = cli(
        "users",
        "unlock",
        str(cli.ws),
        "root-admin",
        "--key-backup",
        str(backup),
        WORKBENCH_BACKUP_PASSPHRASE="the wrong passphrase",
    )
    assert code == 2 and "passphrase" in err
    assert cli("users", "list", str(cli.ws), **ADMIN)[0] == 2
    code, out, err = cli(
        "users",
        "unlock",
        str(cli.ws),
        "root-admin",
        "--key-backup",
        str(backup),
        WORKBENCH_BACKUP_PASSPHRASE="a long backup passphrase",
    )
    assert code == 0, err
    assert "Unlocked root-admin" in out
    code, out, err = cli("users", "list", str(cli.ws), **ADMIN)
    assert code == 0 and "root-admin\tadmin\tactive" in out


def test_admin_giving_themself_the_clerk_role_is_warned(cli: Cli) -> None:
    code, out, err = cli("users", "roles", str(cli.ws), "clerk1", "--role", "clerk", **ADMIN)
    assert code == 0, err
    assert "Warning" not in out
    code, out, err = cli(
        "users", "roles", str(cli.ws), "root-admin", "--role", "admin", "--role", "clerk", **ADMIN
    )
    assert code == 0, err
    assert "Roles of root-admin: admin, clerk." in out
    assert "Warning: You gave yourself the clerk role" in out
