"""Clerk decisions on record pairs, as linking consumes them.

Decisions are append-only where they are stored (``workbench``); linking takes one
decision per pair, the latest. :func:`latest_decisions` resolves a history to that
form; :func:`decision_pairs` checks the resolved frame and maps record ids to rows.

Effect on linking (``linkage.link``):

- ``match``: the pair is ``reviewed_match`` whatever the token join or the model says,
  and its two records take no further part in probabilistic linking;
- ``non_match``: the pair is ``reviewed_non_match``; it never becomes a link, and its
  records stay free to link elsewhere (or end up ``*_only``);
- ``unsure``: the pair stays in ``review``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

import polars as pl

from rlwb.linkage.errors import InvalidDecisions
from rlwb.linkage.records import INDEX


class ReviewDecision(StrEnum):
    """A clerk's decision on a pair the linkage left for review."""

    MATCH = "match"
    NON_MATCH = "non_match"
    UNSURE = "unsure"


DECISION_VALUES: Final = tuple(ReviewDecision)
_PAIR: Final = ["tax_record_id", "si_record_id"]


def latest_decisions(history: pl.DataFrame, *, order_by: str = "decided_at") -> pl.DataFrame:
    """The latest decision per (tax_record_id, si_record_id) of a decision history.

    ``order_by`` names a column that orders decisions in time (a timestamp or a sequence
    number); on equal values the later row wins.
    """
    missing = [c for c in [*_PAIR, "decision", order_by] if c not in history.columns]
    if missing:
        raise InvalidDecisions(
            f"The decision history lacks columns {missing}; it needs tax_record_id, "
            f"si_record_id, decision and {order_by}."
        )
    return (
        history.with_row_index("_row")
        .sort([order_by, "_row"])
        .group_by(_PAIR, maintain_order=True)
        .agg(pl.col("decision").last())
        .sort(_PAIR)
    )


def decision_pairs(
    decisions: pl.DataFrame | None, tax: pl.DataFrame, si: pl.DataFrame
) -> pl.DataFrame:
    """(tax_i, si_i, decision) for decisions whose two records are both in this run.

    ``tax`` and ``si`` are prepared records. Decisions about records that are not in
    the datasets (an older import) are ignored.
    """
    schema = pl.Schema({"tax_i": pl.UInt32(), "si_i": pl.UInt32(), "decision": pl.String()})
    if decisions is None or not decisions.height:
        return pl.DataFrame(schema=schema)
    missing = [c for c in [*_PAIR, "decision"] if c not in decisions.columns]
    if missing:
        raise InvalidDecisions(
            f"The decisions frame lacks columns {missing}; it needs tax_record_id, "
            "si_record_id and decision."
        )
    frame = decisions.select(
        pl.col("tax_record_id").cast(pl.String),
        pl.col("si_record_id").cast(pl.String),
        pl.col("decision").cast(pl.String),
    )
    unknown = frame.filter(
        ~pl.col("decision").is_in(DECISION_VALUES) | pl.col("decision").is_null()
    )
    if unknown.height:
        raise InvalidDecisions(
            f"{unknown.height} decision(s) are not one of {', '.join(DECISION_VALUES)}; "
            "correct them before running the reconciliation."
        )
    if frame.select(_PAIR).is_duplicated().any():
        raise InvalidDecisions(
            "The decisions frame has more than one decision for a pair; pass only the "
            "latest decision per pair (see latest_decisions)."
        )
    return (
        frame.join(
            tax.select(pl.col("record_id").alias("tax_record_id"), pl.col(INDEX).alias("tax_i")),
            on="tax_record_id",
            how="inner",
        )
        .join(
            si.select(pl.col("record_id").alias("si_record_id"), pl.col(INDEX).alias("si_i")),
            on="si_record_id",
            how="inner",
        )
        .select("tax_i", "si_i", "decision")
        .cast(schema)
        .sort("tax_i", "si_i")
    )
