"""Formula-safe CSV and XLSX writing for everything the app exports.

A cell that starts with = + - @ tab or CR is data, never a formula: it gets a leading
apostrophe, the convention spreadsheets show as text (OWASP "CSV injection").
"""

from __future__ import annotations

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
        workbook = xlsxwriter.Workbook(
            out, {"strings_to_formulas": False, "strings_to_urls": False}
        )
        try:
            sheet = workbook.add_worksheet("export")
            for col, name in enumerate(safe.columns):
                sheet.write_string(0, col, name)
            for row_index, row in enumerate(safe.iter_rows(), start=1):
                for col, value in enumerate(row):
                    if value is None:
                        continue
                    if isinstance(value, bool | int | float):
                        sheet.write_number(row_index, col, float(value))
                    else:
                        sheet.write_string(row_index, col, str(value))
        finally:
            workbook.close()

    write_private_file(path, write_csv if suffix == ".csv" else write_xlsx, replace=replace)
