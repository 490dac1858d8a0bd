"""Addresses: house numbers apart from the text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import polars as pl

from rlwb.linkage.comparisons.base import PairFrame, check_probabilities, level, unknown_if_null
from rlwb.linkage.similarity import jaro_winkler


@dataclass(frozen=True)
class AddressComparison:
    """Addresses. House numbers decide, so the digit sequence is compared apart from the
    text. Levels: 0 different · 1 roughly similar text (same town) · 2 similar text ·
    3 same house numbers and roughly similar text · 4 exact.

    With ``area_column``, text similarity is computed only for addresses whose postal
    codes share the first ``area_digits`` digits, where one is unknown, whose house
    numbers are the same, or whose names are at least roughly similar (name level 1
    or more); other addresses are different. This keeps most candidate pairs (same birth
    date, far apart) away from the string comparison. It runs after the names (stage 1).
    """

    stage: ClassVar[int] = 1
    names_person: ClassVar[bool] = False
    evidence: ClassVar[bool] = True

    name: str
    column: str
    digits_column: str
    area_column: str | None = "key_postal"
    area_digits: int = 3
    similar: float = 0.90
    rough: float = 0.75
    m: tuple[float, ...] = (0.10, 0.05, 0.05, 0.10, 0.70)
    u: tuple[float, ...] = (0.90, 0.08, 0.019, 0.0008, 0.0002)
    levels: int = field(default=5, init=False)

    def __post_init__(self) -> None:
        check_probabilities(self.name, self.m, self.levels)
        check_probabilities(self.name, self.u, self.levels)

    def _scored(self, frame: PairFrame, same_numbers: pl.Series) -> pl.Series:
        """Where the text similarity is worth computing (see the class docstring)."""
        if self.area_column is not None:
            area = frame.both(self.area_column)
            same_area = (
                area["l"].str.slice(0, self.area_digits) == area["r"].str.slice(0, self.area_digits)
            ).fill_null(True)
        else:
            same_area = pl.Series([True] * frame.height, dtype=pl.Boolean)
        scored = same_area | same_numbers
        named = frame.person_named()
        return scored if named is None else scored | named

    def compare(self, frame: PairFrame) -> pl.Series:
        text = frame.both(self.column)
        digits = frame.both(self.digits_column)
        same_numbers = (digits["l"] == digits["r"]).fill_null(False)
        sim = jaro_winkler(text["l"], text["r"], self._scored(frame, same_numbers))
        rows = text.with_columns(same_numbers.alias("same_numbers"), sim.alias("sim"))
        similar = pl.col("sim") >= self.similar
        rough = pl.col("sim") >= self.rough
        levels = level(
            (pl.col("l") == pl.col("r"), 4),
            ((pl.col("same_numbers") & rough).fill_null(False), 3),
            (similar.fill_null(False), 2),
            (rough.fill_null(False), 1),
        )
        return rows.select(
            unknown_if_null(pl.col("l"), pl.col("r"), levels).alias(self.name)
        ).to_series()
