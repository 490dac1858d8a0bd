"""At-rest encryption of workspace files: streaming AES-256-GCM (the STREAM construction).

File layout::

    header = MAGIC (8) | chunk_size (4, big-endian) | salt (32) | nonce_prefix (7)
    then the chunks, each AES-256-GCM ciphertext + 16-byte tag

- Every file gets a random salt and a random 7-byte nonce prefix. The chunk key is
  HKDF-SHA256(key, salt), so files never share a GCM key, and nonce reuse between files is
  not a birthday problem of 7-byte prefixes (as in Tink's AES-GCM-HKDF streaming AEAD).
- Chunk i (from 0) uses nonce ``nonce_prefix | i (4 bytes, big-endian) | last``, where
  ``last`` is 1 on the final chunk and 0 on every other (Hoang, Reyhanitabar, Rogaway and
  Vizár's STREAM). An empty plaintext is one empty final chunk.
- The associated data of every chunk is ``header | aad`` (the header has a fixed size, so
  the concatenation is unambiguous).

Hence: a truncated file (no final chunk), reordered chunks (counter), a chunk taken from
another file (other key and prefix), data after the final chunk, an edited header, a
wrong key or other caller AAD all fail with DecryptionFailed.

``decrypt_stream`` writes each chunk only after it authenticated, but a failure in a later
chunk leaves the earlier ones in ``dst``: callers that write to a file must discard it on
DecryptionFailed (``read_encrypted_file`` and ``decrypt_file`` do).
"""

from __future__ import annotations

import io
import secrets
import struct
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from rlwb.crypto._files import write_private_atomic_with
from rlwb.crypto.errors import DecryptionFailed
from rlwb.crypto.params import KEY_SIZE

MAGIC = b"RLWSTRM1"
DEFAULT_CHUNK_SIZE = 1 << 20
MAX_CHUNK_SIZE = 1 << 26  # bounds the memory a (not yet authenticated) header can ask for
_SALT_SIZE = 32
_PREFIX_SIZE = 7
_TAG_SIZE = 16
_HEADER = struct.Struct(f">8sI{_SALT_SIZE}s{_PREFIX_SIZE}s")
HEADER_SIZE = _HEADER.size
_MAX_CHUNKS = 1 << 32
_HKDF_INFO = b"records-linkage-workbench/stream/v1"


def encrypt_stream(
    src: BinaryIO, dst: BinaryIO, key: bytes, aad: bytes, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> None:
    """Encrypt everything ``src`` yields into ``dst``."""
    _check_key(key)
    if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
        raise ValueError(f"chunk_size must be between 1 and {MAX_CHUNK_SIZE}")
    salt = secrets.token_bytes(_SALT_SIZE)
    prefix = secrets.token_bytes(_PREFIX_SIZE)
    header = _HEADER.pack(MAGIC, chunk_size, salt, prefix)
    cipher = AESGCM(_chunk_key(key, salt))
    chunk_aad = header + aad
    dst.write(header)
    current = _read_up_to(src, chunk_size)
    counter = 0
    while True:
        following = _read_up_to(src, chunk_size) if len(current) == chunk_size else b""
        last = not following
        if counter >= _MAX_CHUNKS:
            raise ValueError("the plaintext is too large for one encrypted stream")
        dst.write(cipher.encrypt(_nonce(prefix, counter, last), current, chunk_aad))
        if last:
            return
        current = following
        counter += 1


def decrypt_stream(src: BinaryIO, dst: BinaryIO, key: bytes, aad: bytes) -> None:
    """Decrypt a stream written by encrypt_stream into ``dst``. Any failure (wrong key,
    wrong AAD, damage, truncation, reordering, trailing data) raises DecryptionFailed."""
    _check_key(key)
    header = _read_up_to(src, HEADER_SIZE)
    if len(header) != HEADER_SIZE:
        raise DecryptionFailed()
    magic, chunk_size, salt, prefix = _HEADER.unpack(header)
    if magic != MAGIC or not 1 <= chunk_size <= MAX_CHUNK_SIZE:
        raise DecryptionFailed()
    cipher = AESGCM(_chunk_key(key, salt))
    chunk_aad = header + aad
    sealed_size = chunk_size + _TAG_SIZE
    current = _read_up_to(src, sealed_size)
    counter = 0
    while True:
        if len(current) < _TAG_SIZE or counter >= _MAX_CHUNKS:
            raise DecryptionFailed()
        if len(current) == sealed_size:
            following = _read_up_to(src, sealed_size)
            last = not following
        else:  # a short chunk can only be the final one; nothing may follow it
            following = b""
            last = True
            if src.read(1):
                raise DecryptionFailed()
        try:
            plain = cipher.decrypt(_nonce(prefix, counter, last), current, chunk_aad)
        except InvalidTag:
            raise DecryptionFailed() from None
        dst.write(plain)
        if last:
            return
        current = following
        counter += 1


def encrypt_bytes(data: bytes, key: bytes, aad: bytes) -> bytes:
    out = io.BytesIO()
    encrypt_stream(io.BytesIO(data), out, key, aad)
    return out.getvalue()


def decrypt_bytes(blob: bytes, key: bytes, aad: bytes) -> bytes:
    out = io.BytesIO()
    decrypt_stream(io.BytesIO(blob), out, key, aad)
    return out.getvalue()


def write_encrypted_file(path: Path, data: bytes, key: bytes, aad: bytes) -> None:
    """Encrypt ``data`` into ``path`` atomically (temp, fsync, rename, fsync dir), 0o600."""
    write_private_atomic_with(path, lambda out: encrypt_stream(io.BytesIO(data), out, key, aad))


def read_encrypted_file(path: Path, key: bytes, aad: bytes) -> bytes:
    """The whole plaintext of ``path``, returned only once every chunk authenticated."""
    with path.open("rb") as src:
        out = io.BytesIO()
        decrypt_stream(src, out, key, aad)
    return out.getvalue()


def encrypt_file(
    src_path: Path, dst_path: Path, key: bytes, aad: bytes, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> None:
    """Encrypt a (large) file into ``dst_path`` atomically without holding it in memory."""
    with src_path.open("rb") as src:
        write_private_atomic_with(
            dst_path, lambda out: encrypt_stream(src, out, key, aad, chunk_size)
        )


def decrypt_file(src_path: Path, dst_path: Path, key: bytes, aad: bytes) -> None:
    """Decrypt into ``dst_path`` (0o600); ``dst_path`` appears only if everything
    authenticated, so a damaged file never leaves half a plaintext behind."""
    with src_path.open("rb") as src:
        write_private_atomic_with(dst_path, lambda out: decrypt_stream(src, out, key, aad))


def _chunk_key(key: bytes, salt: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_SIZE, salt=salt, info=_HKDF_INFO).derive(key)


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + counter.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def _check_key(key: bytes) -> None:
    if not isinstance(key, bytes) or len(key) != KEY_SIZE:
        raise ValueError(f"the data key is exactly {KEY_SIZE} bytes (AES-256)")


def _read_up_to(src: BinaryIO, size: int) -> bytes:
    """Read ``size`` bytes, or fewer only at end of stream (raw streams may return less)."""
    data = src.read(size)
    if not data or len(data) == size:
        return data or b""
    parts = [data]
    remaining = size - len(data)
    while remaining:
        more = src.read(remaining)
        if not more:
            break
        parts.append(more)
        remaining -= len(more)
    return b"".join(parts)
