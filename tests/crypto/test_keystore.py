from __future__ import annotations

import base64
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

import keyring.backends.fail
import keyring.backends.null
import keyring.errors
import pytest
from keyring.backends.chainer import ChainerBackend
from keyrings.alt.file import EncryptedKeyring, PlaintextKeyring

from rlwb.crypto import _passphrase_box as box
from rlwb.crypto.errors import (
    KeystoreConfigInvalid,
    KeystoreUnavailable,
    MasterKeyInvalid,
    MasterKeyMissing,
    PassphraseIncorrect,
    PassphraseRequired,
    PassphraseTooShort,
)
from rlwb.crypto.keystore import (
    PASSPHRASE_FILE,
    SERVICE_NAME,
    KeyringMasterKeyStore,
    PassphraseMasterKeyStore,
    master_key_store_from_env,
    refusal_reason,
)
from tests.memory_keyring import MemoryKeyring

KEY = bytes(range(32))
N = 2**10  # low scrypt cost: tests only


def never_asked() -> str:
    raise AssertionError("the passphrase must not be asked for here")


# --- choosing the store ------------------------------------------------------------------


@pytest.mark.parametrize(
    "environ", [{}, {"WORKBENCH_KEYSTORE": "keyring"}, {"WORKBENCH_KEYSTORE": " Keyring "}]
)
def test_keyring_is_the_default(
    environ: dict[str, str], tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    store = master_key_store_from_env(tmp_path, environ=environ, backend=memory_keyring)
    assert isinstance(store, KeyringMasterKeyStore)
    assert store.backend is memory_keyring
    assert "OS keyring" in store.description


def test_passphrase_store_from_env_variable(tmp_path: Path) -> None:
    environ = {"WORKBENCH_KEYSTORE": "passphrase", "WORKBENCH_KEYSTORE_PASSPHRASE": "correct horse"}

    def prompt(_: str) -> str:
        raise AssertionError("no prompt when the variable is set")

    store = master_key_store_from_env(tmp_path, environ=environ, prompt=prompt, scrypt_n=N)
    assert isinstance(store, PassphraseMasterKeyStore)
    store.save("ws-1", KEY)
    assert store.load("ws-1") == KEY


def test_passphrase_store_prompts_when_no_variable(tmp_path: Path) -> None:
    asked: list[str] = []

    def prompt(text: str) -> str:
        asked.append(text)
        return "typed passphrase"

    environ = {"WORKBENCH_KEYSTORE": "passphrase"}
    store = master_key_store_from_env(tmp_path, environ=environ, prompt=prompt, scrypt_n=N)
    store.save("ws-1", KEY)
    assert store.load("ws-1") == KEY
    assert len(asked) == 2 and "master key" in asked[0]


def test_unknown_keystore_value_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KeystoreConfigInvalid) as caught:
        master_key_store_from_env(tmp_path, environ={"WORKBENCH_KEYSTORE": "plaintext"})
    message = str(caught.value)
    assert "'plaintext'" in message and "'keyring' or 'passphrase'" in message
    assert isinstance(caught.value, KeystoreUnavailable)


# --- refusing unusable keyrings ------------------------------------------------------------


class ZeroPriorityKeyring(MemoryKeyring):
    priority: float = 0


class BrokenPriorityKeyring(MemoryKeyring):
    def __getattribute__(self, name: str) -> object:
        if name == "priority":
            raise RuntimeError("not on this platform")
        return super().__getattribute__(name)


@pytest.mark.parametrize(
    "backend",
    [
        keyring.backends.fail.Keyring(),  # type: ignore[no-untyped-call]
        keyring.backends.null.Keyring(),  # type: ignore[no-untyped-call]
        PlaintextKeyring(),
        EncryptedKeyring.__new__(EncryptedKeyring),  # its __init__ needs pycryptodome
        ZeroPriorityKeyring(),
        BrokenPriorityKeyring(),
    ],
    ids=["fail", "null", "plaintext", "keyrings.alt-encrypted-file", "priority-0", "broken"],
)
def test_unusable_backends_are_refused_with_the_options(backend: object, tmp_path: Path) -> None:
    assert refusal_reason(backend) is not None  # type: ignore[arg-type]
    with pytest.raises(KeystoreUnavailable) as caught:
        master_key_store_from_env(tmp_path, environ={}, backend=backend)  # type: ignore[arg-type]
    message = str(caught.value)
    for option in (
        "Secret Service",
        "gnome-keyring",
        "KWallet",
        "WORKBENCH_KEYSTORE=passphrase",
        "WORKBENCH_KEYSTORE_PASSPHRASE",
        "prompt",
    ):
        assert option in message
    with pytest.raises(KeystoreUnavailable):
        KeyringMasterKeyStore(backend)  # type: ignore[arg-type]


def test_plaintext_refusal_says_why(tmp_path: Path) -> None:
    with pytest.raises(KeystoreUnavailable, match="file in the home directory"):
        KeyringMasterKeyStore(PlaintextKeyring())


def _chainer(*members: object) -> ChainerBackend:
    class FixedChainer(ChainerBackend):
        backends: ClassVar[list[object]] = list(members)

    return FixedChainer()  # type: ignore[no-untyped-call]


def test_chainer_uses_its_best_safe_member_only(memory_keyring: MemoryKeyring) -> None:
    store = KeyringMasterKeyStore(_chainer(PlaintextKeyring(), memory_keyring))
    assert store.backend is memory_keyring
    store.save("ws-1", KEY)
    assert memory_keyring.entries


def test_chainer_without_safe_member_is_refused() -> None:
    with pytest.raises(KeystoreUnavailable, match="home directory"):
        KeyringMasterKeyStore(_chainer(PlaintextKeyring(), keyring.backends.fail.Keyring()))  # type: ignore[no-untyped-call]


# --- the keyring store -------------------------------------------------------------------


def test_keyring_store_round_trip(memory_keyring: MemoryKeyring) -> None:
    store = KeyringMasterKeyStore(memory_keyring)
    assert store.load("ws-1") is None
    store.save("ws-1", KEY)
    assert memory_keyring.entries == {(SERVICE_NAME, "ws-1"): base64.b64encode(KEY).decode()}
    assert store.load("ws-1") == KEY
    assert store.load("ws-2") is None
    store.delete("ws-1")
    assert store.load("ws-1") is None
    store.delete("ws-1")  # idempotent
    assert memory_keyring.entries == {}


def test_keyring_store_refuses_wrong_key_sizes(memory_keyring: MemoryKeyring) -> None:
    with pytest.raises(ValueError):
        KeyringMasterKeyStore(memory_keyring).save("ws-1", b"short")
    assert memory_keyring.entries == {}


@pytest.mark.parametrize("stored", ["not base64!", base64.b64encode(b"short").decode(), "ｘ"])
def test_keyring_store_reports_foreign_entries(memory_keyring: MemoryKeyring, stored: str) -> None:
    memory_keyring.entries[(SERVICE_NAME, "ws-1")] = stored
    with pytest.raises(MasterKeyInvalid, match="backup"):
        KeyringMasterKeyStore(memory_keyring).load("ws-1")


class LockedKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("locked")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringLocked("locked")


def test_keyring_errors_become_keystore_unavailable() -> None:
    store = KeyringMasterKeyStore(LockedKeyring())
    actions: list[Callable[[], object]] = [
        lambda: store.load("ws"),
        lambda: store.save("ws", KEY),
        lambda: store.delete("ws"),
    ]
    for action in actions:
        with pytest.raises(KeystoreUnavailable, match="locked"):
            action()


class ForgetfulKeyring(MemoryKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        pass


def test_a_keyring_that_does_not_keep_the_key_is_reported() -> None:
    with pytest.raises(KeystoreUnavailable, match="did not keep"):
        KeyringMasterKeyStore(ForgetfulKeyring()).save("ws", KEY)


# --- the passphrase store ------------------------------------------------------------------


def test_passphrase_store_round_trip_and_file_mode(tmp_path: Path) -> None:
    store = PassphraseMasterKeyStore(tmp_path, lambda: "a long passphrase", scrypt_n=N)
    assert store.load("ws-1") is None
    store.save("ws-1", KEY)
    path = tmp_path / PASSPHRASE_FILE
    assert store.path == path and str(path) in store.description
    assert KEY not in path.read_bytes()
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    reopened = PassphraseMasterKeyStore(tmp_path, lambda: "a long passphrase", scrypt_n=N)
    assert reopened.load("ws-1") == KEY
    store.delete("ws-1")
    assert not path.exists()
    assert store.load("ws-1") is None


def test_passphrase_store_refuses_a_passphrase_under_twelve_characters(tmp_path: Path) -> None:
    with pytest.raises(PassphraseTooShort, match="at least 12 characters"):
        PassphraseMasterKeyStore(tmp_path, lambda: "elevenchars", scrypt_n=N).save("ws-1", KEY)
    assert not (tmp_path / PASSPHRASE_FILE).exists()
    PassphraseMasterKeyStore(tmp_path, lambda: "twelve chars", scrypt_n=N).save("ws-1", KEY)
    assert (tmp_path / PASSPHRASE_FILE).exists()


def test_passphrase_file_of_a_lower_cost_is_sealed_again_when_it_opens(tmp_path: Path) -> None:
    PassphraseMasterKeyStore(tmp_path, lambda: "a long passphrase", scrypt_n=N).save("ws-1", KEY)
    path = tmp_path / PASSPHRASE_FILE
    assert box.peek_cost(b"RLWMKEY1", path.read_bytes()) == (N, 8, 1)
    stronger = PassphraseMasterKeyStore(tmp_path, lambda: "a long passphrase", scrypt_n=2 * N)
    assert stronger.load("ws-1") == KEY
    assert box.peek_cost(b"RLWMKEY1", path.read_bytes()) == (2 * N, 8, 1)
    # A store configured lower (as in tests) never weakens the file.
    assert (
        PassphraseMasterKeyStore(tmp_path, lambda: "a long passphrase", scrypt_n=N).load("ws-1")
        == KEY
    )
    assert box.peek_cost(b"RLWMKEY1", path.read_bytes()) == (2 * N, 8, 1)


def test_passphrase_store_wrong_passphrase(tmp_path: Path) -> None:
    PassphraseMasterKeyStore(tmp_path, lambda: "the right one", scrypt_n=N).save("ws-1", KEY)
    with pytest.raises(PassphraseIncorrect, match="passphrase does not open"):
        PassphraseMasterKeyStore(tmp_path, lambda: "the wrong one", scrypt_n=N).load("ws-1")


def test_passphrase_store_is_bound_to_its_workspace(tmp_path: Path) -> None:
    PassphraseMasterKeyStore(tmp_path, lambda: "the right one", scrypt_n=N).save("ws-1", KEY)
    other = PassphraseMasterKeyStore(tmp_path, never_asked, scrypt_n=N)
    with pytest.raises(MasterKeyMissing, match="another workspace"):
        other.load("ws-2")
    with pytest.raises(MasterKeyMissing):
        other.delete("ws-2")
    assert (tmp_path / PASSPHRASE_FILE).exists()


def test_passphrase_store_reports_a_damaged_file(tmp_path: Path) -> None:
    PassphraseMasterKeyStore(tmp_path, lambda: "the right one", scrypt_n=N).save("ws-1", KEY)
    path = tmp_path / PASSPHRASE_FILE
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x80
    path.write_bytes(bytes(data))
    with pytest.raises(MasterKeyInvalid, match="damaged"):
        PassphraseMasterKeyStore(tmp_path, never_asked, scrypt_n=N).load("ws-1")


def test_passphrase_store_refuses_an_empty_passphrase(tmp_path: Path) -> None:
    with pytest.raises(PassphraseRequired):
        PassphraseMasterKeyStore(tmp_path, lambda: "", scrypt_n=N).save("ws-1", KEY)
    assert not (tmp_path / PASSPHRASE_FILE).exists()


def test_passphrase_store_creates_its_directory(tmp_path: Path) -> None:
    store = PassphraseMasterKeyStore(tmp_path / "new", lambda: "a long passphrase", scrypt_n=N)
    store.save("ws-1", KEY)
    assert store.load("ws-1") == KEY


def test_passphrase_store_empty_passphrase_on_load_is_incorrect(tmp_path: Path) -> None:
    PassphraseMasterKeyStore(tmp_path, lambda: "the right one", scrypt_n=N).save("ws-1", KEY)
    with pytest.raises(PassphraseIncorrect):
        PassphraseMasterKeyStore(tmp_path, lambda: "", scrypt_n=N).load("ws-1")
