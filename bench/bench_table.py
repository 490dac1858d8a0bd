"""The findings table model at 1,000,000 rows: scrolling (data() per painted cell),
sorting and filtering. Prints timings; asserts nothing about speed.

    .venv/bin/python bench/bench_table.py           # 1,000,000 rows
    .venv/bin/python bench/bench_table.py --quick   # 200,000 rows
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import polars as pl
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from rlwb.ui.pages.findings_panel import TEXT_COLUMNS, findings_filter
from rlwb.ui.table_model import FrameTableModel

VIEW_ROWS, VIEW_COLS, POSITIONS = 40, 10, 1000
COLUMNS = [
    ("code", "code"),
    ("severity", "severity"),
    ("status", "status"),
    ("tax_record_id", "tax"),
    ("tax_name", "tax name"),
    ("tax_birth_year", "tax year"),
    ("si_record_id", "si"),
    ("si_name", "si name"),
    ("si_birth_year", "si year"),
    ("detail", "detail"),
]


def findings_frame(rows: int, seed: int = 7) -> pl.DataFrame:
    """Findings-like columns, built with vectorised random draws (seconds, not minutes)."""
    rng = np.random.default_rng(seed)
    family = np.array(
        ["山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村", "小林", "加藤"]
    )
    codes = np.array([f"R0{i}" for i in range(1, 10)])
    index = pl.int_range(0, rows, eager=True)
    return pl.DataFrame(
        {
            "code": codes[rng.integers(0, 9, rows)],
            "severity": np.array(["high", "review", "info"])[rng.integers(0, 3, rows)],
            "status": np.array(["open", "confirmed", "dismissed"])[rng.integers(0, 3, rows)],
            "tax_record_id": ("T" + index.cast(pl.String).str.zfill(8)),
            "tax_name": pl.Series(family[rng.integers(0, 10, rows)]) + " *",
            "tax_birth_year": rng.integers(1940, 2000, rows),
            "si_record_id": ("S" + index.cast(pl.String).str.zfill(8)),
            "si_name": pl.Series(family[rng.integers(0, 10, rows)]) + " *",
            "si_birth_year": rng.integers(1940, 2000, rows),
            "detail": "支払金額 "
            + pl.Series(rng.integers(0, 10**7, rows)).cast(pl.String)
            + " 円 (row "
            + index.cast(pl.String)
            + ")",
        }
    )


def timed(label: str, fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - start
    print(f"{label:<44} {elapsed * 1000:9.1f} ms")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="200,000 rows instead of 1,000,000")
    parser.add_argument("--rows", type=int)
    args = parser.parse_args()
    rows = args.rows or (200_000 if args.quick else 1_000_000)
    QApplication.instance() or QApplication([])

    start = time.perf_counter()
    frame = findings_frame(rows)
    print(
        f"frame: {rows:,} rows x {frame.width} columns, built in {time.perf_counter() - start:.1f} s"
    )
    model = FrameTableModel(COLUMNS)
    timed("set_base (model reset)", lambda: model.set_base(frame))

    rng = random.Random(1)
    positions = [rng.randrange(rows - VIEW_ROWS) for _ in range(POSITIONS)]
    display = Qt.ItemDataRole.DisplayRole
    per_view: list[float] = []
    for top in positions:
        t = time.perf_counter()
        for r in range(top, top + VIEW_ROWS):
            for c in range(VIEW_COLS):
                model.data(model.index(r, c), display)
        per_view.append(time.perf_counter() - t)
    per_view.sort()
    print(
        f"scroll: {POSITIONS} random viewports of {VIEW_ROWS}x{VIEW_COLS} cells: "
        f"mean {statistics.mean(per_view) * 1000:.2f} ms, "
        f"p95 {per_view[int(0.95 * len(per_view))] * 1000:.2f} ms, "
        f"max {per_view[-1] * 1000:.2f} ms per viewport; {model.block_loads} blocks converted"
    )
    warm = []
    for _ in range(200):
        t = time.perf_counter()
        for r in range(positions[-1], positions[-1] + VIEW_ROWS):
            for c in range(VIEW_COLS):
                model.data(model.index(r, c), display)
        warm.append(time.perf_counter() - t)
    print(f"repaint of a cached viewport: mean {statistics.mean(warm) * 1000:.3f} ms")

    timed(
        "sort by detail (string), descending", lambda: model.sort(9, Qt.SortOrder.DescendingOrder)
    )
    timed("sort by tax birth year (int)", lambda: model.sort(5, Qt.SortOrder.AscendingOrder))
    timed("filter severity = high", lambda: model.set_filter(findings_filter(severity="high")))
    print(f"  -> {model.rowCount():,} rows")
    timed(
        "filter rule R03 + status open",
        lambda: model.set_filter(findings_filter(rule="R03", status="open")),
    )
    print(f"  -> {model.rowCount():,} rows")
    timed(
        "filter text '山田' (text columns)",
        lambda: model.set_filter(
            findings_filter(
                text="山田",
                columns=tuple(c for c in TEXT_COLUMNS if c in frame.columns),
            )
        ),
    )
    print(f"  -> {model.rowCount():,} rows")
    timed("clear filter", lambda: model.set_filter(None))
    print(f"  -> {model.rowCount():,} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
