"""Time linkage.read.read_extract (and add_match_keys) on a synthetic CP932 tax CSV.

    .venv/bin/python bench/bench_read.py            # 1,000,000 rows
    .venv/bin/python bench/bench_read.py --quick    # 100,000 rows
    .venv/bin/python bench/bench_read.py --rows 250000 --encoding utf-8

Synthetic data only: random names, dates in mixed forms, numbers that are not real
個人番号. The file is written to a temporary directory and deleted afterwards.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rlwb.linkage.normalise import add_match_keys
from rlwb.linkage.read import read_extract

FAMILY = ["髙橋", "山﨑", "佐藤", "鈴木", "田中", "渡邉", "齋藤", "伊藤", "小林", "中村", "加藤"]
GIVEN = ["太郎", "花子", "一郎", "さくら", "健", "美咲", "翔太", "陽子"]
KANA_FAMILY = ["ﾀｶﾊｼ", "ヤマザキ", "さとう", "スズキ", "タナカ", "ワタナベ", "サイトウ"]
KANA_GIVEN = ["ﾀﾛｳ", "ハナコ", "いちろう", "サクラ", "ケン"]
HEADER = (
    "整理番号,個人番号,氏名,フリガナ,生年月日,性別,郵便番号,住所,支払金額,"
    "源泉徴収税額,支払者法人番号,支払者名称,年分"
)


def _birth(rng: random.Random) -> str:
    year, month, day = rng.randint(1940, 2005), rng.randint(1, 12), rng.randint(1, 28)
    form = rng.random()
    if form < 0.5:
        return f"{year}-{month:02d}-{day:02d}"
    if form < 0.7:
        return f"{year}/{month}/{day}"
    if year >= 1989:
        return f"H{year - 1988}.{month}.{day}"
    return f"昭和{year - 1925}年{month}月{day}日"


def write_file(path: Path, rows: int, encoding: str, seed: int = 7) -> None:
    rng = random.Random(seed)
    lines = [HEADER]
    for i in range(rows):
        address = (
            f"東京都港区芝{rng.choice('一二三四五')}丁目{rng.randint(1, 30)}番{rng.randint(1, 20)}号"
            if rng.random() < 0.3
            else f"東京都港区芝{rng.randint(1, 5)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}"
        )
        lines.append(
            ",".join(
                (
                    f"T{i:08d}",
                    f"{rng.randrange(10**11, 10**12)}",
                    f"{rng.choice(FAMILY)}　{rng.choice(GIVEN)}",
                    f"{rng.choice(KANA_FAMILY)} {rng.choice(KANA_GIVEN)}",
                    _birth(rng),
                    rng.choice("男女12"),
                    f"{rng.randint(100, 999)}-{rng.randint(0, 9999):04d}",
                    address,
                    f'"{rng.randint(1, 9_000_000):,}"',
                    str(rng.randint(0, 500_000)),
                    "7123456789012",
                    "株式会社サンプル",
                    rng.choice(["2024", "令和6", "R6"]),
                )
            )
        )
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100,000 rows")
    parser.add_argument("--encoding", default="cp932")
    args = parser.parse_args()
    rows = 100_000 if args.quick else args.rows
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tax.csv"
        started = time.perf_counter()
        write_file(path, rows, args.encoding)
        size = path.stat().st_size / 1e6
        print(
            f"wrote {rows:,} rows, {size:.1f} MB {args.encoding} in "
            f"{time.perf_counter() - started:.1f} s (not part of the timing)"
        )

        steps: list[tuple[str, float]] = []

        def progress(step: str, fraction: float) -> None:
            steps.append((step, time.perf_counter()))

        started = time.perf_counter()
        cpu_started = time.process_time()
        parsed = read_extract(path, "tax", progress=progress)
        read_s = time.perf_counter() - started
        read_cpu = time.process_time() - cpu_started
        marks = [started] + [t for _, t in steps]
        detail = ", ".join(
            f"{name} {marks[i + 1] - marks[i]:.2f}s" for i, (name, _) in enumerate(steps)
        )
        print(
            f"read_extract: {read_s:.2f} s wall ({read_cpu:.2f} s CPU, all threads) for "
            f"{parsed.frame.height:,} rows "
            f"({parsed.issues.height:,} issues, {parsed.quarantine.height:,} quarantined)"
        )
        print(f"  steps (time up to each progress call): {detail}")

        started = time.perf_counter()
        cpu_started = time.process_time()
        keyed = add_match_keys(parsed.frame)
        print(
            f"add_match_keys: {time.perf_counter() - started:.2f} s wall "
            f"({time.process_time() - cpu_started:.2f} s CPU; {keyed.width} columns)"
        )
        print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
