"""What every comparison is, and the pair frame it reads.

A comparison is a small frozen dataclass (its parameters are data, as in
``linkage.settings``) that builds its own agreement levels from a :class:`PairFrame`,
as Splink's comparison library does: adding one means writing a class with a
``compare`` method and putting an instance in the settings, with no edit elsewhere.
Levels are small integers, 0 the worst; null when either record lacks the field (an
unknown field is neither agreement nor disagreement and adds no weight).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Protocol

import polars as pl

from rlwb.linkage.errors import InvalidLinkSettings


def check_probabilities(name: str, values: tuple[float, ...], levels: int) -> None:
    if len(values) != levels:
        raise InvalidLinkSettings(
            f"Comparison {name!r} needs {levels} default probabilities, one per level; "
            f"it has {len(values)}. Give one value per level, worst level first."
        )
    if any(not 0.0 < v < 1.0 for v in values):
        raise InvalidLinkSettings(
            f"Comparison {name!r} has a default probability outside (0, 1); "
            "use values strictly between 0 and 1."
        )


@dataclass(frozen=True)
class PairFrame:
    """Candidate pairs (``tax_i``, ``si_i``) of two prepared record frames, with the
    levels of the comparisons already computed (earlier stages)."""

    tax: pl.DataFrame
    si: pl.DataFrame
    pairs: pl.DataFrame
    earlier: Mapping[str, pl.Series]
    person_comparisons: tuple[str, ...] = ()

    @property
    def height(self) -> int:
        return self.pairs.height

    def both(self, column: str) -> pl.DataFrame:
        """Column ``l`` (tax side) and ``r`` (SI side) of ``column`` per pair."""
        return pl.DataFrame(
            {
                "l": self.tax[column].gather(self.pairs["tax_i"]),
                "r": self.si[column].gather(self.pairs["si_i"]),
            }
        )

    def person_named(self) -> pl.Series | None:
        """True where an earlier comparison that names the person (a name) is at least
        at level 1; None when there is none."""
        found = [self.earlier[n] >= 1 for n in self.person_comparisons if n in self.earlier]
        if not found:
            return None
        return pl.DataFrame(found).select(pl.any_horizontal(pl.all()).fill_null(False)).to_series()


class Comparison(Protocol):
    """The interface the engine uses (see the module docstring).

    - ``stage``: comparisons run by stage (lower first), so a later one can read the
      levels of earlier ones through :attr:`PairFrame.earlier`.
    - ``names_person``: the comparison identifies the person (a name); later stages may
      score only where it roughly agrees.
    - ``evidence``: a plain disagreement (level 0) on this comparison counts against an
      automatic link in the evidence guard of ``linkage.link``.
    """

    stage: ClassVar[int]
    names_person: ClassVar[bool]
    evidence: ClassVar[bool]

    @property
    def name(self) -> str: ...

    @property
    def levels(self) -> int: ...

    @property
    def m(self) -> tuple[float, ...]: ...

    @property
    def u(self) -> tuple[float, ...]: ...

    def compare(self, frame: PairFrame) -> pl.Series:
        """Int8 level per pair (null where unknown), named after the comparison."""
        ...


def level(*branches: tuple[pl.Expr, int]) -> pl.Expr:
    """First matching (condition, level) wins; no condition → level 0."""
    result: pl.Expr = pl.lit(0, pl.Int8)
    for condition, value in reversed(branches):
        result = pl.when(condition).then(pl.lit(value, pl.Int8)).otherwise(result)
    return result


def unknown_if_null(left: pl.Expr, right: pl.Expr, levels: pl.Expr) -> pl.Expr:
    """``levels``, or null where either side is null."""
    return pl.when(left.is_null() | right.is_null()).then(pl.lit(None, pl.Int8)).otherwise(levels)
