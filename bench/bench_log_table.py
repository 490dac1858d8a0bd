"""The auditor's log table over a big access log: what one page read costs, and how many.

    .venv/bin/python bench/bench_log_table.py            # 1,000,000 events (builds ~2 min)
    .venv/bin/python bench/bench_log_table.py --quick    # 100,000 events
    .venv/bin/python bench/bench_log_table.py --db /tmp/big.db   # reuse a log built before

The table (ui/log_model.py, ui/event_pager.py) holds the count and a few pages of 500
events; it reads a page only when the view paints a row of it, after scrolling paused, and
reads it by seeking on the sequence number (``EventFilter.max_seq``), not by a big offset.
For comparison the plain ``limit``/``offset`` read of the same page is timed too.
Printed: the first load (count + first page) for several filters, one page read at the top,
the middle and the end, the cost of painting a screenful of cells from a held page, and how
many pages a fast drag over the whole table reads.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_audit import WORKSPACE_ID, build_batched
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from rlwb.workbench.audit.events import EventType, Workstation
from rlwb.workbench.audit.log import AuditLog, EventFilter


def open_log(path: Path, n: int) -> AuditLog:
    key = Ed25519PrivateKey.generate()
    if path.exists():
        return AuditLog(
            _reopen(path),
            workspace_id=WORKSPACE_ID,
            signer=key,
            workstation=Workstation("bench-desk", "bench", "0.1.0"),
        )
    start = time.perf_counter()
    log, _ = build_batched(path, n, key)
    print(f"built a log of {n:,} events in {time.perf_counter() - start:.0f} s")
    return log


def _reopen(path: Path):  # type: ignore[no-untyped-def]
    import sqlite3

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    return conn


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:8.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100,000 events")
    parser.add_argument("--db", type=Path, default=None, help="reuse (or keep) this log file")
    args = parser.parse_args()
    n = 100_000 if args.quick else args.n

    from PySide6.QtWidgets import QApplication

    from rlwb.ui.event_pager import EventPager
    from rlwb.ui.log_model import EventTableModel

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "log.db"
        log = open_log(path, n)
        total_events = log.count(EventFilter())
        print(f"log: {total_events:,} events")

        def pager_for(flt: EventFilter) -> EventPager:
            return EventPager(
                flt,
                lambda f, limit, offset: log.query(f, limit=limit, offset=offset),
                log.count,
                lambda: last.seq if (last := log.last()) is not None else 0,
            )

        filters = {
            "no filter": EventFilter(),
            "one user": EventFilter(users=("suzuki",)),
            "one event type": EventFilter(event_types=(EventType.SEARCH,)),
            "free text": EventFilter(text="扶養"),
        }
        for name, flt in filters.items():
            pager = pager_for(flt)
            start = time.perf_counter()
            pager.reset()
            first = time.perf_counter() - start
            reads, offsets = [], []
            for row in (pager.page_size * 2, pager.total // 2, pager.total - 1):
                page = row // pager.page_size
                start = time.perf_counter()
                pager.load(page)
                reads.append(time.perf_counter() - start)
                start = time.perf_counter()
                log.query(flt, limit=pager.page_size, offset=page * pager.page_size)
                offsets.append(time.perf_counter() - start)
            print(
                f"{name:15} {pager.total:>9,} rows | first load (count + page){ms(first)} | "
                f"page near top{ms(reads[0])}, middle{ms(reads[1])}, end{ms(reads[2])} "
                f"| by offset: middle{ms(offsets[1])}, end{ms(offsets[2])}"
            )

        model = EventTableModel()
        pager = pager_for(EventFilter())
        pager.reset()
        model.set_pager(pager)
        rows, columns = 40, model.columnCount()
        model.cell_text(0, 0)
        start = time.perf_counter()
        for _ in range(10):
            for row in range(rows):
                for column in range(columns):
                    model.cell_text(row, column)
        per_screen = (time.perf_counter() - start) / 10
        print(
            f"painting a screen ({rows} rows x {columns} columns) from a held page:{ms(per_screen)}"
        )

        loads = pager.page_loads
        for row in range(0, pager.total, max(pager.total // 200, 1)):  # a drag end to end
            model.cell_text(row, 0)
        start = time.perf_counter()
        model.fetch_wanted()
        fetched = time.perf_counter() - start
        print(
            f"a drag over all {pager.total:,} rows (200 positions) read "
            f"{pager.page_loads - loads} pages once it paused, in{ms(fetched)}; "
            f"pages held: {len(pager.held_pages())} of {pager.max_pages} at most"
        )
        log.conn.close()
    del app


if __name__ == "__main__":
    main()
