from __future__ import annotations

import io
import os
import stat
import struct
from pathlib import Path

import pytest

from rlwb.crypto._files import write_private_atomic_with
from rlwb.crypto.encryption import (
    DEFAULT_CHUNK_SIZE,
    HEADER_SIZE,
    decrypt_bytes,
    decrypt_file,
    decrypt_stream,
    encrypt_bytes,
    encrypt_file,
    encrypt_stream,
    read_encrypted_file,
    write_encrypted_file,
)
from rlwb.crypto.errors import DecryptionFailed

KEY = bytes(range(32))
AAD = b"workbench-frame\x00ws-1\x00dataset-a"
CHUNK = 64
TAG = 16


def encrypt(data: bytes, chunk_size: int = CHUNK, key: bytes = KEY, aad: bytes = AAD) -> bytes:
    out = io.BytesIO()
    encrypt_stream(io.BytesIO(data), out, key, aad, chunk_size=chunk_size)
    return out.getvalue()


def decrypt(blob: bytes, key: bytes = KEY, aad: bytes = AAD) -> bytes:
    out = io.BytesIO()
    decrypt_stream(io.BytesIO(blob), out, key, aad)
    return out.getvalue()


def chunks(blob: bytes, chunk_size: int = CHUNK) -> tuple[bytes, list[bytes]]:
    sealed = chunk_size + TAG
    body = blob[HEADER_SIZE:]
    return blob[:HEADER_SIZE], [body[i : i + sealed] for i in range(0, len(body), sealed)]


@pytest.mark.parametrize(
    ("size", "expected_chunks"),
    [
        (0, 1),
        (1, 1),
        (CHUNK - 1, 1),
        (CHUNK, 1),
        (CHUNK + 1, 2),
        (3 * CHUNK, 3),
        (3 * CHUNK + 5, 4),
    ],
)
def test_round_trip_and_layout(size: int, expected_chunks: int) -> None:
    data = os.urandom(size)
    blob = encrypt(data)
    assert decrypt(blob) == data
    assert len(blob) == HEADER_SIZE + size + expected_chunks * TAG
    assert len(chunks(blob)[1]) == expected_chunks


@pytest.mark.parametrize("size", [0, DEFAULT_CHUNK_SIZE, 2 * DEFAULT_CHUNK_SIZE + 12345])
def test_round_trip_with_the_default_chunk_size(size: int) -> None:
    data = os.urandom(size)
    blob = encrypt_bytes(data, KEY, AAD)
    assert decrypt_bytes(blob, KEY, AAD) == data


def test_same_plaintext_encrypts_differently() -> None:
    assert encrypt(b"same") != encrypt(b"same")


class Trickle(io.RawIOBase):
    """A raw stream that returns at most 3 bytes per read, like a pipe might."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._data.read(min(size, 3) if size >= 0 else 3)


def test_short_reads_are_handled() -> None:
    data = os.urandom(5 * CHUNK + 7)
    out = io.BytesIO()
    encrypt_stream(Trickle(data), out, KEY, AAD, chunk_size=CHUNK)  # type: ignore[arg-type]
    plain = io.BytesIO()
    decrypt_stream(Trickle(out.getvalue()), plain, KEY, AAD)  # type: ignore[arg-type]
    assert plain.getvalue() == data


def test_wrong_key_or_aad_fails() -> None:
    blob = encrypt(b"x" * 200)
    with pytest.raises(DecryptionFailed):
        decrypt(blob, key=bytes(32))
    with pytest.raises(DecryptionFailed):
        decrypt(blob, aad=b"workbench-frame\x00ws-1\x00dataset-b")
    with pytest.raises(DecryptionFailed):
        decrypt(blob, aad=b"")


@pytest.mark.parametrize("size", [0, CHUNK, 3 * CHUNK + 5])
def test_every_single_bit_flip_is_detected(size: int) -> None:
    blob = encrypt(os.urandom(size))
    for index in range(len(blob)):
        damaged = bytearray(blob)
        damaged[index] ^= 0x04
        with pytest.raises(DecryptionFailed):
            decrypt(bytes(damaged))


@pytest.mark.parametrize("size", [0, CHUNK, 3 * CHUNK, 3 * CHUNK + 5])
def test_every_truncation_is_detected(size: int) -> None:
    blob = encrypt(os.urandom(size))
    for length in range(len(blob)):
        with pytest.raises(DecryptionFailed):
            decrypt(blob[:length])


def test_dropping_the_final_chunk_at_a_chunk_boundary_is_detected() -> None:
    header, parts = chunks(encrypt(os.urandom(3 * CHUNK)))
    assert len(parts) == 3
    with pytest.raises(DecryptionFailed):
        decrypt(header + parts[0] + parts[1])


def test_reordered_dropped_or_repeated_chunks_are_detected() -> None:
    header, parts = chunks(encrypt(os.urandom(4 * CHUNK)))
    a, b, c, d = parts
    for body in (
        b + a + c + d,
        a + c + b + d,
        a + c + d,
        b + c + d,
        a + b + c + d + d,
        a + a + b + c + d,
    ):
        with pytest.raises(DecryptionFailed):
            decrypt(header + body)
    assert decrypt(header + a + b + c + d)  # the untouched stream still opens


def test_chunks_from_another_file_are_detected() -> None:
    data = os.urandom(3 * CHUNK)
    header_a, parts_a = chunks(encrypt(data))
    header_b, parts_b = chunks(encrypt(data))  # same key, same aad, same plaintext
    with pytest.raises(DecryptionFailed):
        decrypt(header_a + parts_a[0] + parts_b[1] + parts_a[2])
    with pytest.raises(DecryptionFailed):
        decrypt(header_b + b"".join(parts_a))  # header of another file


def test_trailing_data_is_detected() -> None:
    blob = encrypt(b"short")
    for extra in (b"\x00", os.urandom(TAG), os.urandom(CHUNK + TAG)):
        with pytest.raises(DecryptionFailed):
            decrypt(blob + extra)


def test_header_edits_are_detected() -> None:
    blob = encrypt(os.urandom(2 * CHUNK))
    other_chunk_size = struct.pack(">I", CHUNK * 2)
    with pytest.raises(DecryptionFailed):
        decrypt(blob[:8] + other_chunk_size + blob[12:])
    huge = struct.pack(">I", 0xFFFFFFFF)
    with pytest.raises(DecryptionFailed):  # refused before allocating anything
        decrypt(blob[:8] + huge + blob[12:])
    with pytest.raises(DecryptionFailed):
        decrypt(b"NOTMAGIC" + blob[8:])
    with pytest.raises(DecryptionFailed):
        decrypt(b"")


def test_bad_parameters() -> None:
    with pytest.raises(ValueError):
        encrypt(b"x", key=b"short")
    with pytest.raises(ValueError):
        encrypt(b"x", chunk_size=0)
    with pytest.raises(ValueError):
        decrypt(encrypt(b"x"), key=b"\x00" * 16)  # AES-128 keys are not accepted


def test_encrypted_file_round_trip_private_and_atomic(tmp_path: Path) -> None:
    path = tmp_path / "frame.enc"
    data = os.urandom(3000)
    write_encrypted_file(path, data, KEY, AAD)
    assert read_encrypted_file(path, KEY, AAD) == data
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    write_encrypted_file(path, b"replaced", KEY, AAD)
    assert read_encrypted_file(path, KEY, AAD) == b"replaced"
    assert [p.name for p in tmp_path.iterdir()] == ["frame.enc"]


def test_tampered_file_does_not_read(tmp_path: Path) -> None:
    path = tmp_path / "frame.enc"
    write_encrypted_file(path, b"payload" * 100, KEY, AAD)
    data = bytearray(path.read_bytes())
    data[HEADER_SIZE + 3] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(DecryptionFailed):
        read_encrypted_file(path, KEY, AAD)


def test_file_to_file_and_no_plaintext_left_on_failure(tmp_path: Path) -> None:
    source = tmp_path / "plain.bin"
    data = os.urandom(5 * CHUNK + 3)
    source.write_bytes(data)
    encrypted = tmp_path / "cipher.bin"
    encrypt_file(source, encrypted, KEY, AAD, chunk_size=CHUNK)
    restored = tmp_path / "restored.bin"
    decrypt_file(encrypted, restored, KEY, AAD)
    assert restored.read_bytes() == data

    encrypted.write_bytes(encrypted.read_bytes()[:-1])  # damage the last chunk
    restored.unlink()
    with pytest.raises(DecryptionFailed):
        decrypt_file(encrypted, restored, KEY, AAD)
    assert not restored.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cipher.bin", "plain.bin"]


def test_atomic_write_failure_keeps_the_old_file_and_cleans_up(tmp_path: Path) -> None:
    path = tmp_path / "target"
    path.write_bytes(b"old")

    def half_then_fail(out: io.BufferedWriter) -> None:
        out.write(b"new but incomplete")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_private_atomic_with(path, half_then_fail)  # type: ignore[arg-type]
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["target"]
