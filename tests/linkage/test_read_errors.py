"""Bad files stop the import with one clear message that names file, row and column,
and never a cell value."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from rlwb.linkage.errors import ExtractError, LinkageError, ProfileError
from rlwb.linkage.profiles import ImportProfile
from rlwb.linkage.read import read_extract
from tests.linkage._read_helpers import (
    MY_NUMBER,
    SI_HEADER,
    TAX_HEADER,
    csv_bytes,
    si_row,
    tax_row,
    write_csv,
)


def fails(path: Path, kind: str = "tax", profile: ImportProfile | None = None) -> ExtractError:
    with pytest.raises(ExtractError) as caught:
        read_extract(path, kind, profile=profile)  # type: ignore[arg-type]
    error = caught.value
    message = str(error)
    assert isinstance(error, LinkageError)
    assert path.name in message
    assert MY_NUMBER not in message
    assert MY_NUMBER[:6] not in message and MY_NUMBER[-6:] not in message
    # No library error (which may quote cells) travels along with ours.
    assert error.__cause__ is None
    assert error.__context__ is None or isinstance(error.__context__, OSError)
    return error


def test_undecodable_bytes_name_row_and_column(tmp_path: Path) -> None:
    good = csv_bytes(TAX_HEADER, [tax_row("T001"), tax_row("T002")], "cp932")
    bad_row = csv_bytes(TAX_HEADER, [tax_row("T003", 住所="ADDR")], "cp932").split(b"\r\n")[1]
    bad_row = bad_row.replace(b"ADDR", b"OK\x81\x20")  # lead byte without a trail byte
    path = tmp_path / "broken.csv"
    path.write_bytes(good + bad_row + b"\r\n")
    error = fails(path)
    assert error.row == 4
    assert error.column == "住所"
    assert "row 4" in str(error) and "column 住所" in str(error)
    assert "UTF-8 or CP932" in str(error)


def test_undecodable_bytes_next_to_a_my_number_never_show_it(tmp_path: Path) -> None:
    data = csv_bytes(TAX_HEADER, [tax_row("T001", 個人番号=MY_NUMBER + "XX")], "utf-8")
    path = tmp_path / "broken.csv"
    path.write_bytes(data.replace(b"XX", b"\x81\x20"))
    error = fails(path)
    assert error.row == 2 and error.column == "個人番号"


def test_invalid_utf8_after_a_clean_start(tmp_path: Path) -> None:
    rows = [tax_row(f"T{i:05d}", 氏名="Yamada Taro", フリガナ="", 住所="", 支払者名称="")
            for i in range(20000)]  # fmt: skip
    rows = [{k: v for k, v in row.items()} for row in rows]
    for row in rows:
        row["生年月日"] = "1985-04-01"
        row["年分"] = "2024"
        row["性別"] = "1"
        row["郵便番号"] = "105-0014"
    data = csv_bytes(TAX_HEADER, rows, "utf-8-sig")
    path = tmp_path / "late.csv"
    path.write_bytes(data + "T99999,,山田".encode() + b"\xff,,1985-04-01,1,,,1,,,,2024\r\n")
    error = fails(path)
    assert error.row == 20002


def test_declared_encoding_that_does_not_fit(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "sjis.csv", TAX_HEADER, [tax_row()], "cp932")
    profile = ImportProfile("utf8 only", "tax", {}, encoding="utf-8")
    error = fails(path, profile=profile)
    assert error.row == 1
    assert "utf-8" in str(error)


def test_unknown_encoding(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.csv", TAX_HEADER, [tax_row()])
    error = fails(path, profile=ImportProfile("odd", "tax", {}, encoding="ebcdic-jp"))
    assert "ebcdic-jp" in str(error) and "not supported" in str(error)


@pytest.mark.parametrize(
    ("missing", "english"),
    [("生年月日", "birth_date"), ("整理番号", "record_id"), ("支払金額", "payment_amount"),
     ("年分", "tax_year"), ("氏名", "name")],
)  # fmt: skip
def test_missing_required_column(tmp_path: Path, missing: str, english: str) -> None:
    header = [h for h in TAX_HEADER if h != missing]
    path = write_csv(tmp_path / "t.csv", header, [tax_row()])
    message = str(fails(path))
    assert missing in message and english in message


def test_missing_si_columns_are_all_named(tmp_path: Path) -> None:
    header = [h for h in SI_HEADER if h not in ("資格区分", "資格取得年月日")]
    message = str(fails(write_csv(tmp_path / "si.csv", header, [si_row()]), "si"))
    assert "資格区分 (coverage_type)" in message
    assert "資格取得年月日 (coverage_start)" in message


def test_a_tax_file_read_as_si_misses_si_columns(tmp_path: Path) -> None:
    message = str(fails(write_csv(tmp_path / "t.csv", TAX_HEADER, [tax_row()]), "si"))
    assert "coverage_type" in message


def test_duplicate_record_id_names_both_rows(tmp_path: Path) -> None:
    rows = [tax_row("T001"), tax_row("SECRET-ID"), tax_row("T003"), tax_row("SECRET-ID")]
    error = fails(write_csv(tmp_path / "dup.csv", TAX_HEADER, rows))
    assert "rows 3 and 5" in str(error)
    assert "整理番号" in str(error)
    assert "SECRET-ID" not in str(error)
    assert error.column == "整理番号"


def test_duplicate_record_id_after_stripping_spaces(tmp_path: Path) -> None:
    rows = [tax_row("T001"), tax_row(" T001 ")]
    assert "rows 2 and 3" in str(fails(write_csv(tmp_path / "d.csv", TAX_HEADER, rows)))


def test_two_columns_for_one_field(tmp_path: Path) -> None:
    header = [*TAX_HEADER, "name"]
    values = [*tax_row().values(), "other"]
    error = fails(write_csv(tmp_path / "t.csv", header, [values]))
    assert "氏名 (name)" in str(error) and error.row == 1


@pytest.mark.parametrize("content", [b"", b"   \r\n\r\n", b"\xef\xbb\xbf", b",,,\r\n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    assert "empty" in str(fails(path))


def test_header_only_file(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "header.csv", TAX_HEADER, [])
    assert "no data rows" in str(fails(path))


def test_binary_file_named_csv(tmp_path: Path) -> None:
    path = tmp_path / "utf16.csv"
    path.write_bytes(",".join(TAX_HEADER).encode("utf-16"))
    assert "binary" in str(fails(path))


def test_row_with_more_cells_than_the_header(tmp_path: Path) -> None:
    data = csv_bytes(TAX_HEADER, [tax_row("T001"), tax_row("T002")])
    path = tmp_path / "ragged.csv"
    path.write_bytes(data + ",".join([*tax_row("T003").values(), MY_NUMBER]).encode() + b"\r\n")
    error = fails(path)
    assert error.row == 4 and "cells" in str(error)


def test_missing_file(tmp_path: Path) -> None:
    assert "does not exist" in str(fails(tmp_path / "nowhere.csv"))


# --- XLSX -----------------------------------------------------------------------------


def _xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(TAX_HEADER)
    for i in range(50):
        sheet.append(list(tax_row(f"T{i:03d}").values()))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_truncated_xlsx(tmp_path: Path) -> None:
    data = _xlsx_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    assert "damaged or truncated" in str(fails(path))


def test_garbage_named_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "garbage.xlsx"
    path.write_bytes(b"this is not a workbook" * 100)
    assert "XLSX" in str(fails(path))


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "XLSX" in str(fails(path))


def test_corrupted_sheet_inside_a_whole_zip(tmp_path: Path) -> None:
    source = zipfile.ZipFile(io.BytesIO(_xlsx_bytes()))
    path = tmp_path / "corrupt.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 3]
            archive.writestr(info, data)
    assert "XLSX" in str(fails(path))


def test_xlsx_without_sheets(tmp_path: Path) -> None:
    source = zipfile.ZipFile(io.BytesIO(_xlsx_bytes()))
    path = tmp_path / "nosheet.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for info in source.infolist():
            if info.filename.startswith("xl/worksheets/"):
                continue
            data = source.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", data)
            archive.writestr(info, data)
    assert "no sheet" in str(fails(path))


def test_xlsx_with_empty_first_sheet(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    second = workbook.create_sheet("data")
    second.append(TAX_HEADER)
    path = tmp_path / "empty_first.xlsx"
    workbook.save(path)
    assert "empty" in str(fails(path))


def test_legacy_xls(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert ".xls" in str(fails(path))


def test_profile_of_the_wrong_kind(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.csv", TAX_HEADER, [tax_row()])
    with pytest.raises(ProfileError, match="si extracts"):
        read_extract(path, "tax", profile=ImportProfile("si layout", "si", {}))
