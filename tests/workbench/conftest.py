"""Helpers of the core tests: a team of logged-in users, stored datasets, valid numbers.

The workspace fixtures themselves (clock, keyring_backend, access, workspace) are in
tests/workspaces.py, loaded for every test folder by tests/conftest.py."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from rlwb.crypto.identifiers import my_number_check_digit
from rlwb.workbench.datasets import DatasetInfo, store_dataset
from rlwb.workbench.services.session import login
from rlwb.workbench.services.users import add_user
from rlwb.workbench.session import Session
from rlwb.workbench.workspace import Workspace
from tests.workspaces import ADMIN_PASSWORD, TEST_SCRYPT_N, USER_PASSWORD, FakeClock

__all__ = ["ADMIN_PASSWORD", "TEST_SCRYPT_N", "USER_PASSWORD", "FakeClock"]


@dataclass
class Team:
    admin: Session
    clerk: Session
    auditor: Session


@pytest.fixture
def team(workspace: Workspace) -> Team:
    admin = login(workspace, "admin", ADMIN_PASSWORD)
    for name, role in (("clerk1", "clerk"), ("auditor1", "auditor")):
        add_user(admin, name, USER_PASSWORD, [role])
        # As if each had replaced the first (temporary) password already.
        workspace.users.set_password(name, USER_PASSWORD, must_change=False)
    return Team(
        admin=admin,
        clerk=login(workspace, "clerk1", USER_PASSWORD),
        auditor=login(workspace, "auditor1", USER_PASSWORD),
    )


def valid_numbers(count: int, start: int = 10_000_000_000) -> list[str]:
    """Synthetic 個人番号 with a correct check digit."""
    numbers = []
    for i in range(count):
        first11 = f"{start + i * 7919:011d}"
        numbers.append(first11 + my_number_check_digit(first11))
    return numbers


def store_tokenised(
    ws: Workspace, kind: str, numbers: list[str | None], prefix: str = "R"
) -> DatasetInfo:
    """A small stored dataset as an import would leave it: tokens, never numbers."""
    tokenizer = ws.keyset.tokenizer()
    version = ws.keyset.latest_version
    frame = pl.DataFrame(
        {
            "row_number": list(range(2, len(numbers) + 2)),
            "record_id": [f"{prefix}{i:04d}" for i in range(len(numbers))],
            "token": pl.Series(tokenizer.tokenize_many(numbers, version), dtype=pl.Binary),
            "token_version": pl.Series([version] * len(numbers), dtype=pl.Int32),
            "name": ["山田 太郎"] * len(numbers),
        }
    )
    return store_dataset(
        ws,
        kind="tax" if kind == "tax" else "si",
        frame=frame,
        file_name=f"{kind}.csv",
        imported_by="clerk1",
        report={"rows": len(numbers)},
    )


def stored_run(ws: Workspace, clerk: Session, numbers: list[str | None], prefix: str = "T") -> str:
    """A run over two stored datasets (tax ``{prefix}0000``…, SI ``S0000``…, linked by
    token), for tests that need a disclosure: the app reveals only through a run
    (services.views.reveal_pair)."""
    from rlwb.workbench.services.reconcile import reconcile_datasets

    tax = store_tokenised(ws, "tax", numbers, prefix=prefix)
    si = store_tokenised(ws, "si", numbers, prefix="S")
    return reconcile_datasets(clerk, tax_dataset=tax.id, si_dataset=si.id).id


def workspace_bytes(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())
