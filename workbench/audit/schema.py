"""The tables of the access log, the triggers that keep them append-only, and an authorizer.

Each event is stored once, as the canonical bytes that the hash chain covers (``body``).
The columns used for filtering are *generated* from ``body`` by SQLite, so they cannot say
something different from what is hashed. The person index (``audit_event_persons``) is a
copy for fast lookup; verification checks it against the persons inside each event.

Triggers and the authorizer stop bugs, not attackers: anyone who can write the file can
drop a trigger. Signed checkpoints (kept also outside the database) catch what they miss.
"""

from __future__ import annotations

import functools
import sqlite3

EVENTS_TABLE = "audit_events"
PERSONS_TABLE = "audit_event_persons"
CHECKPOINTS_TABLE = "audit_checkpoints"
LOG_TABLES = frozenset({EVENTS_TABLE, PERSONS_TABLE, CHECKPOINTS_TABLE})


def _append_only(table: str, noun: str) -> str:
    return f"""
CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
BEGIN
    SELECT RAISE(ABORT, 'The access log is append-only: {noun} cannot be changed.');
END;
CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
BEGIN
    SELECT RAISE(ABORT, 'The access log is append-only: {noun} cannot be deleted.');
END;
"""


def _generated(column: str) -> str:
    return f"    {column} TEXT GENERATED ALWAYS AS (json_extract(body, '$.{column}')) VIRTUAL"


_FILTER_COLUMNS = (
    "time",
    "event_type",
    "outcome",
    "actor_user",
    "dataset_id",
    "run_id",
    "subject_user",
)

AUDIT_SCHEMA_SQL: str = (
    f"""
CREATE TABLE {EVENTS_TABLE} (
    seq  INTEGER PRIMARY KEY,   -- 1, 2, 3, ... with no gap
    body TEXT NOT NULL,         -- canonical JSON of the event: exactly the bytes hashed
    hash BLOB NOT NULL,         -- SHA-256(previous hash || body), 32 bytes
"""
    + ",\n".join(_generated(c) for c in _FILTER_COLUMNS)
    + f"""
);
CREATE INDEX {EVENTS_TABLE}_by_time ON {EVENTS_TABLE} (time);
CREATE INDEX {EVENTS_TABLE}_by_user ON {EVENTS_TABLE} (actor_user, seq);
CREATE INDEX {EVENTS_TABLE}_by_type ON {EVENTS_TABLE} (event_type, seq);
CREATE INDEX {EVENTS_TABLE}_by_dataset ON {EVENTS_TABLE} (dataset_id, seq)
    WHERE dataset_id IS NOT NULL;
CREATE INDEX {EVENTS_TABLE}_by_run ON {EVENTS_TABLE} (run_id, seq) WHERE run_id IS NOT NULL;
CREATE INDEX {EVENTS_TABLE}_by_subject ON {EVENTS_TABLE} (subject_user, seq)
    WHERE subject_user IS NOT NULL;

CREATE TABLE {PERSONS_TABLE} (
    seq         INTEGER NOT NULL,
    token_hex   TEXT NOT NULL,
    key_version INTEGER NOT NULL,
    PRIMARY KEY (seq, token_hex, key_version)   -- event order: verification streams it
) WITHOUT ROWID;
CREATE INDEX {PERSONS_TABLE}_by_person ON {PERSONS_TABLE} (token_hex, key_version);

CREATE TABLE {CHECKPOINTS_TABLE} (
    seq          INTEGER PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    hash         TEXT NOT NULL,     -- lowercase hex of the event hash at seq
    signature    TEXT NOT NULL,     -- Ed25519, lowercase hex
    time         TEXT NOT NULL
);

CREATE TRIGGER {EVENTS_TABLE}_in_sequence BEFORE INSERT ON {EVENTS_TABLE}
WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM {EVENTS_TABLE})
BEGIN
    SELECT RAISE(ABORT, 'Access-log events must be appended in sequence.');
END;
CREATE TRIGGER {PERSONS_TABLE}_known_event BEFORE INSERT ON {PERSONS_TABLE}
WHEN NOT EXISTS (SELECT 1 FROM {EVENTS_TABLE} WHERE seq = NEW.seq)
BEGIN
    SELECT RAISE(ABORT, 'The person index may only name logged events.');
END;
CREATE TRIGGER {CHECKPOINTS_TABLE}_matches_log BEFORE INSERT ON {CHECKPOINTS_TABLE}
WHEN EXISTS (SELECT 1 FROM {CHECKPOINTS_TABLE} WHERE seq = NEW.seq)
  OR NEW.hash IS NOT coalesce(
        (SELECT lower(hex(hash)) FROM {EVENTS_TABLE} WHERE seq = NEW.seq),
        CASE WHEN NEW.seq = 0 THEN '{"0" * 64}' END)
BEGIN
    SELECT RAISE(ABORT, 'A checkpoint must match the logged event it names, once.');
END;
"""
    + _append_only(EVENTS_TABLE, "events")
    + _append_only(PERSONS_TABLE, "the person index")
    + _append_only(CHECKPOINTS_TABLE, "checkpoints")
)


def _deny_log_changes(
    action: int, arg1: str | None, arg2: str | None, _db: str | None, _src: str | None
) -> int:
    name1 = (arg1 or "").lower()
    name2 = (arg2 or "").lower()
    if action in (sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE, sqlite3.SQLITE_DROP_TABLE):
        return sqlite3.SQLITE_DENY if name1 in LOG_TABLES else sqlite3.SQLITE_OK
    if action in (sqlite3.SQLITE_DROP_TRIGGER, sqlite3.SQLITE_DROP_INDEX):
        return sqlite3.SQLITE_DENY if name2 in LOG_TABLES else sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_ALTER_TABLE:  # arg1 is the database, arg2 the table
        return sqlite3.SQLITE_DENY if name2 in LOG_TABLES else sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA and name1 == "writable_schema":
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def install_authorizer(conn: sqlite3.Connection) -> None:
    """Make ``conn`` refuse UPDATE, DELETE, DROP and ALTER on the log tables.

    Everything else is allowed. SQLite keeps one authorizer per connection: this replaces
    any other.
    """
    conn.set_authorizer(_deny_log_changes)


@functools.cache
def _expected_objects() -> dict[str, tuple[str, str]]:
    mem = sqlite3.connect(":memory:")
    try:
        mem.executescript(AUDIT_SCHEMA_SQL)
        query = "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL"
        rows = mem.execute(query).fetchall()
    finally:
        mem.close()
    return {str(name): (str(kind), str(sql)) for kind, name, sql in rows}


def schema_warnings(conn: sqlite3.Connection) -> list[str]:
    """Plain sentences about log tables, columns, indexes or triggers that are missing, were
    changed or were added: the definitions must be exactly the ones this module creates.

    The filters read generated columns and indexes, so a definition rewritten with
    ``PRAGMA writable_schema`` can hide a user's events from them while every event still
    chains; a missing trigger shows that someone went around the application.
    """
    actual = {
        str(name): (str(kind), str(sql))
        for kind, name, sql in conn.execute(
            "SELECT type, name, sql FROM sqlite_master "
            "WHERE sql IS NOT NULL AND (tbl_name IN (?, ?, ?) OR name IN (?, ?, ?))",
            tuple(sorted(LOG_TABLES)) * 2,
        )
    }
    expected = _expected_objects()
    warnings: list[str] = []
    for name, (kind, sql) in sorted(expected.items()):
        if name not in actual:
            warnings.append(f"The {kind} {name} of the access log is missing.")
        elif actual[name] != (kind, sql):
            warnings.append(f"The definition of the {kind} {name} of the access log was changed.")
    for name, (kind, _sql) in sorted(actual.items()):
        if name not in expected:
            warnings.append(f"A {kind} {name} was added to the access log's tables.")
    return warnings


def integrity_problems(conn: sqlite3.Connection) -> list[str]:
    """``PRAGMA integrity_check`` of each log table and its indexes, as plain sentences.

    It finds an index whose entries no longer match its table (a filter reading that index
    would miss or invent events) and damaged pages, which the schema text cannot show.
    """
    problems: list[str] = []
    for table in sorted(LOG_TABLES):
        try:
            rows = conn.execute(f"PRAGMA integrity_check({table})").fetchall()
        except sqlite3.DatabaseError as exc:
            problems.append(f"The integrity check of {table} could not run ({exc}).")
            continue
        found = [str(r[0]) for r in rows if str(r[0]) != "ok"]
        if found:
            shown = "; ".join(found[:3]) + ("; ..." if len(found) > 3 else "")
            problems.append(f"The integrity check of {table} failed: {shown}")
    return problems
