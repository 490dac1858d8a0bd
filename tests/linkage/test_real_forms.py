"""Issue 10: the forms real extracts use meet in the match keys.

Variation selectors (MJ glyphs), the old and variant kanji of the number register and
older systems (table generated from Unihan), romaji vs katakana names of foreign
residents and Japanese names in Hepburn romaji, and a CP932 file with half-width kana,
髙 and 和暦 dates against a UTF-8 file with the modern forms.
"""

from __future__ import annotations

import importlib.util
import sys
import unicodedata
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest

from rlwb.linkage.normalise import add_match_keys, normalise_address, normalise_kanji_name
from rlwb.linkage.read import read_extract
from rlwb.linkage.reading import KANA_TO_ROMAJI, normalise_reading
from rlwb.linkage.variant_table import PAIRS
from rlwb.linkage.variants import VARIANT_KANJI
from tests.linkage._read_helpers import SI_HEADER, TAX_HEADER, si_row, tax_row, write_csv

_REPO = Path(__file__).resolve().parents[2]
_UNIHAN = Path("/usr/share/unicode")

# --- variation selectors ------------------------------------------------------------


@pytest.mark.parametrize("selector", ["\U000e0100", "\U000e0101", "\U000e01ef", "\ufe00", "\ufe0f"])
def test_variation_selectors_are_stripped(selector: str) -> None:
    assert normalise_kanji_name(f"葛{selector}西 花子") == normalise_kanji_name("葛西 花子")
    assert normalise_kanji_name(f"葛{selector}西 花子") == "葛西花子"
    assert normalise_address(f"東京都葛{selector}飾区1-2") == "東京都葛飾区1-2"


def test_nfkc_alone_keeps_the_selector() -> None:
    # The reason for the strip: NFKC leaves U+E0100 in place.
    assert "\U000e0100" in unicodedata.normalize("NFKC", "葛\U000e0100")


# --- variant kanji from Unihan ------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("區", "区"),
        ("臺", "台"),
        ("繩", "縄"),
        ("驒", "騨"),
        ("驛", "駅"),
        ("滿", "満"),
        ("圖", "図"),
        ("薰", "薫"),
        ("鷗", "鴎"),
        ("篭", "籠"),
        ("藪", "薮"),
        ("靏", "鶴"),
        ("譽", "誉"),
        ("髙", "高"),
        ("﨑", "崎"),
    ],
)
def test_issue_variants_fold(old: str, new: str) -> None:
    assert normalise_kanji_name(old) == normalise_kanji_name(new) == new


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("東京都千代田區霞が関1-2-3", "東京都千代田区霞が関1-2-3"),
        ("岐阜県高山市上岡本町驛前1", "岐阜県高山市上岡本町駅前1"),
        ("飛驒市古川町1-1", "飛騨市古川町1-1"),
        ("宮﨑県宮﨑市橘通東1-1", "宮崎県宮崎市橘通東1-1"),
    ],
)
def test_addresses_fold_variants_too(old: str, new: str) -> None:
    assert normalise_address(old) == normalise_address(new)


def test_generated_table_is_large_single_pass_and_nfkc_stable() -> None:
    assert len(VARIANT_KANJI) > 800
    for old, new in VARIANT_KANJI.items():
        assert unicodedata.normalize("NFKC", old) == old
        assert unicodedata.normalize("NFKC", new) == new
        assert new not in VARIANT_KANJI


def _make_variants() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_variants", _REPO / "tools/make_variants.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_variants"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(
    not (_UNIHAN / "Unihan_Variants.txt.bz2").exists()
    and not (_UNIHAN / "Unihan_Variants.txt").exists(),
    reason="Unihan not installed (apt-get install unicode-data)",
)
def test_committed_table_is_what_the_script_generates() -> None:
    assert _make_variants().build(_UNIHAN) == dict(PAIRS)


def test_script_keeps_the_hand_pairs_behaviour() -> None:
    supplement = dict(_make_variants().SUPPLEMENT)
    for old, new in supplement.items():
        assert VARIANT_KANJI[old] == new


# --- romaji <-> katakana ------------------------------------------------------------


@pytest.mark.parametrize(
    ("romaji", "kana"),
    [
        ("NGUYEN VAN AN", "グエン　バン　アン"),
        ("Nguyen Van An", "グエン ヴァン アン"),
        ("TRAN THI HOA", "トラン ティ ホア"),
        ("TRAN THI HOA", "トラン チ ホア"),
        ("LE VAN NAM", "レ ヴァン ナム"),
        ("MARIA SANTOS", "マリア サントス"),
        ("TANAKA TARO", "ﾀﾅｶ ﾀﾛｳ"),
        ("OHNO KEIKO", "おおの けいこ"),
        ("SATOH JUN'ICHI", "サトウ ジュンイチ"),
        ("HOMMA SHINICHI", "ホンマ シンイチ"),
        ("HATTORI KYOKO", "ハットリ キョウコ"),
        ("Ōno Tsuji", "オオノ ツジ"),
        ("PHAM MINH DUNG", "ファム ミン ズン"),
        ("NGUYEN DUC HOA", "グエン ドゥック ホア"),
        ("PHAM DUC TUAN", "ファム ドック トゥアン"),
        ("SUZUKI KAZUO", "スズキ カズオ"),
    ],
)
def test_romaji_and_katakana_meet(romaji: str, kana: str) -> None:
    assert normalise_reading(romaji) == normalise_reading(kana)


def test_different_names_stay_apart() -> None:
    assert normalise_reading("NGUYEN VAN AN") != normalise_reading("グエン バン アイン")
    assert normalise_reading("タナカ タロウ") != normalise_reading("タナカ ジロウ")


def test_kana_table_comes_from_jaconv_with_digraphs() -> None:
    assert KANA_TO_ROMAJI["キョ"] == "kyo"
    assert KANA_TO_ROMAJI["ティ"] == "ti"
    assert KANA_TO_ROMAJI["ヴァ"] == "va"
    assert KANA_TO_ROMAJI["シ"] == "shi"


def test_reading_keys_from_name_or_kana_and_in_either_order() -> None:
    frame = pl.DataFrame(
        {
            "name": [
                "NGUYEN VAN AN",
                "グエン　バン　アン",
                "AN NGUYEN VAN",
                "阮 文安",
                "山田 太郎",
            ],
            "name_kana": [None, None, None, "グエン バン アン", None],
        }
    )
    out = add_match_keys(frame)
    assert out["key_reading"].to_list() == [
        "guenbanan",
        "guenbanan",
        "anguenban",
        "guenbanan",
        None,  # a kanji name without a reading has no reading key
    ]
    assert out["key_reading_sorted"].to_list() == ["anbanguen"] * 4 + [None]


# --- a CP932 file against a UTF-8 file ----------------------------------------------


def test_cp932_old_forms_against_utf8_modern_forms(tmp_path: Path) -> None:
    tax = write_csv(
        tmp_path / "tax.csv",
        TAX_HEADER,
        [
            tax_row("T001", 氏名="髙橋　一郎", フリガナ="ﾀｶﾊｼ ｲﾁﾛｳ", 生年月日="昭和60年4月1日"),
            tax_row("T002", 氏名="NGUYEN VAN AN", フリガナ="", 生年月日="平成2年10月3日"),
            tax_row("T003", 氏名="山﨑 花子", フリガナ="ﾔﾏｻﾞｷ ﾊﾅｺ", 住所="宮﨑県宮﨑市橘通東1-1"),
        ],
        "cp932",
    )
    si = write_csv(
        tmp_path / "si.csv",
        SI_HEADER,
        [
            si_row("S001", 氏名="高橋 一郎", フリガナ="タカハシ イチロウ", 生年月日="1985-04-01"),
            si_row("S002", 氏名="グエン　バン　アン", フリガナ="", 生年月日="1990-10-03"),
            si_row(
                "S003",
                氏名="山\U000e0100崎 花子",
                フリガナ="やまざき はなこ",
                住所="宮崎県宮崎市橘通東1-1",
            ),
        ],
        "utf-8",
    )
    left = add_match_keys(read_extract(tax, "tax").frame)
    right = add_match_keys(read_extract(si, "si").frame)
    assert read_extract(tax, "tax").encoding == "cp932"
    columns = ["birth_date", "key_reading"]
    assert left.select(columns).rows() == right.select(columns).rows()
    assert left["key_name_kanji"].to_list()[::2] == right["key_name_kanji"].to_list()[::2]
    assert left["key_name_kana"][0] == right["key_name_kana"][0] == "タカハシイチロウ"
    assert left["key_address"][2] == right["key_address"][2]
