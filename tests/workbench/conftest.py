"""Workspaces for core tests: in-memory keyring, fake clock, cheap password hashing."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from rlwb.crypto.identifiers import my_number_check_digit
from rlwb.crypto.keystore import KeyringMasterKeyStore
from rlwb.workbench.datasets import DatasetInfo, store_dataset
from rlwb.workbench.keyaccess import KeyAccess
from rlwb.workbench.services.session import login
from rlwb.workbench.services.users import add_user
from rlwb.workbench.session import Session
from rlwb.workbench.workspace import Workspace
from tests.memory_keyring import MemoryKeyring

ADMIN_PASSWORD = "admin-password-1"
USER_PASSWORD = "user-password-1"
TEST_SCRYPT_N = 2**4


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def keyring_backend() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def access(keyring_backend: MemoryKeyring, tmp_path: Path) -> KeyAccess:
    return KeyAccess(
        store=KeyringMasterKeyStore(backend=keyring_backend),
        keyring_backend=keyring_backend,
        state_dir=tmp_path / "state",
    )


@pytest.fixture
def workspace(tmp_path: Path, access: KeyAccess, clock: FakeClock) -> Iterator[Workspace]:
    ws = Workspace.create(
        tmp_path / "ws",
        access=access,
        admin_name="admin",
        admin_password=ADMIN_PASSWORD,
        clock=clock,
        scrypt_n=TEST_SCRYPT_N,
    )
    yield ws
    with contextlib.suppress(Exception):
        ws.conn.close()


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


def workspace_bytes(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())
