"""String similarity for comparisons, computed once per distinct pair of values.

Jaro–Winkler and Damerau–Levenshtein come from jellyfish (a recordlinkage dependency,
Rust-backed). Candidate
pairs repeat the same values many times (family names, given names, town names), so
the Python call runs on the distinct (left, right) pairs only and polars joins the
scores back.
"""

from __future__ import annotations

from collections.abc import Callable

import jellyfish
import polars as pl


def jaro_winkler(left: pl.Series, right: pl.Series, where: pl.Series | None = None) -> pl.Series:
    """Jaro–Winkler similarity per row: 1.0 when equal, null when either side is null.

    With ``where``, unequal values are scored only on rows where it is true (null
    elsewhere): callers skip rows whose level is already decided.
    """
    return _per_distinct(left, right, where, jellyfish.jaro_winkler_similarity, 1.0)


def edit_distance(left: pl.Series, right: pl.Series, where: pl.Series | None = None) -> pl.Series:
    """Damerau–Levenshtein distance per row (a transposition is one edit): 0.0 when
    equal, null when either side is null; ``where`` as for :func:`jaro_winkler`.

    Jaro–Winkler misses a transposed or substituted letter in a short name (PIA / PAI
    scores 0.56, BEN / BWN 0.80); one edit catches it."""
    return _per_distinct(left, right, where, jellyfish.damerau_levenshtein_distance, 0.0)


def _per_distinct(
    left: pl.Series,
    right: pl.Series,
    where: pl.Series | None,
    function: Callable[[str, str], float],
    equal: float,
) -> pl.Series:
    frame = pl.DataFrame({"a": left.cast(pl.String), "b": right.cast(pl.String)})
    wanted = pl.col("a").is_not_null() & pl.col("b").is_not_null() & (pl.col("a") != pl.col("b"))
    if where is not None:
        frame = frame.with_columns(where.fill_null(False).alias("_where"))
        wanted = wanted & pl.col("_where")
    needs = frame.filter(wanted).select("a", "b").unique()
    if needs.height:
        scores = [
            float(function(a, b))
            for a, b in zip(needs["a"].to_list(), needs["b"].to_list(), strict=True)
        ]
        needs = needs.with_columns(pl.Series("s", scores, dtype=pl.Float64))
    else:
        needs = needs.with_columns(pl.lit(None, pl.Float64).alias("s"))
    joined = frame.select("a", "b").join(needs, on=["a", "b"], how="left", maintain_order="left")
    return joined.select(
        pl.when(pl.col("a").is_null() | pl.col("b").is_null())
        .then(None)
        .when(pl.col("a") == pl.col("b"))
        .then(equal)
        .otherwise(pl.col("s"))
        .cast(pl.Float64)
        .alias(left.name or "similarity")
    ).to_series()
