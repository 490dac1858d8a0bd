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


def _int(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.Int32, strict=False)


def _build_date(year: str, month: str, day: str) -> pl.Expr:
    text = pl.format(
        "{}-{}-{}",
        pl.col(year).cast(pl.String).str.zfill(4),
        pl.col(month).cast(pl.String).str.zfill(2),
        pl.col(day).cast(pl.String).str.zfill(2),
    )
    return text.str.to_date("%Y-%m-%d", strict=False)


def _field(struct: str, i: int) -> pl.Expr:
    return pl.col(struct).struct.field(str(i))


_ISO: Final = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def parse_dates(series: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Parse a text Series: (dates as pl.Date, reasons as Utf8 or null).

    A blank cell gives (null, null): whether a blank is a problem is the caller's call.
    Plain ``YYYY-MM-DD`` cells take a direct path; the rest go through the full parser.
    """
    text = series.cast(pl.String).str.strip_chars()
    iso = text.str.contains(_ISO).fill_null(False)
    dates = text.str.to_date("%Y-%m-%d", strict=False)
    reasons = pl.select(
        pl.when(pl.lit(iso) & pl.lit(dates).is_null())
        .then(pl.lit(DateProblem.DOES_NOT_EXIST.value))
        .otherwise(pl.lit(None, pl.String))
    ).to_series()
    if not iso.all():
        rest = (~iso).arg_true()
        rest_dates, rest_reasons = _parse_dates_full(text.gather(rest))
        dates = dates.scatter(rest, rest_dates)
        reasons = reasons.scatter(rest, rest_reasons)
    return dates.alias(series.name), reasons.alias(series.name)


def _parse_dates_full(series: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Every accepted form. Each stage is materialised before the next uses it several
    times; nested expressions would re-run every regex once per reference."""
    frame = pl.DataFrame({"t": series.cast(pl.String)}).select(
        _canonical_text(pl.col("t")).alias("t"),
        # Blank means blank as written: "生" alone is unreadable, not blank.
        (pl.col("t").str.strip_chars().str.len_chars() > 0).fill_null(False).alias("given"),
    )
    frame = frame.with_columns(
        pl.col("t").str.extract_groups(_GREGORIAN).alias("greg"),
        pl.col("t").str.extract_groups(_WAREKI).alias("war"),
    )
    code_to_letter = {era.code: era.letter for era in ERAS}
    frame = frame.select(
        pl.col("given"),
        pl.coalesce(_field("greg", 1), _field("greg", 4)).alias("gy"),
        pl.coalesce(_field("greg", 2), _field("greg", 5)).alias("gm"),
        pl.coalesce(_field("greg", 3), _field("greg", 6)).alias("gd"),
        pl.coalesce(
            _field("war", 1),
            _field("war", 5),
            _field("war", 9).replace_strict(code_to_letter, default=None, return_dtype=pl.String),
        ).alias("letter"),
        pl.coalesce(_field("war", 2), _field("war", 6), _field("war", 10)).alias("ey"),
        pl.coalesce(_field("war", 3), _field("war", 7), _field("war", 11)).alias("wm"),
        pl.coalesce(_field("war", 4), _field("war", 8), _field("war", 12)).alias("wd"),
    )
    offsets = {era.letter: era.offset for era in ERAS}
    firsts = {era.letter: era.first_day for era in ERAS}
    lasts = {k: (v or dt.date(9999, 12, 31)) for k, v in ERA_LAST_DAY.items()}
    frame = frame.with_columns(
        _int("gy").alias("gy"),
        _int("ey").alias("ey"),
        pl.col("letter")
        .replace_strict(offsets, default=None, return_dtype=pl.Int32)
        .alias("offset"),
        pl.col("letter").replace_strict(firsts, default=None, return_dtype=pl.Date).alias("first"),
        pl.col("letter").replace_strict(lasts, default=None, return_dtype=pl.Date).alias("last"),
    ).with_columns(
        # Era year 0 does not exist; keep it from wrapping into the previous era.
        pl.when(pl.col("ey") >= 1).then(pl.col("offset") + pl.col("ey")).alias("wy"),
        pl.col("gy").is_not_null().alias("is_greg"),
        (pl.col("letter").is_not_null() & pl.col("ey").is_not_null()).alias("is_wareki"),
    )
    frame = frame.with_columns(
        pl.when(pl.col("is_greg"))
        .then(_build_date("gy", "gm", "gd"))
        .when(pl.col("is_wareki"))
        .then(_build_date("wy", "wm", "wd"))
        .alias("candidate")
    ).with_columns(
        ((pl.col("candidate") >= pl.col("first")) & (pl.col("candidate") <= pl.col("last")))
        .fill_null(False)
        .alias("in_era")
    )
    is_greg, is_wareki, in_era = pl.col("is_greg"), pl.col("is_wareki"), pl.col("in_era")
    out = frame.select(
        pl.when(is_greg | (is_wareki & in_era)).then(pl.col("candidate")).alias("date"),
        pl.when(~pl.col("given"))
        .then(pl.lit(None, pl.String))
        .when(~is_greg & ~is_wareki)
        .then(pl.lit(DateProblem.UNREADABLE.value))
        .when(pl.col("candidate").is_null())
        .then(pl.lit(DateProblem.DOES_NOT_EXIST.value))
        .when(is_wareki & ~in_era)
        .then(pl.lit(DateProblem.OUTSIDE_ERA.value))
        .otherwise(pl.lit(None, pl.String))
        .alias("reason"),
    )
    return out["date"].cast(pl.Date).alias(series.name), out["reason"].alias(series.name)


def parse_date(value: str | None) -> tuple[dt.date | None, str | None]:
    """Single-value form of :func:`parse_dates` (for the UI and tests)."""
    dates, reasons = parse_dates(pl.Series("v", [value], dtype=pl.String))
    date: dt.date | None = dates[0]
    reason: str | None = reasons[0]
    return date, reason
