"""The workspace database: one SQLite file, WAL, synchronous=FULL, versioned migrations.

Migrations are append-only: a released migration is never edited, a new one is added.
``PRAGMA user_version`` records how far a file has been migrated.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rlwb.workbench.audit.schema import AUDIT_SCHEMA_SQL, install_authorizer
from rlwb.workbench.errors import WorkspaceError

_CORE_SCHEMA_V1 = """
CREATE TABLE workspace_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE users (
    name                TEXT PRIMARY KEY,
    password_hash       TEXT NOT NULL,
    roles               TEXT NOT NULL,          -- comma-separated, sorted
    disabled            INTEGER NOT NULL DEFAULT 0,
    failed_logins       INTEGER NOT NULL DEFAULT 0,
    locked_until        TEXT,                   -- UTC ISO-8601 or NULL
    must_change_password INTEGER NOT NULL DEFAULT 0,
    created_at          TEXT NOT NULL,
    created_by          TEXT NOT NULL
);
CREATE TABLE datasets (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('tax', 'si')),
    file_name       TEXT NOT NULL,
    imported_at     TEXT NOT NULL,
    imported_by     TEXT NOT NULL,
    rows            INTEGER NOT NULL,
    token_version   INTEGER NOT NULL,
    storage_name    TEXT NOT NULL,              -- file under datasets/, encrypted
    report          TEXT NOT NULL               -- JSON import report (counts only)
);
CREATE TABLE key_rotations (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    target_version  INTEGER NOT NULL UNIQUE,
    reason          TEXT NOT NULL,
    started_at      TEXT NOT NULL,
    started_by      TEXT NOT NULL,
    finished_at     TEXT
);
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

_RUNS_SCHEMA_V2 = """
CREATE TABLE runs (
    id              TEXT PRIMARY KEY,
    tax_dataset     TEXT NOT NULL REFERENCES datasets(id),
    si_dataset      TEXT NOT NULL REFERENCES datasets(id),
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    key_version     INTEGER NOT NULL,
    rules_version   TEXT NOT NULL,
    summary         TEXT NOT NULL              -- JSON counts per outcome and per rule
);
-- Review decisions and finding status changes are append-only: the latest row wins.
CREATE TABLE review_decisions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    tax_dataset     TEXT NOT NULL,
    si_dataset      TEXT NOT NULL,
    tax_record_id   TEXT NOT NULL,
    si_record_id    TEXT NOT NULL,
    decision        TEXT NOT NULL CHECK (decision IN ('match', 'non_match', 'unsure', 'withdrawn')),
    note            TEXT NOT NULL DEFAULT '',
    run_id          TEXT NOT NULL,
    decided_by      TEXT NOT NULL,
    decided_at      TEXT NOT NULL
);
CREATE INDEX review_decisions_pair ON review_decisions (tax_dataset, si_dataset, tax_record_id, si_record_id);
CREATE TABLE finding_events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    tax_dataset     TEXT NOT NULL,
    si_dataset      TEXT NOT NULL,
    finding_key     TEXT NOT NULL,              -- code|tax_record_id|si_record_id
    status          TEXT NOT NULL CHECK (status IN ('open', 'confirmed', 'dismissed', 'resolved')),
    note            TEXT NOT NULL DEFAULT '',
    run_id          TEXT NOT NULL,
    changed_by      TEXT NOT NULL,
    changed_at      TEXT NOT NULL
);
CREATE INDEX finding_events_key ON finding_events (tax_dataset, si_dataset, finding_key);
CREATE TRIGGER review_decisions_no_update BEFORE UPDATE ON review_decisions
    BEGIN SELECT RAISE(ABORT, 'review decisions are append-only'); END;
CREATE TRIGGER review_decisions_no_delete BEFORE DELETE ON review_decisions
    BEGIN SELECT RAISE(ABORT, 'review decisions are append-only'); END;
CREATE TRIGGER finding_events_no_update BEFORE UPDATE ON finding_events
    BEGIN SELECT RAISE(ABORT, 'finding history is append-only'); END;
CREATE TRIGGER finding_events_no_delete BEFORE DELETE ON finding_events
    BEGIN SELECT RAISE(ABORT, 'finding history is append-only'); END;
"""

# Failed logins for names that are no user, so that they lock out like real ones. The key
# is an HMAC of the typed name under a key from the sealed keyset: what was typed (a typo,
# a password, a number) is never stored.
_LOGIN_FAILURES_V3 = """
CREATE TABLE login_failures (
    name_hmac       BLOB PRIMARY KEY,           -- HMAC-SHA256, 32 bytes
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT                        -- UTC ISO-8601 or NULL
);
"""

# The compromise response (docs/tokens.md): each new, unrelated key chain, and what it retired.
# Chain 1 (the workspace's first) has no row. Retired data is kept for the log, never joined.
_KEY_CHAINS_SCHEMA = """
CREATE TABLE key_chains (
    chain               INTEGER PRIMARY KEY,
    first_version       INTEGER NOT NULL UNIQUE,
    reason              TEXT NOT NULL,
    started_at          TEXT NOT NULL,
    started_by          TEXT NOT NULL,
    old_keys_destroyed_at TEXT,                 -- when the earlier chains' keys were destroyed
    old_keys_destroyed_by TEXT
);
CREATE TABLE retired_datasets (
    dataset_id      TEXT PRIMARY KEY REFERENCES datasets(id),
    chain           INTEGER NOT NULL,           -- the chain whose start retired it
    retired_at      TEXT NOT NULL
);
CREATE TABLE retired_runs (
    run_id          TEXT PRIMARY KEY REFERENCES runs(id),
    chain           INTEGER NOT NULL,
    retired_at      TEXT NOT NULL
);
CREATE TRIGGER retired_datasets_no_delete BEFORE DELETE ON retired_datasets
    BEGIN SELECT RAISE(ABORT, 'a retired dataset stays retired'); END;
CREATE TRIGGER retired_runs_no_delete BEFORE DELETE ON retired_runs
    BEGIN SELECT RAISE(ABORT, 'a retired run stays retired'); END;
"""

#: The MAC of each account's fields (workbench.users); NULL until the first open by an app
#: that writes it, which MACs every row once.
_USER_RECORD_MAC_V5 = """
ALTER TABLE users ADD COLUMN record_mac BLOB;
"""

#: (version, script). Each script runs in one transaction.
MIGRATIONS: list[tuple[int, str]] = [
    (1, _CORE_SCHEMA_V1 + AUDIT_SCHEMA_SQL),
    (2, _RUNS_SCHEMA_V2),
    (3, _LOGIN_FAILURES_V3),
    (4, _KEY_CHAINS_SCHEMA),
    (5, _USER_RECORD_MAC_V5),
]

SCHEMA_VERSION = MIGRATIONS[-1][0]


def connect(path: Path, *, create: bool = False) -> sqlite3.Connection:
    """Open the workspace database with the durability settings of the design."""
    if not create and not path.exists():
        raise WorkspaceError(f"No workspace database at {path}. Is this a workspace directory?")
    if create:
        # Owner-only from the first byte: create the file before SQLite does.
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=30.0, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
    except sqlite3.DatabaseError as exc:
        raise WorkspaceError(f"The workspace database {path} cannot be opened: {exc}") from exc
    return conn


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database to SCHEMA_VERSION; return the version it had before."""
    (current,) = conn.execute("PRAGMA user_version").fetchone()
    if current > SCHEMA_VERSION:
        raise WorkspaceError(
            f"This workspace was written by a newer version of the app (schema {current}, "
            f"this app knows {SCHEMA_VERSION}). Update the app to open it."
        )
    for version, script in MIGRATIONS:
        if version <= current:
            continue
        # executescript commits first; wrap the script so it applies wholly or not at all.
        conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;")
    install_authorizer(conn)
    return int(current)


_savepoints = itertools.count()


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception.

    Inside a transaction already open on ``conn`` it is a savepoint of that transaction
    (so an action and its access-log event can commit together: ``with transaction(conn):``
    around both, the store's own ``transaction`` and the log's append nest inside).
    """
    if conn.in_transaction:
        name = f"nested_{next(_savepoints)}"
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:  # SQLite may have rolled back already (I/O error)
                conn.execute(f"ROLLBACK TO {name}")
                conn.execute(f"RELEASE {name}")
            raise
        conn.execute(f"RELEASE {name}")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:  # SQLite may have rolled back already (disk full, I/O)
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def get_setting(conn: sqlite3.Connection, key: str, default: str | None = None) -> str | None:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return default if row is None else str(row[0])


def set_setting(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
