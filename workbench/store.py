"""Encrypted storage of polars DataFrames inside the workspace.

Each frame is a Parquet file encrypted with AES-256-GCM (streaming, chunked) under the
data key of the keyset. The associated data binds a file to its workspace and its name,
so a file copied over another one, or between workspaces, does not decrypt.
"""

from __future__ import annotations

import io
import os
import secrets
from pathlib import Path

import polars as pl

from rlwb.crypto.encryption import decrypt_stream, encrypt_stream
from rlwb.crypto.errors import DecryptionFailed
from rlwb.workbench.errors import WorkspaceError


class FrameStore:
    def __init__(self, directory: Path, *, workspace_id: str, data_key: bytes) -> None:
        self._dir = directory
        self._workspace_id = workspace_id
        self._key = data_key

    def path(self, name: str) -> Path:
        return self._dir / f"{name}.parquet.enc"

    def _aad(self, name: str) -> bytes:
        return f"workbench-frame\x00{self._workspace_id}\x00{name}".encode()

    def write(self, name: str, frame: pl.DataFrame) -> Path:
        """Write atomically: a temp file beside the target, fsync, rename, fsync the dir."""
        self._dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        buffer = io.BytesIO()
        frame.write_parquet(buffer, compression="zstd")
        buffer.seek(0)
        target = self.path(name)
        temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        fd = os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                encrypt_stream(buffer, out, self._key, self._aad(name))
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        _fsync_dir(self._dir)
        return target

    def read(self, name: str) -> pl.DataFrame:
        target = self.path(name)
        if not target.exists():
            raise WorkspaceError(f"The stored file {target.name} is missing from the workspace.")
        plain = io.BytesIO()
        try:
            with target.open("rb") as src:
                decrypt_stream(src, plain, self._key, self._aad(name))
        except DecryptionFailed:
            raise WorkspaceError(
                f"The stored file {target.name} cannot be decrypted: it was damaged or does "
                "not belong to this workspace. Restore it from a backup."
            ) from None
        plain.seek(0)
        return pl.read_parquet(plain)

    def delete(self, name: str) -> None:
        self.path(name).unlink(missing_ok=True)

    def exists(self, name: str) -> bool:
        return self.path(name).exists()


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
