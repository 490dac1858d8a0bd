"""Comparison vectors: one agreement level per field and candidate pair.

Each comparison in the settings turns a candidate pair into a small integer level
(0 = worst, see the level lists in ``linkage.settings``), or null when either record
lacks the field: an unknown field is neither agreement nor disagreement and adds no
weight. Everything is column-wise; string similarities run once per distinct pair of
values (``linkage.similarity``).
"""

from __future__ import annotations

import polars as pl

from rlwb.linkage.progress import CancelToken
from rlwb.linkage.settings import (
    AddressComparison,
    Comparison,
    DateComparison,
    ExactComparison,
    NameColumns,
    NameComparison,
    PostalComparison,
)
from rlwb.linkage.similarity import jaro_winkler


def _both(tax: pl.DataFrame, si: pl.DataFrame, pairs: pl.DataFrame, column: str) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "l": tax[column].gather(pairs["tax_i"]),
            "r": si[column].gather(pairs["si_i"]),
        }
    )


def _level(*branches: tuple[pl.Expr, int]) -> pl.Expr:
    """First matching (condition, level) wins; no condition → level 0."""
    result: pl.Expr = pl.lit(0, pl.Int8)
    for condition, level in reversed(branches):
        result = pl.when(condition).then(pl.lit(level, pl.Int8)).otherwise(result)
    return result


def _script_levels(
    tax: pl.DataFrame,
    si: pl.DataFrame,
    pairs: pl.DataFrame,
    columns: NameColumns,
    c: NameComparison,
) -> pl.Series:
    full = _both(tax, si, pairs, columns.full)
    family = _both(tax, si, pairs, columns.family)
    given = _both(tax, si, pairs, columns.given)
    parts = pl.DataFrame(
        {
            "full_l": full["l"],
            "full_r": full["r"],
            "fam_l": family["l"],
            "fam_r": family["r"],
            "giv_l": given["l"],
            "giv_r": given["r"],
        }
    )
    split_mask = parts.select(
        pl.all_horizontal(pl.col(n).is_not_null() for n in ("fam_l", "fam_r", "giv_l", "giv_r"))
        & (pl.col("full_l") != pl.col("full_r"))
    ).to_series()
    # Every level above 0 of a split name needs a roughly similar given name, so the
    # family name is scored only where the given name is (most candidate pairs are not).
    giv_sim = jaro_winkler(given["l"], given["r"], split_mask)
    fam_sim = jaro_winkler(family["l"], family["r"], split_mask & (giv_sim >= c.partial))
    unsplit_mask = parts.select(
        ~pl.all_horizontal(pl.col(n).is_not_null() for n in ("fam_l", "fam_r", "giv_l", "giv_r"))
    ).to_series()
    full_sim = jaro_winkler(full["l"], full["r"], unsplit_mask)
    frame = parts.with_columns(
        split_mask.alias("split"),
        full_sim.alias("full_sim"),
        fam_sim.alias("fam_sim"),
        giv_sim.alias("giv_sim"),
    )
    fam_close = pl.col("fam_sim") >= c.close
    giv_close = pl.col("giv_sim") >= c.close
    swapped = (pl.col("fam_l") == pl.col("giv_r")) & (pl.col("giv_l") == pl.col("fam_r"))
    # Only one side split: the other side's whole name may still end with the same
    # given name under another family name (a married name).
    given_suffix = (
        pl.col("fam_l").is_not_null()
        & pl.col("full_r").str.ends_with(pl.col("giv_l").fill_null("\x00"))
        & ~pl.col("full_r").str.starts_with(pl.col("fam_l").fill_null("\x00"))
    ) | (
        pl.col("fam_r").is_not_null()
        & pl.col("full_l").str.ends_with(pl.col("giv_r").fill_null("\x00"))
        & ~pl.col("full_l").str.starts_with(pl.col("fam_r").fill_null("\x00"))
    )
    split_levels = _level(
        ((fam_close & giv_close).fill_null(False), 3),
        (swapped.fill_null(False), 3),
        (giv_close.fill_null(False), 2),
        (((pl.col("fam_sim") >= c.partial) & (pl.col("giv_sim") >= c.partial)).fill_null(False), 1),
    )
    whole_levels = _level(
        ((pl.col("full_sim") >= c.close).fill_null(False), 3),
        (given_suffix.fill_null(False), 2),
        ((pl.col("full_sim") >= c.partial).fill_null(False), 1),
    )
    return frame.select(
        pl.when(pl.col("full_l").is_null() | pl.col("full_r").is_null())
        .then(pl.lit(None, pl.Int8))
        .when(pl.col("full_l") == pl.col("full_r"))
        .then(pl.lit(4, pl.Int8))
        .when(pl.col("split"))
        .then(split_levels)
        .otherwise(whole_levels)
        .alias("level")
    ).to_series()


def _name_levels(
    tax: pl.DataFrame, si: pl.DataFrame, pairs: pl.DataFrame, c: NameComparison
) -> pl.Series:
    """The better level of the scripts both records have (null when none)."""
    per_script = pl.DataFrame(
        {
            f"s{k}": _script_levels(tax, si, pairs, columns, c)
            for k, columns in enumerate(c.scripts)
        }
    )
    return per_script.select(pl.max_horizontal(pl.all()).alias(c.name)).to_series()


def _date_levels(
    tax: pl.DataFrame, si: pl.DataFrame, pairs: pl.DataFrame, c: DateComparison
) -> pl.Series:
    frame = _both(tax, si, pairs, c.column)
    left, right = pl.col("l"), pl.col("r")
    same_year = left.dt.year() == right.dt.year()
    same_month = left.dt.month() == right.dt.month()
    same_day = left.dt.day() == right.dt.day()
    swapped = (
        same_year
        & (left.dt.month() == right.dt.day())
        & (left.dt.day() == right.dt.month())
        & (left.dt.month() != left.dt.day())
    )
    one_part = (same_year.cast(pl.Int8) + same_month.cast(pl.Int8) + same_day.cast(pl.Int8)) == 2
    return frame.select(
        pl.when(left.is_null() | right.is_null())
        .then(pl.lit(None, pl.Int8))
        .otherwise(_level((left == right, 3), (swapped, 2), (one_part, 1)))
        .alias(c.name)
    ).to_series()


def _exact_levels(
    tax: pl.DataFrame, si: pl.DataFrame, pairs: pl.DataFrame, c: ExactComparison
) -> pl.Series:
    frame = _both(tax, si, pairs, c.column)
    return frame.select((pl.col("l") == pl.col("r")).cast(pl.Int8).alias(c.name)).to_series()


def _postal_levels(
    tax: pl.DataFrame, si: pl.DataFrame, pairs: pl.DataFrame, c: PostalComparison
) -> pl.Series:
    frame = _both(tax, si, pairs, c.column)
    left, right = pl.col("l"), pl.col("r")
    same_area = left.str.slice(0, c.prefix_digits) == right.str.slice(0, c.prefix_digits)
    return frame.select(
        pl.when(left.is_null() | right.is_null())
        .then(pl.lit(None, pl.Int8))
        .otherwise(_level((left == right, 2), (same_area, 1)))
        .alias(c.name)
    ).to_series()


def _address_levels(
    tax: pl.DataFrame,
    si: pl.DataFrame,
    pairs: pl.DataFrame,
    c: AddressComparison,
    names_agree: pl.Series | None,
) -> pl.Series:
    text = _both(tax, si, pairs, c.column)
    digits = _both(tax, si, pairs, c.digits_column)
    frame = pl.DataFrame(
        {
            "l": text["l"],
            "r": text["r"],
            "same_numbers": (digits["l"] == digits["r"]).fill_null(False),
        }
    )
    if c.area_column is not None:
        # Text similarity is scored only within one postal area, where an area is
        # unknown, for the same house numbers, or where the names are at least roughly
        # similar: elsewhere the addresses count as different (most candidate pairs
        # share a birth date and nothing else).
        area = _both(tax, si, pairs, c.area_column)
        same_area = (
            area["l"].str.slice(0, c.area_digits) == area["r"].str.slice(0, c.area_digits)
        ).fill_null(True)
    else:
        same_area = pl.Series([True] * frame.height, dtype=pl.Boolean)
    scored = same_area | frame["same_numbers"]
    if names_agree is not None:
        scored = scored | names_agree
    frame = frame.with_columns(jaro_winkler(text["l"], text["r"], scored).alias("sim"))
    return frame.select(
        pl.when(pl.col("l").is_null() | pl.col("r").is_null())
        .then(pl.lit(None, pl.Int8))
        .otherwise(
            _level(
                (pl.col("l") == pl.col("r"), 4),
                ((pl.col("same_numbers") & (pl.col("sim") >= c.rough)).fill_null(False), 3),
                ((pl.col("sim") >= c.similar).fill_null(False), 2),
                ((pl.col("sim") >= c.rough).fill_null(False), 1),
            )
        )
        .alias(c.name)
    ).to_series()


def comparison_levels(
    tax: pl.DataFrame,
    si: pl.DataFrame,
    pairs: pl.DataFrame,
    comparisons: tuple[Comparison, ...],
    *,
    cancel: CancelToken | None = None,
) -> pl.DataFrame:
    """``pairs`` (tax_i, si_i) with one Int8 level column per comparison."""
    columns: dict[str, pl.Series] = {}
    # Addresses last: their similarity is only scored where something else agrees.
    ordered = sorted(comparisons, key=lambda c: isinstance(c, AddressComparison))
    for comparison in ordered:
        if cancel is not None:
            cancel.raise_if_cancelled()
        if isinstance(comparison, NameComparison):
            columns[comparison.name] = _name_levels(tax, si, pairs, comparison)
        elif isinstance(comparison, DateComparison):
            columns[comparison.name] = _date_levels(tax, si, pairs, comparison)
        elif isinstance(comparison, ExactComparison):
            columns[comparison.name] = _exact_levels(tax, si, pairs, comparison)
        elif isinstance(comparison, PostalComparison):
            columns[comparison.name] = _postal_levels(tax, si, pairs, comparison)
        else:
            name_levels = [
                columns[c.name] >= 1 for c in comparisons if isinstance(c, NameComparison)
            ]
            names_agree = (
                pl.DataFrame(name_levels).select(pl.any_horizontal(pl.all()).fill_null(False))
                .to_series()
                if name_levels
                else None
            )
            columns[comparison.name] = _address_levels(tax, si, pairs, comparison, names_agree)
    return pairs.select("tax_i", "si_i").with_columns(columns[c.name] for c in comparisons)
