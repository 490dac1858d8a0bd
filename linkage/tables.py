"""Load a CSV or XLSX extract as a table of text cells with file row numbers.

Every cell is read as text (Utf8): no type inference, so polars never puts a cell value
into an exception message and no identifier loses its leading zeros. Errors from polars,
fastexcel or the codecs are caught and replaced by :class:`ExtractError` messages that
name positions only.
"""

from __future__ import annotations

import contextlib
import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import fastexcel
import polars as pl

from rlwb.linkage.errors import ExtractError
from rlwb.linkage.limits import (
    DEFAULT_LIMITS,
    ReadLimits,
    cell_too_long,
    check_columns,
    check_file_size,
    check_xlsx_parts,
    header_columns,
    over_long_cell,
)
from rlwb.linkage.schema import is_known_header
from rlwb.linkage.text_encoding import (
    BOM,
    SUPPORTED,
    UTF8,
    UTF8_BOM,
    Undecodable,
    UnknownEncoding,
    canonical_encoding,
    decode_to_utf8,
    looks_binary,
    sniff_utf8,
)

XLSX_ENCODING: Final = "xlsx"
_ZIP_MAGIC: Final = b"PK\x03\x04"
_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0"  # legacy .xls
_XLSX_SUFFIXES: Final = (".xlsx", ".xlsm")
_SAVE_AGAIN: Final = "Save it again as CSV (UTF-8 or CP932) or XLSX and import it again."


@dataclass
class RawTable:
    """The header cells and the data rows of the first sheet / the CSV, all text."""

    headers: list[str | None]  # as the file wrote them, one per column
    body: pl.DataFrame  # columns "c0".."cN" (Utf8), data rows only
    row_numbers: pl.Series  # Int64, 1-based row of each body row in the file
    header_row: int  # 1-based
    encoding: str  # utf-8 | utf-8-sig | cp932 | xlsx


def _cell_columns(n: int) -> list[str]:
    return [f"c{i}" for i in range(n)]


def _read(path: Path, size: int = -1) -> bytes:
    failure = ""
    try:
        with path.open("rb") as handle:
            return handle.read(size)
    except FileNotFoundError:
        failure = "missing"
    except OSError as exc:
        failure = exc.strerror or "read error"
    if failure == "missing":
        raise ExtractError(path, "the file does not exist.", advice="Check the path.")
    raise ExtractError(
        path,
        f"the file cannot be read ({failure}).",
        advice="Check that it is not open elsewhere and that you may read it.",
    )


def load_table(
    path: Path, *, encoding: str | None = None, limits: ReadLimits = DEFAULT_LIMITS
) -> RawTable:
    """The file as text cells. ExtractError for anything that cannot be imported, and for
    a file over ``limits`` (size, columns, cell length, XLSX unpacked size), the cheap
    checks first: nothing hostile reaches the parsers."""
    _check_size(path, limits)
    # Only the first bytes here: the whole file is read by the loader that needs it, so
    # no caller frame keeps a second copy alive while a large CSV is transcoded.
    head = _read(path, 8)
    if head.startswith(_OLE_MAGIC):
        raise ExtractError(
            path,
            "this is an old-style Excel .xls workbook, which is not supported.",
            advice="Save it as .xlsx or as CSV and import it again.",
        )
    if head.startswith(_ZIP_MAGIC) or path.suffix.lower() in _XLSX_SUFFIXES:
        return _load_xlsx(path, limits)
    return _load_csv(path, encoding, limits)


def _check_size(path: Path, limits: ReadLimits) -> None:
    try:
        size = path.stat().st_size
    except OSError:
        return  # _read says why the file cannot be read
    check_file_size(path, size, limits)


def _check_cells(path: Path, table: pl.DataFrame, rows: pl.Series, limits: ReadLimits) -> None:
    """Column count and cell length of a parsed table (header row included); one column
    at a time, so the check never holds more than one column of lengths."""
    check_columns(path, table.width, limits)
    longest: list[int | None] = []
    for name in table.columns:
        value = table.get_column(name).str.len_bytes().max()
        longest.append(None if value is None else int(str(value)))
    column = over_long_cell(longest, limits)
    if column is None:
        return
    lengths = table.get_column(table.columns[column]).str.len_bytes()
    first = int(str((lengths > limits.max_cell_bytes).arg_true()[0]))
    raise cell_too_long(path, int(str(rows[first])), column, limits)


# --- CSV ----------------------------------------------------------------------------


def _load_csv(path: Path, encoding: str | None, limits: ReadLimits) -> RawTable:
    data = _read(path)
    if len(data) < 65536 and not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise ExtractError(path, "the file is empty.", advice="Choose the exported extract file.")
    if looks_binary(data):
        raise ExtractError(
            path,
            "the file is not CSV text (it contains binary data; UTF-16 is not supported).",
            advice=_SAVE_AGAIN,
        )
    # Before polars: a 200,000-column header would take minutes and gigabytes to parse.
    check_columns(path, header_columns(data, _header_start(data), limits), limits)
    table: pl.DataFrame | None = None
    used = ""
    declared = _canonical_or_error(path, encoding)
    if declared in (None, UTF8, UTF8_BOM):
        # Fast path: polars validates UTF-8 while parsing, so a file that starts as
        # UTF-8 is parsed straight away; any failure takes the careful path below.
        sniffed = sniff_utf8(data)
        if sniffed is not None:
            table = _read_csv_or_none(data, _leading_blank_lines(data))
            used = sniffed
    if table is None:
        failure: Undecodable | None = None
        try:
            data, used = decode_to_utf8(data, declared)
        except Undecodable as exc:
            failure = exc
        if failure is not None:
            raise ExtractError(
                path,
                "the file contains bytes that are not valid "
                + ("UTF-8 or CP932 (Shift_JIS)." if declared is None else f"{failure.encoding}."),
                row=failure.line,
                column=_header_at(utf8_header(data), failure.column),
                advice=_SAVE_AGAIN,
            )
        table = _read_csv_or_none(data, _leading_blank_lines(data))
        if table is None:
            raise _csv_structure_error(path, data)
    skipped = _leading_blank_lines(data)
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    del data  # the frame holds the cells now
    if table.width == 0 or table.height == 0:
        raise ExtractError(path, "the file is empty.", advice="Choose the exported extract file.")
    table.columns = _cell_columns(table.width)
    rows = _csv_row_numbers(table, lines, skipped)
    _check_cells(path, table, rows, limits)
    return _split_header(path, table, rows, used)


def _header_start(data: bytes) -> int:
    """Offset of the first line that is not blank (the header polars will read)."""
    at = len(BOM) if data.startswith(BOM) else 0
    for _ in range(_leading_blank_lines(data)):
        at = data.index(b"\n", at) + 1
    return at


def _leading_blank_lines(data: bytes) -> int:
    """Blank lines before the header (polars would take the first one as the header)."""
    count, at = 0, len(BOM) if data.startswith(BOM) else 0
    while True:
        end = data.find(b"\n", at, at + 4096)
        if end == -1 or data[at:end].strip(b" \t\r"):
            return count
        count, at = count + 1, end + 1


def _canonical_or_error(path: Path, encoding: str | None) -> str | None:
    if encoding is None:
        return None
    canonical: str | None = None
    with contextlib.suppress(UnknownEncoding):
        canonical = canonical_encoding(encoding)
    if canonical is None:
        raise ExtractError(
            path,
            f"the encoding {encoding!r} of the import profile is not supported.",
            advice=f"Use one of {', '.join(SUPPORTED)} (Shift_JIS is read as cp932).",
        )
    return canonical


def _read_csv_or_none(utf8: bytes, skip_lines: int) -> pl.DataFrame | None:
    """All cells as text; None when polars refuses the bytes (bad UTF-8, ragged rows)."""
    try:
        return pl.read_csv(
            utf8,
            skip_lines=skip_lines,
            has_header=False,
            infer_schema=False,
            quote_char='"',
            separator=",",
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        return None


def utf8_header(data: bytes) -> list[str]:
    """The first line as CSV fields, decoded leniently (for error messages only)."""
    first = data.split(b"\n", 1)[0]
    for enc in ("utf-8-sig", "cp932"):
        try:
            text = first.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = first.decode("utf-8", errors="replace")
    rows = list(csv.reader([text.rstrip("\r")]))
    return rows[0] if rows else []


def _header_at(headers: list[str], index: int | None) -> str | None:
    """How a message names column ``index``: its header when that is a known header,
    else its position. The first line is not verified as a header row here (a file
    without one starts with data), so no other cell of it is ever quoted."""
    if index is None:
        return None
    if 0 <= index < len(headers) and is_known_header(headers[index]):
        return headers[index].strip()
    return f"#{index + 1}"


def _csv_row_numbers(table: pl.DataFrame, lines: int, skipped: int) -> pl.Series:
    """1-based file line where each record starts.

    Records are lines unless a quoted cell holds line breaks; then the breaks of the
    records before shift the count, which a cumulative sum adds back.
    """
    first = skipped + 1
    index = pl.int_range(first, first + table.height, dtype=pl.Int64, eager=True).alias(
        "row_number"
    )
    if lines - skipped == table.height:  # no cell holds a line break
        return index
    breaks = table.select(
        pl.sum_horizontal(
            pl.col(c).str.count_matches("\n", literal=True).fill_null(0) for c in table.columns
        ).cast(pl.Int64)
    ).to_series()
    return (index + breaks.cum_sum() - breaks).alias("row_number")


def _csv_structure_error(path: Path, utf8: bytes) -> ExtractError:
    """polars refused the CSV: find the first record with more cells than the header."""
    reader = csv.reader(io.TextIOWrapper(io.BytesIO(utf8), encoding="utf-8-sig", newline=""))
    width: int | None = None
    try:
        for record in reader:
            if width is None:
                if any(cell.strip() for cell in record):
                    width = len(record)
                continue
            if len(record) > width:
                return ExtractError(
                    path,
                    f"this row has {len(record)} cells but the header row has {width}.",
                    row=reader.line_num,
                    advice="Quote cells that contain commas, or remove the extra cells.",
                )
    except csv.Error:
        return ExtractError(
            path,
            "the CSV quoting is broken (a quote is never closed).",
            row=reader.line_num,
            advice=_SAVE_AGAIN,
        )
    return ExtractError(path, "the file cannot be read as CSV.", advice=_SAVE_AGAIN)


# --- XLSX ---------------------------------------------------------------------------


def _load_xlsx(path: Path, limits: ReadLimits) -> RawTable:
    data = _read(path)
    damaged = ExtractError(
        path,
        "the file is not a readable XLSX workbook (it may be damaged or truncated).",
        advice=_SAVE_AGAIN,
    )
    if not data.startswith(_ZIP_MAGIC):
        raise damaged
    # Library errors are caught and replaced outside their except blocks, so their text
    # (which may quote cell contents) never travels along as __context__.
    ok = True
    try:
        # A truncated file loses the zip directory at its end; catch that cheaply.
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            archive.namelist()
    except (zipfile.BadZipFile, OSError, EOFError):
        ok = False
    if not ok:
        raise damaged
    check_xlsx_parts(path, data, limits)  # before any parser inflates a part
    sheet_names: list[str] = []
    table: pl.DataFrame | None = None
    try:
        reader = fastexcel.read_excel(data)
        sheet_names = list(reader.sheet_names)
        if sheet_names:
            # header_row=None + skip_rows=0: row i of the result is sheet row i + 1.
            sheet = reader.load_sheet(0, header_row=None, skip_rows=0, dtypes="string")
            table = sheet.to_polars()
    except Exception:  # fastexcel/calamine raise several unrelated types
        ok = False
    if not ok:
        raise damaged
    if not sheet_names:
        raise ExtractError(path, "the workbook has no sheet.", advice=_SAVE_AGAIN)
    if table is None or table.width == 0 or table.height == 0:
        raise ExtractError(
            path,
            "the first sheet of the workbook is empty.",
            advice="Put the extract on the first sheet and import it again.",
        )
    table = table.cast(pl.String)
    table.columns = _cell_columns(table.width)
    rows = pl.int_range(1, table.height + 1, dtype=pl.Int64, eager=True).alias("row_number")
    _check_cells(path, table, rows, limits)
    return _split_header(path, table, rows, XLSX_ENCODING)


# --- shared -------------------------------------------------------------------------


def _split_header(path: Path, table: pl.DataFrame, rows: pl.Series, encoding: str) -> RawTable:
    """The first row with any cell is the header; the rows after it are data."""
    at: int | None = None
    window = 64
    offset = 0
    while at is None and offset < table.height:
        part = table.slice(offset, window)
        filled = part.select(
            pl.any_horizontal(
                pl.col(c).str.strip_chars().str.len_chars() > 0 for c in part.columns
            ).fill_null(False)
        ).to_series()
        hits = filled.arg_true()
        if hits.len():
            at = offset + int(hits[0])
        offset += window
        window *= 4
    if at is None:
        raise ExtractError(path, "the file is empty.", advice="Choose the exported extract file.")
    headers: list[str | None] = list(table.row(at))
    return RawTable(
        headers=headers,
        body=table.slice(at + 1),
        row_numbers=rows.slice(at + 1),
        header_row=int(rows[at]),
        encoding=encoding,
    )
