"""Key backup: the sealed keyset and the master key of a workspace in one file, protected
by a passphrase (scrypt + AES-256-GCM, see crypto/_passphrase_box.py).

Restoring it on another machine, into a fresh key store, makes the workspace usable again.
``read_backup`` either returns a backup whose keyset opens with its master key, or raises
BackupWrongPassphrase (file intact, passphrase wrong) or BackupDamaged (anything else
wrong with the content), so nothing is ever half-restored.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from pathlib import Path

from rlwb.crypto import _passphrase_box as box
from rlwb.crypto._files import write_private_new
from rlwb.crypto.errors import BackupDamaged, BackupError, BackupWrongPassphrase, CryptoError
from rlwb.crypto.keyset import open_keyset
from rlwb.crypto.params import MASTER_KEY_SIZE, SCRYPT_N

_MAGIC = b"RLWKBAK1"
_FORMAT = "records-linkage-workbench/key-backup"
_FORMAT_VERSION = 1


@dataclass(frozen=True)
class KeyBackup:
    workspace_id: str
    master_key: bytes = field(repr=False)
    keyset_blob: bytes = field(repr=False)  # the sealed keyset file, as stored


def write_backup(
    path: Path,
    backup: KeyBackup,
    passphrase: str,
    scrypt_n: int = SCRYPT_N,
    *,
    replace: bool = False,
) -> None:
    """Write the backup atomically (temp, fsync, rename, fsync dir), mode 0o600; never
    through a symlink, and over an existing file only when ``replace`` is True
    (FileExistsError otherwise). See :func:`seal_backup` for what is refused.
    """
    blob = seal_backup(backup, passphrase, scrypt_n)
    write_private_new(path, lambda out: out.write(blob), replace=replace)


def seal_backup(backup: KeyBackup, passphrase: str, scrypt_n: int = SCRYPT_N) -> bytes:
    """The bytes of a backup file. Refuses (BackupError, nothing written) a backup whose
    keyset does not open with its master key: such a file could never restore anything.
    """
    if len(backup.master_key) != MASTER_KEY_SIZE:
        raise ValueError(f"a master key is exactly {MASTER_KEY_SIZE} bytes")
    try:
        open_keyset(backup.keyset_blob, backup.master_key, backup.workspace_id)
    except CryptoError:
        raise BackupError(
            "The keyset does not open with this master key, so a backup of them could not "
            "restore the workspace; nothing was written."
        ) from None
    payload = json.dumps(
        {
            "format": _FORMAT,
            "format_version": _FORMAT_VERSION,
            "workspace_id": backup.workspace_id,
            "master_key": base64.b64encode(backup.master_key).decode("ascii"),
            "keyset_blob": base64.b64encode(backup.keyset_blob).decode("ascii"),
        },
        sort_keys=True,
    ).encode("utf-8")
    return box.seal(_MAGIC, backup.workspace_id, payload, passphrase, n=scrypt_n)


def read_backup(path: Path, passphrase: str) -> KeyBackup:
    """Read and check a backup. OSError if the file cannot be read at all (missing,
    permissions); otherwise only BackupWrongPassphrase or BackupDamaged escape."""
    return backup_from_bytes(path.read_bytes(), passphrase)


def backup_from_bytes(blob: bytes, passphrase: str) -> KeyBackup:
    """read_backup on bytes already read: BackupWrongPassphrase or BackupDamaged."""
    try:
        context, payload = box.open_sealed(_MAGIC, blob, passphrase)
    except box.BoxDamaged:
        raise BackupDamaged() from None
    except box.BoxWrongPassphrase:
        raise BackupWrongPassphrase() from None
    backup = _parse_payload(payload)
    if backup.workspace_id != context:
        raise BackupDamaged()
    try:
        open_keyset(backup.keyset_blob, backup.master_key, backup.workspace_id)
    except CryptoError:
        raise BackupDamaged() from None
    return backup


def _parse_payload(payload: bytes) -> KeyBackup:
    try:
        document = json.loads(payload.decode("utf-8"))
        if (
            not isinstance(document, dict)
            or document.get("format") != _FORMAT
            or document.get("format_version") != _FORMAT_VERSION
        ):
            raise BackupDamaged()
        workspace_id = document["workspace_id"]
        if not isinstance(workspace_id, str):
            raise BackupDamaged()
        master_key = base64.b64decode(str(document["master_key"]), validate=True)
        keyset_blob = base64.b64decode(str(document["keyset_blob"]), validate=True)
    except BackupDamaged:
        raise
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise BackupDamaged() from None
    if len(master_key) != MASTER_KEY_SIZE:
        raise BackupDamaged()
    return KeyBackup(workspace_id, master_key, keyset_blob)
