"""Workspaces for the tests of the core and of the desktop app: in-memory keyring, fake
clock, cheap password hashing. tests/conftest.py loads this as a plugin, so every test
folder gets the same fixtures without re-binding them."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from rlwb.crypto.keystore import KeyringMasterKeyStore
from rlwb.workbench.keyaccess import KeyAccess
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
