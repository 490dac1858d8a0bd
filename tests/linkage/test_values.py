"""Value parsers: amounts, sex, postal codes, tax years, coverage, pension/corporate numbers."""

from __future__ import annotations

import polars as pl
import pytest

from rlwb.linkage.parse.text import nfkc_series
from rlwb.linkage.parse.values import ValueProblem, parse_values
from rlwb.linkage.schema import ValueKind


def one(kind: ValueKind, text: str | None) -> tuple[object, object]:
    values, reasons = parse_values(pl.Series("v", [text], dtype=pl.String), kind)
    return values[0], reasons[0]


@pytest.mark.parametrize(
    "text",
    [
        "1234567",
        "1,234,567",
        "1234567円",
        "１２３４５６７",
        "１，２３４，５６７円",
        "￥1,234,567",
        "¥1234567",
        "\\1,234,567",
        " 1234567 ",
        "1234567.0",
    ],
)
def test_amounts(text: str) -> None:
    assert one(ValueKind.AMOUNT, text) == (1234567, None)


@pytest.mark.parametrize("text", ["12a", "1234.5", "-5", "△100", "約100万", "1e6", "9" * 25])
def test_unreadable_amounts(text: str) -> None:
    assert one(ValueKind.AMOUNT, text) == (None, ValueProblem.AMOUNT_UNREADABLE.value)


@pytest.mark.parametrize(
    ("text", "sex"),
    [
        ("男", "M"),
        ("女", "F"),
        ("1", "M"),
        ("2", "F"),
        ("M", "M"),
        ("f", "F"),
        ("男性", "M"),
        ("１", "M"),
        ("２", "F"),
    ],
)
def test_sex(text: str, sex: str) -> None:
    assert one(ValueKind.SEX, text) == (sex, None)


def test_unreadable_sex() -> None:
    assert one(ValueKind.SEX, "3") == (None, ValueProblem.SEX_UNREADABLE.value)
    assert one(ValueKind.SEX, "") == (None, None)


@pytest.mark.parametrize(
    "text",
    ["123-4567", "1234567", "〒123-4567", "〒 123-4567", "１２３－４５６７", "〒１２３ー４５６７"],
)
def test_postal_codes(text: str) -> None:
    assert one(ValueKind.POSTAL_CODE, text) == ("1234567", None)


@pytest.mark.parametrize("text", ["12-34567", "123456", "12345678", "abc-defg"])
def test_malformed_postal_codes(text: str) -> None:
    assert one(ValueKind.POSTAL_CODE, text) == (None, ValueProblem.POSTAL_CODE_MALFORMED.value)


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("2024", 2024),
        ("令和6", 2024),
        ("R6", 2024),
        ("r6", 2024),
        ("令和6年", 2024),
        ("令和6年分", 2024),
        ("２０２４", 2024),
        ("平成31", 2019),
        ("H31", 2019),
        ("令和元年", 2019),
        ("昭和64", 1989),
    ],
)
def test_tax_years(text: str, year: int) -> None:
    assert one(ValueKind.TAX_YEAR, text) == (year, None)


def test_bad_tax_years() -> None:
    assert one(ValueKind.TAX_YEAR, "平成32") == (None, ValueProblem.TAX_YEAR_OUTSIDE_ERA.value)
    assert one(ValueKind.TAX_YEAR, "令和0") == (None, ValueProblem.TAX_YEAR_OUTSIDE_ERA.value)
    assert one(ValueKind.TAX_YEAR, "24") == (None, ValueProblem.TAX_YEAR_UNREADABLE.value)
    assert one(ValueKind.TAX_YEAR, "今年") == (None, ValueProblem.TAX_YEAR_UNREADABLE.value)


@pytest.mark.parametrize(
    ("text", "coverage"),
    [
        ("被保険者", "insured"),
        ("被扶養者", "dependent"),
        (" 被扶養者 ", "dependent"),
        ("insured", "insured"),
        ("Dependent", "dependent"),
    ],
)
def test_coverage_type(text: str, coverage: str) -> None:
    assert one(ValueKind.COVERAGE_TYPE, text) == (coverage, None)


def test_unknown_coverage_type() -> None:
    assert one(ValueKind.COVERAGE_TYPE, "本人") == (
        None,
        ValueProblem.COVERAGE_TYPE_UNKNOWN.value,
    )


@pytest.mark.parametrize(
    "text", ["1234-567890", "1234567890", "１２３４－５６７８９０", "1234 567890"]
)
def test_pension_numbers(text: str) -> None:
    assert one(ValueKind.PENSION_NUMBER, text) == ("1234567890", None)


def test_malformed_pension_number() -> None:
    assert one(ValueKind.PENSION_NUMBER, "123456789") == (
        None,
        ValueProblem.PENSION_NUMBER_MALFORMED.value,
    )


@pytest.mark.parametrize(
    "text", ["7123456789012", "7-1234-5678-9012", "７１２３４５６７８９０１２"]
)
def test_corporate_numbers(text: str) -> None:
    # Format only: the check digit is validated later (crypto).
    assert one(ValueKind.CORPORATE_NUMBER, text) == ("7123456789012", None)


def test_malformed_corporate_number() -> None:
    assert one(ValueKind.CORPORATE_NUMBER, "712345678901") == (
        None,
        ValueProblem.CORPORATE_NUMBER_MALFORMED.value,
    )


def test_my_number_kept_as_raw_text() -> None:
    assert one(ValueKind.MY_NUMBER, " 1234 5678 9018 ") == (" 1234 5678 9018 ", None)
    assert one(ValueKind.MY_NUMBER, "  ") == (None, None)


def test_text_is_stripped_but_otherwise_untouched() -> None:
    assert one(ValueKind.TEXT, "\u3000ﾔﾏﾀﾞ　ﾀﾛｳ ") == ("ﾔﾏﾀﾞ　ﾀﾛｳ", None)


def test_nfkc_series_only_touches_non_ascii() -> None:
    series = pl.Series(["123", "１２３", None, "ｱ"])
    assert nfkc_series(series).to_list() == ["123", "123", None, "ア"]
    assert nfkc_series(pl.Series(["a", "b"])).to_list() == ["a", "b"]
    assert nfkc_series(pl.Series(["Ａ"])).to_list() == ["A"]


def test_repeated_values_are_parsed_once_and_joined_back_in_order() -> None:
    texts = ["1,000", "x", None, "2,000円", "1,000", "x", None, "1,000", "1,000", "x"]
    values, reasons = parse_values(pl.Series("amount", texts), ValueKind.AMOUNT)
    assert values.to_list() == [1000, None, None, 2000, 1000, None, None, 1000, 1000, None]
    assert reasons.to_list() == [
        None if t != "x" else ValueProblem.AMOUNT_UNREADABLE.value for t in texts
    ]
    assert values.name == reasons.name == "amount"


def test_repeated_dates_keep_their_reasons() -> None:
    texts = ["S60.4.1", "2023-02-30", "S60.4.1", "", "2023-02-30", "S60.4.1"] * 3
    values, reasons = parse_values(pl.Series(texts), ValueKind.DATE)
    assert values.null_count() == 9
    assert reasons.to_list().count("date_does_not_exist") == 6
    assert reasons.null_count() == 12
