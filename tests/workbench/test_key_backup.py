from __future__ import annotations

from pathlib import Path

import pytest

from rlwb.crypto.keystore import KeyringMasterKeyStore
from rlwb.workbench.datasets import list_datasets, read_dataset
from rlwb.workbench.errors import AccessDenied, AuthenticationError, InvalidInput, WorkspaceError
from rlwb.workbench.keyaccess import KeyAccess
from rlwb.workbench.services import keys as key_service
from rlwb.workbench.workspace import Workspace
from tests.memory_keyring import MemoryKeyring
from tests.workbench.conftest import (
    ADMIN_PASSWORD,
    TEST_SCRYPT_N,
    Team,
    store_tokenised,
    valid_numbers,
)

PASSPHRASE = "correct horse battery staple"


def _fresh_machine(tmp_path: Path) -> KeyAccess:
    ring = MemoryKeyring()
    return KeyAccess(KeyringMasterKeyStore(backend=ring), ring, tmp_path / "state2")


def test_backup_then_restore_into_an_empty_keyring(
    workspace: Workspace, team: Team, tmp_path: Path
) -> None:
    info = store_tokenised(workspace, "tax", valid_numbers(5))
    backup = tmp_path / "keys.backup"
    key_service.backup_keys(team.admin, backup, PASSPHRASE, scrypt_n=TEST_SCRYPT_N)
    assert backup.stat().st_mode & 0o077 == 0

    other = _fresh_machine(tmp_path)
    with pytest.raises(WorkspaceError, match="restore a key backup"):
        Workspace.open(workspace.path, access=other, scrypt_n=TEST_SCRYPT_N)

    key_service.restore_keys(
        workspace.path,
        backup,
        PASSPHRASE,
        access=other,
        user="admin",
        password=ADMIN_PASSWORD,
        scrypt_n=TEST_SCRYPT_N,
    ).conn.close()
    reopened = Workspace.open(workspace.path, access=other, scrypt_n=TEST_SCRYPT_N)
    assert read_dataset(reopened, list_datasets(reopened.conn)[0]).height == info.rows


def test_restore_with_wrong_passphrase_or_damaged_file_changes_nothing(
    workspace: Workspace, team: Team, tmp_path: Path
) -> None:
    backup = tmp_path / "keys.backup"
    key_service.backup_keys(team.admin, backup, PASSPHRASE, scrypt_n=TEST_SCRYPT_N)
    other = _fresh_machine(tmp_path)
    with pytest.raises(InvalidInput, match="passphrase"):
        key_service.restore_keys(
            workspace.path,
            backup,
            "wrong passphrase!!",
            access=other,
            user="admin",
            password=ADMIN_PASSWORD,
        )
    damaged = tmp_path / "damaged.backup"
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0x01
    damaged.write_bytes(bytes(data))
    with pytest.raises(InvalidInput, match="damaged"):
        key_service.restore_keys(
            workspace.path, damaged, PASSPHRASE, access=other, user="admin", password=ADMIN_PASSWORD
        )
    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(backup.read_bytes()[:40])
    with pytest.raises(InvalidInput, match="damaged"):
        key_service.restore_keys(
            workspace.path,
            truncated,
            PASSPHRASE,
            access=other,
            user="admin",
            password=ADMIN_PASSWORD,
        )
    assert other.store.load(workspace.id) is None


def test_restore_needs_an_administrator_of_the_workspace(
    workspace: Workspace, team: Team, tmp_path: Path
) -> None:
    backup = tmp_path / "keys.backup"
    key_service.backup_keys(team.admin, backup, PASSPHRASE, scrypt_n=TEST_SCRYPT_N)
    other = _fresh_machine(tmp_path)
    with pytest.raises(AuthenticationError):
        key_service.restore_keys(
            workspace.path,
            backup,
            PASSPHRASE,
            access=other,
            user="admin",
            password="not-the-password",
        )
    with pytest.raises(AccessDenied):
        key_service.restore_keys(
            workspace.path,
            backup,
            PASSPHRASE,
            access=other,
            user="clerk1",
            password="user-password-1",
            scrypt_n=TEST_SCRYPT_N,
        )
    assert other.store.load(workspace.id) is None


def test_backup_needs_admin_and_a_long_passphrase(team: Team, tmp_path: Path) -> None:
    with pytest.raises(AccessDenied):
        key_service.backup_keys(team.clerk, tmp_path / "x.backup", PASSPHRASE)
    with pytest.raises(InvalidInput, match="12 characters"):
        key_service.backup_keys(team.admin, tmp_path / "x.backup", "short")
    assert not (tmp_path / "x.backup").exists()


def test_opening_with_the_wrong_master_key_says_so(workspace: Workspace, access: KeyAccess) -> None:
    access.store.save(workspace.id, bytes(32))
    with pytest.raises(WorkspaceError, match="do not open workspace"):
        Workspace.open(workspace.path, access=access, scrypt_n=TEST_SCRYPT_N)
