"""Dates the rules count with: ages on 31 December and months covered in a tax year."""

from __future__ import annotations

from datetime import date

import polars as pl

from rlwb.linkage.rules.ruleset import AgeCounting


def year_end(tax_year: int) -> date:
    """The day thresholds and ages are taken on for a tax year."""
    return date(tax_year, 12, 31)


def age_at_year_end(birth: pl.Expr, tax_year: pl.Expr, counting: AgeCounting) -> pl.Expr:
    """Age on 31 December of the tax year (null when either is unknown).

    Everyone has had their birthday by 31 December, so the calendar age is the
    difference of years. Under Japanese legal counting an age is attained on the day
    before the birthday, so a person born on 1 January is one year older.
    """
    years = tax_year.cast(pl.Int32) - birth.dt.year().cast(pl.Int32)
    if counting == "calendar":
        return years
    born_new_year = (birth.dt.month() == 1) & (birth.dt.day() == 1)
    return years + born_new_year.cast(pl.Int32)


def months_covered(start: pl.Expr, end: pl.Expr, tax_year: pl.Expr) -> pl.Expr:
    """Months of the tax year with social-insurance coverage.

    Coverage counts from the month of 資格取得年月日 (``start``) to the month before the
    month of 資格喪失年月日 (``end``, the day after leaving; null = still covered), as
    contributions are counted. Null when the start is unknown.
    """
    year = tax_year.cast(pl.Int32)
    first = (start.dt.year().cast(pl.Int32) - year) * 12 + start.dt.month().cast(pl.Int32)
    after_last = (end.dt.year().cast(pl.Int32) - year) * 12 + end.dt.month().cast(pl.Int32)
    first = first.clip(1, 13)
    after_last = after_last.fill_null(13).clip(1, 13)
    return (after_last - first).clip(lower_bound=0)
