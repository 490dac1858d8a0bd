"""Exact agreement on one column."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import polars as pl

from rlwb.linkage.comparisons.base import PairFrame, check_probabilities


@dataclass(frozen=True)
class ExactComparison:
    """Exact agreement (e.g. sex). Levels: 0 different · 1 equal."""

    stage: ClassVar[int] = 0
    names_person: ClassVar[bool] = False
    evidence: ClassVar[bool] = False

    name: str
    column: str
    m: tuple[float, ...] = (0.02, 0.98)
    u: tuple[float, ...] = (0.5, 0.5)
    levels: int = field(default=2, init=False)

    def __post_init__(self) -> None:
        check_probabilities(self.name, self.m, self.levels)
        check_probabilities(self.name, self.u, self.levels)

    def compare(self, frame: PairFrame) -> pl.Series:
        return (
            frame.both(self.column)
            .select((pl.col("l") == pl.col("r")).cast(pl.Int8).alias(self.name))
            .to_series()
        )
