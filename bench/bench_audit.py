"""Access-log throughput and verification speed.

    .venv/bin/python bench/bench_audit.py            # 10k single commits, 100k batched, 1M verify
    .venv/bin/python bench/bench_audit.py --quick    # 2k / 20k / 100k: well under a minute

``--only-dense`` runs just the log with one checkpoint per two events (``--dense-n``, 100k by
default): what per-disclosure checkpoints add to verification.

Every database uses the workspace settings: WAL, synchronous=FULL, the audit schema and the
authorizer, and a keyed chain (HMAC-SHA256 links; ``--unkeyed`` for the old SHA-256 links, to
compare). Events are synthetic (tokens are SHA-256 of a counter). Half of them are reveals, and
the log anchors (signs a checkpoint) after every disclosure, so the one-commit-per-event run
also signs a checkpoint for every other event; its verification shows what that costs.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from rlwb.workbench.audit.chain import UNKEYED, ChainKey
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
from rlwb.workbench.audit.verify import verify_log

WORKSPACE_ID = "bench-0000-4000-8000-000000000000"
CLERK = Actor("sato", ("clerk",))
AUDITOR = Actor("suzuki", ("auditor",))
CHAIN = ChainKey(os.urandom(32))


def connect(path: Path):  # type: ignore[no-untyped-def]
    import sqlite3

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.executescript(AUDIT_SCHEMA_SQL)
    install_authorizer(conn)
    return conn


def token(i: int) -> str:
    return hashlib.sha256(f"bench-person-{i}".encode()).hexdigest()


def draft(i: int) -> EventDraft:
    """A realistic mix: reveals of one person, page reveals of several, searches, denials."""
    kind = i % 10
    if kind < 4:
        return EventDraft(
            EventType.REVEAL, Outcome.OK, CLERK, purpose="国保税算定",
            persons=(PersonRef(token(i % 50_000), 1),), dataset_id="ds-tax-2026", details={"page": i % 40},
        )  # fmt: skip
    if kind == 4:
        return EventDraft(
            EventType.REVEAL, Outcome.OK, CLERK, purpose="扶養認定確認",
            persons=tuple(PersonRef(token((i + k) % 50_000), 1) for k in range(5)),
            dataset_id="ds-si-2026", details={"page": i % 40, "rows": 5},
        )  # fmt: skip
    if kind < 9:
        return EventDraft(
            EventType.SEARCH, Outcome.OK, CLERK, purpose="適用調査",
            dataset_id="ds-tax-2026", details={"by": "name", "hits": i % 7},
        )  # fmt: skip
    return EventDraft(
        EventType.ACCESS_DENIED, Outcome.DENIED, AUDITOR, details={"action": "reveal"}
    )


def new_log(path: Path, key: Ed25519PrivateKey, checkpoint_every: int = 1000) -> AuditLog:
    return AuditLog(
        connect(path),
        workspace_id=WORKSPACE_ID,
        signer=key,
        workstation=Workstation("bench-desk", "bench", "0.1.0"),
        chain=CHAIN,
        checkpoint_every=checkpoint_every,
    )


def bench_single(tmp: Path, n: int, key: Ed25519PrivateKey) -> None:
    log = new_log(tmp / "single.db", key)
    drafts = [draft(i) for i in range(n)]
    start = time.perf_counter()
    for d in drafts:
        log.append(d)
    elapsed = time.perf_counter() - start
    print(
        f"append, one commit per event : {n:>9,} events in {elapsed:7.2f} s = {n / elapsed:>9,.0f} events/s"
        f"  ({elapsed / n * 1e3:.2f} ms per acknowledged event)"
    )
    start = time.perf_counter()
    result = verify_log(
        log.conn, workspace_id=WORKSPACE_ID, public_key=key.public_key(), chain=CHAIN
    )
    elapsed = time.perf_counter() - start
    print(
        f"verify_log of that log       : {result.message} {result.checkpoints_checked:,} "
        f"checkpoints, {result.signatures_checked:,} signatures checked; {elapsed:.2f} s"
    )


def bench_dense(tmp: Path, n: int, key: Ed25519PrivateKey) -> None:
    """A log with one checkpoint per two events (every reveal anchors the log): what the
    checkpoints add to verification. Built with synchronous=OFF (only verification is timed)."""
    log = new_log(tmp / "dense.db", key, checkpoint_every=2)
    log.conn.execute("PRAGMA synchronous=OFF")
    start = time.perf_counter()
    for first in range(0, n, 2):
        log.append_many([draft(i) for i in range(first, min(first + 2, n))])
    built = time.perf_counter() - start
    checkpoints = log.conn.execute("SELECT count(*) FROM audit_checkpoints").fetchone()[0]
    print(f"built a log of {n:,} events with {checkpoints:,} checkpoints in {built:.1f} s")
    for attempt in (1, 2):
        start, cpu = time.perf_counter(), time.process_time()
        result = verify_log(
            log.conn, workspace_id=WORKSPACE_ID, public_key=key.public_key(), chain=CHAIN
        )
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(
            f"verify_log #{attempt} (1 checkpoint per 2 events): {result.message} "
            f"{result.checkpoints_checked:,} checkpoints, {result.signatures_checked:,} "
            f"signatures checked; {elapsed:.2f} s wall ({cpu:.2f} s CPU) = {n / elapsed:,.0f} events/s"
        )


def build_batched(
    path: Path, n: int, key: Ed25519PrivateKey, batch: int = 1000
) -> tuple[AuditLog, float]:
    log = new_log(path, key)
    start = time.perf_counter()
    for first in range(0, n, batch):
        log.append_many([draft(i) for i in range(first, min(first + batch, n))])
    log.checkpoint()
    return log, time.perf_counter() - start


def bench_batched(tmp: Path, n: int, key: Ed25519PrivateKey) -> None:
    _, elapsed = build_batched(tmp / "batched.db", n, key)
    print(
        f"append_many, 1000 per commit : {n:>9,} events in {elapsed:7.2f} s = {n / elapsed:>9,.0f} events/s"
    )


def bench_verify(tmp: Path, n: int, key: Ed25519PrivateKey) -> None:
    path = tmp / "big.db"
    log, built = build_batched(path, n, key)
    size = sum(p.stat().st_size for p in tmp.glob("big.db*")) / 1e6
    print(f"built a log of {n:,} events (batched) in {built:.1f} s; database {size:,.0f} MB")
    for attempt in (1, 2):
        start, cpu = time.perf_counter(), time.process_time()
        result = verify_log(
            log.conn, workspace_id=WORKSPACE_ID, public_key=key.public_key(), chain=CHAIN
        )
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(
            f"verify_log #{attempt}: {result.message} {result.checkpoints_checked} checkpoints; "
            f"{elapsed:.2f} s wall ({cpu:.2f} s CPU) = {n / elapsed:,.0f} events/s"
        )
    refs = [PersonRef(token(123), 1), PersonRef(token(123), 2)]
    start = time.perf_counter()
    history = log.person_history(refs)
    took = time.perf_counter() - start
    print(f"person_history over {n:,} events: {len(history)} events in {took * 1e3:.1f} ms")
    start = time.perf_counter()
    denied = log.query(
        EventFilter(users=("suzuki",), event_types=(EventType.ACCESS_DENIED,)), limit=100
    )
    took = time.perf_counter() - start
    print(f"query (user + type, newest 100): {len(denied)} events in {took * 1e3:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--n", type=int, default=100_000, help="events for the batched run (default 100k)"
    )
    parser.add_argument(
        "--n-single", type=int, default=10_000,
        help="events for the one-commit-per-event run (default 10k: each commit waits for fsync)",
    )  # fmt: skip
    parser.add_argument(
        "--verify-n", type=int, default=1_000_000, help="events in the log to verify"
    )
    parser.add_argument(
        "--dense-n", type=int, default=100_000,
        help="events in the log with one checkpoint per 2 events (default 100k)",
    )  # fmt: skip
    parser.add_argument(
        "--only-dense", action="store_true", help="run only the dense-checkpoint case"
    )
    parser.add_argument("--quick", action="store_true", help="2k / 20k / 100k events")
    parser.add_argument("--unkeyed", action="store_true", help="plain SHA-256 links (old logs)")
    parser.add_argument(
        "--dir", type=Path, default=None, help="where to put the databases (default: a temp dir)"
    )
    args = parser.parse_args()
    if args.quick:
        args.n, args.n_single, args.verify_n, args.dense_n = 20_000, 2_000, 100_000, 20_000
    if args.unkeyed:
        global CHAIN
        CHAIN = UNKEYED
    print(f"links: {'SHA-256 (unkeyed)' if args.unkeyed else 'HMAC-SHA256 (keyed)'}")
    key = Ed25519PrivateKey.generate()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp_name:
        tmp = Path(tmp_name)
        bench_dense(tmp, args.dense_n, key)
        if args.only_dense:
            return
        print(
            f"per-event run uses n={args.n_single:,} (fsync per commit makes it slow; --n-single to change)"
        )
        bench_single(tmp, args.n_single, key)
        bench_batched(tmp, args.n, key)
        bench_verify(tmp, args.verify_n, key)


if __name__ == "__main__":
    main()
