"""Comparison keys: kana, variant kanji, addresses, postal codes."""

from __future__ import annotations

import unicodedata

import polars as pl
import pytest

from rlwb.linkage.normalise import (
    KEY_COLUMNS,
    NAME_FOLD,
    add_match_keys,
    address_digits,
    kanji_numeral_value,
    normalise_address,
    normalise_kana,
    normalise_kanji_name,
)
from rlwb.linkage.variants import VARIANT_KANJI

# --- kana -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "reading",
    ["ヤマダ タロウ", "ﾔﾏﾀﾞ ﾀﾛｳ", "やまだ　たろう", "ヤマダ　タロウ", "ﾔﾏﾀﾞﾀﾛｳ", "やまだたろう"],
)
def test_kana_forms_are_equal(reading: str) -> None:
    assert normalise_kana(reading) == "ヤマダタロウ"


def test_voiced_half_width_kana_compose() -> None:
    assert normalise_kana("ｶﾞｯｺｳ ﾊﾟﾊﾟ ｳﾞｨ") == normalise_kana("がっこう ぱぱ ゔぃ")
    assert normalise_kana("ｳﾞ") == "ヴ"


@pytest.mark.parametrize(
    ("small", "large"),
    [
        ("キャ", "キヤ"),
        ("ッ", "ツ"),
        ("ョ", "ヨ"),
        ("ぁぃぅぇぉ", "アイウエオ"),
        ("ヵヶ", "カケ"),
        ("ヮ", "ワ"),
    ],
)
def test_small_kana_compare_as_large(small: str, large: str) -> None:
    assert normalise_kana(small) == large


@pytest.mark.parametrize("dash", ["ー", "ｰ", "-", "－", "‐", "‑", "–", "—", "―", "−", "─"])
def test_long_vowel_and_dash_variants_unified(dash: str) -> None:
    assert normalise_kana(f"サト{dash}") == "サトー"


@pytest.mark.parametrize("value", [None, "", "   ", "\u3000"])
def test_empty_values_give_null(value: str | None) -> None:
    assert normalise_kana(value) is None
    assert normalise_kanji_name(value) is None
    assert normalise_address(value) is None
    assert address_digits(value) is None


# --- kanji names ----------------------------------------------------------------


def test_variant_table_is_large_and_single_pass() -> None:
    assert len(VARIANT_KANJI) >= 60
    for old, new in VARIANT_KANJI.items():
        # NFKC folds none of these, and folding is idempotent in one pass.
        assert unicodedata.normalize("NFKC", old) == old
        assert unicodedata.normalize("NFKC", new) == new
        assert new not in VARIANT_KANJI


@pytest.mark.parametrize(("old", "new"), sorted(VARIANT_KANJI.items()))
def test_each_variant_kanji_folds(old: str, new: str) -> None:
    assert normalise_kanji_name(f"{old}田 {old}子") == f"{new}田{new}子"
    assert normalise_kanji_name(f"{old}田") == normalise_kanji_name(f"{new}田")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("髙橋 一郎", "高橋一郎"),
        ("山﨑　花子", "山崎 花子"),
        ("齋藤", "斉藤"),
        ("齊藤", "斎藤"),
        ("渡邉", "渡辺"),
        ("渡邊", "渡辺"),
        ("佐々木", "佐佐木"),
        ("ＹＡＭＡＤＡ　Ｔａｒｏ", "yamada taro"),
    ],
)
def test_name_spellings_compare_equal(a: str, b: str) -> None:
    assert normalise_kanji_name(a) == normalise_kanji_name(b)


def test_names_that_differ_stay_different() -> None:
    assert normalise_kanji_name("高橋") != normalise_kanji_name("高畑")
    assert normalise_kana("ヤマダ") != normalise_kana("ヤマタ")


# --- addresses ------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "二丁目1番地2号",
        "2-1-2",
        "２－１－２",
        "2丁目1番2号",
        "二丁目一番地二号",
        "2ー1ー2",
        "2の1の2",
        "2丁目1番地の2",
    ],
)
def test_block_forms_are_digit_sequences(address: str) -> None:
    assert normalise_address(address) == "2-1-2"
    assert address_digits(address) == "2-1-2"


def test_address_keeps_place_names_and_drops_separators() -> None:
    a = normalise_address("東京都千代田区霞が関 二丁目1番地2号　サンハイツ101号室")
    b = normalise_address("東京都千代田区霞ヶ関2-1-2 サンハイツ101号室")
    assert a == b == "東京都千代田区霞ガ関2-1-2サンハイツ101室"
    assert address_digits("東京都千代田区霞が関二丁目1番地2号 サンハイツ101号室") == "2-1-2-101"


@pytest.mark.parametrize(
    ("address", "digits"),
    [
        ("千葉県千葉市中央区三丁目五ー十二", "3-5-12"),  # 千葉 is a place, not 1000
        ("八王子市二十三番地", "23"),
        ("四日市市一ノ瀬百二号", "102"),
        ("〒100-0001 東京都港区芝五丁目3番2号", "5-3-2"),
        ("札幌市", None),
    ],
)
def test_address_digits(address: str, digits: str | None) -> None:
    assert address_digits(address) == digits


@pytest.mark.parametrize(
    ("run", "value"),
    [
        ("二", 2),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("二十三", 23),
        ("百二", 102),
        ("千百十", 1110),
        ("二〇三", 203),
        ("三千五", 3005),
    ],
)
def test_kanji_numeral_value(run: str, value: int) -> None:
    assert kanji_numeral_value(run) == value


# --- frame ----------------------------------------------------------------------


def test_add_match_keys_columns_and_values() -> None:
    frame = pl.DataFrame(
        {
            "name": ["髙橋　一郎", "山﨑花子", None],
            "name_kana": ["ﾀｶﾊｼ ｲﾁﾛｳ", "やまざきはなこ", ""],
            "address": ["二丁目1番地2号", None, "札幌市"],
            "postal_code": ["1234567", None, "123"],
        }
    )
    out = add_match_keys(frame)
    assert all(out.schema[c] == pl.String for c in KEY_COLUMNS)
    assert out.height == 3
    rows = out.select(KEY_COLUMNS).rows(named=True)
    assert rows[0] == {
        "key_name_kana": "タカハシイチロウ",
        "key_family_kana": "タカハシ",
        "key_given_kana": "イチロウ",
        "key_name_kanji": "高橋一郎",
        "key_family_kanji": "高橋",
        "key_given_kanji": "一郎",
        "key_address": "2-1-2",
        "key_address_digits": "2-1-2",
        "key_postal": "1234567",
        "key_reading": "takahasiitiro",
        "key_reading_sorted": "itirotakahasi",
    }
    # Not split in the file -> no family/given keys.
    assert rows[1]["key_name_kanji"] == "山崎花子"
    assert rows[1]["key_family_kanji"] is None and rows[1]["key_given_kanji"] is None
    assert rows[1]["key_name_kana"] == "ヤマザキハナコ"
    assert rows[1]["key_address"] is None and rows[1]["key_postal"] is None
    assert all(rows[2][c] is None for c in KEY_COLUMNS if c != "key_address")
    assert rows[2]["key_address"] == "札幌市"


def test_add_match_keys_without_optional_columns() -> None:
    out = add_match_keys(pl.DataFrame({"name": ["山田 太郎"]}))
    assert out["key_family_kanji"].to_list() == ["山田"]
    assert out["key_name_kana"].to_list() == [None]
    assert out["key_postal"].to_list() == [None]


def test_three_part_name_splits_at_first_space() -> None:
    out = add_match_keys(pl.DataFrame({"name": ["スミス  ジョン ポール"]}))
    assert out.row(0, named=True)["key_family_kanji"] == "スミス"
    assert out.row(0, named=True)["key_given_kanji"] == "ジヨンポール"  # small ョ compares as ヨ


def test_name_fold_table_has_no_chains() -> None:
    for value in NAME_FOLD.values():
        assert all(ch not in NAME_FOLD for ch in value)
