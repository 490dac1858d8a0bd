"""Blocking: which record pairs are worth comparing at all.

Each pass pairs records that agree exactly on its key columns; the passes are united,
so a pair missed by one (a typo in the reading) is found by another (the birth date).
Block sizes are counted on both sides before any pair is built: a block that would make
more than ``max_block_pairs`` pairs is skipped and counted, and a run whose pairs would
exceed ``max_candidate_pairs`` stops with an error before it takes the memory.

A pass with a ``window`` is a sorted neighbourhood instead: both sides are sorted
together on the key and each record meets the next ``window`` records of the other side,
so keys that differ by a typo late in the string still meet (at most ``window`` pairs
per record, no blocks to skip). Passes may name the derived keys of
``linkage.blocking_keys`` (a swap-proof or reversed name, name and address prefixes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np
import polars as pl

from rlwb.linkage.blocking_keys import with_derived_keys
from rlwb.linkage.errors import MissingColumns, TooManyCandidatePairs
from rlwb.linkage.progress import CancelToken
from rlwb.linkage.records import INDEX
from rlwb.linkage.settings import BlockingPass, LinkSettings

PAIR_SCHEMA: Final = pl.Schema({"tax_i": pl.UInt32(), "si_i": pl.UInt32()})


@dataclass(frozen=True)
class BlockingStats:
    """What blocking did: pairs per pass (before the union), skipped blocks and pairs."""

    candidate_pairs: int = 0
    pairs_per_pass: dict[str, int] = field(default_factory=dict)
    blocks_skipped: int = 0
    pairs_skipped: int = 0


def _usable(frame: pl.DataFrame, keys: tuple[str, ...]) -> pl.Expr:
    conditions = []
    for key in keys:
        condition = pl.col(key).is_not_null()
        if frame.schema[key] == pl.String:
            condition = condition & (pl.col(key).str.len_chars() > 0)
        conditions.append(condition)
    return pl.all_horizontal(conditions)


def _check_columns(tax: pl.DataFrame, si: pl.DataFrame, blocking_pass: BlockingPass) -> None:
    for frame, side in ((tax, "tax"), (si, "social-insurance")):
        missing = [k for k in blocking_pass.keys if k not in frame.columns]
        if missing:
            raise MissingColumns(
                f"Blocking pass {blocking_pass.name!r} needs columns {missing} that the "
                f"{side} records do not have; fix the blocking settings."
            )


def _pass_pairs(
    tax: pl.DataFrame,
    si: pl.DataFrame,
    blocking_pass: BlockingPass,
    max_block_pairs: int,
    budget: int,
) -> tuple[pl.DataFrame, int, int, int]:
    """(pairs, pair count, blocks skipped, pairs skipped) of one pass.

    Raises :class:`TooManyCandidatePairs` before building the pairs when they would
    exceed ``budget``.
    """
    keys = list(blocking_pass.keys)
    _check_columns(tax, si, blocking_pass)
    left = tax.filter(_usable(tax, blocking_pass.keys)).select(pl.col(INDEX).alias("tax_i"), *keys)
    right = si.filter(_usable(si, blocking_pass.keys)).select(pl.col(INDEX).alias("si_i"), *keys)
    sizes = (
        left.group_by(keys)
        .len("n_tax")
        .join(right.group_by(keys).len("n_si"), on=keys, how="inner")
        .with_columns((pl.col("n_tax").cast(pl.Int64) * pl.col("n_si")).alias("pairs"))
    )
    oversized = sizes.filter(pl.col("pairs") > max_block_pairs)
    kept = sizes.filter(pl.col("pairs") <= max_block_pairs)
    expected = int(kept["pairs"].sum())
    if expected > budget:
        raise TooManyCandidatePairs(
            f"Blocking pass {blocking_pass.name!r} would take the number of record pairs "
            "to compare past the limit set in the link settings (max_candidate_pairs). "
            "Use narrower blocking passes or a smaller max_block_pairs, then run again."
        )
    pairs = (
        left.join(kept.select(keys), on=keys, how="semi")
        .join(right, on=keys, how="inner")
        .select("tax_i", "si_i")
    )
    return pairs, expected, oversized.height, int(oversized["pairs"].sum())


def _window_pairs(
    tax: pl.DataFrame, si: pl.DataFrame, blocking_pass: BlockingPass, budget: int
) -> tuple[pl.DataFrame, int]:
    """(pairs, pair count) of a sorted-neighbourhood pass."""
    keys = list(blocking_pass.keys)
    both = pl.concat(
        [
            tax.filter(_usable(tax, blocking_pass.keys)).select(
                pl.col(INDEX).alias("i"), *keys, pl.lit(0, pl.Int8).alias("side")
            ),
            si.filter(_usable(si, blocking_pass.keys)).select(
                pl.col(INDEX).alias("i"), *keys, pl.lit(1, pl.Int8).alias("side")
            ),
        ]
    ).sort([*keys, "side", "i"])
    found: list[pl.DataFrame] = []
    for offset in range(1, blocking_pass.window + 1):
        shifted = both.select(
            "i",
            "side",
            pl.col("i").shift(-offset).alias("j"),
            pl.col("side").shift(-offset).alias("side_j"),
        ).filter(pl.col("side_j").is_not_null() & (pl.col("side") != pl.col("side_j")))
        found.append(
            shifted.select(
                pl.when(pl.col("side") == 0).then("i").otherwise("j").alias("tax_i"),
                pl.when(pl.col("side") == 0).then("j").otherwise("i").alias("si_i"),
            )
        )
    pairs = pl.concat(found).unique() if found else pl.DataFrame(schema=PAIR_SCHEMA)
    if pairs.height > budget:
        raise TooManyCandidatePairs(
            f"Blocking pass {blocking_pass.name!r} would take the number of record pairs "
            "to compare past the limit set in the link settings (max_candidate_pairs). "
            "Use a smaller window, then run again."
        )
    return pairs, pairs.height


def candidate_pairs(
    tax: pl.DataFrame,
    si: pl.DataFrame,
    settings: LinkSettings,
    *,
    exclude: pl.DataFrame | None = None,
    cancel: CancelToken | None = None,
) -> tuple[pl.DataFrame, BlockingStats]:
    """Distinct (tax_i, si_i) pairs from every blocking pass, minus ``exclude``.

    ``tax`` and ``si`` are prepared records (any subset: usually the records that the
    token join left unconfirmed).
    """
    used = {k for blocking_pass in settings.blocking for k in blocking_pass.keys}
    tax, si = with_derived_keys(tax, used), with_derived_keys(si, used)
    found: list[pl.DataFrame] = []
    per_pass: dict[str, int] = {}
    blocks_skipped = 0
    pairs_skipped = 0
    running = 0
    for blocking_pass in settings.blocking:
        if cancel is not None:
            cancel.raise_if_cancelled()
        budget = settings.max_candidate_pairs - running
        if blocking_pass.window:
            _check_columns(tax, si, blocking_pass)
            pairs, expected = _window_pairs(tax, si, blocking_pass, budget)
            skipped_blocks = skipped_pairs = 0
        else:
            cap = blocking_pass.max_block_pairs or settings.max_block_pairs
            pairs, expected, skipped_blocks, skipped_pairs = _pass_pairs(
                tax, si, blocking_pass, cap, budget
            )
        running += expected
        per_pass[blocking_pass.name] = expected
        blocks_skipped += skipped_blocks
        pairs_skipped += skipped_pairs
        found.append(pairs)
    union = pl.concat(found).unique() if found else pl.DataFrame(schema=PAIR_SCHEMA)
    if exclude is not None and exclude.height:
        union = union.join(exclude.select("tax_i", "si_i"), on=["tax_i", "si_i"], how="anti")
    union = union.cast(PAIR_SCHEMA).sort("tax_i", "si_i")
    stats = BlockingStats(
        candidate_pairs=union.height,
        pairs_per_pass=per_pass,
        blocks_skipped=blocks_skipped,
        pairs_skipped=pairs_skipped,
    )
    return union, stats


def random_pairs(tax: pl.DataFrame, si: pl.DataFrame, count: int, *, seed: int) -> pl.DataFrame:
    """``count`` uniformly random (tax_i, si_i) pairs (with replacement) of the given
    prepared records, for counting how often fields agree by chance."""
    if not tax.height or not si.height or count <= 0:
        return pl.DataFrame(schema=PAIR_SCHEMA)
    generator = np.random.default_rng(seed)
    tax_rows = generator.integers(0, tax.height, size=count)
    si_rows = generator.integers(0, si.height, size=count)
    return pl.DataFrame(
        {
            "tax_i": tax[INDEX].gather(pl.Series(tax_rows)),
            "si_i": si[INDEX].gather(pl.Series(si_rows)),
        }
    ).cast(PAIR_SCHEMA)
