"""No 個人番号 (nor any cell value) in issues, quarantine rows, warnings or messages."""

from __future__ import annotations

import warnings
from pathlib import Path

import polars as pl

from rlwb.linkage.read import read_extract
from tests.linkage._read_helpers import MY_NUMBER, SI_HEADER, TAX_HEADER, si_row, tax_row, write_csv


def _texts(frame: pl.DataFrame) -> list[str]:
    return [str(v) for column in frame.iter_columns() for v in column.to_list()]


def test_issues_and_quarantine_carry_positions_only(tmp_path: Path) -> None:
    rows = [
        # a malformed number in several columns, and every kind of bad value
        tax_row("T001", 生年月日=MY_NUMBER, 支払金額=MY_NUMBER + "x", 郵便番号=MY_NUMBER,
                性別=MY_NUMBER, 年分=MY_NUMBER, 支払者法人番号=MY_NUMBER),
        tax_row("", 氏名=MY_NUMBER),
        tax_row("T003", 氏名=""),
    ]  # fmt: skip
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parsed = read_extract(write_csv(tmp_path / "t.csv", TAX_HEADER, rows), "tax")
    assert parsed.issues.height == 6
    assert parsed.quarantine.height == 2
    for text in _texts(parsed.issues) + _texts(parsed.quarantine):
        assert MY_NUMBER not in text
    assert set(parsed.issues.columns) == {"row_number", "record_id", "column", "reason"}
    assert set(parsed.quarantine.columns) == {"row_number", "reason"}
    for warning in caught:
        assert MY_NUMBER not in str(warning.message)
    # The raw number stays only in the my_number column, for the tokeniser.
    other = parsed.frame.drop("my_number", "name", "name_kana", "address", "payer_name")
    assert all(MY_NUMBER not in text for text in _texts(other))


def test_si_issues_carry_no_values(tmp_path: Path) -> None:
    rows = [
        si_row("S001", 基礎年金番号=MY_NUMBER, 資格区分=MY_NUMBER),
        si_row("S002", 資格区分="被扶養者", 被保険者整理番号=MY_NUMBER),
    ]
    parsed = read_extract(write_csv(tmp_path / "si.csv", SI_HEADER, rows), "si")
    assert set(parsed.issues["reason"]) == {
        "pension_number_malformed",
        "coverage_type_unknown",
        "insured_record_not_found",
    }
    for text in _texts(parsed.issues):
        assert MY_NUMBER not in text
