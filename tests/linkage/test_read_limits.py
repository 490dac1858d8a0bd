"""Hostile files are refused by the import limits before any parser spends time or memory.

Timings and memory are measured in bench/bench_hostile_files.py; here the refusals and
their messages.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from rlwb.linkage.errors import ExtractError
from rlwb.linkage.limits import ReadLimits, check_xlsx_parts
from rlwb.linkage.read import read_extract
from rlwb.linkage.tables import load_table
from tests.linkage._read_helpers import MY_NUMBER, TAX_HEADER, tax_row, write_csv

_SHEET = "xl/worksheets/sheet1.xml"


def _wide_csv(path: Path, columns: int) -> None:
    extra = columns - len(TAX_HEADER)
    header = [*TAX_HEADER, *(f"c{i}" for i in range(extra))]
    row = [*tax_row("T001").values(), *("x" for _ in range(extra))]
    path.write_text(",".join(header) + "\r\n" + ",".join(row) + "\r\n", encoding="utf-8")


def test_a_200000_column_csv_is_refused_from_its_header(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    _wide_csv(path, 200_000)
    with pytest.raises(ExtractError) as caught:
        read_extract(path, "tax")
    message = str(caught.value)
    assert "more than 512 columns" in message
    assert MY_NUMBER not in message


def test_the_column_limit_counts_quoted_commas_as_text(tmp_path: Path) -> None:
    path = tmp_path / "quoted.csv"
    header = ",".join(f'"a,{i}"' for i in range(300))  # 300 columns, 599 commas
    path.write_text(header + "\r\n" + ",".join("x" for _ in range(300)) + "\r\n")
    assert len(load_table(path).headers) == 300
    with pytest.raises(ExtractError, match="more than 299 columns"):
        load_table(path, limits=ReadLimits(max_columns=299))


def test_an_over_long_cell_is_refused_naming_row_and_column_not_the_cell(
    tmp_path: Path,
) -> None:
    path = tmp_path / "long.csv"
    remark = MY_NUMBER + "東" * 5000
    write_csv(path, TAX_HEADER, [tax_row("T001"), tax_row("T002", 住所=remark)])
    with pytest.raises(ExtractError) as caught:
        read_extract(path, "tax")
    message = str(caught.value)
    assert "row 3" in message and "column #8" in message
    assert "longer than 4,096 bytes" in message
    assert MY_NUMBER not in message and "東東" not in message


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    write_csv(path, TAX_HEADER, [tax_row(f"T{i:04d}") for i in range(200)])
    with pytest.raises(ExtractError, match="more than the import limit of 1 MB") as caught:
        read_extract(path, "tax", limits=ReadLimits(max_file_bytes=1000))
    assert "import_max_mb" in str(caught.value)
    assert read_extract(path, "tax").frame.height == 200


def _bomb(path: Path, unpacked: int) -> None:
    """A workbook xlsxwriter wrote, its sheet swapped for ``unpacked`` bytes of rows
    padded with whitespace (legal XML, ~1,000:1 under deflate)."""
    normal = path.with_name("normal.xlsx")
    _workbook(normal, rows=2)
    row = '<row><c t="inlineStr"><is><t>A</t></is></c></row>'
    block = (row + " " * (1024 * 1024 - len(row))).encode()
    with zipfile.ZipFile(normal) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != _SHEET:
                dst.writestr(info.filename, src.read(info.filename))
                continue
            with dst.open(_SHEET, "w", force_zip64=True) as sheet:
                sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/'
                            b'spreadsheetml/2006/main"><sheetData>')  # fmt: skip
                for _ in range(unpacked // len(block)):
                    sheet.write(block)
                sheet.write(b"</sheetData></worksheet>")


def _workbook(path: Path, rows: int) -> None:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, TAX_HEADER)
    for r in range(rows):
        sheet.write_row(r + 1, 0, list(tax_row(f"T{r:03d}").values()))
    workbook.close()


def test_an_xlsx_bomb_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    _bomb(path, 32 * 1024 * 1024)
    assert path.stat().st_size < 200_000
    with pytest.raises(ExtractError) as caught:
        read_extract(path, "tax")
    assert "zip bomb" in str(caught.value)
    assert "to 1" in str(caught.value)


def test_an_xlsx_that_unpacks_to_too_much_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.xlsx"
    _workbook(path, rows=50)
    with pytest.raises(ExtractError, match="unpacks to"):
        read_extract(path, "tax", limits=ReadLimits(max_xlsx_unpacked_bytes=10_000))
    assert read_extract(path, "tax").frame.height == 50


def test_a_part_that_inflates_beyond_its_declared_size_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "liar.xlsx"
    _workbook(path, rows=300)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(_SHEET)
    assert info.file_size > 2000
    # Declare 1,000 bytes in the local header and in the central directory entry.
    struct.pack_into("<I", data, info.header_offset + 22, 1000)
    central = data.index(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(_SHEET)] != _SHEET.encode():
        central = data.index(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, central + 24, 1000)
    with pytest.raises(ExtractError, match="more than its directory says"):
        check_xlsx_parts(path, bytes(data), ReadLimits())
