"""Where the 32-byte master key of a workspace lives.

The default is the OS keyring (service SERVICE_NAME, user name = workspace id, value =
base64 of the key; 44 bytes, well under Windows Credential Manager's 2,560-byte limit).
Backends that are not a real OS keyring are refused with KeystoreUnavailable: the
"fail" and "null" backends, anything reporting priority <= 0, and keyrings.alt's file
backends (plaintext, or a home-grown file next to it). The app never falls back to
plaintext silently; where there is no keyring, the user opts in to the passphrase store
(WORKBENCH_KEYSTORE=passphrase), which seals the key with scrypt + AES-256-GCM in the
workspace directory.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import getpass
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from rlwb.crypto import _passphrase_box as box
from rlwb.crypto._files import write_private_atomic
from rlwb.crypto.errors import (
    KeystoreConfigInvalid,
    KeystoreUnavailable,
    MasterKeyInvalid,
    MasterKeyMissing,
    PassphraseIncorrect,
    PassphraseTooShort,
)
from rlwb.crypto.params import MASTER_KEY_SIZE, SCRYPT_N

SERVICE_NAME = "records-linkage-workbench"
PASSPHRASE_FILE = "master-key.scrypt"  # noqa: S105 - a file name
ENV_KEYSTORE = "WORKBENCH_KEYSTORE"
ENV_PASSPHRASE = "WORKBENCH_KEYSTORE_PASSPHRASE"  # noqa: S105 - a variable name
_MAGIC = b"RLWMKEY1"
#: scrypt cost of the passphrase file; older files are re-sealed with it the next time
#: they open.
DEFAULT_SCRYPT_N = SCRYPT_N
#: As for key backups: a short passphrase falls to an offline guess once the file is copied.
MIN_PASSPHRASE_LENGTH = 12
# keyrings.alt's file backends keep secrets in a file in the home directory: plaintext,
# or encrypted with a home-grown unauthenticated scheme behind a terminal prompt.
_REFUSED_MODULES = ("keyrings.alt.file",)


class MasterKeyStore(Protocol):
    description: str

    def load(self, workspace_id: str) -> bytes | None: ...

    def save(self, workspace_id: str, key: bytes) -> None: ...

    def delete(self, workspace_id: str) -> None: ...


class KeyringMasterKeyStore:
    """The master key in the OS keyring. The backend is injectable for tests."""

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        chosen = keyring.get_keyring() if backend is None else backend
        self._backend = usable_backend(chosen)
        self.description = f"OS keyring ({_backend_name(self._backend)})"

    @property
    def backend(self) -> KeyringBackend:
        return self._backend

    def load(self, workspace_id: str) -> bytes | None:
        try:
            stored = self._backend.get_password(SERVICE_NAME, workspace_id)
        except keyring.errors.KeyringError as exc:
            raise _keyring_failed("read", exc) from None
        if stored is None:
            return None
        try:
            key = base64.b64decode(stored.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError):
            key = b""
        if len(key) != MASTER_KEY_SIZE:
            raise MasterKeyInvalid(
                f"The OS keyring entry '{SERVICE_NAME}' / '{workspace_id}' is not a master "
                "key of this app. Restore a key backup to replace it."
            )
        return key

    def save(self, workspace_id: str, key: bytes) -> None:
        _check_master_key(key)
        encoded = base64.b64encode(key).decode("ascii")
        try:
            self._backend.set_password(SERVICE_NAME, workspace_id, encoded)
        except keyring.errors.KeyringError as exc:
            raise _keyring_failed("write", exc) from None
        if self.load(workspace_id) != key:
            raise KeystoreUnavailable(
                f"The OS keyring ({_backend_name(self._backend)}) did not keep the master key."
            )

    def delete(self, workspace_id: str) -> None:
        try:
            self._backend.delete_password(SERVICE_NAME, workspace_id)
        except keyring.errors.PasswordDeleteError:
            return  # nothing stored: deleting is idempotent
        except keyring.errors.KeyringError as exc:
            raise _keyring_failed("change", exc) from None


class PassphraseMasterKeyStore:
    """The master key sealed with a passphrase in ``directory/master-key.scrypt``.

    One file per workspace directory; the workspace id is bound as associated data and
    also kept readable in the header, so a file from another workspace is recognised
    without asking for the passphrase. A new passphrase needs MIN_PASSPHRASE_LENGTH
    characters; a file sealed with a lower scrypt cost than ``scrypt_n`` is sealed again
    with it once it opened.
    """

    def __init__(
        self, directory: Path, passphrase: Callable[[], str], scrypt_n: int = DEFAULT_SCRYPT_N
    ) -> None:
        box.check_scrypt_params(scrypt_n, 8, 1)
        self._path = directory / PASSPHRASE_FILE
        self._passphrase = passphrase
        self._scrypt_n = scrypt_n
        self.description = f"passphrase-protected file {self._path}"

    @property
    def path(self) -> Path:
        return self._path

    def load(self, workspace_id: str) -> bytes | None:
        try:
            blob = self._path.read_bytes()
        except FileNotFoundError:
            return None
        self._require_own(blob, workspace_id)
        passphrase = self._passphrase()
        try:
            _, key = box.open_sealed(_MAGIC, blob, passphrase)
        except box.BoxWrongPassphrase:
            raise PassphraseIncorrect() from None
        except box.BoxDamaged:  # pragma: no cover - _require_own checked integrity
            raise self._damaged() from None
        if len(key) != MASTER_KEY_SIZE:  # pragma: no cover - only this module writes it
            raise self._damaged()
        n, r, p = box.peek_cost(_MAGIC, blob)
        if n < self._scrypt_n or r < 8 or p < 1:
            # Sealed with an older, cheaper cost: seal it again with today's. A folder that
            # cannot be written (read-only media) keeps the old file and still opens.
            with contextlib.suppress(OSError):
                self._write(workspace_id, key, passphrase)
        return key

    def save(self, workspace_id: str, key: bytes) -> None:
        _check_master_key(key)
        passphrase = self._passphrase()
        if passphrase and len(passphrase) < MIN_PASSPHRASE_LENGTH:
            raise PassphraseTooShort(MIN_PASSPHRASE_LENGTH)
        self._write(workspace_id, key, passphrase)

    def _write(self, workspace_id: str, key: bytes, passphrase: str) -> None:
        blob = box.seal(_MAGIC, workspace_id, key, passphrase, n=self._scrypt_n)
        self._path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_private_atomic(self._path, blob)

    def delete(self, workspace_id: str) -> None:
        try:
            blob = self._path.read_bytes()
        except FileNotFoundError:
            return
        self._require_own(blob, workspace_id)
        self._path.unlink()

    def _require_own(self, blob: bytes, workspace_id: str) -> None:
        try:
            owner = box.peek_context(_MAGIC, blob)
        except box.BoxDamaged:
            raise self._damaged() from None
        if owner != workspace_id:
            raise MasterKeyMissing(
                f"The passphrase-protected master key in {self._path.parent} belongs to "
                f"another workspace ({owner}), not to {workspace_id}. Open that workspace's "
                "own folder, or restore this workspace's key backup."
            )

    def _damaged(self) -> MasterKeyInvalid:
        return MasterKeyInvalid(
            f"The passphrase-protected master key file {self._path} is damaged. Restore a "
            "key backup."
        )


def master_key_store_from_env(
    workspace_dir: Path,
    environ: Mapping[str, str] | None = None,
    prompt: Callable[[str], str] = getpass.getpass,
    backend: KeyringBackend | None = None,
    scrypt_n: int = DEFAULT_SCRYPT_N,
) -> MasterKeyStore:
    """Choose the store from WORKBENCH_KEYSTORE: unset or "keyring" (default) -> the OS
    keyring; "passphrase" -> the passphrase store, the passphrase coming from
    WORKBENCH_KEYSTORE_PASSPHRASE or else from ``prompt``."""
    env = os.environ if environ is None else environ
    choice = env.get(ENV_KEYSTORE, "").strip().lower() or "keyring"
    if choice == "keyring":
        return KeyringMasterKeyStore(backend)
    if choice == "passphrase":

        def passphrase() -> str:
            given = env.get(ENV_PASSPHRASE)
            if given:
                return given
            return prompt(f"Passphrase of the workspace master key ({workspace_dir}): ")

        return PassphraseMasterKeyStore(workspace_dir, passphrase, scrypt_n=scrypt_n)
    # Echo the value only if it is a plain word (a typo); never a value with digits in it.
    shown = f"={choice!r}" if choice.isascii() and choice.isalpha() and len(choice) <= 20 else ""
    raise KeystoreConfigInvalid(
        f"{ENV_KEYSTORE}{shown} names no key store: use 'keyring' or 'passphrase'."
    )


def usable_backend(backend: KeyringBackend) -> KeyringBackend:
    """``backend`` itself, or for a chainer its best safe member; else KeystoreUnavailable.

    A chainer falls through to its next backend when one fails, so a locked Secret
    Service would silently land the key in a plaintext file; only safe members are kept.
    """
    if _is_chainer(backend):
        members: list[KeyringBackend] = list(getattr(backend, "backends", []))
        safe = [b for b in members if refusal_reason(b) is None]
        if not safe:
            reasons = "; ".join(r for b in members if (r := refusal_reason(b)))
            raise KeystoreUnavailable(
                f"No usable OS keyring was found ({reasons or 'no keyring backend'})."
            )
        first: KeyringBackend = safe[0]
        return first
    reason = refusal_reason(backend)
    if reason is not None:
        raise KeystoreUnavailable(f"No usable OS keyring was found: {reason}.")
    return backend


def refusal_reason(backend: KeyringBackend) -> str | None:
    """Why ``backend`` must not hold a master key, or None if it may."""
    name = _backend_name(backend)
    modules = [cls.__module__ for cls in type(backend).__mro__]
    if "keyring.backends.fail" in modules:
        return "the keyring library found no backend on this machine"
    if "keyring.backends.null" in modules:
        return "the keyring is switched off (null backend)"
    if any(m.startswith(_REFUSED_MODULES) for m in modules):
        return f"{name} keeps secrets in a file in the home directory, not in an OS keyring"
    try:
        priority = float(backend.priority)
    except Exception:
        return f"{name} reports that it cannot work here"
    if priority <= 0:
        return f"{name} reports that it cannot work here (priority {priority:g})"
    return None


def _is_chainer(backend: KeyringBackend) -> bool:
    return any(cls.__module__ == "keyring.backends.chainer" for cls in type(backend).__mro__)


def _backend_name(backend: KeyringBackend) -> str:
    try:
        return str(backend.name)
    except Exception:  # pragma: no cover - name is a plain classproperty upstream
        return type(backend).__name__


def _keyring_failed(action: str, exc: Exception) -> KeystoreUnavailable:
    return KeystoreUnavailable(
        f"The OS keyring could not {action} the master key ({type(exc).__name__}); it may be "
        "locked or its service not running."
    )


def _check_master_key(key: bytes) -> None:
    if not isinstance(key, bytes) or len(key) != MASTER_KEY_SIZE:
        raise ValueError(f"a master key is exactly {MASTER_KEY_SIZE} bytes")
