"""read_extract on XLSX workbooks (built with openpyxl / xlsxwriter in tmp_path)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import xlsxwriter

from rlwb.linkage.read import read_extract
from tests.linkage._read_helpers import MY_NUMBER, SI_HEADER, TAX_HEADER, si_row, tax_row


def test_openpyxl_workbook_with_typed_cells(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "給与"
    sheet.append(TAX_HEADER)
    typed = list(tax_row("T001").values())
    typed[TAX_HEADER.index("個人番号")] = int(MY_NUMBER)  # numeric cell
    typed[TAX_HEADER.index("生年月日")] = dt.date(1985, 4, 1)  # date cell
    typed[TAX_HEADER.index("支払金額")] = 1234567  # numeric cell
    typed[TAX_HEADER.index("年分")] = 2024
    sheet.append(typed)
    sheet.append(list(tax_row("T002", 生年月日="2023-02-30").values()))
    workbook.create_sheet("other").append(["not", "read"])
    path = tmp_path / "tax.xlsx"
    workbook.save(path)

    parsed = read_extract(path, "tax")
    assert parsed.encoding == "xlsx"
    first, second = parsed.frame.rows(named=True)
    assert first["my_number"] == MY_NUMBER
    assert first["birth_date"] == dt.date(1985, 4, 1)
    assert first["payment_amount"] == 1234567
    assert first["tax_year"] == 2024
    assert first["name"] == "髙橋　一郎"
    assert first["row_number"] == 2
    assert second["birth_date"] is None
    assert parsed.issues.rows() == [(3, "T002", "birth_date", "date_does_not_exist")]


def test_xlsxwriter_workbook_with_offset_table_and_gaps(tmp_path: Path) -> None:
    path = tmp_path / "si.xlsx"
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet()
    # Header on sheet row 3, starting in column B; an empty sheet row inside the data.
    sheet.write_row(2, 1, SI_HEADER)
    sheet.write_row(3, 1, list(si_row("S001").values()))
    sheet.write_row(
        5, 1, list(si_row("S002", 資格区分="被扶養者", 被保険者整理番号="S001").values())
    )
    sheet.write_row(6, 1, list(si_row("", 氏名="無番号").values()))
    workbook.close()

    parsed = read_extract(path, "si")
    assert parsed.frame["record_id"].to_list() == ["S001", "S002"]
    assert parsed.frame["row_number"].to_list() == [4, 6]
    assert parsed.quarantine.rows() == [(5, "row_empty"), (7, "record_id_missing")]
    assert parsed.frame["coverage_type"].to_list() == ["insured", "dependent"]
    assert parsed.frame["name"].to_list() == ["山﨑 花子", "山﨑 花子"]


def test_xlsx_extra_columns_and_formula_text(tmp_path: Path) -> None:
    path = tmp_path / "extra.xlsx"
    workbook = xlsxwriter.Workbook(path, {"strings_to_formulas": False})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, [*TAX_HEADER, "備考"])
    sheet.write_row(1, 0, [*tax_row().values(), "=HYPERLINK(1)"])
    workbook.close()
    parsed = read_extract(path, "tax")
    assert parsed.frame["extra:備考"].to_list() == ["=HYPERLINK(1)"]
