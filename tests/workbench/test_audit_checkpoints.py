"""Signed checkpoints and the two places outside the database that keep them."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from keyring.errors import KeyringError

from rlwb.workbench.audit.checkpoints import (
    KEYRING_SERVICE,
    Checkpoint,
    FileCheckpointSink,
    KeyringCheckpointSink,
    checkpoint_message,
    checkpoint_signature_ok,
    sign_checkpoint,
)
from rlwb.workbench.audit.errors import CheckpointError
from tests.memory_keyring import MemoryKeyring

KEY = Ed25519PrivateKey.generate()


def cp(seq: int, workspace_id: str = "ws-a", key: Ed25519PrivateKey = KEY) -> Checkpoint:
    return sign_checkpoint(
        key,
        workspace_id=workspace_id,
        seq=seq,
        hash_hex=f"{seq:064x}",
        time="2026-04-01T00:00:00.000000+00:00",
    )


def test_signature_covers_workspace_seq_and_hash() -> None:
    good = cp(5)
    assert checkpoint_signature_ok(good, KEY.public_key(), "ws-a")
    assert checkpoint_message("ws-a", 5, good.hash) == (
        b'{"hash":"'
        + good.hash.encode()
        + b'","kind":"records-linkage-workbench/audit-checkpoint/v1",'
        b'"seq":5,"workspace_id":"ws-a"}'
    )
    for forged in (
        Checkpoint(good.workspace_id, 6, good.hash, good.signature_hex, good.time),
        Checkpoint(good.workspace_id, 5, "00" * 32, good.signature_hex, good.time),
        Checkpoint("ws-b", 5, good.hash, good.signature_hex, good.time),
        Checkpoint(good.workspace_id, 5, good.hash, "zz", good.time),
    ):
        assert not checkpoint_signature_ok(forged, KEY.public_key(), forged.workspace_id)
    assert not checkpoint_signature_ok(good, KEY.public_key(), "ws-b")
    assert not checkpoint_signature_ok(good, Ed25519PrivateKey.generate().public_key(), "ws-a")


def test_json_round_trip_and_rejects() -> None:
    assert Checkpoint.from_json(cp(3).to_json()) == cp(3)
    for text in (
        "",
        "{}",
        "[1]",
        '{"workspace_id": 1, "seq": 1, "hash": "", "signature": "", "time": ""}',
        '{"workspace_id": "w", "seq": -1, "hash": "", "signature": "", "time": ""}',
    ):
        with pytest.raises(ValueError):
            Checkpoint.from_json(text)


def test_file_sink_appends_lines_owner_only(tmp_path: Path) -> None:
    sink = FileCheckpointSink(tmp_path / "cp.jsonl")
    assert sink.latest() is None
    sink.write(cp(10))
    sink.write(cp(20))
    lines = (tmp_path / "cp.jsonl").read_text().splitlines()
    assert [Checkpoint.from_json(line).seq for line in lines] == [10, 20]
    assert sink.latest() == cp(20)
    if os.name == "posix":
        assert stat.S_IMODE((tmp_path / "cp.jsonl").stat().st_mode) == 0o600


def test_file_sink_latest_is_the_highest_readable_sequence(tmp_path: Path) -> None:
    path = tmp_path / "cp.jsonl"
    sink = FileCheckpointSink(path)
    sink.write(cp(30))
    sink.write(cp(10))  # an older one appended later cannot roll the record back
    with path.open("a") as f:
        f.write('{"torn": ')  # a crash mid-line
    assert sink.latest() == cp(30)


def test_file_sink_can_ignore_other_workspaces(tmp_path: Path) -> None:
    path = tmp_path / "shared.jsonl"
    FileCheckpointSink(path).write(cp(50, "ws-b"))
    FileCheckpointSink(path).write(cp(7, "ws-a"))
    assert FileCheckpointSink(path, workspace_id="ws-a").latest() == cp(7, "ws-a")
    assert FileCheckpointSink(path).latest() == cp(50, "ws-b")


def test_file_sink_write_error_says_what_to_do(tmp_path: Path) -> None:
    sink = FileCheckpointSink(tmp_path / "missing-dir" / "cp.jsonl")
    with pytest.raises(CheckpointError, match="could not be written"):
        sink.write(cp(1))


@pytest.mark.skipif(not hasattr(os, "O_NOFOLLOW"), reason="symbolic links need O_NOFOLLOW")
@pytest.mark.parametrize("target_exists", [True, False])
def test_file_sink_refuses_a_symlink_in_the_files_place(
    tmp_path: Path, target_exists: bool
) -> None:
    """Someone swaps the checkpoint file for a link to a file they can rewrite (or to
    someone else's file): the sink neither appends through it nor reads from it."""
    elsewhere = tmp_path / "attacker.jsonl"
    if target_exists:
        elsewhere.write_text(cp(5).to_json() + "\n")
    before = elsewhere.read_bytes() if target_exists else None
    path = tmp_path / "cp.jsonl"
    path.symlink_to(elsewhere)
    sink = FileCheckpointSink(path)
    with pytest.raises(CheckpointError, match="symbolic link, so it was not written") as caught:
        sink.write(cp(10))
    assert "remove the link" in str(caught.value)
    with pytest.raises(CheckpointError, match="symbolic link, so it was not read"):
        sink.latest()
    assert (elsewhere.read_bytes() if target_exists else None) == before
    assert target_exists or not elsewhere.exists()  # no file created at the link's target
    assert path.is_symlink()


def test_keyring_sink_keeps_only_the_latest_and_never_goes_back() -> None:
    ring = MemoryKeyring()
    sink = KeyringCheckpointSink("ws-a", ring)
    assert sink.latest() is None
    sink.write(cp(10))
    sink.write(cp(20))
    sink.write(cp(15))  # a slower process: ignored
    assert sink.latest() == cp(20)
    assert list(ring.entries) == [(KEYRING_SERVICE, "ws-a")]
    assert KEYRING_SERVICE == "records-linkage-workbench-checkpoint"


def test_keyring_sink_reports_a_damaged_entry() -> None:
    ring = MemoryKeyring()
    ring.set_password(KEYRING_SERVICE, "ws-a", "not json")
    with pytest.raises(CheckpointError, match="damaged"):
        KeyringCheckpointSink("ws-a", ring).latest()


class LockedKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringError("locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringError("locked")


def test_keyring_errors_become_checkpoint_errors() -> None:
    sink = KeyringCheckpointSink("ws-a", LockedKeyring())
    with pytest.raises(CheckpointError, match="Unlock"):
        sink.latest()
    with pytest.raises(CheckpointError, match="Unlock"):
        sink.write(cp(1))


def test_file_sink_reads_only_new_lines_but_rereads_a_replaced_file(tmp_path: Path) -> None:
    path = tmp_path / "cp.jsonl"
    sink = FileCheckpointSink(path)
    sink.write(cp(3))
    assert sink.latest() == cp(3)
    line = (cp(9).to_json() + "\n").encode()
    with path.open("ab") as f:
        f.write(line[:20])  # a line still being written
    assert sink.latest() == cp(3)
    with path.open("ab") as f:
        f.write(line[20:])
    assert sink.latest() == cp(9)
    sink.write(cp(5))  # an older one appended later never rolls the record back
    assert sink.latest() == cp(9)
    replaced = tmp_path / "other.jsonl"
    replaced.write_text(cp(4).to_json() + "\n", encoding="utf-8")
    os.replace(replaced, path)  # another file now: read from its start
    assert sink.latest() == cp(4)
    path.unlink()
    assert sink.latest() is None
