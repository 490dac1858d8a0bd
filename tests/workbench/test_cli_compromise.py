"""`workbench keys compromise`: typed confirmation, backup first, what to import again."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from rlwb.fixtures.samples import sample_paths
from rlwb.workbench.cli import Context, main
from tests.workbench.test_cli import ADMIN, Cli, team_cli

CLERK = {"WORKBENCH_USER": "clerk1", "WORKBENCH_PASSWORD": "user-password-1"}
AUDITOR = {"WORKBENCH_USER": "audit1", "WORKBENCH_PASSWORD": "user-password-1"}
PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """A workspace (folder ``ws``) with an administrator, a clerk and an auditor."""
    return team_cli(tmp_path)


def _import_both(cli: Cli) -> None:
    paths = sample_paths()
    for kind, name in (("tax", "tax_cp932"), ("si", "si_utf8bom")):
        code, _, err = cli("import", str(cli.ws), "--kind", kind, str(paths[name]), **CLERK)
        assert code == 0, err


def _typed(cli: Cli, answer: str, *argv: str) -> tuple[int, str, str, list[str]]:
    """Run with a terminal that types ``answer`` at the confirmation."""
    asked: list[str] = []

    def ask(question: str) -> str:
        asked.append(question)
        return answer

    out, err = io.StringIO(), io.StringIO()
    ctx = Context(
        environ={"WORKBENCH_STATE_DIR": str(cli.state), **ADMIN},
        out=out,
        err=err,
        keyring_backend=cli.ring,
        prompt=lambda q: PASSPHRASE,
        ask=ask,
        scrypt_n=2**4,
    )
    code = main(list(argv), ctx)
    return code, out.getvalue(), err.getvalue(), asked


def test_typed_confirmation_declined_changes_nothing(cli: Cli, tmp_path: Path) -> None:
    _import_both(cli)
    keyset = (cli.ws / "keyset.bin").read_bytes()
    out_file = tmp_path / "k.rlwkey"
    code, out, err, asked = _typed(
        cli,
        "no",
        "keys",
        "compromise",
        str(cli.ws),
        "--reason",
        "leak",
        "--backup-out",
        str(out_file),
    )
    assert code == 2
    assert "2 datasets and 0 runs are retired" in out  # said before asking
    assert asked and "'ws'" in asked[0]
    assert "nothing was changed" in err
    assert (cli.ws / "keyset.bin").read_bytes() == keyset
    assert not out_file.exists()
    code, _, err = cli("reconcile", str(cli.ws), **CLERK)
    assert code == 0, err


def test_compromise_end_to_end_lists_the_files_to_import_again(cli: Cli, tmp_path: Path) -> None:
    _import_both(cli)
    out_file = tmp_path / "after.rlwkey"
    code, out, err, asked = _typed(
        cli,
        "ws",
        "keys",
        "compromise",
        str(cli.ws),
        "--reason",
        "leak",
        "--backup-out",
        str(out_file),
    )
    assert code == 0, err
    assert len(asked) == 1
    assert "New key chain 2 started at key version 2" in out
    assert "old token keys (versions 1-1) destroyed" in out
    paths = sample_paths()
    assert f"  tax\t{paths['tax_cp932'].name}\t" in out
    assert f"  si\t{paths['si_utf8bom'].name}\t" in out
    assert "Import these source files again" in out
    assert out.count("(retired dataset ") == 2
    assert out_file.exists()
    code, _, err = cli("reconcile", str(cli.ws), **CLERK)
    assert code == 2 and "import its source file again" in err
    _import_both(cli)
    code, _, err = cli("reconcile", str(cli.ws), **CLERK)
    assert code == 0, err
    code, out, _ = cli("keys", "list", str(cli.ws), **ADMIN)
    assert "2 datasets are retired" in out
    code, out, _ = cli("audit", "verify", str(cli.ws), **AUDITOR)
    assert code == 0, out
    code, out, _ = cli("audit", "history", str(cli.ws), "--number", "123456789018", **AUDITOR)
    assert code == 0
    assert "Not searchable: events up to" in out


def test_scripts_confirm_with_the_flag_and_need_a_backup_file(cli: Cli, tmp_path: Path) -> None:
    code, _, err = cli(
        "keys", "compromise", str(cli.ws), "--reason", "leak", "--yes-destroy-old-keys", **ADMIN
    )
    assert code == 2 and "--backup-out" in err
    code, _, err = cli(
        "keys", "compromise", str(cli.ws), "--reason", "leak", "--keep-old-keys", **ADMIN
    )
    assert code == 2 and "--yes-destroy-old-keys" in err  # no terminal to type into
    out_file = tmp_path / "k.rlwkey"
    code, out, err = cli(
        "keys",
        "compromise",
        str(cli.ws),
        "--reason",
        "leak",
        "--keep-old-keys",
        "--yes-destroy-old-keys",
        **ADMIN,
    )
    assert code == 0, err
    assert "old token keys are kept" in out
    code, out, err = cli(
        "keys",
        "compromise",
        str(cli.ws),
        "--reason",
        "leak",
        "--backup-out",
        str(out_file),
        "--yes-destroy-old-keys",
        WORKBENCH_BACKUP_PASSPHRASE=PASSPHRASE,
        **ADMIN,
    )
    assert code == 0, err
    assert "this run finishes it" in out
    assert "destroyed" in out and out_file.exists()


def test_a_clerk_cannot_respond(cli: Cli) -> None:
    code, _, err = cli(
        "keys",
        "compromise",
        str(cli.ws),
        "--reason",
        "leak",
        "--keep-old-keys",
        "--yes-destroy-old-keys",
        **CLERK,
    )
    assert code == 2 and "keys.compromise" in err
