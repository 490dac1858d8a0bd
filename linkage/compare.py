"""Comparison vectors: one agreement level per field and candidate pair.

Each comparison in the settings turns a candidate pair into a small integer level
(0 = worst, see the level lists in ``linkage.comparisons``), or null when either record
lacks the field: an unknown field is neither agreement nor disagreement and adds no
weight. Everything is column-wise; string similarities run once per distinct pair of
values (``linkage.similarity``).
"""

from __future__ import annotations

import polars as pl

from rlwb.linkage.comparisons import Comparison, PairFrame
from rlwb.linkage.progress import CancelToken


def comparison_levels(
    tax: pl.DataFrame,
    si: pl.DataFrame,
    pairs: pl.DataFrame,
    comparisons: tuple[Comparison, ...],
    *,
    cancel: CancelToken | None = None,
) -> pl.DataFrame:
    """``pairs`` (tax_i, si_i) with one Int8 level column per comparison.

    Each comparison builds its own levels (``linkage.comparisons``); they run by stage,
    so a later stage reads the levels of earlier ones (addresses are scored only where
    something else agrees).
    """
    person = tuple(c.name for c in comparisons if c.names_person)
    columns: dict[str, pl.Series] = {}
    for comparison in sorted(comparisons, key=lambda c: c.stage):
        if cancel is not None:
            cancel.raise_if_cancelled()
        frame = PairFrame(tax, si, pairs, dict(columns), person)
        columns[comparison.name] = comparison.compare(frame).alias(comparison.name)
    return pairs.select("tax_i", "si_i").with_columns(columns[c.name] for c in comparisons)
