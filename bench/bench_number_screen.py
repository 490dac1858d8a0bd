"""Time the 個人番号 screen (workbench.number_screen) on columns of an import's size.

    .venv/bin/python bench/bench_number_screen.py            # 1,000,000 cells per column
    .venv/bin/python bench/bench_number_screen.py --quick    # 100,000

Three synthetic columns: names (no digits: the common case, one cheap regex per cell),
addresses (a few digits each), and a remarks column in which a third of the cells hold
a 12-digit number that passes the check digit and another third a date and an amount
(twelve digits in groups, which must be tested and mostly fail). Prints times and counts;
asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import polars as pl

from rlwb.crypto.identifiers import my_number_check_digit
from rlwb.workbench.number_screen import count_numbers, mask_numbers


def _number(i: int) -> str:
    first11 = f"{30_000_000_000 + i * 7919:011d}"
    return first11 + my_number_check_digit(first11)


def columns(rows: int) -> dict[str, pl.Series]:
    names = pl.Series(["山田 太郎", "髙橋 花子", "ｻﾄｳ ｲﾁﾛｳ"] * (rows // 3 + 1)).head(rows)
    addresses = pl.Series(
        ["東京都千代田区丸の内1丁目2番3号", "大阪府大阪市北区梅田3-1-1 ビル12F"] * (rows // 2 + 1)
    ).head(rows)
    remarks = pl.Series(
        [
            f"扶養親族 {_number(i)} 確認済"
            if i % 3 == 0
            else ("2024-04-01 1500円 支払" if i % 3 == 1 else "異動なし")
            for i in range(rows)
        ]
    )
    return {"names": names, "addresses": addresses, "remarks": remarks}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100,000 cells per column")
    args = parser.parse_args()
    rows = 100_000 if args.quick else args.rows
    for name, series in columns(rows).items():
        start = time.perf_counter()
        masked = mask_numbers(series)
        mask_s = time.perf_counter() - start
        start = time.perf_counter()
        found = count_numbers(series)
        count_s = time.perf_counter() - start
        print(
            f"{name:10s} {rows:,} cells: mask {mask_s:.2f} s ({masked.cells:,} cells masked), "
            f"count {count_s:.2f} s ({found:,} hold a number)"
        )


if __name__ == "__main__":
    main()
