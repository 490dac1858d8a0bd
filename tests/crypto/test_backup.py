from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from rlwb.crypto.backup import KeyBackup, backup_from_bytes, read_backup, write_backup
from rlwb.crypto.errors import (
    BackupDamaged,
    BackupError,
    BackupWrongPassphrase,
    PassphraseRequired,
)
from rlwb.crypto.keyset import Keyset, open_keyset, seal_keyset
from tests.crypto._helpers import NOW, counting_bytes

MASTER = bytes(range(32))
PASSPHRASE = "backup passphrase 2025"
N = 2**10  # low scrypt cost: tests only


@pytest.fixture
def keyset() -> Keyset:
    return Keyset.new("ws-1", "admin", NOW, random_bytes=counting_bytes()).with_new_version(
        "admin", NOW, random_bytes=counting_bytes(40)
    )


@pytest.fixture
def backup(keyset: Keyset) -> KeyBackup:
    return KeyBackup("ws-1", MASTER, seal_keyset(keyset, MASTER))


@pytest.fixture
def backup_file(tmp_path: Path, backup: KeyBackup) -> Path:
    path = tmp_path / "keys.backup"
    write_backup(path, backup, PASSPHRASE, scrypt_n=N)
    return path


def test_round_trip_restores_a_usable_keyset(
    backup_file: Path, backup: KeyBackup, keyset: Keyset
) -> None:
    restored = read_backup(backup_file, PASSPHRASE)
    assert restored == backup
    assert open_keyset(restored.keyset_blob, restored.master_key, "ws-1") == keyset


def test_backup_file_is_private_and_holds_no_plain_key(backup_file: Path) -> None:
    if os.name == "posix":
        assert stat.S_IMODE(backup_file.stat().st_mode) == 0o600
    assert MASTER not in backup_file.read_bytes()
    assert [p.name for p in backup_file.parent.iterdir()] == [backup_file.name]


def test_repr_hides_the_keys(backup: KeyBackup) -> None:
    assert repr(backup) == "KeyBackup(workspace_id='ws-1')"


def test_wrong_passphrase_is_told_apart_from_damage(backup_file: Path) -> None:
    with pytest.raises(BackupWrongPassphrase, match="intact") as caught:
        read_backup(backup_file, "not the passphrase")
    assert not isinstance(caught.value, BackupDamaged)


def test_empty_passphrase_on_read_is_a_wrong_passphrase(backup_file: Path) -> None:
    with pytest.raises(BackupWrongPassphrase):
        read_backup(backup_file, "")


def test_passphrase_is_nfkc_normalised(tmp_path: Path, backup: KeyBackup) -> None:
    path = tmp_path / "kana.backup"
    write_backup(path, backup, "ﾊﾟｽﾌﾚｰｽﾞ 2025", scrypt_n=N)  # half-width katakana
    assert read_backup(path, "パスフレーズ　２０２５") == backup  # full-width forms


def test_every_flipped_byte_is_damage(backup_file: Path) -> None:
    blob = backup_file.read_bytes()
    for index in range(len(blob)):
        damaged = bytearray(blob)
        damaged[index] ^= 0x10
        with pytest.raises(BackupDamaged):
            backup_from_bytes(bytes(damaged), PASSPHRASE)
    damaged = bytearray(blob)
    damaged[len(blob) // 2] ^= 0x01
    backup_file.write_bytes(bytes(damaged))
    with pytest.raises(BackupDamaged):
        read_backup(backup_file, PASSPHRASE)


def test_truncated_extended_empty_and_foreign_files_are_damage(backup_file: Path) -> None:
    blob = backup_file.read_bytes()
    candidates = [blob[:length] for length in range(len(blob))]
    candidates += [blob + b"\x00", os.urandom(len(blob)), b"XXXXXXXX" + blob[8:]]
    candidates.append(b'{"format": "records-linkage-workbench/key-backup"}')
    for content in candidates:
        with pytest.raises(BackupDamaged, match="damaged"):
            backup_from_bytes(content, PASSPHRASE)
    for content in (b"", blob[:-1], os.urandom(64)):
        backup_file.write_bytes(content)
        with pytest.raises(BackupDamaged, match="damaged"):
            read_backup(backup_file, PASSPHRASE)


def test_a_keyset_that_does_not_open_is_not_backed_up(tmp_path: Path, keyset: Keyset) -> None:
    path = tmp_path / "keys.backup"
    mismatched = KeyBackup("ws-1", bytes(32), seal_keyset(keyset, MASTER))
    with pytest.raises(BackupError, match="nothing was written"):
        write_backup(path, mismatched, PASSPHRASE, scrypt_n=N)
    other_workspace = KeyBackup("ws-2", MASTER, seal_keyset(keyset, MASTER))
    with pytest.raises(BackupError):
        write_backup(path, other_workspace, PASSPHRASE, scrypt_n=N)
    assert not path.exists()


def test_empty_passphrase_is_refused(tmp_path: Path, backup: KeyBackup) -> None:
    with pytest.raises(PassphraseRequired):
        write_backup(tmp_path / "b", backup, "", scrypt_n=N)
    assert not (tmp_path / "b").exists()


def test_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_backup(tmp_path / "nothing", PASSPHRASE)


def test_bad_scrypt_cost_is_refused(tmp_path: Path, backup: KeyBackup) -> None:
    with pytest.raises(ValueError, match="power of two"):
        write_backup(tmp_path / "b", backup, PASSPHRASE, scrypt_n=1000)
