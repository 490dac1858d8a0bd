"""The romaji reading key in the engine: foreign residents written in romaji in one
extract and in katakana in the other (issue 10)."""

from __future__ import annotations

from datetime import date

import polars as pl

from rlwb.linkage.blocking import candidate_pairs
from rlwb.linkage.compare import comparison_levels
from rlwb.linkage.link import link
from rlwb.linkage.records import prepare_records
from rlwb.linkage.settings import DEFAULT_COMPARISONS, LinkSettings
from tests.linkage.linkframes import outcome_of, person, si_frame, tax_frame

BIRTH = date(1992, 7, 14)
ADDRESS = "東京都新宿区大久保2-3-4"
# Other people in both files, so the pair is not alone in its blocks.
OTHERS = [
    person(None, name=f"佐藤 {given}", kana=f"サトウ {kana}", birth=date(1960 + n, 3, 1 + n))
    for n, (given, kana) in enumerate(
        [("一郎", "イチロウ"), ("花子", "ハナコ"), ("次郎", "ジロウ")]
    )
]


def _romaji(name: str, **kw: object) -> dict[str, object]:
    """A tax row as a foreign resident's is often typed: romaji 氏名, no フリガナ."""
    return person(None, name=name, kana=None, **{"birth": BIRTH, "address": ADDRESS, **kw})


def _katakana(name: str, **kw: object) -> dict[str, object]:
    return person(None, name=name, kana=name, **{"birth": BIRTH, "address": ADDRESS, **kw})


def _name_level(tax_row: dict[str, object], si_row: dict[str, object]) -> int | None:
    t = prepare_records(tax_frame([tax_row]), "tax")
    s = prepare_records(si_frame([si_row]), "si")
    pairs = pl.DataFrame(
        {"tax_i": [0], "si_i": [0]}, schema={"tax_i": pl.UInt32, "si_i": pl.UInt32}
    )
    value = comparison_levels(t, s, pairs, DEFAULT_COMPARISONS)["name"][0]
    return None if value is None else int(value)


def _linked(tax_row: dict[str, object], si_row: dict[str, object]) -> str | None:
    links = link(tax_frame([tax_row, *OTHERS]), si_frame([si_row, *OTHERS])).links
    return outcome_of(links, "T0001", "S0001")


def test_romaji_and_katakana_of_one_name_are_close_and_link() -> None:
    tax, si = _romaji("NGUYEN VAN AN"), _katakana("グエン　ヴァン　アン")
    assert _name_level(tax, si) == 3
    assert _linked(tax, si) == "probabilistic"


def test_vu_written_bu_links() -> None:
    # ヴ/ブ in katakana on one side, romaji on the other; and katakana on both sides.
    assert _name_level(_romaji("VU THI LAN"), _katakana("ブー　チ　ラン")) == 3
    tax, si = _katakana("グエン　ヴァン　アン"), _katakana("グエン　バン　アン")
    assert _name_level(tax, si) == 3
    assert _linked(tax, si) == "probabilistic"


def test_given_name_first_links() -> None:
    tax, si = _romaji("AN VAN NGUYEN"), _katakana("グエン　バン　アン")
    assert _name_level(tax, si) == 3
    assert _linked(tax, si) == "probabilistic"


def test_a_different_given_name_is_not_close() -> None:
    level = _name_level(_romaji("NGUYEN VAN AN"), _katakana("グエン　ヴァン　ビン"))
    assert level is not None and level < 3


def test_the_reading_key_proposes_the_pair_without_a_birth_date() -> None:
    tax = tax_frame([_romaji("NGUYEN VAN AN", birth=None, address=None, postal=None), *OTHERS])
    si = si_frame([_katakana("グエン　バン　アン", address="大阪府大阪市北区梅田1-1"), *OTHERS])
    t, s = prepare_records(tax, "tax"), prepare_records(si, "si")
    pairs, _ = candidate_pairs(t, s, LinkSettings())
    found = set(
        zip(
            t["record_id"].gather(pairs["tax_i"]).to_list(),
            s["record_id"].gather(pairs["si_i"]).to_list(),
            strict=True,
        )
    )
    assert ("T0001", "S0001") in found


def test_token_pair_in_two_scripts_agrees_on_name() -> None:
    # Same 個人番号, moved house: only the address disagrees, so no identity conflict.
    tax = tax_frame([{**_romaji("NGUYEN VAN AN"), **person("123456789018", kana=None)}])
    tax = tax.with_columns(pl.lit("NGUYEN VAN AN").alias("name"), pl.lit(BIRTH).alias("birth_date"))
    si_row = {
        **_katakana("グエン　バン　アン", address="大阪府大阪市北区梅田1-1", postal="5300001"),
        "token": tax["token"][0],
        "id_problem": None,
    }
    links = link(tax, si_frame([si_row])).links
    row = links.filter(pl.col("tax_record_id") == "T0001")
    assert row["agree_name"][0] == 1
    assert row["outcome"][0] == "token"


def test_a_move_is_counted_once_postal_code_stands_in_only_without_an_address() -> None:
    moved = person(None, postal="5300001", address="大阪府大阪市北区梅田1-1")
    levels = comparison_levels(
        prepare_records(tax_frame([person(None), person(None, address=None)]), "tax"),
        prepare_records(si_frame([moved]), "si"),
        pl.DataFrame(
            {"tax_i": [0, 1], "si_i": [0, 0]}, schema={"tax_i": pl.UInt32, "si_i": pl.UInt32}
        ),
        DEFAULT_COMPARISONS,
    )
    # Both addresses known: the address says it, the postal code is not counted again.
    assert levels["address"][0] == 0
    assert levels["postal_code"][0] is None
    # No address on one side: the postal code stands in.
    assert levels["address"][1] is None
    assert levels["postal_code"][1] == 0
