"""The column contract of the two extract kinds (docs/extracts.md).

Frames use the English aliases as column names. ``required`` says what the spec's
"required" column means for that column:

- ``yes``: the column must be in the file (else the import stops); a blank cell is a
  data-quality issue, except for 整理番号 and 氏名, whose absence quarantines the row.
- ``no``: optional.
- ``dependants`` / ``insured``: the column may be absent, but a 被扶養者 / 被保険者 row
  without a value gets a data-quality issue.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

import jaconv
import polars as pl


class ExtractKind(StrEnum):
    """The two kinds of extract (and of dataset): 源泉徴収 tax and 社会保険 social insurance."""

    TAX = "tax"
    SI = "si"


KINDS: Final[tuple[ExtractKind, ...]] = tuple(ExtractKind)


class Required(StrEnum):
    YES = "yes"
    NO = "no"
    DEPENDANTS = "dependants"
    INSURED = "insured"


class ValueKind(StrEnum):
    """How a column's text is parsed (see linkage.parse)."""

    RECORD_ID = "record_id"
    MY_NUMBER = "my_number"
    TEXT = "text"
    DATE = "date"
    AMOUNT = "amount"
    SEX = "sex"
    POSTAL_CODE = "postal_code"
    TAX_YEAR = "tax_year"
    COVERAGE_TYPE = "coverage_type"
    PENSION_NUMBER = "pension_number"
    CORPORATE_NUMBER = "corporate_number"


@dataclass(frozen=True)
class ColumnSpec:
    header: str  # Japanese header as the spec names it
    alias: str  # English alias = column name in frames
    required: Required
    value: ValueKind

    @property
    def dtype(self) -> pl.DataType:
        return _DTYPES[self.value]

    @property
    def label(self) -> str:
        """``生年月日 (birth_date)``: how messages name the column."""
        return f"{self.header} ({self.alias})"


_DTYPES: Final[dict[ValueKind, pl.DataType]] = {
    ValueKind.RECORD_ID: pl.String(),
    ValueKind.MY_NUMBER: pl.String(),
    ValueKind.TEXT: pl.String(),
    ValueKind.DATE: pl.Date(),
    ValueKind.AMOUNT: pl.Int64(),
    ValueKind.SEX: pl.String(),  # "M" / "F"
    ValueKind.POSTAL_CODE: pl.String(),  # 7 digits
    ValueKind.TAX_YEAR: pl.Int32(),
    ValueKind.COVERAGE_TYPE: pl.String(),  # "insured" / "dependent"
    ValueKind.PENSION_NUMBER: pl.String(),  # 10 digits
    ValueKind.CORPORATE_NUMBER: pl.String(),  # 13 digits, check digit not yet validated
}

_Y, _N = Required.YES, Required.NO
_V = ValueKind

_PERSON: Final = (
    ColumnSpec("氏名", "name", _Y, _V.TEXT),
    ColumnSpec("フリガナ", "name_kana", _N, _V.TEXT),
    ColumnSpec("生年月日", "birth_date", _Y, _V.DATE),
    ColumnSpec("性別", "sex", _N, _V.SEX),
    ColumnSpec("郵便番号", "postal_code", _N, _V.POSTAL_CODE),
    ColumnSpec("住所", "address", _N, _V.TEXT),
)

TAX_COLUMN_SPECS: Final[tuple[ColumnSpec, ...]] = (
    ColumnSpec("整理番号", "record_id", _Y, _V.RECORD_ID),
    ColumnSpec("個人番号", "my_number", _N, _V.MY_NUMBER),
    *_PERSON,
    ColumnSpec("支払金額", "payment_amount", _Y, _V.AMOUNT),
    ColumnSpec("源泉徴収税額", "withholding_tax", _N, _V.AMOUNT),
    ColumnSpec("支払者法人番号", "payer_corporate_number", _N, _V.CORPORATE_NUMBER),
    ColumnSpec("支払者名称", "payer_name", _N, _V.TEXT),
    ColumnSpec("年分", "tax_year", _Y, _V.TAX_YEAR),
)

SI_COLUMN_SPECS: Final[tuple[ColumnSpec, ...]] = (
    ColumnSpec("整理番号", "record_id", _Y, _V.RECORD_ID),
    ColumnSpec("個人番号", "my_number", _N, _V.MY_NUMBER),
    ColumnSpec("基礎年金番号", "basic_pension_number", _N, _V.PENSION_NUMBER),
    *_PERSON,
    ColumnSpec("資格区分", "coverage_type", _Y, _V.COVERAGE_TYPE),
    ColumnSpec("続柄", "relationship", _N, _V.TEXT),
    ColumnSpec("被保険者整理番号", "insured_record_id", Required.DEPENDANTS, _V.RECORD_ID),
    ColumnSpec("標準報酬月額", "standard_monthly_remuneration", Required.INSURED, _V.AMOUNT),
    ColumnSpec("資格取得年月日", "coverage_start", _Y, _V.DATE),
    ColumnSpec("資格喪失年月日", "coverage_end", _N, _V.DATE),
    ColumnSpec(
        "事業所法人番号", "employer_corporate_number", Required.INSURED, _V.CORPORATE_NUMBER
    ),
    ColumnSpec("事業所名称", "employer_name", _N, _V.TEXT),
)

#: Rows without these are quarantined: they cannot be identified at all.
IDENTIFYING: Final = ("record_id", "name")

#: Prefix of the file's own columns that the contract does not know.
EXTRA_PREFIX: Final = "extra:"

#: coverage_type values.
INSURED: Final = "insured"
DEPENDENT: Final = "dependent"


def columns_of(kind: ExtractKind) -> tuple[ColumnSpec, ...]:
    if kind == ExtractKind.TAX:
        return TAX_COLUMN_SPECS
    if kind == ExtractKind.SI:
        return SI_COLUMN_SPECS
    raise ValueError(f"unknown extract kind {kind!r}; use 'tax' or 'si'")


def frame_schema(kind: ExtractKind) -> dict[str, pl.DataType]:
    """Schema of ``ParsedExtract.frame`` before its extra columns."""
    schema: dict[str, pl.DataType] = {"row_number": pl.Int64()}
    schema.update({spec.alias: spec.dtype for spec in columns_of(kind)})
    return schema


def header_key(header: str) -> str:
    """How headers are compared: NFKC, no spaces, case-folded, hiragana as katakana."""
    text = unicodedata.normalize("NFKC", header)
    text = "".join(text.split()).casefold()
    return str(jaconv.hira2kata(text))


def is_known_header(header: str) -> bool:
    """True when ``header`` is a header or alias of either extract kind. Only such a cell
    of a row not yet verified as the header row may be quoted in a message: any other
    cell may be data, a 個人番号 among them."""
    key = header_key(header)
    return any(
        key in (header_key(spec.header), header_key(spec.alias))
        for spec in TAX_COLUMN_SPECS + SI_COLUMN_SPECS
    )
