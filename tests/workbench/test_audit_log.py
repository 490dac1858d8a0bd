"""Appending, checkpoints, queries and person history; triggers and the authorizer."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from rlwb.workbench.audit.checkpoints import (
    Checkpoint,
    FileCheckpointSink,
    KeyringCheckpointSink,
    checkpoint_signature_ok,
)
from rlwb.workbench.audit.errors import AuditEventRejected, CheckpointError
from rlwb.workbench.audit.events import EventDraft, EventType, Outcome, PersonRef
from rlwb.workbench.audit.log import AuditLog, EventFilter
from rlwb.workbench.audit.verify import verify_log
from rlwb.workbench.errors import AuditError, AuditWriteFailed
from tests.memory_keyring import MemoryKeyring
from tests.workbench.test_audit_support import (
    AUDITOR,
    CLERK,
    STATION,
    WORKSPACE_ID,
    fill,
    make_log,
    open_db,
    person,
    raw_connection,
    sample_draft,
)


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    return open_db(tmp_path / "log.db")


def test_append_commits_before_returning(tmp_path: Path, conn: sqlite3.Connection) -> None:
    log = make_log(conn)
    event = log.append(sample_draft(3))
    assert not conn.in_transaction
    other = sqlite3.connect(tmp_path / "log.db")  # another process's view
    assert other.execute("SELECT count(*) FROM audit_events").fetchone() == (1,)
    assert make_log(other).last() == event
    assert event.persons == (person(3 % 17),)
    assert (event.actor_user, event.actor_roles) == ("sato", ("clerk",))
    assert (event.host, event.os_user, event.app_version) == ("desk-07", "tanaka", "0.1.0")
    assert event.workspace_id == WORKSPACE_ID


def test_an_event_without_actor_is_logged(conn: sqlite3.Connection) -> None:
    event = make_log(conn).append(
        EventDraft(EventType.LOGIN_FAILED, Outcome.FAILED, None, details={"reason": "unknown user"})
    )
    assert event.actor_user is None and event.actor_roles == ()


def test_append_many_is_one_transaction(conn: sqlite3.Connection) -> None:
    log = make_log(conn)
    bad = EventDraft(EventType.EXPORT, Outcome.OK, CLERK, details={"x": object()})
    with pytest.raises(AuditEventRejected):
        log.append_many([sample_draft(1), bad])
    assert log.last() is None
    events = log.append_many([sample_draft(i) for i in range(1, 6)])
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert log.get(3) == events[2]
    assert log.append_many([]) == []


def test_two_writers_on_one_file_share_one_chain(tmp_path: Path, conn: sqlite3.Connection) -> None:
    key = Ed25519PrivateKey.generate()
    gui = make_log(conn, key=key)
    cli = make_log(open_db(tmp_path / "log.db", schema=False), key=key)
    for i in range(10):
        (gui if i % 2 else cli).append(sample_draft(i))
    assert [e.seq for e in gui.query(EventFilter(), newest_first=False)] == list(range(1, 11))
    assert verify_log(conn, workspace_id=WORKSPACE_ID, public_key=key.public_key()).intact


def test_sqlite_failure_is_audit_write_failed_and_writes_nothing(
    tmp_path: Path, conn: sqlite3.Connection
) -> None:
    make_log(conn).append(sample_draft(1))
    read_only = sqlite3.connect(
        f"file:{tmp_path / 'log.db'}?mode=ro", uri=True, isolation_level=None
    )
    with pytest.raises(AuditWriteFailed, match="not carried out"):
        make_log(read_only).append(sample_draft(2))
    assert not read_only.in_transaction
    assert conn.execute("SELECT count(*) FROM audit_events").fetchone() == (1,)


def test_a_naive_clock_fails_closed(conn: sqlite3.Connection) -> None:
    log = AuditLog(
        conn,
        workspace_id=WORKSPACE_ID,
        signer=Ed25519PrivateKey.generate(),
        workstation=STATION,
        clock=lambda: datetime(2026, 1, 1),
    )
    with pytest.raises(AuditWriteFailed):
        log.append(sample_draft(1))
    assert not conn.in_transaction
    assert log.last() is None


def test_inside_a_callers_transaction_the_event_commits_with_it(conn: sqlite3.Connection) -> None:
    log = make_log(conn)
    conn.execute("BEGIN IMMEDIATE")
    log.append(sample_draft(1))
    conn.execute("ROLLBACK")
    assert log.last() is None
    conn.execute("BEGIN IMMEDIATE")
    log.append(sample_draft(1))
    conn.execute("COMMIT")
    assert log.last() is not None
    conn.execute("BEGIN")
    with pytest.raises(AuditError, match="transaction"):
        log.checkpoint()
    conn.execute("ROLLBACK")


# -- checkpoints ----------------------------------------------------------------------------------
def test_a_checkpoint_is_signed_every_n_events(tmp_path: Path, conn: sqlite3.Connection) -> None:
    key = Ed25519PrivateKey.generate()
    sink = FileCheckpointSink(tmp_path / "cp.jsonl")
    log = make_log(conn, key=key, external=sink, checkpoint_every=5)
    for i in range(12):
        log.append(sample_draft(3 * i + 1))  # searches: no disclosure, seconds apart
    seqs = [r[0] for r in conn.execute("SELECT seq FROM audit_checkpoints ORDER BY seq")]
    assert seqs == [1, 5, 10]  # the first write of a never-anchored log, then every 5
    latest = sink.latest()
    assert latest is not None and latest.seq == 10
    assert latest.hash == log.get(10).hash  # type: ignore[union-attr]
    assert checkpoint_signature_ok(latest, key.public_key(), WORKSPACE_ID)
    log.append_many([sample_draft(i) for i in range(9)])  # 13..21 crosses 15 and 20
    assert [r[0] for r in conn.execute("SELECT seq FROM audit_checkpoints")][-1] == 21


def test_checkpoint_at_logout_goes_to_db_and_keyring_once(conn: sqlite3.Connection) -> None:
    ring = MemoryKeyring()
    key = Ed25519PrivateKey.generate()
    log = make_log(conn, key=key, external=KeyringCheckpointSink(WORKSPACE_ID, ring))
    fill(log, 7)
    cp = log.checkpoint()
    assert (cp.seq, cp.hash, cp.workspace_id) == (7, log.last().hash, WORKSPACE_ID)  # type: ignore[union-attr]
    assert log.checkpoint() == cp  # nothing new: the same checkpoint, not a second row
    assert conn.execute("SELECT count(*) FROM audit_checkpoints").fetchone() == (1,)
    stored = ring.get_password("records-linkage-workbench-checkpoint", WORKSPACE_ID)
    assert stored is not None and Checkpoint.from_json(stored) == cp
    assert log.latest_checkpoint() == cp


def test_checkpoint_of_an_empty_log_names_sequence_zero(conn: sqlite3.Connection) -> None:
    cp = make_log(conn).checkpoint()
    assert (cp.seq, cp.hash) == (0, "00" * 32)


class BrokenSink:
    def __init__(self) -> None:
        self.fail = True
        self.written: list[Checkpoint] = []

    def write(self, cp: Checkpoint) -> None:
        if self.fail:
            raise CheckpointError("keyring locked")
        self.written.append(cp)

    def latest(self) -> Checkpoint | None:
        return self.written[-1] if self.written else None


def test_an_unreachable_sink_does_not_undo_events_but_logout_reports_it(
    conn: sqlite3.Connection,
) -> None:
    sink = BrokenSink()
    log = make_log(conn, external=sink, checkpoint_every=2)
    log.append_many([sample_draft(1), sample_draft(2)])  # auto checkpoint: sink fails quietly
    assert log.last() is not None and log.external_pending
    with pytest.raises(CheckpointError):
        log.checkpoint()
    sink.fail = False
    assert log.checkpoint().seq == 2
    assert not log.external_pending and sink.written[-1].seq == 2


# -- queries ------------------------------------------------------------------------------------
def test_filters(conn: sqlite3.Connection) -> None:
    log = make_log(conn)
    for i in range(1, 31):
        log.append(sample_draft(i))  # one clock reading each
    everything = log.query(EventFilter())
    assert [e.seq for e in everything] == list(range(30, 0, -1))
    assert log.count(EventFilter()) == 30
    denied = EventFilter(outcomes=(Outcome.DENIED,))
    assert log.count(denied) == 10
    assert {e.actor_user for e in log.query(denied)} == {AUDITOR.user}
    reveals = EventFilter(users=("sato",), event_types=(EventType.REVEAL,))
    assert [e.seq for e in log.query(reveals, newest_first=False)] == list(range(3, 31, 3))
    assert [e.seq for e in log.query(reveals, limit=2, offset=1)] == [27, 24]
    assert log.count(EventFilter(dataset_id="ds-si-2026")) == 10
    assert log.count(EventFilter(text="扶養")) == 10
    assert log.count(EventFilter(text="REVEAL")) == 20  # reveals, and denied attempts to reveal
    times = [e.time for e in log.query(EventFilter(), newest_first=False)]
    window = EventFilter(
        since=datetime.fromisoformat(times[4]), until=datetime.fromisoformat(times[9])
    )
    assert [e.seq for e in log.query(window, newest_first=False)] == [5, 6, 7, 8, 9, 10]
    with pytest.raises(ValueError, match="timezone"):
        log.count(EventFilter(since=datetime(2026, 1, 1)))


def test_subject_user_and_run_filters(conn: sqlite3.Connection) -> None:
    log = make_log(conn)
    admin = CLERK.__class__("admin", ("admin",))
    log.append(EventDraft(EventType.USER_CREATED, Outcome.OK, admin, subject_user="sato"))
    log.append(
        EventDraft(EventType.RECONCILE_RUN, Outcome.OK, CLERK, run_id="run-1", dataset_id="d1")
    )
    assert [e.event_type for e in log.query(EventFilter(subject_user="sato"))] == [
        EventType.USER_CREATED
    ]
    assert [e.seq for e in log.query(EventFilter(run_id="run-1"))] == [2]
    assert log.query(EventFilter(run_id="run-2")) == []


def test_person_history_spans_key_versions(conn: sqlite3.Connection) -> None:
    log = make_log(conn)
    log.append(
        EventDraft(EventType.REVEAL, Outcome.OK, CLERK, purpose="適用調査", persons=(person(1, 1),))
    )
    log.append(
        EventDraft(EventType.REVEAL, Outcome.OK, CLERK, persons=(person(2, 1), person(3, 1)))
    )
    log.append(EventDraft(EventType.KEYS_ROTATION_FINISHED, Outcome.OK, CLERK))
    log.append(
        EventDraft(EventType.REVEAL, Outcome.OK, CLERK, persons=(person(1, 2),))
    )  # after rotation
    log.append(
        EventDraft(EventType.EXPORT, Outcome.OK, CLERK, persons=(person(3, 1), person(1, 2)))
    )
    history = log.person_history([person(1, 1), person(1, 2)])
    assert [e.seq for e in history] == [1, 4, 5]
    assert [e.seq for e in log.person_history([person(3, 1)])] == [2, 5]
    assert log.person_history([person(3, 2)]) == []
    assert log.person_history([]) == []
    assert log.count(EventFilter(persons=(person(2, 1),), event_types=(EventType.REVEAL,))) == 1


def test_a_forged_index_row_does_not_put_a_person_into_an_event(
    tmp_path: Path, conn: sqlite3.Connection
) -> None:
    log = make_log(conn)
    log.append(EventDraft(EventType.SEARCH, Outcome.OK, CLERK))
    log.append(EventDraft(EventType.REVEAL, Outcome.OK, CLERK, persons=(person(1),)))
    attacker = raw_connection(tmp_path / "log.db")
    attacker.execute(
        "INSERT INTO audit_event_persons (token_hex, key_version, seq) VALUES (?, 1, 1)",
        (person(9).token_hex,),
    )
    assert log.person_history([person(9)]) == []  # the hashed event decides
    assert [e.seq for e in log.person_history([person(1)])] == [2]


def test_iter_events_streams_oldest_first(conn: sqlite3.Connection) -> None:
    log = make_log(conn)
    fill(log, 25)
    assert [e.seq for e in log.iter_events(EventFilter(), batch=7)] == list(range(1, 26))


def test_unreadable_event_is_an_audit_error(tmp_path: Path, conn: sqlite3.Connection) -> None:
    log = make_log(conn)
    log.append(sample_draft(1))
    raw_connection(tmp_path / "log.db").execute("UPDATE audit_events SET body = '{\"seq\": 1}'")
    with pytest.raises(AuditError, match="cannot be read"):
        log.last()


# -- append-only ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET body = body || ' '",
        "DELETE FROM audit_events WHERE seq = 2",
        "UPDATE audit_event_persons SET key_version = 2",
        "DELETE FROM audit_event_persons",
        "UPDATE audit_checkpoints SET hash = 'x'",
        "DELETE FROM audit_checkpoints",
        "INSERT OR REPLACE INTO audit_events (seq, body, hash) SELECT seq, body, hash FROM audit_events WHERE seq = 1",
        "INSERT INTO audit_events (seq, body, hash) VALUES (9, '{}', x'00')",
        "INSERT INTO audit_event_persons (token_hex, key_version, seq) VALUES ('ab', 1, 99)",
        "INSERT INTO audit_checkpoints VALUES (3, 'w', 'bad', 'sig', 't')",
    ],
)
def test_triggers_refuse_changes(tmp_path: Path, statement: str) -> None:
    conn = open_db(tmp_path / "log.db", authorizer=False)
    log = make_log(conn)
    fill(log, 3)
    log.checkpoint()
    before = conn.execute("SELECT seq, body, hash FROM audit_events").fetchall()
    with pytest.raises(sqlite3.DatabaseError):
        conn.execute(statement)
    assert conn.execute("SELECT seq, body, hash FROM audit_events").fetchall() == before
    assert conn.execute("SELECT count(*) FROM audit_checkpoints").fetchone() == (1,)
    assert conn.execute("SELECT count(*) FROM audit_event_persons").fetchone() == (1,)


def test_trigger_message_says_append_only(tmp_path: Path) -> None:
    conn = open_db(tmp_path / "log.db", authorizer=False)
    fill(make_log(conn), 2)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM audit_events")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET body = body",
        "DELETE FROM audit_events",
        "DELETE FROM audit_event_persons",
        "UPDATE audit_checkpoints SET seq = seq",
        "DROP TRIGGER audit_events_no_delete",
        "DROP TABLE audit_events",
        "DROP TABLE audit_checkpoints",
        "DROP INDEX audit_events_by_user",
        "ALTER TABLE audit_events RENAME TO old_events",
        "ALTER TABLE audit_checkpoints ADD COLUMN x TEXT",
        "PRAGMA writable_schema = ON",
    ],
)
def test_authorizer_refuses_on_the_app_connection(conn: sqlite3.Connection, statement: str) -> None:
    fill(make_log(conn), 2)
    with pytest.raises(sqlite3.DatabaseError, match="not authorized"):
        conn.execute(statement)
    assert conn.execute("SELECT count(*) FROM audit_events").fetchone() == (2,)
    assert conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE name = 'audit_events_no_delete'"
    ).fetchone() == (1,)


def test_authorizer_allows_everything_else(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE users (name TEXT PRIMARY KEY, roles TEXT)")
    conn.execute("INSERT INTO users VALUES ('sato', 'clerk')")
    conn.execute("UPDATE users SET roles = 'clerk,auditor'")
    conn.execute("DELETE FROM users")
    conn.execute("CREATE INDEX users_by_roles ON users (roles)")
    conn.execute("DROP INDEX users_by_roles")
    conn.execute("ALTER TABLE users ADD COLUMN disabled INTEGER")
    conn.execute("DROP TABLE users")
    fill(make_log(conn), 2)
    assert conn.execute("SELECT count(*) FROM audit_events").fetchone() == (2,)


def test_person_refs_keep_their_version(conn: sqlite3.Connection) -> None:
    event = make_log(conn).append(
        EventDraft(
            EventType.REVEAL, Outcome.OK, CLERK, persons=(PersonRef(person(5).token_hex, 3),)
        )
    )
    assert event.persons[0].key_version == 3
    assert conn.execute("SELECT key_version, seq FROM audit_event_persons").fetchall() == [(3, 1)]
