"""Formula-safe CSV and XLSX writing for everything the app exports.

A cell that starts with = + - @ tab or CR is data, never a formula: it gets a leading
apostrophe, the convention spreadsheets show as text (OWASP "CSV injection").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

import polars as pl
import xlsxwriter

from rlwb.workbench.outfiles import write_private_file

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column made formula-safe; numbers stay numbers."""
    pattern = "^[=+\\-@\t\r]"
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(pattern))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c, dtype in frame.schema.items()
        if dtype == pl.String
    )


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a header row, then the rows (None leaves a cell empty)."""

    name: str
    columns: Sequence[str]
    rows: Iterable[Sequence[object]]
    #: Column width for every column, or None for the default.
    width: float | None = None

    @classmethod
    def of(cls, name: str, frame: pl.DataFrame, width: float | None = None) -> Sheet:
        return cls(name, frame.columns, frame.iter_rows(), width)


def write_workbook(out: BinaryIO, sheets: Iterable[Sheet], *, stream: bool = False) -> None:
    """The one XLSX writer: text cells formula-safe, numbers as numbers, dates and times as
    dates (already in the office's time zone). ``stream`` writes each row to disk as it goes
    (for large sheets written in order)."""
    options = {
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "remove_timezone": True,
        "constant_memory": stream,
    }
    workbook = xlsxwriter.Workbook(out, options)
    try:
        when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        day = workbook.add_format({"num_format": "yyyy-mm-dd"})
        for spec in sheets:
            sheet = workbook.add_worksheet(spec.name)
            for col, header in enumerate(spec.columns):
                sheet.write_string(0, col, header)
            for row, values in enumerate(spec.rows, start=1):
                for col, value in enumerate(values):
                    if value is None:
                        continue
                    if isinstance(value, datetime):
                        sheet.write_datetime(row, col, value, when)
                    elif isinstance(value, date):
                        sheet.write_datetime(row, col, value, day)
                    elif isinstance(value, bool | int | float):
                        sheet.write_number(row, col, float(value))
                    else:
                        sheet.write_string(row, col, safe_cell(str(value)))
            if spec.width is not None:
                sheet.set_column(0, max(len(spec.columns) - 1, 0), spec.width)
    finally:
        workbook.close()


def write_table(frame: pl.DataFrame, path: Path, *, replace: bool = False) -> None:
    """Write CSV (UTF-8 with BOM, so Excel reads Japanese) or XLSX, by the file suffix.
    The file is created readable by the owner only, never through a symlink, and over an
    existing file only when ``replace`` is True (see workbench.outfiles)."""
    safe = neutralise(frame)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValueError("export to a .csv or .xlsx file")

    def write_csv(out: BinaryIO) -> None:
        out.write(b"\xef\xbb\xbf")
        safe.write_csv(out)

    def write_xlsx(out: BinaryIO) -> None:
        write_workbook(out, [Sheet.of("export", safe)])

    write_private_file(path, write_csv if suffix == ".csv" else write_xlsx, replace=replace)
