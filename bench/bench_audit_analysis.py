"""Speed of the access-log analysis report over a large period.

    .venv/bin/python bench/bench_audit_analysis.py              # 1,000,000 events
    .venv/bin/python bench/bench_audit_analysis.py --quick      # 100,000 events
    .venv/bin/python bench/bench_audit_analysis.py --n 300000 --db /tmp/big.db   # keep the log

The log is built with AuditLog.append_many (synchronous=OFF while building: durability is
not what is measured), 100 events per call, the clock moving about three minutes per call,
so a million events cover about three weeks around the clock. The mix: reveals of pairs
(a third reviewed, a third with a finding status change), review decisions and finding status changes on some of those pairs,
searches, exports, denials, logins and logouts, 20 clerks, and a burst of 40 reveals by one
clerk every 500 calls. Tokens are SHA-256 of a counter.
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from rlwb.workbench.audit.analysis import AnalysisSettings, analyse
from rlwb.workbench.audit.events import (
    Actor,
    EventDraft,
    EventType,
    Outcome,
    PersonRef,
    Workstation,
)
from rlwb.workbench.audit.log import AuditLog, EventFilter
from rlwb.workbench.audit.schema import AUDIT_SCHEMA_SQL, install_authorizer

WORKSPACE_ID = "bench-0000-4000-8000-00000000a7a1"
START = datetime(2026, 10, 1, tzinfo=UTC)
BATCH = 100
CLERKS = [Actor(f"clerk{i:02d}", ("clerk",)) for i in range(20)]
AUDITOR = Actor("auditor1", ("auditor",))


class BatchClock:
    """Moves 2-4 minutes every time the log reads it (once per append_many)."""

    def __init__(self) -> None:
        self.calls = 0
        self.now = START

    def __call__(self) -> datetime:
        self.calls += 1
        self.now += timedelta(seconds=120 + (self.calls * 37) % 120)
        return self.now


def token(i: int) -> str:
    return hashlib.sha256(f"bench-person-{i}".encode()).hexdigest()


def draft(i: int) -> EventDraft:
    clerk = CLERKS[(i // 20) % len(CLERKS)]  # a block of 20 events is one clerk's work
    pair = (i // 20) % 200_000
    run = f"run-{pair % 12:02d}"
    ids = {"tax_record_id": f"T{pair:06d}", "si_record_id": f"S{pair:06d}"}
    persons = (PersonRef(token(pair), 1), PersonRef(token(pair + 1_000_000), 1))
    kind = i % 20
    if kind < 8:
        return EventDraft(
            EventType.REVEAL, Outcome.OK, clerk, purpose="国保税算定",
            persons=persons, run_id=run, details=ids,
        )  # fmt: skip
    if kind < 10 and pair % 3 == 0:  # two pairs in three are revealed and never reviewed
        return EventDraft(
            EventType.REVIEW_DECISION, Outcome.OK, clerk, purpose="国保税算定",
            persons=persons, run_id=run, details={**ids, "decision": "match"},
        )  # fmt: skip
    if kind == 10 and pair % 3 == 1:
        finding = f"R06|{ids['tax_record_id']}|{ids['si_record_id']}"
        return EventDraft(
            EventType.FINDING_STATUS, Outcome.OK, clerk, purpose="国保税算定",
            run_id=run, details={"finding": finding, "from": "open", "to": "confirmed"},
        )  # fmt: skip
    if kind < 16:
        return EventDraft(
            EventType.SEARCH, Outcome.OK, clerk, purpose="適用調査", details={"by": "name"}
        )
    if kind == 16:
        return EventDraft(
            EventType.EXPORT, Outcome.OK, clerk, purpose="適用調査", run_id=run,
            details={"what": "links", "rows": 1200, "persons": 1100, "file": "links.csv"},
        )  # fmt: skip
    if kind == 17:
        return EventDraft(
            EventType.ACCESS_DENIED, Outcome.DENIED, AUDITOR, details={"action": "person.reveal"}
        )
    event = EventType.LOGIN_OK if kind == 18 else EventType.LOGOUT
    return EventDraft(event, Outcome.OK, clerk, subject_user=clerk.user)


def burst(call: int) -> list[EventDraft]:
    clerk = CLERKS[call % len(CLERKS)]
    return [
        EventDraft(
            EventType.REVEAL,
            Outcome.OK,
            clerk,
            purpose="国保税算定",
            persons=(PersonRef(token(5_000_000 + call * 40 + k), 1),),
            run_id="run-00",
            details={"tax_record_id": f"B{call:06d}{k:02d}", "si_record_id": None},
        )
        for k in range(40)
    ]


def open_log(path: Path, key: Ed25519PrivateKey) -> tuple[AuditLog, BatchClock]:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0:
        conn.executescript(AUDIT_SCHEMA_SQL)
    install_authorizer(conn)
    clock = BatchClock()
    log = AuditLog(
        conn,
        workspace_id=WORKSPACE_ID,
        signer=key,
        workstation=Workstation("bench-desk", "bench", "0.1.0"),
        clock=clock,
        checkpoint_every=100_000,
    )
    return log, clock


def build(log: AuditLog, n: int) -> float:
    start = time.perf_counter()
    for call, first in enumerate(range(0, n, BATCH), start=1):
        drafts = [draft(i) for i in range(first, min(first + BATCH, n))]
        if call % 500 == 0:
            drafts = burst(call) + drafts[40:]
        log.append_many(drafts)
        if call % 1000 == 0:
            done = min(first + BATCH, n)
            print(f"  built {done:,} events ({time.perf_counter() - start:.0f} s)", flush=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1_000_000, help="events in the log")
    parser.add_argument("--quick", action="store_true", help="100,000 events")
    parser.add_argument(
        "--db", type=Path, default=None, help="keep the log here and reuse it if it exists"
    )
    args = parser.parse_args()
    n = 100_000 if args.quick else args.n
    key = Ed25519PrivateKey.generate()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "analysis.db"
        reuse = path.exists()
        log, _clock = open_log(path, key)
        if not reuse:
            built = build(log, n)
            print(f"built a log of {n:,} events with append_many in {built:.1f} s")
        total = log.count(EventFilter())
        first, last = log.get(1), log.last()
        assert first is not None and last is not None
        since = datetime.fromisoformat(first.time)
        until = datetime.fromisoformat(last.time)
        print(f"log: {total:,} events from {first.time} to {last.time}")
        steps: list[tuple[str, float, float]] = []
        t0 = time.perf_counter()

        def progress(step: str, fraction: float) -> None:
            steps.append((step, fraction, time.perf_counter() - t0))

        for attempt in (1, 2):
            steps.clear()
            t0 = time.perf_counter()
            cpu = time.process_time()
            report = analyse(log, since, until, AnalysisSettings(), progress=progress)
            elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu
            read = next((t for s, _f, t in steps if s == "analyse"), elapsed)
            print(
                f"analyse #{attempt}: {report.summary['events']:,} events in {elapsed:.2f} s wall "
                f"({cpu:.2f} s CPU; reading {read:.2f} s, polars {elapsed - read:.2f} s) = "
                f"{report.summary['events'] / elapsed:,.0f} events/s"
            )
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS {rss:,.0f} MB")
        print("sections: " + ", ".join(f"{k}={v:,}" for k, v in report.summary.items()))
        start = time.perf_counter()
        lines = report.lines()
        print(f"lines(): {len(lines)} lines in {(time.perf_counter() - start) * 1e3:.0f} ms")
        log.conn.close()


if __name__ == "__main__":
    main()
