"""Detect the text encoding of a CSV extract and decode it in memory.

Extracts arrive as UTF-8, UTF-8 with BOM or CP932 (Windows Shift_JIS; 髙 and 﨑 exist
only there, not in strict Shift_JIS, so "shift_jis" is read as CP932). The result is
UTF-8 bytes for polars. Nothing is written to disk: the bytes hold raw 個人番号.

Decoding runs piece by piece, cut after a newline byte (0x0A is never part of a
multi-byte character in UTF-8 or CP932), so a failure can name its line and the
memory held at once stays near the size of the UTF-8 result.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from typing import Final

BOM: Final = codecs.BOM_UTF8
UTF8: Final = "utf-8"
UTF8_BOM: Final = "utf-8-sig"
CP932: Final = "cp932"
SUPPORTED: Final = (UTF8, UTF8_BOM, CP932)

_PIECE: Final = 8 * 1024 * 1024
_SNIFF: Final = 1024 * 1024
_ALIASES: Final = {
    "utf8": UTF8,
    "utf-8": UTF8,
    "utf_8": UTF8,
    "utf-8-sig": UTF8_BOM,
    "utf_8_sig": UTF8_BOM,
    "utf8-sig": UTF8_BOM,
    "utf-8-bom": UTF8_BOM,
    "cp932": CP932,
    "ms932": CP932,
    "windows-31j": CP932,
    "shift_jis": CP932,
    "shift-jis": CP932,
    "sjis": CP932,
    "s-jis": CP932,
    "x-sjis": CP932,
    "mskanji": CP932,
}


class UnknownEncoding(ValueError):
    """The named encoding is not one the extracts may use."""


class Undecodable(ValueError):
    """Bytes that do not decode. ``line`` is 1-based; ``column`` is the 0-based field
    index on that line when it could be worked out."""

    def __init__(self, encoding: str, line: int, column: int | None) -> None:
        super().__init__(f"undecodable bytes for {encoding} on line {line}")
        self.encoding = encoding
        self.line = line
        self.column = column


def canonical_encoding(name: str) -> str:
    """``Shift_JIS`` -> ``cp932``, ``UTF8`` -> ``utf-8``; raise UnknownEncoding otherwise."""
    key = name.strip().lower().replace(" ", "")
    if key in _ALIASES:
        return _ALIASES[key]
    raise UnknownEncoding(name)


def looks_binary(data: bytes) -> bool:
    """NUL bytes never occur in UTF-8 or CP932 CSV text (UTF-16 and XLSX have them)."""
    return b"\x00" in data[:65536]


def _pieces(data: bytes, start: int) -> Iterator[tuple[int, int]]:
    """(begin, end) offsets of pieces of about _PIECE bytes, each ending after a newline."""
    size = len(data)
    while start < size:
        end = start + _PIECE
        if end >= size:
            end = size
        else:
            cut = data.rfind(b"\n", start, end)
            if cut == -1:  # a single line longer than a piece
                cut = data.find(b"\n", end)
                end = size if cut == -1 else cut + 1
            else:
                end = cut + 1
        yield start, end
        start = end


def _field_index(data: bytes, line_start: int, offset: int, encoding: str) -> int | None:
    """0-based index of the CSV field holding ``offset`` (None if it cannot be told)."""
    prefix = data[line_start:offset].decode(encoding, errors="replace") + "x"
    try:
        rows = list(csv.reader([prefix]))
    except csv.Error:
        return None
    return len(rows[0]) - 1 if len(rows) == 1 else None


def _convert(data: bytes, start: int, encoding: str, *, keep: bool) -> bytes | None:
    out = bytearray() if keep else None
    line = 1
    for begin, end in _pieces(data, start):
        piece = data[begin:end]
        failed_at: int | None = None
        try:
            text = piece.decode(encoding)
        except UnicodeDecodeError as exc:
            failed_at = exc.start
        if failed_at is not None:
            # Raised outside the except block: the UnicodeDecodeError holds the bytes of
            # the piece (raw identifiers) and must not ride along as __context__.
            bad = begin + failed_at
            line_start = data.rfind(b"\n", start, bad) + 1 or start
            raise Undecodable(
                encoding=encoding,
                line=line + piece.count(b"\n", 0, failed_at),
                column=_field_index(data, max(line_start, start), bad, encoding),
            )
        if out is not None:
            out += text.encode(UTF8)
        line += piece.count(b"\n")
    return bytes(out) if out is not None else None


def sniff_utf8(data: bytes) -> str | None:
    """``utf-8-sig`` / ``utf-8`` when the start of the file (up to ~1 MB, whole lines)
    is valid UTF-8, else None. A hint only: polars validates the rest while parsing,
    and a failure there falls back to :func:`decode_to_utf8`, which names the line.
    """
    start = len(BOM) if data.startswith(BOM) else 0
    end = len(data)
    if end - start > _SNIFF:
        cut = data.rfind(b"\n", start, start + _SNIFF)
        end = cut + 1 if cut != -1 else start + _SNIFF
    try:
        data[start:end].decode(UTF8)
    except UnicodeDecodeError:
        return None
    return UTF8_BOM if start else UTF8


def decode_to_utf8(data: bytes, encoding: str | None = None) -> tuple[bytes, str]:
    """(UTF-8 bytes, encoding used). ``encoding`` None = detect. A UTF-8 BOM stays in
    place (polars skips it); CP932 input is transcoded.

    Raises UnknownEncoding for a name not in SUPPORTED (after aliases) and Undecodable
    for bytes that fit no candidate (for detection: the candidate that read furthest).
    """
    has_bom = data.startswith(BOM)
    if encoding is not None:
        chosen = canonical_encoding(encoding)
        if chosen in (UTF8, UTF8_BOM):
            start = len(BOM) if has_bom else 0
            _convert(data, start, UTF8, keep=False)
            # polars skips a leading BOM itself: no 1 GB copy to drop three bytes.
            return data, (UTF8_BOM if has_bom else UTF8)
        converted = _convert(data, 0, chosen, keep=True)
        assert converted is not None
        return converted, chosen
    if has_bom:
        _convert(data, len(BOM), UTF8, keep=False)
        return data, UTF8_BOM
    failures: list[Undecodable] = []
    try:
        _convert(data, 0, UTF8, keep=False)
        return data, UTF8
    except Undecodable as not_utf8:
        failures.append(not_utf8)
    try:
        converted = _convert(data, 0, CP932, keep=True)
    except Undecodable as not_cp932:
        failures.append(not_cp932)
    if len(failures) == 2:
        # Report the candidate that read furthest: the likelier encoding of the file.
        raise max(failures, key=lambda e: e.line)
    assert converted is not None
    return converted, CP932
