"""What an access-log event says: its type, outcome, actor, workstation and subjects.

An event is stored as its canonical encoding (sorted-key compact JSON, UTF-8) and chained:
``hash_i = HMAC-SHA256(K_log, bytes.fromhex(hash_{i-1}) || canonical_i)`` under the log-MAC
key of the sealed keyset (plain SHA-256 for events written before the workspace had that
key: see :mod:`workbench.audit.chain`), where ``hash_0`` is 32 zero bytes. The canonical encoding holds every field of :class:`AuditEvent` except ``hash``, so
the persons an event concerns are part of what is hashed.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import json
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

#: ``hash_0``: the previous hash of the first event.
ZERO_HASH_HEX = "00" * 32


class Outcome(StrEnum):
    OK = "ok"
    DENIED = "denied"
    FAILED = "failed"


class EventType(StrEnum):
    LOGIN_OK = "login.ok"
    LOGIN_FAILED = "login.failed"
    LOGIN_LOCKED_OUT = "login.locked_out"
    LOGOUT = "logout"
    SESSION_IDLE_LOCK = "session.idle_lock"
    SESSION_UNLOCK = "session.unlock"
    SESSION_PURPOSE = "session.purpose"
    IMPORT_PREVIEW = "import.preview"
    IMPORT_STARTED = "import.started"
    IMPORT_FINISHED = "import.finished"
    IMPORT_FAILED = "import.failed"
    RECONCILE_RUN = "reconcile.run"
    REVEAL = "reveal"
    SEARCH = "search"
    REVIEW_DECISION = "review.decision"
    FINDING_STATUS = "finding.status"
    EXPORT = "export"
    KEYS_ROTATION_STARTED = "keys.rotation_started"
    KEYS_DATASET_MIGRATED = "keys.dataset_migrated"
    KEYS_ROTATION_FINISHED = "keys.rotation_finished"
    KEYS_BACKUP = "keys.backup"
    KEYS_RESTORE = "keys.restore"
    KEYS_COMPROMISE_STARTED = "keys.compromise_started"
    KEYS_OLD_CHAIN_DESTROYED = "keys.old_chain_destroyed"
    USER_CREATED = "user.created"
    USER_ROLES_CHANGED = "user.roles_changed"
    USER_DISABLED = "user.disabled"
    USER_ENABLED = "user.enabled"
    USER_UNLOCKED = "user.unlocked"
    USER_PASSWORD_RESET = "user.password_reset"  # noqa: S105 - an event name
    USER_PASSWORD_CHANGED = "user.password_changed"  # noqa: S105
    LOG_VERIFIED = "log.verified"
    LOG_EXPORTED = "log.exported"
    LOG_REPORT = "log.report"
    ACCESS_DENIED = "access.denied"
    AUDIT_PERSON_HISTORY = "audit.person_history"
    AUDIT_QUERY = "audit.query"
    WORKSPACE_CREATED = "workspace.created"
    WORKSPACE_OPENED = "workspace.opened"
    SETTINGS_CHANGED = "settings.changed"
    WORKSPACE_NUMBERS_SCANNED = "workspace.numbers_scanned"


@dataclass(frozen=True)
class Actor:
    user: str
    roles: tuple[str, ...]


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, no login name: a container or a service
        return "unknown"


@dataclass(frozen=True)
class Workstation:
    host: str
    os_user: str
    app_version: str

    @classmethod
    def current(cls, app_version: str) -> Workstation:
        return cls(
            host=socket.gethostname() or "unknown", os_user=_os_user(), app_version=app_version
        )


@dataclass(frozen=True, order=True)
class PersonRef:
    """A person as the log knows them: a token under one key version, never the number."""

    token_hex: str
    key_version: int


@dataclass(frozen=True)
class EventDraft:
    """What the caller knows about an event; the log adds sequence, time, workstation, hashes."""

    event_type: EventType
    outcome: Outcome
    actor: Actor | None
    purpose: str | None = None
    persons: tuple[PersonRef, ...] = ()
    dataset_id: str | None = None
    run_id: str | None = None
    subject_user: str | None = None
    #: Small JSON-able facts: counts, file names, rule codes. Never an identifier, name or address.
    details: Mapping[str, object] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class AuditEvent:
    seq: int
    time: str
    event_type: EventType
    outcome: Outcome
    actor_user: str | None
    actor_roles: tuple[str, ...]
    host: str
    os_user: str
    app_version: str
    workspace_id: str
    persons: tuple[PersonRef, ...]
    dataset_id: str | None
    run_id: str | None
    subject_user: str | None
    purpose: str | None
    details: Mapping[str, object] = field(hash=False)
    prev_hash: str
    hash: str

    def content(self) -> dict[str, object]:
        """Every field except ``hash``, as plain JSON values: what :func:`canonical` encodes."""
        return {
            "actor_roles": list(self.actor_roles),
            "actor_user": self.actor_user,
            "app_version": self.app_version,
            "dataset_id": self.dataset_id,
            "details": self.details,
            "event_type": str(self.event_type),
            "host": self.host,
            "os_user": self.os_user,
            "outcome": str(self.outcome),
            "persons": [
                {"key_version": p.key_version, "token_hex": p.token_hex} for p in self.persons
            ],
            "prev_hash": self.prev_hash,
            "purpose": self.purpose,
            "run_id": self.run_id,
            "seq": self.seq,
            "subject_user": self.subject_user,
            "time": self.time,
            "workspace_id": self.workspace_id,
        }


_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def canonical_json(value: object) -> bytes:
    """The one byte encoding used for hashing and signing: sorted keys, no spaces, UTF-8."""
    return _ENCODER.encode(value).encode("utf-8")


def canonical(event: AuditEvent) -> bytes:
    """The bytes of ``event`` that the hash chain covers (every field except ``hash``)."""
    return canonical_json(event.content())


def chain_hash(prev_hash_hex: str, body: bytes, mac_key: bytes | None = None) -> str:
    """The link as lowercase hex: ``SHA-256(bytes.fromhex(prev_hash) || body)``, or with
    ``mac_key`` the keyed link ``HMAC-SHA256(mac_key, bytes.fromhex(prev_hash) || body)``."""
    data = bytes.fromhex(prev_hash_hex) + body
    if mac_key is None:
        return hashlib.sha256(data).hexdigest()
    return hmac.new(mac_key, data, hashlib.sha256).hexdigest()


def event_is_self_consistent(event: AuditEvent, mac_key: bytes | None = None) -> bool:
    """True when ``event.hash`` is the link of its own content and previous hash."""
    return hmac.compare_digest(chain_hash(event.prev_hash, canonical(event), mac_key), event.hash)
