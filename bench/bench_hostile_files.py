"""How fast, and in how little memory, an import refuses hostile files.

    .venv/bin/python bench/bench_hostile_files.py            # every case
    .venv/bin/python bench/bench_hostile_files.py --case wide_csv

Cases (written to a temporary directory, deleted afterwards):

* ``wide_csv``  — a CSV whose header has 200,000 columns (3 data rows);
* ``xlsx_bomb`` — an XLSX tax extract of ~0.3-0.5 MB whose sheet inflates to ~300 MB;
* ``long_cell`` — a CSV with one 64 MiB cell.

Each case runs ``linkage.read.read_extract`` in a fresh process and prints the outcome
(the first words of the refusal), the seconds taken and the process's peak RSS. It
asserts nothing.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CASES = ("wide_csv", "xlsx_bomb", "long_cell")
HEADER = "整理番号,個人番号,氏名,フリガナ,生年月日,性別,郵便番号,住所,支払金額,年分"

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="export" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def write_wide_csv(path: Path, columns: int = 200_000, rows: int = 3) -> None:
    """A tax extract whose header has ``columns`` names (the real ones first), and a few
    rows of that width."""
    real = HEADER.split(",")
    extra = columns - len(real)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join([*real, *(f"c{i}" for i in range(extra))]) + "\r\n")
        for r in range(rows):
            cells = [
                f"T{r}",
                "",
                "山田太郎",
                "ﾔﾏﾀﾞ",
                "1980-01-01",
                "1",
                "1000001",
                "東京",
                "1",
                "2024",
            ]
            out.write(",".join([*cells, *("x" for _ in range(extra))]) + "\r\n")


def _inline(text: str) -> str:
    return f'<c t="inlineStr"><is><t>{text}</t></is></c>'


def write_xlsx_bomb(path: Path, unpacked: int = 300 * 1024 * 1024) -> None:
    """A valid tax extract of ``unpacked`` bytes of sheet XML that compresses ~1,000:1:
    each row's address is 1,300 times the same character (3.9 KB, under the cell limit)."""
    header = "<row>" + "".join(_inline(h) for h in HEADER.split(",")) + "</row>"
    address = "ア" * 1300
    start = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<sheetData>" + header
    )
    end = "</sheetData></worksheet>"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(start.encode())
            written, i = len(start), 0
            while written < unpacked:
                cells = [f"T{i:07d}", "", "山田太郎", "ﾔﾏﾀﾞ", "1980-01-01", "1", "1000001"]
                row = "<row>" + "".join(map(_inline, [*cells, address, "100", "2024"])) + "</row>"
                data = row.encode()
                sheet.write(data)
                written, i = written + len(data), i + 1
            sheet.write(end.encode())


def write_long_cell(path: Path, cell: int = 64 * 1024 * 1024) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER + "\r\n")
        out.write("T1,,山田太郎,ﾔﾏﾀﾞ,1980-01-01,1,1000001," + "東" * (cell // 3) + ",100,2024\r\n")


def run_case(case: str, directory: Path) -> None:
    from rlwb.linkage.errors import LinkageError
    from rlwb.linkage.read import read_extract

    path = directory / ("bomb.xlsx" if case == "xlsx_bomb" else f"{case}.csv")
    {"wide_csv": write_wide_csv, "xlsx_bomb": write_xlsx_bomb, "long_cell": write_long_cell}[case](
        path
    )
    size = path.stat().st_size
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        parsed = read_extract(path, "tax")
        outcome = f"ACCEPTED ({parsed.frame.height} rows, {parsed.frame.width} columns)"
    except LinkageError as exc:
        outcome = "refused: " + str(exc)[:110]
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(
        f"{case:<10} file {size / 1e6:8.1f} MB  {seconds:7.2f} s  peak RSS {peak / 1024:7.0f} MiB "
        f"(before reading {before / 1024:.0f} MiB)\n           {outcome}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--case", choices=CASES, help="one case only (default: all)")
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as tmp:
        if args.in_process:
            run_case(args.case, Path(tmp))
            return
        for case in [args.case] if args.case else CASES:
            subprocess.run([sys.executable, __file__, "--case", case, "--in-process"], check=False)


if __name__ == "__main__":
    main()
