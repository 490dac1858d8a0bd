"""Shared helpers for the access-log tests (this module holds no tests itself).

Databases are made the way the workspace makes them: WAL, synchronous=FULL, autocommit
with explicit BEGIN, the audit DDL applied with executescript. Tokens are synthetic: the
SHA-256 of a counter, never derived from a 個人番号.
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from rlwb.workbench.audit.chain import UNKEYED, ChainKey
from rlwb.workbench.audit.checkpoints import CheckpointSink
from rlwb.workbench.audit.events import (
    Actor,
    EventDraft,
    EventType,
    Outcome,
    PersonRef,
    Workstation,
)
from rlwb.workbench.audit.log import AuditLog
from rlwb.workbench.audit.schema import AUDIT_SCHEMA_SQL, LOG_TABLES, install_authorizer

WORKSPACE_ID = "7d1f0c52-0000-4000-8000-00000000a0d1"
STATION = Workstation(host="desk-07", os_user="tanaka", app_version="0.1.0")
CLERK = Actor("sato", ("clerk",))
AUDITOR = Actor("suzuki", ("auditor",))
#: A fixed log-MAC key for tests (a workspace's comes from its sealed keyset).
LOG_KEY = bytes(range(100, 132))


class StepClock:
    """A clock that moves one second every time it is read."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 4, 1, 8, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def token(i: int) -> str:
    return hashlib.sha256(f"synthetic-person-{i}".encode()).hexdigest()


def person(i: int, version: int = 1) -> PersonRef:
    return PersonRef(token(i), version)


def open_db(path: Path, *, schema: bool = True, authorizer: bool = True) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    if schema:
        conn.executescript(AUDIT_SCHEMA_SQL)
    if authorizer:
        install_authorizer(conn)
    return conn


def raw_connection(path: Path) -> sqlite3.Connection:
    """What an attacker with write access to the file has: no authorizer, triggers dropped."""
    conn = sqlite3.connect(path, isolation_level=None)
    triggers = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (?, ?, ?)",
        tuple(sorted(LOG_TABLES)),
    ).fetchall()
    for (name,) in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    return conn


def make_log(
    conn: sqlite3.Connection,
    *,
    key: Ed25519PrivateKey | None = None,
    external: CheckpointSink | None = None,
    checkpoint_every: int = 1000,
    workspace_id: str = WORKSPACE_ID,
    chain: ChainKey = UNKEYED,
) -> AuditLog:
    return AuditLog(
        conn,
        workspace_id=workspace_id,
        signer=key or Ed25519PrivateKey.generate(),
        workstation=STATION,
        clock=StepClock(),
        external=external,
        checkpoint_every=checkpoint_every,
        chain=chain,
    )


def sample_draft(i: int) -> EventDraft:
    """A varied, realistic event: every third one reveals a person."""
    if i % 3 == 0:
        return EventDraft(
            EventType.REVEAL,
            Outcome.OK,
            CLERK,
            purpose="国保税算定",
            persons=(person(i % 17),),
            dataset_id="ds-tax-2026",
            details={"page": i % 5},
        )
    if i % 3 == 1:
        return EventDraft(
            EventType.SEARCH,
            Outcome.OK,
            CLERK,
            purpose="扶養認定確認",
            dataset_id="ds-si-2026",
            details={"by": "name", "hits": i % 4},
        )
    return EventDraft(
        EventType.ACCESS_DENIED,
        Outcome.DENIED,
        AUDITOR,
        details={"action": "reveal"},
    )


def fill(log: AuditLog, n: int) -> None:
    log.append_many([sample_draft(i) for i in range(1, n + 1)])
