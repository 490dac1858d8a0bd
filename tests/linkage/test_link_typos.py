"""Candidate generation and comparisons that survive typos, swaps and missing fields,
and the comparison library's extension point."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import ClassVar

import polars as pl

from rlwb.linkage.blocking import candidate_pairs
from rlwb.linkage.blocking_keys import with_derived_keys
from rlwb.linkage.compare import comparison_levels
from rlwb.linkage.comparisons import PairFrame
from rlwb.linkage.link import link
from rlwb.linkage.records import prepare_records
from rlwb.linkage.settings import DEFAULT_COMPARISONS, BlockingPass, LinkSettings
from tests.linkage.linkframes import outcome_of, person, si_frame, tax_frame

# Romaji names as FEBRL writes them (family name first), no reading, no postal code.
ROMAJI = dict(kana=None, postal=None, sex=None)
CROWD = [
    person(
        None,
        name=f"{family} {given}",
        birth=date(1950 + n, 1 + n % 12, 1 + n),
        address=f"vic {town} {street} street {n + 2}",
        **ROMAJI,
    )
    for n, (family, given, town, street) in enumerate(
        [
            ("white", "amelia", "carlton", "lygon"),
            ("whitby", "ruby", "geelong", "moorabool"),
            ("whitmore", "jack", "ballarat", "sturt"),
            ("wheeler", "oliver", "bendigo", "pall mall"),
        ]
    )
]


def _pairs(tax: pl.DataFrame, si: pl.DataFrame, settings: LinkSettings) -> set[tuple[str, str]]:
    t, s = prepare_records(tax, "tax"), prepare_records(si, "si")
    pairs, _ = candidate_pairs(t, s, settings)
    return set(
        zip(
            t["record_id"].gather(pairs["tax_i"]).to_list(),
            s["record_id"].gather(pairs["si_i"]).to_list(),
            strict=True,
        )
    )


def _levels(tax: pl.DataFrame, si: pl.DataFrame) -> pl.DataFrame:
    t, s = prepare_records(tax, "tax"), prepare_records(si, "si")
    pairs = pl.DataFrame(
        {"tax_i": [0], "si_i": [0]}, schema={"tax_i": pl.UInt32, "si_i": pl.UInt32}
    )
    return comparison_levels(t, s, pairs, DEFAULT_COMPARISONS)


def test_name_typo_without_birth_date_is_still_proposed_and_linked() -> None:
    # The example: one letter doubled, no birth date on one side, same address.
    address = "nsw kellyville kirkpatrick street 12 ridgeview"
    tax = tax_frame(
        [
            person(None, name="white laklynn", birth=date(1961, 4, 2), address=address, **ROMAJI),
            *CROWD,
        ]
    )
    si = si_frame(
        [person(None, name="whhite laklynn", birth=None, address=address, **ROMAJI), *CROWD]
    )
    only_old = LinkSettings(blocking=LinkSettings().blocking[:8])
    assert ("T0001", "S0001") not in _pairs(tax, si, only_old)
    assert ("T0001", "S0001") in _pairs(tax, si, LinkSettings())
    assert outcome_of(link(tax, si).links, "T0001", "S0001") in ("probabilistic", "review")


def test_sorted_neighbourhood_meets_a_late_typo_and_a_swapped_order() -> None:
    window = LinkSettings(blocking=(BlockingPass("names", ("block_name_sorted",), window=2),))
    exact = LinkSettings(blocking=(BlockingPass("names", ("block_name_sorted",)),))
    tax = tax_frame([person(None, name="rees zachary", birth=None, **ROMAJI), *CROWD])
    si = si_frame([person(None, name="zachary reese", birth=None, **ROMAJI), *CROWD])
    assert ("T0001", "S0001") in _pairs(tax, si, window)
    assert ("T0001", "S0001") not in _pairs(tax, si, exact)
    # Each record meets at most `window` records of the other side after it in order.
    assert len(_pairs(tax, si, window)) <= 2 * (tax.height + si.height)


def test_sorted_name_key_ignores_the_order_of_family_and_given_name() -> None:
    frame = prepare_records(
        tax_frame(
            [
                person(None, name="rees zachary", **ROMAJI),
                person(None, name="zachary rees", **ROMAJI),
                person(None, name="山田 太郎"),
                person(None, name="太郎 山田"),
            ]
        ),
        "tax",
    )
    keys = with_derived_keys(frame, {"block_name_sorted"})["block_name_sorted"].to_list()
    assert keys[0] == keys[1] and keys[2] == keys[3] and keys[0] != keys[2]


def test_swapped_name_order_with_a_typo_is_a_close_name() -> None:
    tax = tax_frame([person(None, name="rees zachary", **ROMAJI)])
    assert _levels(tax, si_frame([person(None, name="zachakry rees", **ROMAJI)]))["name"][0] == 3
    assert _levels(tax, si_frame([person(None, name="zachary rees", **ROMAJI)]))["name"][0] == 3
    # A sibling (same family name, another given name) stays a different name.
    assert _levels(tax, si_frame([person(None, name="rees olivia", **ROMAJI)]))["name"][0] == 0


@dataclass(frozen=True)
class _SameInitial:
    """A comparison written outside the engine: same first letter of the name."""

    stage: ClassVar[int] = 0
    names_person: ClassVar[bool] = False
    evidence: ClassVar[bool] = False

    name: str
    m: tuple[float, ...] = (0.1, 0.9)
    u: tuple[float, ...] = (0.9, 0.1)
    levels: int = field(default=2, init=False)

    def compare(self, frame: PairFrame) -> pl.Series:
        names = frame.both("key_name_kanji")
        return names.select(
            (pl.col("l").str.slice(0, 1) == pl.col("r").str.slice(0, 1)).cast(pl.Int8)
        ).to_series()


def test_a_new_comparison_class_needs_no_edit_in_the_engine() -> None:
    settings = replace(LinkSettings(), comparisons=(*DEFAULT_COMPARISONS, _SameInitial("initial")))
    tax = tax_frame([person(None), person(None, name="佐藤 一郎", kana="サトウ イチロウ")])
    si = si_frame([person(None), person(None, name="山田 花子", kana="ヤマダ ハナコ")])
    t, s = prepare_records(tax, "tax"), prepare_records(si, "si")
    pairs = pl.DataFrame(
        {"tax_i": [0, 1], "si_i": [0, 0]}, schema={"tax_i": pl.UInt32, "si_i": pl.UInt32}
    )
    levels = comparison_levels(t, s, pairs, settings.comparisons)
    assert levels["initial"].to_list() == [1, 0]
    # The address still scores after the names (a later stage reads earlier levels).
    assert levels["address"].to_list()[0] == 4
    assert outcome_of(link(tax, si, settings).links, "T0001", "S0001") == "probabilistic"


def test_one_edit_in_a_short_name_part_is_a_partial_name() -> None:
    tax = tax_frame(
        [
            person(None, name="maczkowiack pia", **ROMAJI),
            person(None, name="armiento ben", **ROMAJI),
        ]
    )
    # Jaro–Winkler scores PIA / PAI 0.56; one transposition is still a rough match.
    assert (
        _levels(tax[0:1], si_frame([person(None, name="maczkowiack pai", **ROMAJI)]))["name"][0]
        == 1
    )
    assert (
        _levels(tax[1:2], si_frame([person(None, name="armiento bwn", **ROMAJI)]))["name"][0] == 1
    )
    # Two edits are not.
    assert (
        _levels(tax[1:2], si_frame([person(None, name="armiento bob", **ROMAJI)]))["name"][0] == 0
    )
