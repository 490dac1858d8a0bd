"""Column-wise parsers for the non-date values of an extract.

Each parser takes a text expression and returns ``(value, reason)`` expressions: the
parsed value (null when blank or bad) and a problem reason (null when the cell is blank
or good). Whether a blank cell is itself a problem is decided by the reader, which knows
which columns a row requires.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Final

import polars as pl

from rlwb.linkage.parse.dates import ERA_NAME_TO_LETTER, ERAS, parse_dates
from rlwb.linkage.parse.text import clean_text, nfkc_series
from rlwb.linkage.schema import DEPENDENT, INSURED, ValueKind


class ValueProblem(StrEnum):
    MISSING = "value_missing"
    AMOUNT_UNREADABLE = "amount_unreadable"
    SEX_UNREADABLE = "sex_unreadable"
    POSTAL_CODE_MALFORMED = "postal_code_malformed"
    TAX_YEAR_UNREADABLE = "tax_year_unreadable"
    TAX_YEAR_OUTSIDE_ERA = "tax_year_outside_era"
    COVERAGE_TYPE_UNKNOWN = "coverage_type_unknown"
    PENSION_NUMBER_MALFORMED = "pension_number_malformed"
    CORPORATE_NUMBER_MALFORMED = "corporate_number_malformed"
    INSURED_RECORD_NOT_FOUND = "insured_record_not_found"


#: (values, reasons): the parsed Series and a Utf8 Series of problem reasons.
Parsed = tuple[pl.Series, pl.Series]

# Dash look-alikes people type inside numbers (after NFKC).
_DASH_CLASS: Final = r"[-‐‑‒–—―−ー─]"
_NULL_TEXT: Final = pl.lit(None, pl.String)


def _nfkc_frame(series: pl.Series) -> pl.DataFrame:
    """Frame with column ``t``: NFKC, stripped, null when blank (materialised once)."""
    frame = pl.DataFrame({"t": nfkc_series(series)}).select(pl.col("t").str.strip_chars())
    return frame.select(pl.when(pl.col("t").str.len_chars() > 0).then(pl.col("t")).alias("t"))


def _checked(frame: pl.DataFrame, value: pl.Expr, ok: pl.Expr, problem: StrEnum) -> Parsed:
    """value where ok, else null with ``problem``; blank text (``t`` null) -> (null, null).

    ``value`` and ``ok`` may refer to columns of ``frame``; ``value`` is materialised
    before ``ok`` and the outputs refer to it by name.
    """
    staged = frame.with_columns(value.alias("value")).with_columns(
        (pl.col("t").is_not_null() & ok.fill_null(False)).alias("good")
    )
    out = staged.select(
        pl.when(pl.col("good")).then(pl.col("value")).alias("value"),
        pl.when(pl.col("t").is_not_null() & ~pl.col("good"))
        .then(pl.lit(problem.value))
        .otherwise(_NULL_TEXT)
        .alias("reason"),
    )
    return out["value"], out["reason"]


def _no_reasons(values: pl.Series) -> Parsed:
    return values, pl.repeat(None, values.len(), dtype=pl.String, eager=True).alias("reason")


def parse_text(series: pl.Series) -> Parsed:
    return _no_reasons(pl.select(clean_text(pl.lit(series)).alias("value"))["value"])


def parse_my_number(series: pl.Series) -> Parsed:
    """Kept as the raw cell text: crypto validates and tokenises it, the workbench drops it."""
    text = series.cast(pl.String)
    values = pl.select(
        pl.when(pl.lit(text).str.strip_chars().str.len_chars() > 0).then(pl.lit(text)).alias("v")
    )["v"]
    return _no_reasons(values)


def parse_amount(series: pl.Series) -> Parsed:
    """Yen: ``1,234,567``, ``1234567円``, ``￥1,234,567``, full-width digits."""
    frame = _nfkc_frame(series).with_columns(
        pl.col("t")
        .str.replace_all(r"[,\s¥\\円]|^JPY|YEN$", "")
        .str.replace(r"\.0+$", "")
        .alias("digits")
    )
    value = pl.col("digits").cast(pl.Int64, strict=False)
    ok = pl.col("digits").str.contains(r"^[0-9]+$") & pl.col("value").is_not_null()
    return _checked(frame, value, ok, ValueProblem.AMOUNT_UNREADABLE)


_SEX: Final = {
    "男": "M",
    "男性": "M",
    "1": "M",
    "M": "M",
    "女": "F",
    "女性": "F",
    "2": "F",
    "F": "F",
}


def parse_sex(series: pl.Series) -> Parsed:
    """男 / 女, 1 / 2, M / F -> "M" / "F"."""
    frame = _nfkc_frame(series)
    value = (
        pl.col("t").str.to_uppercase().replace_strict(_SEX, default=None, return_dtype=pl.String)
    )
    return _checked(frame, value, pl.col("value").is_not_null(), ValueProblem.SEX_UNREADABLE)


def parse_postal_code(series: pl.Series) -> Parsed:
    """``123-4567``, ``1234567``, ``〒123-4567``, full-width -> ``1234567``."""
    frame = _nfkc_frame(series).with_columns(
        pl.col("t")
        .str.replace_all(r"[〒\s]", "")
        .str.replace_all(_DASH_CLASS, "-")
        .str.extract_groups(r"^([0-9]{3})-?([0-9]{4})$")
        .alias("groups")
    )
    value = pl.col("groups").struct.field("1") + pl.col("groups").struct.field("2")
    ok = pl.col("value").is_not_null()
    return _checked(frame, value, ok, ValueProblem.POSTAL_CODE_MALFORMED)


# Last year number of each closed era (明治45, 大正15, 昭和64, 平成31).
_ERA_MAX_YEAR: Final = {"M": 45, "T": 15, "S": 64, "H": 31}


def parse_tax_year(series: pl.Series) -> Parsed:
    """``2024``, ``令和6``, ``R6``, ``令和6年``, ``令和6年分``, ``平成31`` -> 2024 ..."""
    frame = _nfkc_frame(series).with_columns(
        pl.col("t")
        .str.to_uppercase()
        .str.replace_many(ERA_NAME_TO_LETTER, leftmost=True)
        .str.replace_all(r"\s+", "")
        .str.replace(r"年分?$|分$", "")
        .str.replace(r"^([MTSHR])元$", "${1}1")
        .str.extract_groups(r"^(?:([0-9]{4})|([MTSHR])([0-9]{1,2}))$")
        .alias("groups")
    )
    offsets = {era.letter: era.offset for era in ERAS}
    frame = frame.select(
        pl.col("t"),
        pl.col("groups").struct.field("1").cast(pl.Int32, strict=False).alias("western"),
        pl.col("groups").struct.field("2").alias("letter"),
        pl.col("groups").struct.field("3").cast(pl.Int32, strict=False).alias("era_year"),
    ).with_columns(
        pl.col("letter")
        .replace_strict(_ERA_MAX_YEAR, default=9999, return_dtype=pl.Int32)
        .alias("max_year"),
        pl.col("letter")
        .replace_strict(offsets, default=None, return_dtype=pl.Int32)
        .alias("offset"),
    )
    frame = frame.with_columns(
        pl.coalesce("western", pl.col("offset") + pl.col("era_year")).cast(pl.Int32).alias("v"),
        (
            pl.col("letter").is_null()
            | ((pl.col("era_year") >= 1) & (pl.col("era_year") <= pl.col("max_year")))
        )
        .fill_null(False)
        .alias("era_ok"),
    ).with_columns((pl.col("t").is_not_null() & pl.col("v").is_not_null()).alias("readable"))
    out = frame.select(
        pl.when(pl.col("readable") & pl.col("era_ok")).then(pl.col("v")).alias("value"),
        pl.when(pl.col("t").is_null())
        .then(_NULL_TEXT)
        .when(~pl.col("readable"))
        .then(pl.lit(ValueProblem.TAX_YEAR_UNREADABLE.value))
        .when(~pl.col("era_ok"))
        .then(pl.lit(ValueProblem.TAX_YEAR_OUTSIDE_ERA.value))
        .otherwise(_NULL_TEXT)
        .alias("reason"),
    )
    return out["value"], out["reason"]


_COVERAGE: Final = {
    "被保険者": INSURED,
    "INSURED": INSURED,
    "被扶養者": DEPENDENT,
    "DEPENDENT": DEPENDENT,
}


def parse_coverage_type(series: pl.Series) -> Parsed:
    """被保険者 -> "insured", 被扶養者 -> "dependent"."""
    frame = _nfkc_frame(series)
    value = (
        pl.col("t")
        .str.to_uppercase()
        .replace_strict(_COVERAGE, default=None, return_dtype=pl.String)
    )
    ok = pl.col("value").is_not_null()
    return _checked(frame, value, ok, ValueProblem.COVERAGE_TYPE_UNKNOWN)


def _digits(series: pl.Series, length: int, problem: ValueProblem) -> Parsed:
    frame = _nfkc_frame(series)
    value = pl.col("t").str.replace_all(r"\s+", "").str.replace_all(_DASH_CLASS, "")
    ok = pl.col("value").str.contains(rf"^[0-9]{{{length}}}$")
    return _checked(frame, value, ok, problem)


def parse_pension_number(series: pl.Series) -> Parsed:
    """基礎年金番号: 10 digits, often written ``1234-567890``."""
    return _digits(series, 10, ValueProblem.PENSION_NUMBER_MALFORMED)


def parse_corporate_number(series: pl.Series) -> Parsed:
    """法人番号: 13 digits (the check digit is validated later, with crypto)."""
    return _digits(series, 13, ValueProblem.CORPORATE_NUMBER_MALFORMED)


def by_distinct(parse: Callable[[pl.Series], Parsed]) -> Callable[[pl.Series], Parsed]:
    """Run ``parse`` on the distinct values only and join the results back.

    Extract columns repeat themselves (a million rows hold a few tens of thousands of
    birth dates, a handful of tax years), so this cuts the regex work by orders of
    magnitude; a column of mostly distinct values is parsed directly.
    """

    def parse_distinct(series: pl.Series) -> Parsed:
        text = series.cast(pl.String)
        distinct = text.unique()
        if distinct.len() * 2 > text.len():
            return parse(text)
        values, reasons = parse(distinct)
        table = pl.DataFrame({"k": distinct, "v": values, "r": reasons})
        joined = pl.DataFrame({"k": text}).join(
            table, on="k", how="left", nulls_equal=True, maintain_order="left"
        )
        return joined["v"], joined["r"]

    parse_distinct.__doc__ = parse.__doc__
    return parse_distinct


PARSERS: Final[dict[ValueKind, Callable[[pl.Series], Parsed]]] = {
    ValueKind.RECORD_ID: parse_text,
    ValueKind.MY_NUMBER: parse_my_number,
    ValueKind.TEXT: parse_text,
    ValueKind.DATE: by_distinct(parse_dates),
    ValueKind.AMOUNT: by_distinct(parse_amount),
    ValueKind.SEX: by_distinct(parse_sex),
    ValueKind.POSTAL_CODE: by_distinct(parse_postal_code),
    ValueKind.TAX_YEAR: by_distinct(parse_tax_year),
    ValueKind.COVERAGE_TYPE: by_distinct(parse_coverage_type),
    ValueKind.PENSION_NUMBER: parse_pension_number,
    ValueKind.CORPORATE_NUMBER: by_distinct(parse_corporate_number),
}


def parse_values(series: pl.Series, kind: ValueKind) -> Parsed:
    """Parse one text Series: (values, reasons)."""
    values, reasons = PARSERS[kind](series.cast(pl.String))
    return values.alias(series.name), reasons.alias(series.name)
