"""read_extract on CSV files: encodings, headers, parsing, quarantine and issues."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from rlwb.linkage.progress import Cancelled, CancelToken
from rlwb.linkage.read import ISSUE_SCHEMA, QUARANTINE_SCHEMA, read_extract
from rlwb.linkage.schema import SI_COLUMN_SPECS, TAX_COLUMN_SPECS, frame_schema
from tests.linkage._read_helpers import (
    MY_NUMBER,
    SI_HEADER,
    TAX_HEADER,
    si_row,
    tax_row,
    write_csv,
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_encodings_read_the_same(tmp_path: Path, encoding: str) -> None:
    rows = [tax_row("T001"), tax_row("T002", 氏名="山﨑 花子", フリガナ="ﾔﾏｻﾞｷ ﾊﾅｺ")]
    path = write_csv(tmp_path / "tax.csv", TAX_HEADER, rows, encoding)
    parsed = read_extract(path, "tax")
    assert parsed.encoding == encoding
    assert parsed.frame["name"].to_list() == ["髙橋　一郎", "山﨑 花子"]
    assert parsed.frame["name_kana"].to_list() == ["ﾀｶﾊｼ ｲﾁﾛｳ", "ﾔﾏｻﾞｷ ﾊﾅｺ"]
    assert parsed.frame["record_id"].to_list() == ["T001", "T002"]
    assert parsed.issues.height == 0 and parsed.quarantine.height == 0


def test_cp932_only_characters(tmp_path: Path) -> None:
    # 髙 and 﨑 are not in strict Shift_JIS; CP932 has them.
    with pytest.raises(UnicodeEncodeError):
        "髙﨑".encode("shift_jis")
    path = write_csv(
        tmp_path / "tax.csv", TAX_HEADER, [tax_row(氏名="髙橋 﨑子", 住所="宮﨑県")], "cp932"
    )
    parsed = read_extract(path, "tax")
    assert parsed.encoding == "cp932"
    assert parsed.frame["name"][0] == "髙橋 﨑子"
    assert parsed.frame["address"][0] == "宮﨑県"


def test_frame_schema_and_values(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "tax.csv", TAX_HEADER, [tax_row()])
    parsed = read_extract(path, "tax")
    assert dict(parsed.frame.schema) == frame_schema("tax")
    assert parsed.frame.row(0, named=True) == {
        "row_number": 2,
        "record_id": "T001",
        "my_number": MY_NUMBER,
        "name": "髙橋　一郎",
        "name_kana": "ﾀｶﾊｼ ｲﾁﾛｳ",
        "birth_date": dt.date(1985, 4, 1),
        "sex": "M",
        "postal_code": "1050014",
        "address": "東京都港区芝二丁目1番地2号",
        "payment_amount": 1234567,
        "withholding_tax": 12000,
        "payer_corporate_number": "7123456789012",
        "payer_name": "株式会社サンプル",
        "tax_year": 2024,
    }
    assert parsed.source_rows == 1
    assert dict(parsed.issues.schema) == ISSUE_SCHEMA
    assert dict(parsed.quarantine.schema) == QUARANTINE_SCHEMA


def test_si_schema_and_values(tmp_path: Path) -> None:
    rows = [
        si_row("S001"),
        si_row(
            "S002",
            資格区分="被扶養者",
            続柄="子",
            被保険者整理番号="S001",
            標準報酬月額="",
            事業所法人番号="",
            生年月日="H27.3.3",
        ),
    ]
    parsed = read_extract(write_csv(tmp_path / "si.csv", SI_HEADER, rows), "si")
    assert dict(parsed.frame.schema) == frame_schema("si")
    assert [c for c in parsed.frame.columns] == ["row_number", *[s.alias for s in SI_COLUMN_SPECS]]
    insured, dependant = parsed.frame.rows(named=True)
    assert insured["coverage_type"] == "insured"
    assert insured["basic_pension_number"] == "1234567890"
    assert insured["standard_monthly_remuneration"] == 300000
    assert insured["coverage_start"] == dt.date(2019, 5, 1)
    assert insured["coverage_end"] is None
    assert dependant["coverage_type"] == "dependent"
    assert dependant["insured_record_id"] == "S001"
    assert dependant["relationship"] == "子"
    assert dependant["birth_date"] == dt.date(2015, 3, 3)
    assert parsed.issues.height == 0


def test_headers_by_alias_in_any_order_with_extras(tmp_path: Path) -> None:
    aliases = {spec.header: spec.alias for spec in TAX_COLUMN_SPECS}
    header = [aliases[h] for h in reversed(TAX_HEADER)] + ["備考", "社内コード"]
    row = tax_row()
    values = [row[h] for h in reversed(TAX_HEADER)] + ["メモ", "=1+2"]
    parsed = read_extract(write_csv(tmp_path / "t.csv", header, [values]), "tax")
    assert parsed.frame.columns[: len(TAX_COLUMN_SPECS) + 1] == ["row_number"] + [
        s.alias for s in TAX_COLUMN_SPECS
    ]
    assert parsed.frame["extra:備考"].to_list() == ["メモ"]
    assert parsed.frame["extra:社内コード"].to_list() == ["=1+2"]  # data, kept as-is
    assert parsed.frame["payment_amount"].to_list() == [1234567]
    assert parsed.header_mapping["payment_amount"] == "payment_amount"
    assert parsed.header_mapping["備考"] == "extra:備考"


def test_header_variants_match(tmp_path: Path) -> None:
    header = [h if h != "フリガナ" else "ﾌﾘｶﾞﾅ" for h in TAX_HEADER]
    header = [h if h != "氏名" else " 氏 名 " for h in header]
    header = [h if h != "record_id" else "Record_ID" for h in header]
    parsed = read_extract(write_csv(tmp_path / "t.csv", header, [list(tax_row().values())]), "tax")
    assert parsed.frame["name_kana"].to_list() == ["ﾀｶﾊｼ ｲﾁﾛｳ"]
    assert parsed.frame["name"].to_list() == ["髙橋　一郎"]


def test_duplicate_extra_headers_are_kept_apart(tmp_path: Path) -> None:
    header = [*TAX_HEADER, "メモ", "メモ", ""]
    values = [*tax_row().values(), "a", "b", "c"]
    parsed = read_extract(write_csv(tmp_path / "t.csv", header, [values]), "tax")
    assert parsed.frame["extra:メモ"].to_list() == ["a"]
    assert parsed.frame["extra:メモ (2)"].to_list() == ["b"]
    assert parsed.frame[f"extra:column_{len(TAX_HEADER) + 3}"].to_list() == ["c"]


def test_trailing_empty_columns_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    text = ",".join(TAX_HEADER) + ",,\r\n" + ",".join(tax_row().values()) + ",,\r\n"
    path.write_text(text.replace("1,234,567", "1234567"), encoding="utf-8")
    parsed = read_extract(path, "tax")
    assert not [c for c in parsed.frame.columns if c.startswith("extra:")]


def test_bad_values_become_null_with_issues(tmp_path: Path) -> None:
    rows = [
        tax_row("T001"),
        tax_row("T002", 生年月日="2023-02-30", 支払金額="abc", 性別="?", 郵便番号="12"),
        tax_row("T003", 生年月日="昭和64年2月1日", 年分="R", 支払者法人番号="123"),
        tax_row("T004", 生年月日="", 支払金額=""),
    ]
    parsed = read_extract(write_csv(tmp_path / "t.csv", TAX_HEADER, rows), "tax")
    assert parsed.frame.height == 4  # every row kept
    frame = parsed.frame.sort("row_number")
    assert frame["birth_date"].to_list()[1:] == [None, None, None]
    assert frame["payment_amount"].to_list() == [1234567, None, 1234567, None]
    issues = {(r, c): reason for r, _, c, reason in parsed.issues.iter_rows()}
    assert issues == {
        (3, "birth_date"): "date_does_not_exist",
        (3, "payment_amount"): "amount_unreadable",
        (3, "sex"): "sex_unreadable",
        (3, "postal_code"): "postal_code_malformed",
        (4, "birth_date"): "date_outside_era",
        (4, "tax_year"): "tax_year_unreadable",
        (4, "payer_corporate_number"): "corporate_number_malformed",
        (5, "birth_date"): "value_missing",
        (5, "payment_amount"): "value_missing",
    }
    assert set(parsed.issues["record_id"]) == {"T002", "T003", "T004"}
    counts = parsed.issue_counts()
    assert counts.filter(pl.col("column") == "birth_date")["count"].sum() == 3


def test_rows_without_id_or_name_are_quarantined(tmp_path: Path) -> None:
    rows = [
        tax_row("T001"),
        tax_row("", 生年月日="garbage"),
        tax_row("T003", 氏名="　"),
        ["", "", "", "", "", "", "", "", "", "", "", "", ""],
        tax_row("T005"),
    ]
    parsed = read_extract(write_csv(tmp_path / "t.csv", TAX_HEADER, rows), "tax")
    assert parsed.frame["record_id"].to_list() == ["T001", "T005"]
    assert parsed.frame["row_number"].to_list() == [2, 6]
    assert parsed.quarantine.rows() == [
        (3, "record_id_missing"),
        (4, "name_missing"),
        (5, "row_empty"),
    ]
    assert parsed.issues.height == 0  # a quarantined row raises no value issues
    assert parsed.source_rows == 5


def test_si_row_requirements(tmp_path: Path) -> None:
    rows = [
        si_row("S001"),
        si_row("S002", 標準報酬月額="", 事業所法人番号=""),  # insured without both
        si_row("S003", 資格区分="被扶養者", 被保険者整理番号=""),  # dependant without insured
        si_row("S004", 資格区分="被扶養者", 被保険者整理番号="S999"),  # points nowhere
        si_row("S005", 資格区分="本人"),
        si_row("S006", 資格区分="被扶養者", 被保険者整理番号="S001", 標準報酬月額=""),
    ]
    parsed = read_extract(write_csv(tmp_path / "si.csv", SI_HEADER, rows), "si")
    assert parsed.frame.height == 6
    issues = {(r, c): reason for r, _, c, reason in parsed.issues.iter_rows()}
    assert issues == {
        (3, "standard_monthly_remuneration"): "value_missing",
        (3, "employer_corporate_number"): "value_missing",
        (4, "insured_record_id"): "value_missing",
        (5, "insured_record_id"): "insured_record_not_found",
        (6, "coverage_type"): "coverage_type_unknown",
    }
    assert parsed.frame.filter(pl.col("record_id") == "S004")["insured_record_id"][0] is None


def test_si_without_optional_requirement_columns(tmp_path: Path) -> None:
    header = [h for h in SI_HEADER if h not in ("被保険者整理番号", "標準報酬月額")]
    rows = [si_row("S001"), si_row("S002", 資格区分="被扶養者")]
    parsed = read_extract(write_csv(tmp_path / "si.csv", header, rows), "si")
    assert parsed.frame["insured_record_id"].to_list() == [None, None]
    issues = {(r, c) for r, _, c, _ in parsed.issues.iter_rows()}
    assert issues == {(2, "standard_monthly_remuneration"), (3, "insured_record_id")}


def test_row_numbers_follow_file_lines_with_multiline_cells(tmp_path: Path) -> None:
    rows = [
        tax_row("T001", 住所="東京都港区\n芝2-1-2"),
        tax_row("T002", 住所="a\r\nb\nc"),
        tax_row("T003", 生年月日="bad"),
    ]
    parsed = read_extract(write_csv(tmp_path / "t.csv", TAX_HEADER, rows), "tax")
    assert parsed.frame["row_number"].to_list() == [2, 4, 7]
    assert parsed.issues["row_number"].to_list() == [7]
    assert parsed.frame["address"][0] == "東京都港区\n芝2-1-2"


def test_blank_lines_keep_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    lines = [",".join(TAX_HEADER)]
    lines.append(",".join(tax_row("T001", 支払金額="100").values()))
    lines.append("")
    lines.append(",".join(tax_row("T002", 支払金額="100", 生年月日="x").values()))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    parsed = read_extract(path, "tax")
    assert parsed.frame["row_number"].to_list() == [2, 4]
    assert parsed.quarantine.rows() == [(3, "row_empty")]
    assert parsed.issues["row_number"].to_list() == [4]


def test_header_after_leading_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    body = write_csv(tmp_path / "x.csv", TAX_HEADER, [tax_row()]).read_bytes()
    path.write_bytes(b"\r\n\r\n" + body)
    parsed = read_extract(path, "tax")
    assert parsed.frame["row_number"].to_list() == [4]


def test_progress_and_cancel(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.csv", TAX_HEADER, [tax_row()])
    steps: list[tuple[str, float]] = []
    read_extract(path, "tax", progress=lambda s, f: steps.append((s, f)))
    assert [s for s, _ in steps] == ["decode", "parse", "validate", "done"]
    assert [f for _, f in steps] == sorted(f for _, f in steps)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        read_extract(path, "tax", cancel=token)


def test_unknown_kind_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.csv", TAX_HEADER, [tax_row()])
    with pytest.raises(ValueError, match="unknown extract kind"):
        read_extract(path, "payroll")  # type: ignore[arg-type]
