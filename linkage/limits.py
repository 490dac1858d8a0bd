"""How much of a file an import will read, checked before the expensive parsing starts.

A hostile or broken file must be refused in seconds and in little memory: a CSV with
200,000 columns, a cell of megabytes, an XLSX that inflates a thousandfold ("zip bomb").
The file size limit is a workspace setting (``import_max_mb``); the others are fixed here.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from rlwb.linkage.errors import ExtractError

MIB: Final = 1024 * 1024
GIB: Final = 1024 * MIB
_LOCAL_HEADER: Final = 30  # bytes of a zip local file header before its name
_INFLATE_STEP: Final = 4 * MIB
_RATIO_FLOOR: Final = MIB  # parts smaller than this cannot be a bomb; no ratio check
_SPLIT: Final = "Split the extract into smaller files, or save it as CSV, and import again."
_BOMB: Final = (
    "Do not open it in a spreadsheet program; ask the sender for the extract again as CSV."
)


@dataclass(frozen=True)
class ReadLimits:
    #: Bytes of the file on disk (default 4 GiB: a 5M-row CP932 extract is ~0.75 GB).
    max_file_bytes: int = 4 * GIB
    #: Columns of the header row (the extracts have about 30).
    max_columns: int = 512
    #: Bytes of one cell, UTF-8.
    max_cell_bytes: int = 4096
    #: XLSX: uncompressed bytes of all parts together, and of one part.
    max_xlsx_unpacked_bytes: int = 2 * GIB
    #: XLSX: uncompressed / compressed size of one part (sheets compress 5-30x).
    max_xlsx_ratio: int = 200
    #: XLSX: number of parts in the zip.
    max_xlsx_parts: int = 10_000


DEFAULT_LIMITS: Final = ReadLimits()


def check_file_size(path: Path, size: int, limits: ReadLimits) -> None:
    if size > limits.max_file_bytes:
        raise ExtractError(
            path,
            f"the file is {_mb(size)} MB, more than the import limit of "
            f"{_mb(limits.max_file_bytes)} MB.",
            advice="Split the extract, or ask the administrator to raise the limit "
            "(`workbench settings set WORKSPACE import_max_mb N`).",
        )


def check_columns(path: Path, columns: int, limits: ReadLimits) -> None:
    if columns > limits.max_columns:
        raise ExtractError(
            path,
            f"the header row has more than {limits.max_columns:,} columns, the most an "
            "import reads.",
            advice="Export the extract with its own columns only and import it again.",
        )


def header_columns(data: bytes, start: int, limits: ReadLimits) -> int:
    """Fields on the first line after ``start``, counted on the bytes (before any parsing).

    Commas and quotes are ASCII, and no byte of a multi-byte UTF-8 or CP932 character is
    one of them, so counting on raw bytes is exact. Only the first ``max_columns`` x
    ``max_cell_bytes`` bytes are looked at: a longer line is over a limit either way, and
    is reported as ``max_columns + 1`` columns.
    """
    window = limits.max_columns * (limits.max_cell_bytes + 3)
    end = data.find(b"\n", start, start + window + 1)
    if end == -1:
        if len(data) - start > window:
            return limits.max_columns + 1
        end = len(data)
    line = data[start:end]
    fields, quoted, at = 1, False, 0
    while True:
        comma = line.find(b",", at)
        quote = line.find(b'"', at)
        if comma == -1 and quote == -1:
            return fields
        if quote != -1 and (comma == -1 or quote < comma):
            quoted, at = not quoted, quote + 1
            continue
        if not quoted:
            fields += 1
            if fields > limits.max_columns:
                return fields
        at = comma + 1


def over_long_cell(values: list[int | None], limits: ReadLimits) -> int | None:
    """Index of the first column whose longest cell (bytes) is over the limit."""
    for index, longest in enumerate(values):
        if longest is not None and longest > limits.max_cell_bytes:
            return index
    return None


def cell_too_long(path: Path, row: int, column: int, limits: ReadLimits) -> ExtractError:
    return ExtractError(
        path,
        f"a cell is longer than {limits.max_cell_bytes:,} bytes, the most an import reads "
        "in one cell.",
        row=row,
        column=f"#{column + 1}",
        advice="Check that the file is the extract (not a document saved as CSV) and that "
        "its quotes are closed, then import it again.",
    )


def check_xlsx_parts(path: Path, data: bytes, limits: ReadLimits) -> None:
    """Refuse a workbook whose zip parts would unpack to too much, or inflate more than
    their directory says; checked on the zip directory and by inflating each part without
    keeping it, before any XLSX parser sees the file. ExtractError on any problem."""
    damaged = ExtractError(
        path,
        "the file is not a readable XLSX workbook (it may be damaged or truncated).",
        advice="Save it again as CSV (UTF-8 or CP932) or XLSX and import it again.",
    )
    ok = True
    infos: list[zipfile.ZipInfo] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        ok = False
    if not ok:
        raise damaged
    if len(infos) > limits.max_xlsx_parts:
        raise ExtractError(
            path,
            f"the workbook has {len(infos):,} parts, far more than a spreadsheet has.",
            advice=_BOMB,
        )
    total = sum(info.file_size for info in infos)
    if total > limits.max_xlsx_unpacked_bytes:
        raise ExtractError(
            path,
            f"the workbook unpacks to {_mb(total)} MB, more than the import limit of "
            f"{_mb(limits.max_xlsx_unpacked_bytes)} MB.",
            advice=_SPLIT,
        )
    for info in infos:
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ExtractError(
                path,
                "the workbook uses a compression method that spreadsheet programs do not write.",
                advice=_BOMB,
            )
        if info.file_size >= _RATIO_FLOOR and (
            info.file_size > limits.max_xlsx_ratio * max(info.compress_size, 1)
        ):
            ratio = info.file_size // max(info.compress_size, 1)
            raise ExtractError(
                path,
                f"a part of the workbook is compressed {ratio:,} to 1, far more than a real "
                'spreadsheet (a "zip bomb").',
                advice=_BOMB,
            )
    view = memoryview(data)
    for info in infos:
        produced = _inflated_size(view, info)
        if produced is None:
            raise damaged
        if produced > info.file_size:
            raise ExtractError(
                path,
                'a part of the workbook unpacks to more than its directory says (a "zip bomb").',
                advice=_BOMB,
            )


def _inflated_size(view: memoryview, info: zipfile.ZipInfo) -> int | None:
    """Bytes that the part really inflates to, counted up to one past its declared size
    (never more memory than one step); None when the part is damaged."""
    head = bytes(view[info.header_offset : info.header_offset + _LOCAL_HEADER])
    if len(head) < _LOCAL_HEADER or not head.startswith(b"PK\x03\x04"):
        return None
    name_len, extra_len = struct.unpack("<HH", head[26:30])
    start = info.header_offset + _LOCAL_HEADER + name_len + extra_len
    compressed = view[start : start + info.compress_size]
    if len(compressed) < info.compress_size:
        return None
    if info.compress_type == zipfile.ZIP_STORED:
        return info.compress_size
    inflater = zlib.decompressobj(-15)
    produced = 0
    try:
        for offset in range(0, len(compressed), _INFLATE_STEP):
            produced += len(
                inflater.decompress(compressed[offset : offset + _INFLATE_STEP], _INFLATE_STEP)
            )
            while inflater.unconsumed_tail and produced <= info.file_size:
                produced += len(inflater.decompress(inflater.unconsumed_tail, _INFLATE_STEP))
            if produced > info.file_size:
                return produced
        produced += len(inflater.flush())
    except zlib.error:
        return None
    return produced


def _mb(size: int) -> str:
    return f"{(size + MIB - 1) // MIB:,}"
