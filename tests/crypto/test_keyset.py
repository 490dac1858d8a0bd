from __future__ import annotations

import json
import os
import stat
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from rlwb.crypto.errors import DecryptionFailed, KeysetInvalid
from rlwb.crypto.keyset import (
    Keyset,
    KeyState,
    KeyVersion,
    open_keyset,
    read_keyset_file,
    seal_keyset,
    write_keyset_file,
)
from rlwb.crypto.tokens import Tokenizer
from tests.crypto._helpers import LATER, NOW, counting_bytes

MASTER = b"M" * 32
OTHER_MASTER = b"N" * 32


@pytest.fixture
def keyset() -> Keyset:
    return Keyset.new("ws-1", "admin", NOW, random_bytes=counting_bytes())


def test_new_keyset_has_one_primary_version_and_separate_keys(keyset: Keyset) -> None:
    assert keyset.workspace_id == "ws-1"
    assert keyset.latest_version == 1
    assert keyset.primary == KeyVersion(1, b"\x01" * 32, NOW, "admin", KeyState.PRIMARY)
    assert keyset.data_key == b"\x02" * 32
    assert keyset.signing_key == b"\x03" * 32


def test_default_randomness_gives_distinct_keys() -> None:
    keyset = Keyset.new("ws", "admin", NOW)
    keys = {keyset.primary.key, keyset.data_key, keyset.signing_key}
    assert len(keys) == 3 and all(len(k) == 32 for k in keys)


def test_rotation_adds_a_primary_and_keeps_every_earlier_key(keyset: Keyset) -> None:
    rotated = keyset.with_new_version("admin2", LATER, random_bytes=counting_bytes(50))
    rotated_again = rotated.with_new_version("admin3", LATER, random_bytes=counting_bytes(60))
    assert [v.state for v in rotated_again.versions] == [
        KeyState.ACTIVE,
        KeyState.ACTIVE,
        KeyState.PRIMARY,
    ]
    assert rotated_again.primary.version == rotated_again.latest_version == 3
    assert rotated_again.primary.created_by == "admin3"
    assert rotated_again.versions[0].key == keyset.primary.key  # nothing deleted
    assert rotated_again.data_key == keyset.data_key
    assert rotated_again.signing_key == keyset.signing_key
    assert keyset.latest_version == 1  # immutable


def test_tokenizer_of_the_keyset(keyset: Keyset) -> None:
    rotated = keyset.with_new_version("admin", LATER, random_bytes=counting_bytes(50))
    tokenizer = rotated.tokenizer()
    assert isinstance(tokenizer, Tokenizer)
    assert tokenizer.latest_version == 2
    assert tokenizer.tokenize("123456789018", 1) == keyset.tokenizer().tokenize("123456789018")


def test_signing_key_signs_and_verify_key_checks(keyset: Keyset) -> None:
    signature = keyset.signing_private_key().sign(b"checkpoint")
    keyset.verify_key().verify(signature, b"checkpoint")  # raises if wrong


def test_repr_never_shows_keys(keyset: Keyset) -> None:
    text = repr(keyset)
    for secret in (keyset.primary.key, keyset.data_key, keyset.signing_key):
        assert repr(secret) not in text
        assert secret.hex() not in text
    assert "ws-1" in text


def test_times_must_be_aware_and_are_stored_in_utc() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Keyset.new("ws", "admin", datetime(2025, 1, 1))
    jst = timezone(timedelta(hours=9))
    keyset = Keyset.new("ws", "admin", datetime(2025, 1, 1, 9, tzinfo=jst))
    assert keyset.primary.created_at == datetime(2025, 1, 1, 0, tzinfo=UTC)
    with pytest.raises(ValueError):
        KeyVersion(1, bytes(32), datetime(2025, 1, 1, tzinfo=jst), "a", KeyState.PRIMARY)


def test_invalid_keysets_are_refused(keyset: Keyset) -> None:
    two_primaries = (keyset.primary, replace(keyset.primary, version=2))
    with pytest.raises(ValueError, match="primary"):
        replace(keyset, versions=two_primaries)
    with pytest.raises(ValueError, match=r"1\.\.n"):
        replace(keyset, versions=(replace(keyset.primary, version=2),))
    with pytest.raises(ValueError, match="data key"):
        replace(keyset, data_key=b"short")
    with pytest.raises(ValueError):
        Keyset.new("", "admin", NOW)


def test_json_round_trip(keyset: Keyset) -> None:
    rotated = keyset.with_new_version("管理者", LATER, random_bytes=counting_bytes(50))
    data = rotated.to_bytes()
    assert Keyset.from_bytes(data) == rotated
    document = json.loads(data)
    assert document["versions"][1]["state"] == "primary"
    assert document["versions"][0]["created_at"] == NOW.isoformat()


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not json",
        b"[]",
        b'{"format": "something else"}',
        b'{"format": "records-linkage-workbench/keyset", "format_version": 1}',
        b"\xff\xfe",
    ],
)
def test_from_bytes_rejects_garbage(data: bytes) -> None:
    with pytest.raises(KeysetInvalid):
        Keyset.from_bytes(data)


def test_from_bytes_names_a_newer_format(keyset: Keyset) -> None:
    document = json.loads(keyset.to_bytes())
    document["format_version"] = 3
    with pytest.raises(KeysetInvalid, match=r"newer version of the app.*update the app"):
        Keyset.from_bytes(json.dumps(document).encode())
    for unknown in ("2", True, None, 0):
        document["format_version"] = unknown
        with pytest.raises(KeysetInvalid, match="another version of the app"):
            Keyset.from_bytes(json.dumps(document).encode())


def _older_app_reads(data: bytes) -> bool:
    """What an app that knows only keyset format 1 checks before anything else."""
    return bool(json.loads(data).get("format_version") == 1)


def test_a_keyset_with_a_log_key_or_key_chains_is_format_2_which_an_older_app_refuses(
    keyset: Keyset,
) -> None:
    """An app from before keyed logs would open a format-1 keyset that holds a log-MAC key
    and then write events without it: the format version tells it to stop."""
    compromised = keyset.with_new_chain("admin", LATER)
    for current in (keyset, compromised):
        data = current.to_bytes()
        assert json.loads(data)["format_version"] == 2
        assert not _older_app_reads(data)
        assert Keyset.from_bytes(data).stored_format == 2


def test_a_format_1_keyset_still_opens_and_is_written_back_as_format_2(keyset: Keyset) -> None:
    for strip in ((), ("log_mac_key", "log_mac_from_seq")):  # with and without the log key
        document = json.loads(keyset.to_bytes())
        document["format_version"] = 1
        for name in strip:
            del document[name]
        old = Keyset.from_bytes(json.dumps(document).encode())
        assert old.stored_format == 1
        assert (old.log_mac_key is None) == bool(strip)
        if not strip:
            assert old == keyset  # the format is not part of the value
        rewritten = json.loads(old.to_bytes())
        assert rewritten["format_version"] == 2
        assert {k: v for k, v in rewritten.items() if k != "format_version"} == {
            k: v for k, v in document.items() if k != "format_version"
        }


def test_seal_and_open(keyset: Keyset) -> None:
    blob = seal_keyset(keyset, MASTER)
    assert open_keyset(blob, MASTER, "ws-1") == keyset
    assert seal_keyset(keyset, MASTER) != blob  # random nonce
    assert keyset.data_key not in blob and keyset.primary.key not in blob


def test_wrong_master_key_or_other_workspace_fails_opaquely(keyset: Keyset) -> None:
    blob = seal_keyset(keyset, MASTER)
    with pytest.raises(DecryptionFailed) as wrong_key:
        open_keyset(blob, OTHER_MASTER, "ws-1")
    with pytest.raises(DecryptionFailed) as wrong_workspace:
        open_keyset(blob, MASTER, "ws-2")
    assert str(wrong_key.value) == str(wrong_workspace.value)
    assert "wrong" in str(wrong_key.value) and "damaged" in str(wrong_key.value)


def test_any_damage_to_a_sealed_keyset_fails(keyset: Keyset) -> None:
    blob = seal_keyset(keyset, MASTER)
    for index in range(0, len(blob), 7):
        damaged = bytearray(blob)
        damaged[index] ^= 0x01
        with pytest.raises(DecryptionFailed):
            open_keyset(bytes(damaged), MASTER, "ws-1")
    for cut in (0, 5, 20, len(blob) - 1):
        with pytest.raises(DecryptionFailed):
            open_keyset(blob[:cut], MASTER, "ws-1")


def test_master_key_must_be_32_bytes(keyset: Keyset) -> None:
    with pytest.raises(ValueError):
        seal_keyset(keyset, b"short")
    with pytest.raises(ValueError):
        open_keyset(seal_keyset(keyset, MASTER), b"short", "ws-1")


def test_keyset_file_round_trip_is_private_and_atomic(keyset: Keyset, tmp_path: Path) -> None:
    path = tmp_path / "keyset.bin"
    write_keyset_file(path, keyset, MASTER)
    assert read_keyset_file(path, MASTER, "ws-1") == keyset
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    rotated = keyset.with_new_version("admin", LATER)
    write_keyset_file(path, rotated, MASTER)  # replaces the old file
    assert read_keyset_file(path, MASTER, "ws-1") == rotated
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keyset.bin"]  # no temp files left


def test_failed_write_leaves_the_old_file_and_no_temp(keyset: Keyset, tmp_path: Path) -> None:
    path = tmp_path / "keyset.bin"
    write_keyset_file(path, keyset, MASTER)
    with pytest.raises(ValueError):
        write_keyset_file(path, keyset, b"short")
    assert read_keyset_file(path, MASTER, "ws-1") == keyset
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keyset.bin"]


def test_missing_keyset_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_keyset_file(tmp_path / "keyset.bin", MASTER, "ws-1")


def test_a_new_chain_retires_the_old_versions_and_keeps_the_other_keys(keyset: Keyset) -> None:
    rotated = keyset.with_new_version("admin", NOW)
    fresh = rotated.with_new_chain("admin", NOW)
    assert [(v.version, v.chain, v.state) for v in fresh.versions] == [
        (1, 1, KeyState.RETIRED),
        (2, 1, KeyState.RETIRED),
        (3, 2, KeyState.PRIMARY),
    ]
    assert (fresh.data_key, fresh.signing_key) == (keyset.data_key, keyset.signing_key)
    assert (fresh.log_mac_key, fresh.log_mac_from_seq) == (
        keyset.log_mac_key,
        keyset.log_mac_from_seq,
    )
    assert fresh.chain_start == 3 and fresh.current_chain == 2
    later = fresh.with_new_version("admin", NOW)
    assert [v.state for v in later.versions] == [
        KeyState.RETIRED,
        KeyState.RETIRED,
        KeyState.ACTIVE,
        KeyState.PRIMARY,
    ]
    kept = later.without_retired()
    assert [v.version for v in kept.versions] == [3, 4] and kept.destroyed_through == 2
    assert Keyset.from_bytes(kept.to_bytes()) == kept
    assert Keyset.from_bytes(fresh.to_bytes()) == fresh
    with pytest.raises(ValueError, match="retired"):
        replace(
            fresh, versions=(replace(fresh.versions[0], state=KeyState.ACTIVE), *fresh.versions[1:])
        )
    with pytest.raises(ValueError, match=r"1\.\.n"):
        replace(kept, destroyed_through=0)


def test_a_new_keyset_has_a_log_mac_key_from_the_first_event(keyset: Keyset) -> None:
    assert keyset.log_mac_key == b"\x04" * 32 and keyset.log_mac_from_seq == 1
    assert Keyset.from_bytes(keyset.to_bytes()) == keyset
    rotated = keyset.with_new_version("admin", LATER)
    assert (rotated.log_mac_key, rotated.log_mac_from_seq) == (keyset.log_mac_key, 1)


def test_a_keyset_from_before_log_keys_opens_and_gets_one_once(keyset: Keyset) -> None:
    document = json.loads(keyset.to_bytes())
    del document["log_mac_key"], document["log_mac_from_seq"]
    old = Keyset.from_bytes(json.dumps(document).encode())
    assert old.log_mac_key is None
    upgraded = old.with_log_mac_key(42)
    assert upgraded.log_mac_key is not None and upgraded.log_mac_from_seq == 42
    assert upgraded.with_log_mac_key(99) == upgraded  # never replaced, never moved
    blob = seal_keyset(upgraded, MASTER)
    assert upgraded.log_mac_key not in blob
    assert open_keyset(blob, MASTER, "ws-1") == upgraded


def test_the_user_record_mac_marker_is_sealed_and_read_back(keyset: Keyset) -> None:
    assert keyset.user_record_macs
    assert Keyset.from_bytes(keyset.to_bytes()).user_record_macs
    assert keyset.with_new_version("admin", LATER).user_record_macs
    document = json.loads(keyset.to_bytes())
    del document["user_record_macs"]  # a keyset from before row MACs
    old = Keyset.from_bytes(json.dumps(document).encode())
    assert not old.user_record_macs and old.with_user_record_macs().user_record_macs
    document["user_record_macs"] = "yes"
    with pytest.raises(KeysetInvalid):
        Keyset.from_bytes(json.dumps(document).encode())
