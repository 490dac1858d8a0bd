"""The keyset of a workspace: token keys 1..n, the data key, the log-signing and log-MAC keys.

Stored as one file in the workspace, sealed with AES-256-GCM under the 32-byte master key
(which lives in the OS keyring or the passphrase store, never beside this file). The
associated data binds the sealed file to a format tag and to the workspace id, so a
keyset file copied into another workspace does not open there.

Rotation never deletes a key version. Tokens are chained (T_v = HMAC(K_v, T_{v-1})), so
tokenising a new number under version n needs every earlier key of its chain: deleting one
would make every later import impossible. Rotation adds a version; it never removes one.

A compromise response (docs/tokens.md) is the one exception: it starts a new, unrelated
key chain (a fresh root key, version n+1, chain c+1), marks every version of the old chains
``retired`` (kept only to search the access log), and later destroys the retired versions
at once (``destroyed_through`` remembers the last destroyed version). Version numbers are
never reused, so a version always names one key of one chain. The data key and the
log-signing key are not token keys and stay as they are, and so does the log-MAC key.

The log-MAC key keys the access log's chain (each event's link is an HMAC-SHA256 under it)
from sequence ``log_mac_from_seq`` on; events before it (written before the app had this
key) stay plain SHA-256. Both are recorded here, sealed, so someone who can only write the
database can neither compute a link nor move the switch point. A keyset written before this
key existed has neither; :meth:`Keyset.with_log_mac_key` adds them once.

``user_record_macs`` records, sealed, that every row of the users table carries a MAC
(workbench.users): set at creation, or once by the first open of an older workspace, and
never unset, so a row whose MAC someone removed is refused rather than MACed again.

Format versions: 1 had token keys, the data key and the signing key, and later also carried
the log-MAC key and key chains as optional fields; an app that knows only that could open
such a keyset and write unkeyed events, or drop the chains. Version 2 (written from now on)
holds the same fields, but an older app refuses it ("written by another version of the app;
update the app"). This app reads both and rewrites a version-1 file as version 2 when it
opens the workspace (see ``workbench.workspace``).
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from rlwb.crypto._files import write_private_atomic
from rlwb.crypto.errors import DecryptionFailed, KeysetInvalid
from rlwb.crypto.params import KEY_SIZE, MASTER_KEY_SIZE
from rlwb.crypto.tokens import Tokenizer

FORMAT_NAME = "records-linkage-workbench/keyset"
#: Written by this app; an app that reads only version 1 refuses it.
FORMAT_VERSION = 2
#: Every version this app reads (a version-1 keyset is rewritten as the current one).
READABLE_FORMATS = (1, 2)
SEAL_MAGIC = b"RLWKSET1"
_NONCE_SIZE = 12
_TAG_SIZE = 16

RandomBytes = Callable[[int], bytes]


class KeyState(StrEnum):
    PRIMARY = "primary"  # tokenises new data; exactly one, always the latest version
    ACTIVE = "active"  # an earlier version: still needed, because tokens are chained
    RETIRED = "retired"  # a chain replaced by a compromise response: only to search history


@dataclass(frozen=True)
class KeyVersion:
    version: int
    key: bytes = field(repr=False)
    created_at: datetime
    created_by: str
    state: KeyState
    #: The key chain; a compromise response starts the next one.
    chain: int = 1

    def __post_init__(self) -> None:
        if isinstance(self.version, bool) or not isinstance(self.version, int) or self.version < 1:
            raise ValueError("a key version is an integer >= 1")
        if not isinstance(self.key, bytes) or len(self.key) != KEY_SIZE:
            raise ValueError(f"a token key is exactly {KEY_SIZE} bytes")
        _require_utc(self.created_at)
        if not isinstance(self.state, KeyState):
            raise ValueError("a key state is a KeyState")
        if isinstance(self.chain, bool) or not isinstance(self.chain, int) or self.chain < 1:
            raise ValueError("a key chain is an integer >= 1")


@dataclass(frozen=True)
class Keyset:
    workspace_id: str
    versions: tuple[KeyVersion, ...]
    data_key: bytes = field(repr=False)
    signing_key: bytes = field(repr=False)
    #: The last token-key version destroyed by a compromise response (0: none).
    destroyed_through: int = 0
    #: The key of the access log's chain; None in a keyset from before it existed.
    log_mac_key: bytes | None = field(default=None, repr=False)
    #: The first log sequence whose link is keyed (1 for a workspace created with the key).
    log_mac_from_seq: int = 1
    #: Every row of the users table carries a MAC (a key derived from the data key): set
    #: when a workspace is created, or once when an older one is first opened.
    user_record_macs: bool = False
    #: The format version of the bytes this keyset was read from (not part of its value):
    #: below :data:`FORMAT_VERSION`, the file should be written again in the current format.
    stored_format: int = field(default=FORMAT_VERSION, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.workspace_id, str) or not self.workspace_id:
            raise ValueError("a keyset needs a workspace id")
        if (
            isinstance(self.destroyed_through, bool)
            or not isinstance(self.destroyed_through, int)
            or self.destroyed_through < 0
        ):
            raise ValueError("destroyed_through is an integer >= 0")
        numbers = [v.version for v in self.versions]
        first = self.destroyed_through + 1
        if not numbers or numbers != list(range(first, first + len(numbers))):
            raise ValueError(
                "keyset versions must be 1..n in order (after a compromise response: "
                "consecutive, right after the destroyed ones)"
            )
        primaries = [v.version for v in self.versions if v.state is KeyState.PRIMARY]
        if primaries != [numbers[-1]]:
            raise ValueError("exactly one key version is primary: the latest")
        chains = [v.chain for v in self.versions]
        if chains != sorted(chains):
            raise ValueError("key chains never go back")
        for v in self.versions:
            if (v.state is KeyState.RETIRED) != (v.chain < chains[-1]):
                raise ValueError("exactly the versions of earlier key chains are retired")
        for name, value in (("data key", self.data_key), ("signing key", self.signing_key)):
            if not isinstance(value, bytes) or len(value) != KEY_SIZE:
                raise ValueError(f"the {name} is exactly {KEY_SIZE} bytes")
        if self.log_mac_key is not None and (
            not isinstance(self.log_mac_key, bytes) or len(self.log_mac_key) != KEY_SIZE
        ):
            raise ValueError(f"the log MAC key is exactly {KEY_SIZE} bytes")
        start = self.log_mac_from_seq
        if isinstance(start, bool) or not isinstance(start, int) or start < 1:
            raise ValueError("the first keyed log sequence is an integer >= 1")

    @classmethod
    def new(
        cls,
        workspace_id: str,
        created_by: str,
        now: datetime,
        random_bytes: RandomBytes = secrets.token_bytes,
    ) -> Keyset:
        """A fresh keyset: token key version 1 (primary), a data key, a signing key and a
        log-MAC key that keys the log from its first event."""
        first = KeyVersion(1, _random_key(random_bytes), _as_utc(now), created_by, KeyState.PRIMARY)
        return cls(
            workspace_id=workspace_id,
            versions=(first,),
            data_key=_random_key(random_bytes),
            signing_key=_random_key(random_bytes),  # any 32 bytes are an Ed25519 seed
            log_mac_key=_random_key(random_bytes),
            log_mac_from_seq=1,
            user_record_macs=True,
        )

    def with_log_mac_key(
        self, from_seq: int, random_bytes: RandomBytes = secrets.token_bytes
    ) -> Keyset:
        """Add a log-MAC key that keys the log from ``from_seq`` on (an upgraded workspace).

        A keyset that already has one is returned unchanged: the key and its switch point
        are never replaced, or the events already keyed would no longer verify.
        """
        if self.log_mac_key is not None:
            return self
        return replace(self, log_mac_key=_random_key(random_bytes), log_mac_from_seq=from_seq)

    def with_user_record_macs(self) -> Keyset:
        """Record that every users row is MACed (an upgraded workspace). Never unset: a row
        without a valid MAC is refused from then on, never MACed again by an upgrade."""
        return replace(self, user_record_macs=True)

    @property
    def primary(self) -> KeyVersion:
        return self.versions[-1]

    @property
    def latest_version(self) -> int:
        return self.versions[-1].version

    @property
    def current_chain(self) -> int:
        return self.versions[-1].chain

    @property
    def chain_start(self) -> int:
        """The first version of the current chain: data on an earlier version is retired."""
        return min(v.version for v in self.versions if v.chain == self.current_chain)

    @property
    def retired_versions(self) -> tuple[KeyVersion, ...]:
        return tuple(v for v in self.versions if v.state is KeyState.RETIRED)

    def with_new_version(
        self, created_by: str, now: datetime, random_bytes: RandomBytes = secrets.token_bytes
    ) -> Keyset:
        """Add version n+1 as the primary; every earlier version stays, now active.

        Nothing is ever deleted: with chained tokens each earlier key is still needed to
        tokenise new data, so removing one would break every later import.
        """
        kept = tuple(
            v if v.state is KeyState.RETIRED else replace(v, state=KeyState.ACTIVE)
            for v in self.versions
        )
        added = KeyVersion(
            self.latest_version + 1,
            _random_key(random_bytes),
            _as_utc(now),
            created_by,
            KeyState.PRIMARY,
            self.current_chain,
        )
        return replace(self, versions=(*kept, added))

    def with_new_chain(
        self, created_by: str, now: datetime, random_bytes: RandomBytes = secrets.token_bytes
    ) -> Keyset:
        """Start a new, unrelated key chain (compromise response): version n+1 is a fresh
        random root key of chain c+1; every earlier version becomes retired. The data key
        and the signing key are kept."""
        kept = tuple(replace(v, state=KeyState.RETIRED) for v in self.versions)
        root = KeyVersion(
            self.latest_version + 1,
            _random_key(random_bytes),
            _as_utc(now),
            created_by,
            KeyState.PRIMARY,
            self.current_chain + 1,
        )
        return replace(self, versions=(*kept, root))

    def without_retired(self) -> Keyset:
        """The keyset with every retired version destroyed (nothing else changes)."""
        kept = tuple(v for v in self.versions if v.state is not KeyState.RETIRED)
        return replace(self, versions=kept, destroyed_through=kept[0].version - 1)

    def tokenizer(self) -> Tokenizer:
        return Tokenizer(
            {v.version: v.key for v in self.versions}, {v.version: v.chain for v in self.versions}
        )

    def signing_private_key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.signing_key)

    def verify_key(self) -> Ed25519PublicKey:
        return self.signing_private_key().public_key()

    def to_bytes(self) -> bytes:
        """JSON with base64 keys. Only ever stored sealed (see seal_keyset)."""
        document = {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "workspace_id": self.workspace_id,
            "versions": [
                {
                    "version": v.version,
                    "key": _b64(v.key),
                    "created_at": v.created_at.isoformat(),
                    "created_by": v.created_by,
                    "state": v.state.value,
                    "chain": v.chain,
                }
                for v in self.versions
            ],
            "destroyed_through": self.destroyed_through,
            "data_key": _b64(self.data_key),
            "signing_key": _b64(self.signing_key),
        }
        if self.log_mac_key is not None:
            document["log_mac_key"] = _b64(self.log_mac_key)
            document["log_mac_from_seq"] = self.log_mac_from_seq
        if self.user_record_macs:
            document["user_record_macs"] = True
        return json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> Keyset:
        try:
            document = json.loads(data.decode("utf-8"))
            if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
                raise KeysetInvalid("This is not a keyset of this app.")
            stored_format = document.get("format_version")
            if stored_format not in READABLE_FORMATS or isinstance(stored_format, bool):
                newer = isinstance(stored_format, int) and stored_format > FORMAT_VERSION
                raise KeysetInvalid(
                    f"The keyset was written by {'a newer' if newer else 'another'} version of "
                    f"the app (keyset format {stored_format!r}; this app reads formats "
                    f"{READABLE_FORMATS[0]} to {FORMAT_VERSION}); update the app to open this "
                    "workspace."
                )
            mac_key = document.get("log_mac_key")
            mac_from = document.get("log_mac_from_seq", 1)
            if not isinstance(mac_from, int):
                raise TypeError("log_mac_from_seq must be an int")
            user_macs = document.get("user_record_macs", False)
            if not isinstance(user_macs, bool):
                raise TypeError("user_record_macs must be a bool")
            return cls(
                workspace_id=_text(document["workspace_id"]),
                versions=tuple(_version_from_json(v) for v in document["versions"]),
                data_key=_unb64(document["data_key"]),
                signing_key=_unb64(document["signing_key"]),
                destroyed_through=_int(document.get("destroyed_through", 0)),
                log_mac_key=None if mac_key is None else _unb64(mac_key),
                log_mac_from_seq=mac_from,
                user_record_macs=user_macs,
                stored_format=stored_format,
            )
        except KeysetInvalid:
            raise
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
            raise KeysetInvalid(
                "The keyset is damaged or not in a format this app understands; restore a "
                "key backup."
            ) from None


def seal_keyset(keyset: Keyset, master_key: bytes) -> bytes:
    """``SEAL_MAGIC || nonce (12) || AES-256-GCM(keyset JSON)``, AAD = tag + workspace id."""
    _check_master_key(master_key)
    nonce = secrets.token_bytes(_NONCE_SIZE)
    sealed = AESGCM(master_key).encrypt(nonce, keyset.to_bytes(), _aad(keyset.workspace_id))
    return SEAL_MAGIC + nonce + sealed


def open_keyset(blob: bytes, master_key: bytes, workspace_id: str) -> Keyset:
    """Open a sealed keyset. Wrong master key, another workspace, or damage:
    DecryptionFailed, with one opaque message."""
    _check_master_key(master_key)
    head = len(SEAL_MAGIC)
    if len(blob) < head + _NONCE_SIZE + _TAG_SIZE or not blob.startswith(SEAL_MAGIC):
        raise DecryptionFailed()
    nonce = blob[head : head + _NONCE_SIZE]
    try:
        plain = AESGCM(master_key).decrypt(nonce, blob[head + _NONCE_SIZE :], _aad(workspace_id))
    except InvalidTag:
        raise DecryptionFailed() from None
    keyset = Keyset.from_bytes(plain)
    if keyset.workspace_id != workspace_id:  # bound by the AAD already; belt and braces
        raise DecryptionFailed()
    return keyset


def write_keyset_file(path: Path, keyset: Keyset, master_key: bytes) -> None:
    """Seal and write atomically (temp file, fsync, rename, fsync dir), mode 0o600."""
    write_private_atomic(path, seal_keyset(keyset, master_key))


def read_keyset_file(path: Path, master_key: bytes, workspace_id: str) -> Keyset:
    """Read and open a keyset file. A missing file raises FileNotFoundError."""
    return open_keyset(path.read_bytes(), master_key, workspace_id)


def _aad(workspace_id: str) -> bytes:
    return SEAL_MAGIC + b"\x00" + workspace_id.encode("utf-8")


def _check_master_key(master_key: bytes) -> None:
    if not isinstance(master_key, bytes) or len(master_key) != MASTER_KEY_SIZE:
        raise ValueError(f"a master key is exactly {MASTER_KEY_SIZE} bytes")


def _random_key(random_bytes: RandomBytes) -> bytes:
    key = random_bytes(KEY_SIZE)
    if len(key) != KEY_SIZE:
        raise ValueError(f"random_bytes must return {KEY_SIZE} bytes")
    return key


def _require_utc(moment: datetime) -> None:
    if not isinstance(moment, datetime) or moment.utcoffset() != timedelta(0):
        raise ValueError("key creation times are timezone-aware UTC datetimes")


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("pass a timezone-aware datetime (naive times are ambiguous)")
    return moment.astimezone(UTC)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    return base64.b64decode(_text(text).encode("ascii"), validate=True)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return value


def _version_from_json(item: Any) -> KeyVersion:
    version = item["version"]
    if not isinstance(version, int):
        raise TypeError("version must be an int")
    return KeyVersion(
        version=version,
        key=_unb64(item["key"]),
        created_at=datetime.fromisoformat(_text(item["created_at"])),
        created_by=_text(item["created_by"]),
        state=KeyState(item["state"]),
        chain=_int(item.get("chain", 1)),
    )


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("expected an integer")
    return value
