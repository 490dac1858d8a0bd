"""Encoding detection and in-memory decoding."""

from __future__ import annotations

import pytest

from rlwb.linkage import text_encoding as encoding
from rlwb.linkage.text_encoding import (
    Undecodable,
    UnknownEncoding,
    canonical_encoding,
    decode_to_utf8,
    sniff_utf8,
)

TEXT = "整理番号,氏名\r\nT1,髙橋 一郎\r\nT2,山﨑 花子\r\n"


def test_utf8() -> None:
    data = TEXT.encode("utf-8")
    assert decode_to_utf8(data) == (data, "utf-8")
    assert sniff_utf8(data) == "utf-8"


def test_utf8_with_bom_keeps_the_bom_for_polars() -> None:
    data = TEXT.encode("utf-8-sig")
    assert decode_to_utf8(data) == (data, "utf-8-sig")
    assert sniff_utf8(data) == "utf-8-sig"


def test_cp932_is_transcoded() -> None:
    data = TEXT.encode("cp932")
    assert decode_to_utf8(data) == (TEXT.encode("utf-8"), "cp932")
    assert sniff_utf8(data) is None


@pytest.mark.parametrize("name", ["Shift_JIS", "sjis", "MS932", "windows-31j", "CP932"])
def test_shift_jis_names_mean_cp932(name: str) -> None:
    assert canonical_encoding(name) == "cp932"
    data = TEXT.encode("cp932")
    assert decode_to_utf8(data, name) == (TEXT.encode("utf-8"), "cp932")


def test_unknown_encoding_name() -> None:
    with pytest.raises(UnknownEncoding):
        canonical_encoding("latin-1")


def test_undecodable_line_and_field_across_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(encoding, "_PIECE", 16)  # many small pieces
    lines = [f"T{i},山田 太郎,x".encode("cp932") for i in range(30)]
    lines[17] = b'T17,"a,b",\x81\x20'
    data = b"\r\n".join([b"id,name,note", *lines]) + b"\r\n"
    with pytest.raises(Undecodable) as caught:
        decode_to_utf8(data)
    assert caught.value.line == 19  # header + 18 lines before it
    assert caught.value.column == 2  # quoted comma does not count
    assert "19" in str(caught.value)


def test_long_lines_longer_than_a_piece(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(encoding, "_PIECE", 8)
    text = "a,b\r\n" + "髙" * 50 + ",x\r\n" + "y,z"
    assert decode_to_utf8(text.encode("cp932")) == (text.encode("utf-8"), "cp932")


def test_the_encoding_that_read_furthest_is_reported() -> None:
    # Valid CP932 for two lines, then a byte pair neither encoding accepts.
    data = TEXT.encode("cp932") + b"T3,\x81\x20\r\n"
    with pytest.raises(Undecodable) as caught:
        decode_to_utf8(data)
    assert caught.value.encoding == "cp932"
    assert caught.value.line == 4
