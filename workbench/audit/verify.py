"""Verify the access log in one pass: keyed chain, signed checkpoints, person index, schema.

The result is exactly one of "intact up to sequence S" or "broken at sequence S, because
...". The events are streamed from one cursor inside one read transaction (a consistent
snapshot even while another process appends); per event the work is one HMAC-SHA256 (plain
SHA-256 before the chain was keyed) and a few byte comparisons, so a million events take
seconds.

Which checkpoint signatures are checked. The log anchors after every disclosure, so a log
can hold a checkpoint for every other event, and an Ed25519 verification costs as much as
walking ten or more events. A checkpoint whose sequence and hash agree with the keyed chain
claims nothing the chain (which needs the log-MAC key) does not already prove, so its
signature is checked only where it adds something: the latest checkpoint in the database,
the external one, the first and every 1,000th row after it (a sample: a wrong public key or
a log signed by another key shows at once), every checkpoint of the part of the log written
before it was keyed (there the signatures are the only protection), and every checkpoint
that disagrees with the chain or lies beyond its end (to tell a forged checkpoint, *signature
invalid*, from a changed log). A forged row that repeats the chain's own (sequence, hash)
between samples is therefore not reported: it hides nothing.

Besides the chain, the result lists *signs of tampering* that do not break it: a changed,
missing or added table, column, index or trigger of the log (the filters read generated
columns and indexes, so a rewritten definition hides events from them), a database that
fails ``PRAGMA integrity_check`` on the log tables (an index that no longer matches its
table), and an external checkpoint that cannot be read. A log with any of them is not
:attr:`VerificationResult.ok`.

Why a break is classified as it is (only worked out once, for the first break):

- a gap in the sequence numbers, or an event that says it is a later one and whose own
  number appears nowhere after it: *event missing*;
- an event that is whole but sits at the wrong place: *order changed*;
- an event whose bytes no longer give its hash, or a whole event whose predecessor was
  rewritten and re-hashed, or a chain that differs from a signed checkpoint, or a person
  index that differs from the persons inside the events: *content changed*;
- a checkpoint whose signature does not verify: *signature invalid*;
- a checkpoint (in the database or outside it) beyond the end of the log:
  *log shorter than checkpoint*.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from rlwb.linkage.progress import CancelToken, no_progress
from rlwb.workbench.audit.chain import UNKEYED, ChainKey
from rlwb.workbench.audit.checkpoints import Checkpoint, CheckpointSink, checkpoint_signature_ok
from rlwb.workbench.audit.errors import CheckpointError
from rlwb.workbench.audit.events import canonical_json
from rlwb.workbench.audit.schema import (
    CHECKPOINTS_TABLE,
    EVENTS_TABLE,
    PERSONS_TABLE,
    integrity_problems,
    schema_warnings,
)
from rlwb.workbench.errors import AuditError

_ZERO = bytes(32)
_PERSONS_KEY = b',"persons":'
_PREV_KEY = b',"prev_hash":'
# One person inside a verified event, exactly as canonical_json writes it.
_PERSON = re.compile(rb'"key_version":([0-9]+),"token_hex":"([0-9a-f]+)"')
_END = 1 << 62  # past every sequence number: the index has no more rows
_REPORT_EVERY = 1 << 16
#: Besides the ones that matter (see above), the signature of every this-many-th checkpoint
#: row (the first one included) is checked.
SIGNATURE_SAMPLE = 1000


class BreakReason(StrEnum):
    CONTENT_CHANGED = "content_changed"
    EVENT_MISSING = "event_missing"
    ORDER_CHANGED = "order_changed"
    SIGNATURE_INVALID = "signature_invalid"
    LOG_SHORTER_THAN_CHECKPOINT = "log_shorter_than_checkpoint"


_REASON_TEXT = {
    BreakReason.CONTENT_CHANGED: "content changed",
    BreakReason.EVENT_MISSING: "event missing",
    BreakReason.ORDER_CHANGED: "order changed",
    BreakReason.SIGNATURE_INVALID: "signature invalid",
    BreakReason.LOG_SHORTER_THAN_CHECKPOINT: "log shorter than the last checkpoint",
}


@dataclass(frozen=True)
class VerificationResult:
    intact: bool
    #: The last sequence number known good (all of the log when intact).
    checked_up_to: int
    broken_seq: int | None = None
    reason: BreakReason | None = None
    #: Where the break was seen, when that helps (e.g. "in the person index").
    detail: str | None = None
    checkpoints_checked: int = 0
    external_checked: bool = False
    #: Every sentence worth showing: the signs of tampering below, then notes.
    warnings: tuple[str, ...] = ()
    #: Signs of tampering that do not break the chain: a changed, missing or added table,
    #: column, index or trigger of the log, a failed integrity check, an external
    #: checkpoint that cannot be read.
    tampering: tuple[str, ...] = ()
    #: Whether the chain's links were keyed (and checked) with the log-MAC key.
    keyed: bool = False
    #: How many checkpoint signatures (in the database and outside it) were verified.
    signatures_checked: int = 0

    @property
    def ok(self) -> bool:
        """Intact and without any sign of tampering: what ``audit verify`` exits 0 for."""
        return self.intact and not self.tampering

    @property
    def message(self) -> str:
        if self.intact:
            if self.checked_up_to == 0:
                text = "Intact: the log holds no events yet."
            else:
                text = f"Intact up to sequence {self.checked_up_to}."
            if self.tampering:
                count = len(self.tampering)
                text = (
                    f"{text[:-1]} as a chain, but {count} sign{'s' if count > 1 else ''} of "
                    f"tampering outside the app {'were' if count > 1 else 'was'} found (listed "
                    "below): do not rely on "
                    "filtered views or exports; keep the workspace as it is and tell the "
                    "administrator."
                )
            return text
        reason = _REASON_TEXT[self.reason] if self.reason else "broken"
        where = f" ({self.detail})" if self.detail else ""
        return f"Broken at sequence {self.broken_seq}: {reason}{where}."


class _Problem(NamedTuple):
    seq: int
    rank: int  # among problems at the same sequence, the lower rank is reported
    reason: BreakReason
    detail: str | None
    #: Last good sequence when it is not simply seq - 1 (a checkpoint mismatch).
    good_up_to: int | None = None


def verify_log(
    conn: sqlite3.Connection,
    *,
    workspace_id: str,
    public_key: Ed25519PublicKey,
    external: CheckpointSink | None = None,
    progress: Callable[[str, float], None] | None = None,
    cancel: CancelToken | None = None,
    chain: ChainKey = UNKEYED,
) -> VerificationResult:
    """Check the whole log of ``workspace_id`` on ``conn``; never changes anything.

    ``chain`` must be the log's own (keyed with the keyset's log-MAC key): with it, an event
    written or recomputed without the key breaks the chain. Raises AuditError when the log
    cannot be read at all, and linkage.progress.Cancelled when ``cancel`` is set; an
    external checkpoint that cannot be read is reported as a sign of tampering.
    """
    report = progress or no_progress
    report("Reading the checkpoints", 0.0)
    # Read the external checkpoint before the database snapshot: a checkpoint is written
    # outside only after its events are committed, so the snapshot will contain them.
    notes: list[str] = []
    unreadable: list[str] = []
    external_cp: Checkpoint | None = None
    if external is None:
        notes.append(
            "No place outside the database keeps a checkpoint of this log, so a tail cut "
            "after the last checkpoint in the database cannot be seen. Ask the administrator "
            "to set one up."
        )
    else:
        try:
            external_cp = external.latest()
        except CheckpointError as exc:
            unreadable.append(str(exc))
    try:
        reader, private = _reader(conn)
        try:
            reader.execute("BEGIN")  # one read snapshot for every query below
            check = _IntegrityCheck(reader) if private else None
            try:
                verifier = _Verifier(reader, workspace_id, public_key, report, cancel, chain)
                verifier.tampering.extend(unreadable)
                verifier.notes.extend(notes)
                result = verifier.run(
                    external_cp,
                    external_expected=external is not None and not unreadable,
                    integrity=None if check is None else check.result,
                )
            finally:
                if check is not None:
                    check.stop()
                reader.execute("ROLLBACK")
        finally:
            if private:
                reader.close()
    except sqlite3.Error as exc:
        raise AuditError(
            f"The access log cannot be read for verification ({exc}). Check that the workspace "
            "is reachable and not damaged, then try again."
        ) from exc
    report("Verification finished", 1.0)
    return result


def _reader(conn: sqlite3.Connection) -> tuple[sqlite3.Connection, bool]:
    """A private, query-only connection to the same file (or ``conn`` for a memory database).

    Verification holds a read transaction for seconds. On its own connection that cannot
    swallow an event another thread appends meanwhile through the application's connection.
    """
    files = [str(row[2]) for row in conn.execute("PRAGMA database_list") if row[1] == "main"]
    if not files or not files[0]:
        if conn.in_transaction:
            raise AuditError("Verify the log outside an open transaction. This is a program error.")
        return conn, False
    reader = sqlite3.connect(files[0], isolation_level=None, check_same_thread=False)
    reader.execute("PRAGMA query_only = ON")
    return reader, True


class _IntegrityCheck:
    """``PRAGMA integrity_check`` of the log tables on a connection of its own, in a thread.

    It reads every index entry and recomputes the generated columns, which costs about as
    much as walking the chain; SQLite releases the GIL meanwhile, so on a machine with two
    cores the two run side by side.
    """

    def __init__(self, reader: sqlite3.Connection) -> None:
        (path,) = [str(r[2]) for r in reader.execute("PRAGMA database_list") if r[1] == "main"]
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA query_only = ON")
        self._found: list[str] = []
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="log-integrity-check", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._found = integrity_problems(self._conn)
        except BaseException as exc:  # handed to the caller by result()
            self._error = exc

    def result(self) -> list[str]:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._found

    def stop(self) -> None:
        """Interrupt the check if it still runs (verification failed or was cancelled)."""
        if self._thread.is_alive():
            self._conn.interrupt()
            self._thread.join()
        self._conn.close()


class _Verifier:
    def __init__(
        self,
        conn: sqlite3.Connection,
        workspace_id: str,
        public_key: Ed25519PublicKey,
        report: Callable[[str, float], None],
        cancel: CancelToken | None,
        chain: ChainKey = UNKEYED,
    ) -> None:
        self.conn = conn
        self.chain = chain
        self.tampering: list[str] = []
        self.notes: list[str] = []
        self.workspace_id = workspace_id
        self.public_key = public_key
        self.report = report
        self.cancel = cancel
        self.problems: list[_Problem] = []
        #: seq -> [(hash hex, where the checkpoint is kept, the checkpoint while its
        #: signature is not checked yet)]
        self.anchors: dict[int, list[tuple[str, str, Checkpoint | None]]] = {}
        self.signatures_checked = 0

    def run(
        self,
        external_cp: Checkpoint | None,
        *,
        external_expected: bool = False,
        integrity: Callable[[], list[str]] | None = None,
    ) -> VerificationResult:
        """``integrity`` gives the integrity check's findings once the chain is walked (it may
        run meanwhile on another connection); by default it runs here, first."""
        self.report("Checking the log's tables", 0.0)
        found = schema_warnings(self.conn)
        if integrity is None:
            found += integrity_problems(self.conn)
        self.tampering[:0] = found
        checked = self._load_checkpoints()
        if external_expected and external_cp is None and checked:
            self.tampering.append(
                "No checkpoint is kept outside the database although the log was checkpointed: "
                "the external copy may have been deleted (or the administrator chose a new "
                "place for it and nobody has logged out since)."
            )
        if not self.chain.keyed:
            self.notes.append(
                "The links of this log are not keyed: anyone who can write the database can "
                "add or recompute events. Only the signed checkpoints protect it."
            )
        elif self.chain.keyed_from > 1:
            self.notes.append(
                f"Events before sequence {self.chain.keyed_from} were written before the log "
                "was keyed: only the signed checkpoints protect them."
            )
        if external_cp is not None:
            self._add_anchor(external_cp, "the checkpoint kept outside the database")
        end = self._walk_chain()
        if integrity is not None:
            self.report("Checking the log's tables", 1.0)
            self.tampering[len(found) : len(found)] = integrity()
        tampering = tuple(self.tampering)
        warnings = tampering + tuple(self.notes)
        beyond = self._last_anchor_after(end)
        if beyond is not None:
            seq, where = beyond
            self._problem(
                end + 1, 1, BreakReason.LOG_SHORTER_THAN_CHECKPOINT, f"{where} names sequence {seq}"
            )
        if not self.problems:
            return VerificationResult(
                True,
                end,
                checkpoints_checked=checked,
                external_checked=external_cp is not None,
                warnings=warnings,
                tampering=tampering,
                keyed=self.chain.keyed,
                signatures_checked=self.signatures_checked,
            )
        first = min(self.problems, key=lambda p: (p.seq, p.rank))
        good = first.good_up_to if first.good_up_to is not None else first.seq - 1
        return VerificationResult(
            False,
            max(0, min(good, end)),
            broken_seq=first.seq,
            reason=first.reason,
            detail=first.detail,
            checkpoints_checked=checked,
            external_checked=external_cp is not None,
            warnings=warnings,
            tampering=tampering,
            keyed=self.chain.keyed,
            signatures_checked=self.signatures_checked,
        )

    def _last_anchor_after(self, end: int) -> tuple[int, str] | None:
        """The highest checkpoint beyond ``end`` with a good signature (those not checked
        yet are checked from the highest down, until one is good)."""
        for seq in sorted((s for s in self.anchors if s > end), reverse=True):
            for _, where, unchecked in sorted(self.anchors[seq], key=lambda a: a[1], reverse=True):
                if unchecked is None or self._signature_ok(unchecked, where):
                    return seq, where
        return None

    def _problem(
        self, seq: int, rank: int, reason: BreakReason, detail: str | None, good: int | None = None
    ) -> None:
        self.problems.append(_Problem(seq, rank, reason, detail, good))

    # -- checkpoints ------------------------------------------------------------------------
    def _load_checkpoints(self) -> int:
        rows = self.conn.execute(
            f"SELECT workspace_id, seq, hash, signature, time FROM {CHECKPOINTS_TABLE} ORDER BY seq"
        ).fetchall()
        last = len(rows) - 1
        keyed_from = self.chain.keyed_from
        for i, (workspace_id, seq, hash_hex, signature, time) in enumerate(rows):
            cp = Checkpoint(
                str(workspace_id), _as_int(seq), str(hash_hex), str(signature), str(time)
            )
            # Checked now: the latest, a sample, and those of links made without the key.
            now = i == last or not i % SIGNATURE_SAMPLE or cp.seq < keyed_from
            self._add_anchor(cp, "a checkpoint in the database", check_signature=now)
        return len(rows)

    def _add_anchor(self, cp: Checkpoint, where: str, *, check_signature: bool = True) -> None:
        """Keep ``cp`` to compare with the chain; its signature is checked now, or later if
        it disagrees with the chain or lies beyond its end (see the module's docstring)."""
        if cp.workspace_id != self.workspace_id:  # its signature could not be valid here
            self._problem(max(cp.seq, 0), 2, BreakReason.SIGNATURE_INVALID, where)
            return
        if check_signature and not self._signature_ok(cp, where):
            return
        self.anchors.setdefault(cp.seq, []).append(
            (cp.hash, where, None if check_signature else cp)
        )

    def _signature_ok(self, cp: Checkpoint, where: str) -> bool:
        """Verify the signature of ``cp``; a bad one is recorded as a problem at its seq."""
        self.signatures_checked += 1
        if checkpoint_signature_ok(cp, self.public_key, self.workspace_id):
            return True
        self._problem(max(cp.seq, 0), 2, BreakReason.SIGNATURE_INVALID, where)
        return False

    # -- the chain ----------------------------------------------------------------------------
    def _walk_chain(self) -> int:
        """Stream every event; return the last sequence whose chain is good.

        The person index is read alongside, in the same order, and compared with the persons
        inside each event once that event's hash is known good.
        """
        conn = self.conn
        total = int(conn.execute(f"SELECT coalesce(max(seq), 0) FROM {EVENTS_TABLE}").fetchone()[0])
        anchors = self.anchors
        if 0 in anchors:
            self._check_anchor(0, _ZERO, 0)
        suffix = b',"workspace_id":' + canonical_json(self.workspace_id) + b"}"
        index = _index_rows(conn)
        row = next(index, None)
        row_seq = _END if row is None else row[0]
        index_problem: _Problem | None = None
        last_anchor = 0
        keyed_from = self.chain.keyed_from
        link = self.chain.link_function(1)
        find_persons = _PERSON.findall
        empty_at = len(_PERSONS_KEY) + 1  # offset of "]" in ',"persons":[]'
        prev = _ZERO
        expected = 1
        self.report("Checking the hash chain", 0.0)
        if self.cancel is not None:
            self.cancel.raise_if_cancelled()
        events = conn.execute(
            f"SELECT seq, CAST(body AS BLOB), hash FROM {EVENTS_TABLE} ORDER BY seq"
        )
        for seq, body, stored in events:
            if seq != expected:
                self._problem(expected, 0, BreakReason.EVENT_MISSING, None)
                break
            if seq == keyed_from:
                link = self.chain.link_function(seq)
            digest = link(prev + body)
            if digest != stored:
                self._diagnose(seq, body, stored)
                break
            if not body.endswith(suffix):
                self._problem(seq, 0, BreakReason.CONTENT_CHANGED, "an event of another workspace")
                break
            # The last ',"persons":' is the event's own (any earlier one is inside details).
            at = body.rfind(_PERSONS_KEY)
            has_persons = body[at + empty_at] != 0x5D
            if (has_persons or row_seq <= seq) and index_problem is None:
                if row_seq < seq:  # an index row for no event
                    index_problem = _index_problem(row_seq)
                else:
                    got = []
                    while row_seq == seq:
                        assert row is not None
                        got.append((row[1], row[2]))  # (version, token) as bytes, like want
                        row = next(index, None)
                        row_seq = _END if row is None else row[0]
                    want = find_persons(body, at, body.find(_PREV_KEY, at)) if has_persons else []
                    if len(got) != len(want) or (got != want and sorted(got) != sorted(want)):
                        index_problem = _index_problem(seq)
            if seq in anchors:
                if not self._check_anchor(seq, digest, last_anchor):
                    break
                last_anchor = seq
            prev = digest
            expected += 1
            if not seq % _REPORT_EVERY:
                self.report("Checking the hash chain", seq / total if total else 1.0)
                if self.cancel is not None:
                    self.cancel.raise_if_cancelled()
        else:
            if index_problem is None and row is not None:
                index_problem = _index_problem(row_seq)
        if index_problem is not None:
            self.problems.append(index_problem)
        return expected - 1

    def _check_anchor(self, seq: int, digest: bytes, last_anchor: int) -> bool:
        for hash_hex, where, unchecked in self.anchors[seq]:
            if hash_hex != digest.hex():
                if unchecked is not None and not self._signature_ok(unchecked, where):
                    continue  # a forged checkpoint: reported as such, not as a changed log
                self._problem(
                    last_anchor + 1,
                    0,
                    BreakReason.CONTENT_CHANGED,
                    f"the events up to {seq} differ from {where}",
                    good=last_anchor,
                )
                return False
        return True

    def _diagnose(self, seq: int, body: bytes, stored: bytes) -> None:
        """Say why the event at ``seq`` does not chain: changed, missing or moved."""
        try:
            content = json.loads(body)
            body_seq = content["seq"]
            body_prev = bytes.fromhex(content["prev_hash"])
        except (ValueError, KeyError, TypeError):
            self._problem(seq, 0, BreakReason.CONTENT_CHANGED, None)
            return
        if type(body_seq) is not int:
            self._problem(seq, 0, BreakReason.CONTENT_CHANGED, None)
            return
        if body_seq != seq:
            if body_seq < seq or self._found_later(seq):
                self._problem(seq, 0, BreakReason.ORDER_CHANGED, None)
            else:
                self._problem(seq, 0, BreakReason.EVENT_MISSING, None)
            return
        if self.chain.link(seq, body_prev, body) != stored:
            detail = None
            if seq >= self.chain.keyed_from and hashlib.sha256(body_prev + body).digest() == stored:
                detail = "not linked with this workspace's log key: written outside the app"
            self._problem(seq, 0, BreakReason.CONTENT_CHANGED, detail)
            return
        # This event is whole but names another predecessor: the one before it was
        # rewritten and re-hashed.
        self._problem(max(seq - 1, 1), 0, BreakReason.CONTENT_CHANGED, None)

    def _found_later(self, seq: int) -> bool:
        row = self.conn.execute(
            f"SELECT 1 FROM {EVENTS_TABLE} WHERE seq > ? AND "
            "CASE WHEN json_valid(body) THEN json_extract(body, '$.seq') END = ? LIMIT 1",
            (seq, seq),
        ).fetchone()
        return row is not None


def _index_rows(conn: sqlite3.Connection) -> Iterator[tuple[int, bytes, bytes]]:
    """Person-index rows in event order as (seq, version bytes, token bytes).

    The bytes are what the event's canonical JSON holds, so the comparison needs no parsing
    and no conversion; a sequence number that is not an integer becomes 0 (no event).
    """
    cursor: Iterator[tuple[int, bytes, bytes]] = conn.execute(
        "SELECT CASE WHEN typeof(seq) = 'integer' THEN seq ELSE 0 END, "
        "CAST(key_version AS BLOB), CAST(token_hex AS BLOB) "
        f"FROM {PERSONS_TABLE} ORDER BY seq, token_hex, key_version"
    )
    return cursor


def _index_problem(seq: int) -> _Problem:
    return _Problem(seq, 3, BreakReason.CONTENT_CHANGED, "in the person index")


def _as_int(value: object) -> int:
    return value if type(value) is int else -1
