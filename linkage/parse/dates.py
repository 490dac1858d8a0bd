"""Dates in every form the extracts use, parsed column-wise.

Accepted (after NFKC, so full-width digits work): ``1985-04-01``, ``1985/4/1``,
``1985.4.1``, ``1985年4月1日``, ``19850401``, ``昭和60年4月1日`` (optionally followed by
生 / 生まれ), ``昭60.4.1``, ``S60.4.1``, ``s60/04/01``, ``S600401``, ``H2.11.3``,
``R1.5.1``, ``令和元年5月1日``, and the pension-office era code ``5-600401`` /
``5600401`` (明治 1, 大正 3, 昭和 5, 平成 7, 令和 9). A time of day after an ISO date
(``1985-04-01 00:00:00``, as XLSX date cells read) is ignored.

Nothing is guessed: a wareki date outside its era (昭和64年2月1日, 平成1年1月1日) or a
day that does not exist (2023-02-30) becomes null with a reason.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Final

import polars as pl


class DateProblem(StrEnum):
    UNREADABLE = "date_unreadable"
    DOES_NOT_EXIST = "date_does_not_exist"
    OUTSIDE_ERA = "date_outside_era"


class Era:
    """One Japanese era: its letter, pension-office code, first day and year offset."""

    def __init__(self, letter: str, code: str, names: tuple[str, ...], first_day: dt.date):
        self.letter = letter
        self.code = code
        self.names = names
        self.first_day = first_day
        self.offset = first_day.year - 1  # era year 1 is the Gregorian year it began

    def __repr__(self) -> str:
        return f"Era({self.letter})"


# 明治 began (retroactively) on the first day of 1868; the spec bounds it only from above.
ERAS: Final = (
    Era("M", "1", ("明治", "明"), dt.date(1868, 1, 1)),
    Era("T", "3", ("大正", "大"), dt.date(1912, 7, 30)),
    Era("S", "5", ("昭和", "昭"), dt.date(1926, 12, 25)),
    Era("H", "7", ("平成", "平"), dt.date(1989, 1, 8)),
    Era("R", "9", ("令和", "令"), dt.date(2019, 5, 1)),
)

#: Last day of each era (None for the current one).
ERA_LAST_DAY: Final = {
    era.letter: (nxt.first_day - dt.timedelta(days=1) if nxt else None)
    for era, nxt in zip(ERAS, (*ERAS[1:], None), strict=True)
}

# Era names -> letters, longest first so 昭和 wins over 昭 (replace_many leftmost=True).
ERA_NAME_TO_LETTER: Final = {
    name: era.letter for era in ERAS for name in sorted(era.names, key=len, reverse=True)
}

_GREGORIAN: Final = r"^(?:(\d{4})-(\d{1,2})-(\d{1,2})|(\d{4})(\d{2})(\d{2}))$"
_WAREKI: Final = (
    r"^(?:([MTSHR])(\d{1,2})-(\d{1,2})-(\d{1,2})"
    r"|([MTSHR])(\d{2})(\d{2})(\d{2})"
    r"|([13579])-?(\d{2})(\d{2})(\d{2}))$"
)


def _canonical_text(col: pl.Expr) -> pl.Expr:
    """``昭和６０年４月１日生`` -> ``S60-4-1``; ``1985/4/1`` -> ``1985-4-1``."""
    return (
        col.cast(pl.String)
        .str.normalize("NFKC")
        .str.strip_chars()
        # A time of day after a date (XLSX date cells, ISO timestamps) is not part of it.
        .str.replace(r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$", "")
        .str.to_uppercase()
        .str.replace_many(ERA_NAME_TO_LETTER, leftmost=True)
        .str.replace_all(r"\s+", "")
        .str.replace(r"(?:生まれ|生)$", "")
        .str.replace(r"^([MTSHR])元", "${1}1")
        .str.replace_many({"年": "-", "月": "-", "日": "", "/": "-", ".": "-", "‐": "-", "－": "-"})
    )


def _int(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.Int32, strict=False)


def _era_bounds(letter: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(year offset, first day, last day) of the era named by a letter expression."""
    offsets = {era.letter: era.offset for era in ERAS}
    firsts = {era.letter: era.first_day for era in ERAS}
    lasts = {k: (v or dt.date(9999, 12, 31)) for k, v in ERA_LAST_DAY.items()}
    return (
        letter.replace_strict(offsets, default=None, return_dtype=pl.Int32),
        letter.replace_strict(firsts, default=None, return_dtype=pl.Date),
        letter.replace_strict(lasts, default=None, return_dtype=pl.Date),
    )


def _build_date(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    text = pl.format(
        "{}-{}-{}",
        year.cast(pl.String).str.zfill(4),
        month.cast(pl.String).str.zfill(2),
        day.cast(pl.String).str.zfill(2),
    )
    return text.str.to_date("%Y-%m-%d", strict=False)


def date_exprs(col: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(date, reason) expressions for a text column; both null for a blank cell."""
    text = _canonical_text(col)
    greg = text.str.extract_groups(_GREGORIAN)
    war = text.str.extract_groups(_WAREKI)

    def g(struct: pl.Expr, i: int) -> pl.Expr:
        return struct.struct.field(str(i))

    g_year = _int(pl.coalesce(g(greg, 1), g(greg, 4)))
    g_month = _int(pl.coalesce(g(greg, 2), g(greg, 5)))
    g_day = _int(pl.coalesce(g(greg, 3), g(greg, 6)))

    code_to_letter = {era.code: era.letter for era in ERAS}
    letter = pl.coalesce(
        g(war, 1), g(war, 5), g(war, 9).replace_strict(code_to_letter, default=None)
    )
    offset, first_day, last_day = _era_bounds(letter)
    era_year = _int(pl.coalesce(g(war, 2), g(war, 6), g(war, 10)))
    w_month = _int(pl.coalesce(g(war, 3), g(war, 7), g(war, 11)))
    w_day = _int(pl.coalesce(g(war, 4), g(war, 8), g(war, 12)))
    # Era year 0 does not exist; keep it from wrapping into the previous era.
    w_year = pl.when(era_year >= 1).then(offset + era_year)

    is_greg = g_year.is_not_null()
    is_wareki = letter.is_not_null() & era_year.is_not_null()
    candidate = (
        pl.when(is_greg)
        .then(_build_date(g_year, g_month, g_day))
        .when(is_wareki)
        .then(_build_date(w_year, w_month, w_day))
    )
    in_era = (candidate >= first_day) & (candidate <= last_day)
    blank = text.is_null() | (text.str.len_chars() == 0)

    date = pl.when(is_greg | (is_wareki & in_era)).then(candidate)
    reason = (
        pl.when(blank)
        .then(pl.lit(None, pl.String))
        .when(~is_greg & ~is_wareki)
        .then(pl.lit(DateProblem.UNREADABLE.value))
        .when(candidate.is_null())
        .then(pl.lit(DateProblem.DOES_NOT_EXIST.value))
        .when(is_wareki & ~in_era)
        .then(pl.lit(DateProblem.OUTSIDE_ERA.value))
        .otherwise(pl.lit(None, pl.String))
    )
    return date.cast(pl.Date), reason


def parse_dates(series: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Parse a text Series: (dates as pl.Date, reasons as Utf8 or null)."""
    date, reason = date_exprs(pl.col("v"))
    out = pl.DataFrame({"v": series.cast(pl.String)}).select(
        date.alias("date"), reason.alias("reason")
    )
    return out["date"].alias(series.name), out["reason"].alias(series.name)


def parse_date(value: str | None) -> tuple[dt.date | None, str | None]:
    """Single-value form of :func:`parse_dates` (for the UI and tests)."""
    dates, reasons = parse_dates(pl.Series("v", [value], dtype=pl.String))
    date: dt.date | None = dates[0]
    reason: str | None = reasons[0]
    return date, reason
