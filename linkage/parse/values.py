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

from linkage.parse.dates import ERA_NAME_TO_LETTER, ERAS, date_exprs
from linkage.schema import DEPENDENT, INSURED, ValueKind


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
    COVERAGE_END_BEFORE_START = "coverage_end_before_start"


Parsed = tuple[pl.Expr, pl.Expr]

# Dash look-alikes people type inside numbers (after NFKC).
_DASH_CLASS: Final = r"[-‐‑‒–—―−ー─]"
_NULL_TEXT: Final = pl.lit(None, pl.String)


def clean_text(col: pl.Expr) -> pl.Expr:
    """Outer whitespace (incl. U+3000) stripped; empty -> null. Inner text untouched:
    the clerk sees what the file said."""
    stripped = col.cast(pl.String).str.strip_chars()
    return pl.when(stripped.str.len_chars() > 0).then(stripped)


def _nfkc(col: pl.Expr) -> pl.Expr:
    return clean_text(col).str.normalize("NFKC").str.strip_chars()


def _checked(text: pl.Expr, value: pl.Expr, ok: pl.Expr, problem: StrEnum) -> Parsed:
    """value where ok, else null with ``problem``; blank text -> (null, null)."""
    good = text.is_not_null() & ok.fill_null(False)
    reason = pl.when(text.is_not_null() & ~good).then(pl.lit(problem.value))
    return pl.when(good).then(value), reason.otherwise(_NULL_TEXT)


def parse_text(col: pl.Expr) -> Parsed:
    return clean_text(col), _NULL_TEXT


def parse_my_number(col: pl.Expr) -> Parsed:
    """Kept as the raw cell text: crypto validates and tokenises it, the workbench drops it."""
    return pl.when(col.cast(pl.String).str.strip_chars().str.len_chars() > 0).then(
        col.cast(pl.String)
    ), _NULL_TEXT


def parse_amount(col: pl.Expr) -> Parsed:
    """Yen: ``1,234,567``, ``1234567円``, ``￥1,234,567``, full-width digits."""
    text = _nfkc(col)
    digits = text.str.replace_all(r"[,\s¥\\円]|^JPY|YEN$", "").str.replace(r"\.0+$", "")
    value = digits.cast(pl.Int64, strict=False)
    ok = digits.str.contains(r"^[0-9]+$") & value.is_not_null()
    return _checked(text, value, ok, ValueProblem.AMOUNT_UNREADABLE)


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


def parse_sex(col: pl.Expr) -> Parsed:
    """男 / 女, 1 / 2, M / F -> "M" / "F"."""
    text = _nfkc(col).str.to_uppercase()
    value = text.replace_strict(_SEX, default=None, return_dtype=pl.String)
    return _checked(text, value, value.is_not_null(), ValueProblem.SEX_UNREADABLE)


def parse_postal_code(col: pl.Expr) -> Parsed:
    """``123-4567``, ``1234567``, ``〒123-4567``, full-width -> ``1234567``."""
    text = _nfkc(col)
    compact = text.str.replace_all(r"[〒\s]", "").str.replace_all(_DASH_CLASS, "-")
    groups = compact.str.extract_groups(r"^([0-9]{3})-?([0-9]{4})$")
    value = groups.struct.field("1") + groups.struct.field("2")
    return _checked(text, value, value.is_not_null(), ValueProblem.POSTAL_CODE_MALFORMED)


# Last year number of each closed era (明治45, 大正15, 昭和64, 平成31).
_ERA_MAX_YEAR: Final = {"M": 45, "T": 15, "S": 64, "H": 31}


def parse_tax_year(col: pl.Expr) -> Parsed:
    """``2024``, ``令和6``, ``R6``, ``令和6年``, ``令和6年分``, ``平成31`` -> 2024 ..."""
    text = _nfkc(col)
    compact = (
        text.str.to_uppercase()
        .str.replace_many(ERA_NAME_TO_LETTER, leftmost=True)
        .str.replace_all(r"\s+", "")
        .str.replace(r"年分?$|分$", "")
        .str.replace(r"^([MTSHR])元$", "${1}1")
    )
    groups = compact.str.extract_groups(r"^(?:([0-9]{4})|([MTSHR])([0-9]{1,2}))$")
    western = groups.struct.field("1").cast(pl.Int32, strict=False)
    letter = groups.struct.field("2")
    era_year = groups.struct.field("3").cast(pl.Int32, strict=False)
    offsets = {era.letter: era.offset for era in ERAS}
    max_year = letter.replace_strict(_ERA_MAX_YEAR, default=9999, return_dtype=pl.Int32)
    from_era = letter.replace_strict(offsets, default=None, return_dtype=pl.Int32) + era_year
    value = pl.coalesce(western, from_era).cast(pl.Int32)
    era_ok = letter.is_null() | ((era_year >= 1) & (era_year <= max_year))
    readable = text.is_not_null() & value.is_not_null()
    reason = (
        pl.when(text.is_null())
        .then(_NULL_TEXT)
        .when(~readable)
        .then(pl.lit(ValueProblem.TAX_YEAR_UNREADABLE.value))
        .when(~era_ok)
        .then(pl.lit(ValueProblem.TAX_YEAR_OUTSIDE_ERA.value))
        .otherwise(_NULL_TEXT)
    )
    return pl.when(readable & era_ok).then(value), reason


_COVERAGE: Final = {
    "被保険者": INSURED,
    "INSURED": INSURED,
    "被扶養者": DEPENDENT,
    "DEPENDENT": DEPENDENT,
}


def parse_coverage_type(col: pl.Expr) -> Parsed:
    """被保険者 -> "insured", 被扶養者 -> "dependent"."""
    text = _nfkc(col).str.to_uppercase()
    value = text.replace_strict(_COVERAGE, default=None, return_dtype=pl.String)
    return _checked(text, value, value.is_not_null(), ValueProblem.COVERAGE_TYPE_UNKNOWN)


def _digits_only(col: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    text = _nfkc(col)
    return text, text.str.replace_all(r"\s+", "").str.replace_all(_DASH_CLASS, "")


def parse_pension_number(col: pl.Expr) -> Parsed:
    """基礎年金番号: 10 digits, often written ``1234-567890``."""
    text, digits = _digits_only(col)
    ok = digits.str.contains(r"^[0-9]{10}$")
    return _checked(text, digits, ok, ValueProblem.PENSION_NUMBER_MALFORMED)


def parse_corporate_number(col: pl.Expr) -> Parsed:
    """法人番号: 13 digits (the check digit is validated later, with crypto)."""
    text, digits = _digits_only(col)
    ok = digits.str.contains(r"^[0-9]{13}$")
    return _checked(text, digits, ok, ValueProblem.CORPORATE_NUMBER_MALFORMED)


def parse_date_column(col: pl.Expr) -> Parsed:
    return date_exprs(clean_text(col))


PARSERS: Final[dict[ValueKind, Callable[[pl.Expr], Parsed]]] = {
    ValueKind.RECORD_ID: parse_text,
    ValueKind.MY_NUMBER: parse_my_number,
    ValueKind.TEXT: parse_text,
    ValueKind.DATE: parse_date_column,
    ValueKind.AMOUNT: parse_amount,
    ValueKind.SEX: parse_sex,
    ValueKind.POSTAL_CODE: parse_postal_code,
    ValueKind.TAX_YEAR: parse_tax_year,
    ValueKind.COVERAGE_TYPE: parse_coverage_type,
    ValueKind.PENSION_NUMBER: parse_pension_number,
    ValueKind.CORPORATE_NUMBER: parse_corporate_number,
}


def parse_values(series: pl.Series, kind: ValueKind) -> tuple[pl.Series, pl.Series]:
    """Parse one text Series: (values, reasons). For tests and the UI."""
    value, reason = PARSERS[kind](pl.col("v"))
    out = pl.DataFrame({"v": series.cast(pl.String)}).select(
        value.alias("value"), reason.alias("reason")
    )
    return out["value"], out["reason"]
