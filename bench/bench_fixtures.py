"""Time the fixture generator: python bench/bench_fixtures.py [--quick] [--persons N] [--write]

Prints wall seconds for generate() (and optionally for writing both CSVs) and the peak
resident memory of the process. No 個人番号 is printed.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rlwb.fixtures import generate, write_csv


def _peak_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="100,000 persons instead of 1,000,000")
    parser.add_argument("--persons", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--write", action="store_true", help="also time writing tax.csv and si.csv (cp932)"
    )
    args = parser.parse_args()
    persons = args.persons or (100_000 if args.quick else 1_000_000)

    start = time.perf_counter()
    pair = generate(persons, seed=args.seed)
    elapsed = time.perf_counter() - start
    print(
        f"generate({persons:,}): {elapsed:.2f} s  "
        f"(tax {pair.tax.height:,} rows, si {pair.si.height:,} rows, "
        f"{pair.truth_links.height:,} true links, {pair.planted.height:,} planted findings)"
    )
    if args.write:
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            write_csv(pair.tax, Path(tmp) / "tax.csv", "cp932")
            write_csv(pair.si, Path(tmp) / "si.csv", "cp932")
            print(f"write_csv cp932, both extracts: {time.perf_counter() - start:.2f} s")
    print(f"peak memory (max RSS): {_peak_mib():,.0f} MiB")


if __name__ == "__main__":
    main()
