"""Whole-column identifier checks for imports: the rules of crypto.identifiers, vectorised.

A million rows through the per-value Python functions costs seconds; these polars
expressions give the same answers (a property test holds them equal) in a fraction.
"""

from __future__ import annotations

import polars as pl

from crypto.identifiers import IdentifierProblem

_DASHES_AND_SPACES = r"[\-‐‑‒–—―−ー－\s\u3000]"


def _digits(column: pl.Expr) -> pl.Expr:
    return column.str.normalize("NFKC").str.replace_all(_DASHES_AND_SPACES, "")


def _digit(text: pl.Expr, index: int) -> pl.Expr:
    # strict=False: a failed cast must never put a cell value into a polars error message.
    return text.str.slice(index, 1).cast(pl.Int64, strict=False)


def _my_number_check(text: pl.Expr) -> pl.Expr:
    # P_n is the n-th digit from the right of the first 11 (index 10 - (n-1)); Q_n as in spec.
    total = pl.sum_horizontal(
        _digit(text, 11 - n) * (n + 1 if n <= 6 else n - 5) for n in range(1, 12)
    )
    r = total % 11
    return pl.when(r <= 1).then(0).otherwise(11 - r)


def _corporate_check(text: pl.Expr) -> pl.Expr:
    total = pl.sum_horizontal(_digit(text, 13 - n) * (1 if n % 2 else 2) for n in range(1, 13))
    return 9 - total % 9


def _canonical(
    column: str, length: int, check: pl.Expr, check_index: int
) -> tuple[pl.Expr, pl.Expr]:
    text = _digits(pl.col(column))
    well_formed = text.str.contains(rf"^[0-9]{{{length}}}$")
    checks = well_formed & (_digit(text, check_index) == check)
    problem = (
        pl.when(text.is_null() | (text.str.len_chars() == 0))
        .then(pl.lit(IdentifierProblem.MISSING.value))
        .when(~well_formed)
        .then(pl.lit(IdentifierProblem.MALFORMED.value))
        .when(~checks)
        .then(pl.lit(IdentifierProblem.CHECK_DIGIT.value))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    return pl.when(checks).then(text).otherwise(None), problem


def my_number_columns(column: str) -> tuple[pl.Expr, pl.Expr]:
    """(canonical 12 digits or null, problem or null) for a column of raw 個人番号 cells."""
    text = _digits(pl.col(column))
    return _canonical(column, 12, _my_number_check(text), 11)


def corporate_number_columns(column: str) -> tuple[pl.Expr, pl.Expr]:
    """(canonical 13 digits or null, problem or null) for a column of 法人番号 cells."""
    text = _digits(pl.col(column))
    return _canonical(column, 13, _corporate_check(text), 0)
