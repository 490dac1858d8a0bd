"""The access log: append events to the keyed chain, sign checkpoints, answer queries.

Each event's link is keyed with the log-MAC key (:mod:`workbench.audit.chain`), so writing
or recomputing an event needs the sealed keyset, not just the file. A cut tail leaves no gap
in a chain, so the log also *anchors* itself often: a signed checkpoint is stored (in the
database and in the external sink) after every disclosure (a reveal or an export), whenever
``checkpoint_every`` events were written, and on the first write at least
``anchor_interval`` (one minute) after the last checkpoint, besides logout and exit. The
events written since the last anchor are the only ones a crash plus a deleted tail can lose
without trace; none of them is a disclosure.

Every append is its own ``BEGIN IMMEDIATE ... COMMIT`` and reads the chain's end inside
that transaction, so several processes (the GUI and the CLI) can write the same file. When
:meth:`AuditLog.append` returns, the event is on disk (WAL, ``synchronous=FULL``); when it
raises :class:`AuditWriteFailed`, nothing was written and the caller must not go on.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from rlwb.workbench.audit.chain import UNKEYED, ChainKey
from rlwb.workbench.audit.checkpoints import (
    Checkpoint,
    CheckpointSink,
    checkpoint_signature_ok,
    sign_checkpoint,
)
from rlwb.workbench.audit.encoding import PreparedEvent, event_from_body, iso_utc, prepare, seal
from rlwb.workbench.audit.errors import CheckpointError
from rlwb.workbench.audit.events import AuditEvent, EventDraft, EventType, PersonRef, Workstation
from rlwb.workbench.audit.filters import EventFilter, count_sql, select_sql
from rlwb.workbench.audit.schema import CHECKPOINTS_TABLE, EVENTS_TABLE, PERSONS_TABLE
from rlwb.workbench.errors import AuditError, AuditWriteFailed

__all__ = ["ANCHOR_INTERVAL", "DISCLOSURES", "AuditLog", "EventFilter"]

_log = logging.getLogger(__name__)
_ZERO = bytes(32)
_SAVEPOINT = "audit_log_append"
_T = TypeVar("_T")

#: Events after which the log is anchored at once: personal data was shown or left the app
#: (an import preview shows the file's first rows, names included).
DISCLOSURES = frozenset(
    {EventType.REVEAL, EventType.EXPORT, EventType.LOG_EXPORTED, EventType.IMPORT_PREVIEW}
)
#: While events are written, the log is anchored at least this often.
ANCHOR_INTERVAL = timedelta(minutes=1)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class AuditLog:
    """The access log of one workspace, written through the application's connection.

    If ``conn`` is already inside a transaction when an event is appended, the event joins
    it (as a savepoint) and is durable only when the caller commits; that lets a change and
    its event commit together. For the same reason, a connection shared between threads
    must be used by one thread at a time: an append made while another thread holds a
    transaction on it would commit or roll back with that transaction.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        *,
        workspace_id: str,
        signer: Ed25519PrivateKey,
        workstation: Workstation,
        clock: Callable[[], datetime] = _utc_now,
        external: CheckpointSink | None = None,
        checkpoint_every: int = 1000,
        chain: ChainKey = UNKEYED,
        anchor_interval: timedelta = ANCHOR_INTERVAL,
    ) -> None:
        if checkpoint_every < 1:
            raise ValueError("checkpoint_every must be at least 1")
        #: How links are made; the workspace passes one keyed with the keyset's log-MAC key.
        self.chain = chain
        self.anchor_interval = anchor_interval
        self.conn = conn
        self.workspace_id = workspace_id
        self.workstation = workstation
        self.external = external
        self.checkpoint_every = checkpoint_every
        self._signer = signer
        self._clock = clock
        self._lock = threading.RLock()
        #: Set when a checkpoint reached the database but not the external sink; the next
        #: :meth:`checkpoint` retries and raises if it fails again.
        self.external_pending = False

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self._signer.public_key()

    # -- writing ------------------------------------------------------------------------------
    def append(self, draft: EventDraft) -> AuditEvent:
        """Write one event; it is committed when this returns."""
        return self.append_many((draft,))[0]

    def append_many(self, drafts: Sequence[EventDraft]) -> list[AuditEvent]:
        """Write several events in one transaction: all of them, or (on error) none."""
        prepared = [
            prepare(d, workspace_id=self.workspace_id, workstation=self.workstation) for d in drafts
        ]
        if not prepared:
            return []
        with self._lock:
            events, cp, owned = self._write(prepared)
        if cp is not None:
            if owned:
                self._send_external(cp, raise_errors=False)
            else:  # it commits (or not) with the caller: sent by the next checkpoint
                self.external_pending = True
        return events

    def _write(
        self, prepared: Sequence[PreparedEvent]
    ) -> tuple[list[AuditEvent], Checkpoint | None, bool]:
        conn = self.conn
        owned = not conn.in_transaction
        try:
            conn.execute("BEGIN IMMEDIATE" if owned else f"SAVEPOINT {_SAVEPOINT}")
            try:
                seq, prev = self._chain_end()
                first = seq + 1
                now = self._clock()
                time = iso_utc(now)
                events: list[AuditEvent] = []
                rows: list[tuple[int, str, bytes]] = []
                person_rows: list[tuple[str, int, int]] = []
                for item in prepared:
                    seq += 1
                    body, prev, event = seal(
                        item, seq=seq, time=time, prev_hash=prev, chain=self.chain
                    )
                    rows.append((seq, body.decode("utf-8"), prev))
                    person_rows.extend((p.token_hex, p.key_version, seq) for p in item.persons)
                    events.append(event)
                conn.executemany(
                    f"INSERT INTO {EVENTS_TABLE} (seq, body, hash) VALUES (?, ?, ?)", rows
                )
                if person_rows:
                    conn.executemany(
                        f"INSERT INTO {PERSONS_TABLE} (token_hex, key_version, seq) "
                        "VALUES (?, ?, ?)",
                        person_rows,
                    )
                cp = None
                if self._anchor_due(first, seq, prepared, now):
                    cp = self._insert_checkpoint(seq, prev.hex(), time)
                conn.execute("COMMIT" if owned else f"RELEASE {_SAVEPOINT}")
            except BaseException:
                self._undo(owned)
                raise
        except sqlite3.Error as exc:
            raise AuditWriteFailed(
                f"The access log could not be written ({exc}), so the action was not carried "
                "out. Check the disk space and that the workspace is writable, then try again."
            ) from exc
        except ValueError as exc:  # a clock without a time zone
            raise AuditWriteFailed(
                f"The access log could not be written ({exc}), so the action was not carried out."
            ) from exc
        return events, cp, owned

    def _anchor_due(
        self, first: int, last: int, prepared: Sequence[PreparedEvent], now: datetime
    ) -> bool:
        """Whether the events ``first..last`` being written must end on a checkpoint."""
        every = self.checkpoint_every
        if last // every > (first - 1) // every:
            return True
        if any(item.event_type in DISCLOSURES for item in prepared):
            return True
        row = self.conn.execute(
            f"SELECT time FROM {CHECKPOINTS_TABLE} ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return True  # never anchored yet
        try:
            anchored = datetime.fromisoformat(str(row[0]))
            return abs(now - anchored) >= self.anchor_interval  # a clock set back counts too
        except (ValueError, TypeError):
            return True

    def checkpoint_if_due(self) -> Checkpoint | None:
        """Sign a checkpoint if events were written since the last one and it is older than
        ``anchor_interval`` (for a timer in the GUI); otherwise do nothing and return None."""
        if self.conn.in_transaction:
            return None
        with self._lock:
            latest = self.latest_checkpoint()
            last = self.last()
            if last is None or (latest is not None and latest.seq >= last.seq):
                return None
            if latest is not None:
                try:
                    anchored = datetime.fromisoformat(latest.time)
                except ValueError:
                    anchored = None
                if anchored is not None and abs(self._clock() - anchored) < self.anchor_interval:
                    return None
        return self.checkpoint()

    def _undo(self, owned: bool) -> None:
        try:
            if owned:
                self.conn.execute("ROLLBACK")
            else:
                self.conn.execute(f"ROLLBACK TO {_SAVEPOINT}")
                self.conn.execute(f"RELEASE {_SAVEPOINT}")
        except sqlite3.Error:
            pass  # SQLite may already have rolled back (disk full, I/O error)

    def _chain_end(self) -> tuple[int, bytes]:
        row = self.conn.execute(
            f"SELECT seq, hash FROM {EVENTS_TABLE} ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return 0, _ZERO
        return int(row[0]), bytes(row[1])

    def _insert_checkpoint(self, seq: int, hash_hex: str, time: str) -> Checkpoint:
        cp = sign_checkpoint(
            self._signer, workspace_id=self.workspace_id, seq=seq, hash_hex=hash_hex, time=time
        )
        self.conn.execute(
            f"INSERT INTO {CHECKPOINTS_TABLE} (seq, workspace_id, hash, signature, time) "
            "VALUES (?, ?, ?, ?, ?)",
            (cp.seq, cp.workspace_id, cp.hash, cp.signature_hex, cp.time),
        )
        return cp

    def checkpoint(self) -> Checkpoint:
        """Sign the chain's end, keep it in the database and in the external sink.

        Called at logout and exit. Raises CheckpointError if the external sink fails, and
        AuditWriteFailed if the database cannot be written.
        """
        conn = self.conn
        if conn.in_transaction:
            raise AuditError(
                "A log checkpoint cannot be signed inside an open transaction (it might be "
                "rolled back after the checkpoint left the database). This is a program error."
            )
        with self._lock:
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    seq, prev = self._chain_end()
                    row = conn.execute(
                        f"SELECT workspace_id, seq, hash, signature, time FROM {CHECKPOINTS_TABLE} "
                        "WHERE seq = ?",
                        (seq,),
                    ).fetchone()
                    if row is not None:
                        cp = Checkpoint(
                            str(row[0]), int(row[1]), str(row[2]), str(row[3]), str(row[4])
                        )
                        if cp.hash != prev.hex() or not checkpoint_signature_ok(
                            cp, self.public_key, self.workspace_id
                        ):
                            # Not one this log signed (a row written outside the app): it
                            # stays as evidence, and the external sink gets one of ours.
                            cp = sign_checkpoint(
                                self._signer,
                                workspace_id=self.workspace_id,
                                seq=seq,
                                hash_hex=prev.hex(),
                                time=iso_utc(self._clock()),
                            )
                    else:
                        cp = self._insert_checkpoint(seq, prev.hex(), iso_utc(self._clock()))
                    conn.execute("COMMIT")
                except BaseException:
                    self._undo(owned=True)
                    raise
            except (sqlite3.Error, ValueError) as exc:
                raise AuditWriteFailed(
                    f"The log checkpoint could not be written ({exc}). Check the disk space and "
                    "that the workspace is writable, then try again."
                ) from exc
        self._send_external(cp, raise_errors=True)
        return cp

    def _send_external(self, cp: Checkpoint, *, raise_errors: bool) -> None:
        if self.external is None:
            return
        # Each place on its own: one that refuses (say a file of another workspace, planted
        # through the setting) must not stop the others from getting the checkpoint.
        sinks: Sequence[CheckpointSink] = getattr(self.external, "sinks", (self.external,))
        failed: CheckpointError | None = None
        for sink in sinks:
            try:
                prior = sink.latest()
                if prior is not None:
                    self._check_same_history(prior, sink)
                if prior is None or cp.seq > prior.seq:
                    sink.write(cp)
            except CheckpointError as exc:
                failed = failed or exc
                # The event itself is committed; the next explicit checkpoint retries.
                _log.warning(
                    "log checkpoint %d not written to %r; will retry at logout", cp.seq, sink
                )
        if failed is not None:
            self.external_pending = True
            if raise_errors:
                raise failed
            return
        self.external_pending = False

    def _check_same_history(self, prior: Checkpoint, sink: CheckpointSink | None = None) -> None:
        """Refuse to overwrite an external checkpoint that this log no longer contains.

        If the tail was cut and the app went on writing, a new checkpoint would replace the
        only evidence kept outside the database. Keep it, and say so.
        """
        if prior.workspace_id != self.workspace_id:
            raise CheckpointError(
                f"The checkpoint kept in {sink or self.external!r} belongs to another workspace. Ask "
                "the administrator to give each workspace its own checkpoint file."
            )
        if prior.seq == 0:
            ours: str | None = _ZERO.hex()
        else:
            row = self._read(
                lambda: self.conn.execute(
                    f"SELECT hash FROM {EVENTS_TABLE} WHERE seq = ?", (prior.seq,)
                ).fetchone()
            )
            ours = None if row is None else bytes(row[0]).hex()
        if ours != prior.hash:
            raise CheckpointError(
                f"The log no longer matches the checkpoint kept outside the database (sequence "
                f"{prior.seq}): it may have been tampered with. The old checkpoint is kept as "
                "evidence; verify the log and tell the administrator."
            )

    # -- reading ------------------------------------------------------------------------------
    def query(
        self,
        flt: EventFilter,
        *,
        limit: int | None = None,
        offset: int = 0,
        newest_first: bool = True,
    ) -> list[AuditEvent]:
        sql, params = select_sql(flt, newest_first=newest_first, limit=limit, offset=offset)
        rows = self._read(lambda: self.conn.execute(sql, params).fetchall())
        return [event_from_body(body, digest) for body, digest in rows]

    def iter_events(
        self, flt: EventFilter, *, newest_first: bool = False, batch: int = 2000
    ) -> Iterator[AuditEvent]:
        """Like :meth:`query` without a limit, reading ``batch`` rows at a time (for exports)."""
        sql, params = select_sql(flt, newest_first=newest_first, limit=None, offset=0)
        cursor = self._read(lambda: self.conn.execute(sql, params))
        while True:
            rows = self._read(lambda: cursor.fetchmany(batch))
            if not rows:
                return
            for body, digest in rows:
                yield event_from_body(body, digest)

    def count(self, flt: EventFilter) -> int:
        sql, params = count_sql(flt)
        row = self._read(lambda: self.conn.execute(sql, params).fetchone())
        return int(row[0])

    def person_history(
        self, refs: Sequence[PersonRef], *, newest_first: bool = False
    ) -> list[AuditEvent]:
        """Every event that mentions any of ``refs`` (one person under each key version).

        Oldest first by default. Candidates come from the person index and are kept only if
        the hashed event itself names one of the refs.
        """
        if not refs:
            return []
        return self.query(EventFilter(persons=tuple(refs)), newest_first=newest_first)

    def last(self) -> AuditEvent | None:
        row = self._read(
            lambda: self.conn.execute(
                f"SELECT body, hash FROM {EVENTS_TABLE} ORDER BY seq DESC LIMIT 1"
            ).fetchone()
        )
        return None if row is None else event_from_body(row[0], row[1])

    def get(self, seq: int) -> AuditEvent | None:
        row = self._read(
            lambda: self.conn.execute(
                f"SELECT body, hash FROM {EVENTS_TABLE} WHERE seq = ?", (seq,)
            ).fetchone()
        )
        return None if row is None else event_from_body(row[0], row[1])

    def latest_checkpoint(self) -> Checkpoint | None:
        row = self._read(
            lambda: self.conn.execute(
                f"SELECT workspace_id, seq, hash, signature, time FROM {CHECKPOINTS_TABLE} "
                "ORDER BY seq DESC LIMIT 1"
            ).fetchone()
        )
        return (
            None
            if row is None
            else Checkpoint(str(row[0]), int(row[1]), str(row[2]), str(row[3]), str(row[4]))
        )

    def _read(self, fetch: Callable[[], _T]) -> _T:
        try:
            return fetch()
        except sqlite3.Error as exc:
            raise AuditError(
                f"The access log cannot be read ({exc}). Check that the workspace is reachable "
                "and try again."
            ) from exc
