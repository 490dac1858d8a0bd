"""Postal codes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import polars as pl

from rlwb.linkage.comparisons.base import PairFrame, check_probabilities, level, unknown_if_null


@dataclass(frozen=True)
class PostalComparison:
    """Postal codes. Levels: 0 different · 1 same leading digits (area) · 2 exact.

    A postal code says where a person lives, as the address does: where both records
    have an address (``address``: the address comparison's name, scored in an earlier
    stage) the postal code is unknown here, so a move is counted once, not twice (two
    strongly negative weights for one fact sank true pairs of people who moved to
    below the review threshold). It stands in where an address is missing.
    """

    stage: ClassVar[int] = 2
    names_person: ClassVar[bool] = False
    evidence: ClassVar[bool] = False

    name: str
    column: str
    prefix_digits: int = 3
    address: str | None = "address"
    m: tuple[float, ...] = (0.10, 0.05, 0.85)
    u: tuple[float, ...] = (0.97, 0.025, 0.005)
    levels: int = field(default=3, init=False)

    def __post_init__(self) -> None:
        check_probabilities(self.name, self.m, self.levels)
        check_probabilities(self.name, self.u, self.levels)

    def compare(self, frame: PairFrame) -> pl.Series:
        left, right = pl.col("l"), pl.col("r")
        same_area = left.str.slice(0, self.prefix_digits) == right.str.slice(0, self.prefix_digits)
        levels = level((left == right, 2), (same_area, 1))
        result = (
            frame.both(self.column)
            .select(unknown_if_null(left, right, levels).alias(self.name))
            .to_series()
        )
        address = frame.earlier.get(self.address) if self.address is not None else None
        if address is None:
            return result
        return (
            pl.DataFrame({"p": result, "a": address})
            .select(pl.when(pl.col("a").is_null()).then(pl.col("p")).alias(self.name))
            .to_series()
        )
