"""Verification finds each kind of tampering and names the first broken sequence.

Every attack is done the way an attacker would: a raw connection to the file, triggers
dropped, no authorizer.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from rlwb.linkage.progress import Cancelled, CancelToken
from rlwb.workbench.audit.chain import ChainKey
from rlwb.workbench.audit.checkpoints import (
    CheckpointSink,
    FileCheckpointSink,
    KeyringCheckpointSink,
    checkpoint_signature_ok,
    sign_checkpoint,
)
from rlwb.workbench.audit.errors import CheckpointError
from rlwb.workbench.audit.events import EventDraft, EventType, Outcome, canonical_json
from rlwb.workbench.audit.log import AuditLog
from rlwb.workbench.audit.verify import BreakReason, VerificationResult, verify_log
from tests.memory_keyring import MemoryKeyring
from tests.workbench.test_audit_support import (
    CLERK,
    LOG_KEY,
    WORKSPACE_ID,
    fill,
    make_log,
    open_db,
    person,
    raw_connection,
    sample_draft,
)

N = 50
CHAIN = ChainKey(LOG_KEY)


@dataclass
class Setup:
    path: Path
    conn: sqlite3.Connection
    log: AuditLog
    key: Ed25519PrivateKey
    sink: FileCheckpointSink

    def verify(self, external: CheckpointSink | None = None, **kw: object) -> VerificationResult:
        return verify_log(
            self.conn,
            workspace_id=WORKSPACE_ID,
            public_key=self.key.public_key(),
            external=external if external is not None else self.sink,
            chain=CHAIN,
            **kw,  # type: ignore[arg-type]
        )

    def attacker(self) -> sqlite3.Connection:
        return raw_connection(self.path)


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    path = tmp_path / "log.db"
    conn = open_db(path)
    key = Ed25519PrivateKey.generate()
    sink = FileCheckpointSink(tmp_path / "checkpoints.jsonl")
    log = make_log(conn, key=key, external=sink, checkpoint_every=10, chain=CHAIN)
    for start in range(1, N + 1, 10):  # ten commits, each ending on a checkpoint
        log.append_many([sample_draft(i) for i in range(start, start + 10)])
    return Setup(path, conn, log, key, sink)


def rechain(attacker: sqlite3.Connection, start: int) -> None:
    """Recompute every hash from ``start`` on, as an attacker hiding an edit would."""
    prev = bytes(
        attacker.execute("SELECT hash FROM audit_events WHERE seq = ?", (start - 1,)).fetchone()[0]
    )
    rows = attacker.execute(
        "SELECT seq, body FROM audit_events WHERE seq >= ? ORDER BY seq", (start,)
    ).fetchall()
    for seq, body in rows:
        content = json.loads(body)
        content["prev_hash"] = prev.hex()
        new_body = canonical_json(content)
        prev = hashlib.sha256(prev + new_body).digest()
        attacker.execute(
            "UPDATE audit_events SET body = ?, hash = ? WHERE seq = ?",
            (new_body.decode(), prev, seq),
        )


def broken(result: VerificationResult, seq: int, reason: BreakReason) -> None:
    assert not result.intact
    assert (result.broken_seq, result.reason) == (seq, reason), result.message
    assert result.message.startswith(f"Broken at sequence {seq}: ")


def test_an_untouched_log_is_intact(setup: Setup) -> None:
    result = setup.verify()
    assert result.intact and result.checked_up_to == N
    assert result.message == f"Intact up to sequence {N}."
    assert result.broken_seq is None and result.reason is None
    assert result.checkpoints_checked == N // 10 and result.external_checked
    assert result.warnings == ()


def test_an_empty_log_is_intact(tmp_path: Path) -> None:
    conn = open_db(tmp_path / "e.db")
    key = Ed25519PrivateKey.generate()
    make_log(conn, key=key).checkpoint()
    result = verify_log(conn, workspace_id=WORKSPACE_ID, public_key=key.public_key())
    assert result.intact and result.checked_up_to == 0
    assert result.message == "Intact: the log holds no events yet."


def test_an_edited_field(setup: Setup) -> None:
    setup.attacker().execute(
        'UPDATE audit_events SET body = replace(body, \'"actor_user":"sato"\', \'"actor_user":"kato"\') '
        "WHERE seq = 16"
    )
    assert setup.log.get(16).actor_user == "kato"  # type: ignore[union-attr]
    result = setup.verify()
    broken(result, 16, BreakReason.CONTENT_CHANGED)
    assert result.checked_up_to == 15
    assert result.message == "Broken at sequence 16: content changed."


def test_an_edited_field_with_its_hash_recomputed(setup: Setup) -> None:
    attacker = setup.attacker()
    body, prev = attacker.execute(
        "SELECT e.body, p.hash FROM audit_events e JOIN audit_events p ON p.seq = e.seq - 1 WHERE e.seq = 16"
    ).fetchone()
    edited = body.replace('"purpose":"扶養認定確認"', '"purpose":"適用調査"').encode()
    assert edited != body.encode()
    attacker.execute(
        "UPDATE audit_events SET body = ?, hash = ? WHERE seq = 16",
        (edited.decode(), hashlib.sha256(prev + edited).digest()),
    )
    broken(setup.verify(), 16, BreakReason.CONTENT_CHANGED)


def test_an_edit_hidden_by_rechaining_the_tail_is_caught_by_the_log_key(setup: Setup) -> None:
    attacker = setup.attacker()
    attacker.execute(
        'UPDATE audit_events SET body = replace(body, \'"outcome":"denied"\', \'"outcome":"ok"\') WHERE seq = 17'
    )
    rechain(attacker, 17)
    result = setup.verify()
    broken(result, 17, BreakReason.CONTENT_CHANGED)
    assert "log key" in (result.detail or "")


def test_an_edit_hidden_by_rechaining_an_unkeyed_log_is_caught_by_the_checkpoints(
    tmp_path: Path,
) -> None:
    """A log from before keyed chains: only the signed checkpoints catch a re-chained edit."""
    conn = open_db(tmp_path / "old.db")
    key = Ed25519PrivateKey.generate()
    log = make_log(conn, key=key, checkpoint_every=10)
    for start in range(1, N + 1, 10):
        log.append_many([sample_draft(i) for i in range(start, start + 10)])
    attacker = raw_connection(tmp_path / "old.db")
    attacker.execute(
        'UPDATE audit_events SET body = replace(body, \'"outcome":"denied"\', \'"outcome":"ok"\') WHERE seq = 17'
    )
    rechain(attacker, 17)
    result = verify_log(conn, workspace_id=WORKSPACE_ID, public_key=key.public_key())
    broken(result, 11, BreakReason.CONTENT_CHANGED)  # events after the checkpoint at 10 are suspect
    assert result.checked_up_to == 10
    assert "checkpoint" in (result.detail or "")


def test_a_deleted_middle_row(setup: Setup) -> None:
    setup.attacker().execute("DELETE FROM audit_events WHERE seq = 23")
    result = setup.verify()
    broken(result, 23, BreakReason.EVENT_MISSING)
    assert result.message == "Broken at sequence 23: event missing."


def test_a_deleted_middle_row_with_the_rest_renumbered(setup: Setup) -> None:
    attacker = setup.attacker()
    attacker.execute("DELETE FROM audit_events WHERE seq = 23")
    attacker.execute("UPDATE audit_events SET seq = seq - 1 WHERE seq > 23")
    attacker.execute("DELETE FROM audit_event_persons WHERE seq = 23")  # the index too
    attacker.execute("UPDATE audit_event_persons SET seq = seq - 1 WHERE seq > 23")
    broken(setup.verify(), 23, BreakReason.EVENT_MISSING)


def test_swapped_rows(setup: Setup) -> None:
    attacker = setup.attacker()
    a = attacker.execute("SELECT body, hash FROM audit_events WHERE seq = 12").fetchone()
    b = attacker.execute("SELECT body, hash FROM audit_events WHERE seq = 15").fetchone()
    attacker.execute("UPDATE audit_events SET body = ?, hash = ? WHERE seq = 12", b)
    attacker.execute("UPDATE audit_events SET body = ?, hash = ? WHERE seq = 15", a)
    result = setup.verify()
    broken(result, 12, BreakReason.ORDER_CHANGED)
    assert result.message == "Broken at sequence 12: order changed."


def test_swapped_bodies_only(setup: Setup) -> None:
    attacker = setup.attacker()
    a = attacker.execute("SELECT body FROM audit_events WHERE seq = 30").fetchone()[0]
    b = attacker.execute("SELECT body FROM audit_events WHERE seq = 31").fetchone()[0]
    attacker.execute("UPDATE audit_events SET body = ? WHERE seq = 30", (b,))
    attacker.execute("UPDATE audit_events SET body = ? WHERE seq = 31", (a,))
    broken(setup.verify(), 30, BreakReason.ORDER_CHANGED)


def test_a_deleted_tail_is_caught_by_the_database_checkpoint(setup: Setup) -> None:
    attacker = setup.attacker()
    attacker.execute("DELETE FROM audit_events WHERE seq > 45")
    attacker.execute("DELETE FROM audit_event_persons WHERE seq > 45")
    result = setup.verify(external=_NoSink())
    broken(result, 46, BreakReason.LOG_SHORTER_THAN_CHECKPOINT)
    assert result.checked_up_to == 45
    assert result.message.startswith("Broken at sequence 46: log shorter than the last checkpoint")


def test_a_deleted_tail_and_checkpoints_are_caught_by_the_external_file(setup: Setup) -> None:
    attacker = setup.attacker()
    attacker.execute("DELETE FROM audit_events WHERE seq > 45")
    attacker.execute("DELETE FROM audit_event_persons WHERE seq > 45")
    attacker.execute("DELETE FROM audit_checkpoints WHERE seq > 45")
    result = setup.verify()
    broken(result, 46, BreakReason.LOG_SHORTER_THAN_CHECKPOINT)
    assert "outside the database" in result.message


def test_a_deleted_tail_and_checkpoints_are_caught_by_the_keyring(tmp_path: Path) -> None:
    conn = open_db(tmp_path / "k.db")
    key = Ed25519PrivateKey.generate()
    ring = KeyringCheckpointSink(WORKSPACE_ID, MemoryKeyring())
    log = make_log(conn, key=key, external=ring)
    fill(log, 20)
    log.checkpoint()  # logout
    attacker = raw_connection(tmp_path / "k.db")
    attacker.execute("DELETE FROM audit_events WHERE seq > 12")
    attacker.execute("DELETE FROM audit_event_persons WHERE seq > 12")
    attacker.execute("DELETE FROM audit_checkpoints")
    result = verify_log(conn, workspace_id=WORKSPACE_ID, public_key=key.public_key(), external=ring)
    broken(result, 13, BreakReason.LOG_SHORTER_THAN_CHECKPOINT)


def test_a_cut_tail_regrown_past_the_external_checkpoint_is_content_changed(setup: Setup) -> None:
    attacker = setup.attacker()
    attacker.execute("DELETE FROM audit_events WHERE seq > 45")
    attacker.execute("DELETE FROM audit_event_persons WHERE seq > 45")
    attacker.execute("DELETE FROM audit_checkpoints")
    for i in range(10):  # the app goes on writing on the shortened chain, past sequence 50
        setup.log.append(sample_draft(i))
    # The app signed a checkpoint at 50 again, but would not overwrite the external one ...
    assert setup.log.external_pending
    with pytest.raises(CheckpointError, match="tampered"):
        setup.log.checkpoint()
    latest = setup.sink.latest()
    assert latest is not None and latest.seq == 50 and latest.hash != setup.log.get(50).hash  # type: ignore[union-attr]
    # ... so verification sees the chain differ from it.
    result = setup.verify()
    assert not result.intact and result.reason is BreakReason.CONTENT_CHANGED
    assert result.broken_seq is not None and result.broken_seq <= 50
    assert "outside the database" in result.message


def test_without_any_checkpoint_left_a_cut_tail_cannot_be_seen(setup: Setup) -> None:
    """The limit the spec names: hence the checkpoint kept outside the database."""
    attacker = setup.attacker()
    attacker.execute("DELETE FROM audit_events WHERE seq > 45")
    attacker.execute("DELETE FROM audit_event_persons WHERE seq > 45")
    attacker.execute("DELETE FROM audit_checkpoints")
    assert setup.verify(external=_NoSink()).intact


def _insert_checkpoint(setup: Setup, seq: int, hash_hex: str, key: Ed25519PrivateKey) -> None:
    forged = sign_checkpoint(key, workspace_id=WORKSPACE_ID, seq=seq, hash_hex=hash_hex, time="t")
    setup.attacker().execute(
        "INSERT INTO audit_checkpoints VALUES (?, ?, ?, ?, ?)",
        (forged.seq, forged.workspace_id, forged.hash, forged.signature_hex, forged.time),
    )


def test_a_forged_checkpoint_row(setup: Setup) -> None:
    """A checkpoint signed with another key that claims another chain: named as forged, not
    taken for a change of the log."""
    _insert_checkpoint(setup, 25, "ab" * 32, Ed25519PrivateKey.generate())
    result = setup.verify()
    broken(result, 25, BreakReason.SIGNATURE_INVALID)
    assert (
        result.message == "Broken at sequence 25: signature invalid (a checkpoint in the database)."
    )


def test_a_forged_checkpoint_row_beyond_the_end_is_forged_not_a_cut_tail(setup: Setup) -> None:
    _insert_checkpoint(setup, 70, "ab" * 32, Ed25519PrivateKey.generate())
    broken(setup.verify(), 70, BreakReason.SIGNATURE_INVALID)


def test_a_forged_row_that_repeats_the_keyed_chain_is_checked_only_as_the_latest_or_a_sample(
    setup: Setup,
) -> None:
    """Changed from the old behaviour (every signature checked): a row in the keyed part of
    the log that repeats the chain's own (sequence, hash) claims nothing the keyed chain does
    not prove, so between the sampled rows its signature is not checked (the cost of one
    verification per disclosure). As the latest row it is."""
    mallory = Ed25519PrivateKey.generate()
    hash_25 = setup.log.get(25)
    assert hash_25 is not None
    _insert_checkpoint(setup, 25, hash_25.hash, mallory)
    result = setup.verify()
    assert result.intact and result.checked_up_to == N
    assert result.signatures_checked == 3  # the first row, the latest, the external one
    setup.log.append(sample_draft(1))  # seq 51, not anchored yet
    last = setup.log.get(N + 1)
    assert last is not None
    _insert_checkpoint(setup, N + 1, last.hash, mallory)
    broken(setup.verify(), N + 1, BreakReason.SIGNATURE_INVALID)


def test_a_forged_row_at_the_end_never_reaches_the_external_sink(setup: Setup) -> None:
    """At logout the log reuses the database's checkpoint at the chain's end; one it did not
    sign is left as evidence and the external sink gets a checkpoint signed by the log."""
    setup.log.append(sample_draft(1))  # seq 51, not anchored yet
    last = setup.log.get(N + 1)
    assert last is not None
    _insert_checkpoint(setup, N + 1, last.hash, Ed25519PrivateKey.generate())
    setup.log.checkpoint()
    kept = setup.sink.latest()
    assert kept is not None and (kept.seq, kept.hash) == (N + 1, last.hash)
    assert checkpoint_signature_ok(kept, setup.key.public_key(), WORKSPACE_ID)
    broken(setup.verify(), N + 1, BreakReason.SIGNATURE_INVALID)  # the forged row, the latest


@pytest.mark.parametrize("seq", [10, 50])  # the first row (sampled) and the latest
def test_an_edited_checkpoint_signature(setup: Setup, seq: int) -> None:
    setup.attacker().execute(
        "UPDATE audit_checkpoints SET signature = substr(signature, 1, 10) || "
        "CASE substr(signature, 11, 1) WHEN 'a' THEN 'b' ELSE 'a' END || substr(signature, 12) "
        "WHERE seq = ?",
        (seq,),
    )
    broken(setup.verify(), seq, BreakReason.SIGNATURE_INVALID)


@pytest.mark.parametrize(
    ("keyed_from", "edited", "checked"),
    [
        (None, 30, 5),  # a log from before keyed chains: the signatures are all it has
        (21, 20, 3),  # keyed from 21 on: the rows at 10 and 20, and the latest (50)
    ],
)
def test_every_checkpoint_signature_of_the_unkeyed_part_is_checked(
    tmp_path: Path, keyed_from: int | None, edited: int, checked: int
) -> None:
    chain = ChainKey(None) if keyed_from is None else ChainKey(LOG_KEY, keyed_from=keyed_from)
    conn = open_db(tmp_path / "old.db")
    key = Ed25519PrivateKey.generate()
    log = make_log(conn, key=key, checkpoint_every=10, chain=chain)
    for start in range(1, N + 1, 10):
        log.append_many([sample_draft(i) for i in range(start, start + 10)])
    result = verify_log(conn, workspace_id=WORKSPACE_ID, public_key=key.public_key(), chain=chain)
    assert result.ok and result.signatures_checked == checked
    raw_connection(tmp_path / "old.db").execute(
        "UPDATE audit_checkpoints SET signature = ? WHERE seq = ?", ("00" * 64, edited)
    )
    result = verify_log(conn, workspace_id=WORKSPACE_ID, public_key=key.public_key(), chain=chain)
    broken(result, edited, BreakReason.SIGNATURE_INVALID)


def test_a_forged_external_checkpoint(setup: Setup) -> None:
    mallory = Ed25519PrivateKey.generate()
    setup.sink.write(
        sign_checkpoint(mallory, workspace_id=WORKSPACE_ID, seq=60, hash_hex="ab" * 32, time="t")
    )
    result = setup.verify()
    broken(result, 60, BreakReason.SIGNATURE_INVALID)
    assert "outside the database" in result.message


def test_the_wrong_public_key_fails_at_the_first_checkpoint(setup: Setup) -> None:
    result = verify_log(
        setup.conn,
        workspace_id=WORKSPACE_ID,
        public_key=Ed25519PrivateKey.generate().public_key(),
        chain=CHAIN,
    )
    broken(result, 10, BreakReason.SIGNATURE_INVALID)


def test_another_workspaces_log_is_not_intact(setup: Setup) -> None:
    result = verify_log(
        setup.conn, workspace_id="another", public_key=setup.key.public_key(), chain=CHAIN
    )
    broken(result, 1, BreakReason.CONTENT_CHANGED)


@pytest.mark.parametrize(
    ("attack", "seq"),
    [
        ("UPDATE audit_event_persons SET token_hex = ? WHERE seq = 9", 9),
        ("UPDATE audit_event_persons SET key_version = 2 WHERE seq = 9 AND ? IS NOT NULL", 9),
        ("DELETE FROM audit_event_persons WHERE seq = 9 AND ? IS NOT NULL", 9),
        ("INSERT INTO audit_event_persons (token_hex, key_version, seq) VALUES (?, 1, 10)", 10),
        ("INSERT INTO audit_event_persons (token_hex, key_version, seq) VALUES (?, 1, 0)", 0),
        ("INSERT INTO audit_event_persons (token_hex, key_version, seq) VALUES (?, 1, 'junk')", 0),
        ("UPDATE audit_event_persons SET seq = 6 WHERE seq = 9 AND ? IS NOT NULL", 6),
        ("UPDATE audit_event_persons SET key_version = 1.5 WHERE seq = 9 AND ? IS NOT NULL", 9),
        (
            "UPDATE audit_event_persons SET token_hex = upper(token_hex) WHERE seq = 9 AND ? IS NOT NULL",
            9,
        ),
    ],
)
def test_a_tampered_person_index(setup: Setup, attack: str, seq: int) -> None:
    setup.attacker().execute(attack, (person(99).token_hex,))
    result = setup.verify()
    broken(result, seq, BreakReason.CONTENT_CHANGED)
    assert result.detail == "in the person index"
    assert "person index" in result.message


def test_index_rows_beyond_the_log_are_reported(setup: Setup) -> None:
    setup.attacker().execute(
        "INSERT INTO audit_event_persons (token_hex, key_version, seq) VALUES (?, 1, 77)",
        (person(5).token_hex,),
    )
    result = setup.verify()
    broken(result, 77, BreakReason.CONTENT_CHANGED)
    assert result.checked_up_to == N


def test_dropped_triggers_are_warned_about_but_do_not_break_the_chain(setup: Setup) -> None:
    setup.attacker()  # drops every trigger of the log tables
    result = setup.verify()
    assert result.intact
    assert any("audit_events_no_delete" in w and "missing" in w for w in result.warnings)


def test_progress_is_reported_and_cancel_stops(setup: Setup) -> None:
    seen: list[tuple[str, float]] = []
    setup.verify(progress=lambda step, f: seen.append((step, f)))
    assert seen[0][1] == 0.0 and seen[-1] == ("Verification finished", 1.0)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        setup.verify(cancel=token)
    assert not setup.conn.in_transaction


class _NoSink:
    def write(self, cp: object) -> None:
        raise AssertionError("verification never writes")

    def latest(self) -> None:
        return None


def test_persons_in_any_order_and_details_that_mimic_fields_verify(tmp_path: Path) -> None:
    conn = open_db(tmp_path / "o.db")
    key = Ed25519PrivateKey.generate()
    log = make_log(conn, key=key)
    log.append(
        EventDraft(
            EventType.EXPORT,
            Outcome.OK,
            CLERK,
            persons=(person(9), person(1, 2), person(4)),
            # details whose keys look like top-level fields must not confuse verification
            details={"a": 1, "persons": [], "prev_hash": "x", "workspace_id": "other"},
        )
    )
    log.append(
        EventDraft(EventType.EXPORT, Outcome.OK, CLERK, details={"persons": [{"key_version": 1}]})
    )
    result = verify_log(conn, workspace_id=WORKSPACE_ID, public_key=key.public_key())
    assert result.intact, result.message
    raw_connection(tmp_path / "o.db").execute(
        "DELETE FROM audit_event_persons WHERE token_hex = ?", (person(4).token_hex,)
    )
    broken(
        verify_log(conn, workspace_id=WORKSPACE_ID, public_key=key.public_key()),
        1,
        BreakReason.CONTENT_CHANGED,
    )


def test_an_event_appended_during_verification_is_kept(setup: Setup) -> None:
    """Verification reads on its own connection: it cannot swallow a concurrent append."""
    appended = []

    def progress(step: str, fraction: float) -> None:
        if step == "Checking the hash chain" and not appended:
            appended.append(setup.log.append(sample_draft(1)))

    result = setup.verify(progress=progress)
    assert result.intact and result.checked_up_to == N  # the snapshot taken before the append
    assert setup.log.last() == appended[0] and appended[0].seq == N + 1
    assert setup.verify().checked_up_to == N + 1
