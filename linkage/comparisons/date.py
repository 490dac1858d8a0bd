"""Dates of birth."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import polars as pl

from rlwb.linkage.comparisons.base import PairFrame, check_probabilities, level, unknown_if_null


@dataclass(frozen=True)
class DateComparison:
    """Dates. Levels: 0 different · 1 one of year/month/day differs · 2 day and month
    swapped · 3 exact."""

    stage: ClassVar[int] = 0
    names_person: ClassVar[bool] = False
    evidence: ClassVar[bool] = True

    name: str
    column: str
    m: tuple[float, ...] = (0.015, 0.03, 0.005, 0.95)
    u: tuple[float, ...] = (0.99542, 0.0045, 0.00004, 0.00004)
    levels: int = field(default=4, init=False)

    def __post_init__(self) -> None:
        check_probabilities(self.name, self.m, self.levels)
        check_probabilities(self.name, self.u, self.levels)

    def compare(self, frame: PairFrame) -> pl.Series:
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
        parts = same_year.cast(pl.Int8) + same_month.cast(pl.Int8) + same_day.cast(pl.Int8)
        levels = level((left == right, 3), (swapped, 2), (parts == 2, 1))
        return (
            frame.both(self.column)
            .select(unknown_if_null(left, right, levels).alias(self.name))
            .to_series()
        )
