"""Probabilistic linking of records without a confirmed token match."""

from __future__ import annotations

import dataclasses
from datetime import date

import polars as pl
import pytest

from rlwb.linkage.blocking import candidate_pairs
from rlwb.linkage.compare import comparison_levels
from rlwb.linkage.errors import InvalidLinkSettings, TooManyCandidatePairs
from rlwb.linkage.fellegi_sunter import estimate, score
from rlwb.linkage.link import link
from rlwb.linkage.records import prepare_records
from rlwb.linkage.settings import DEFAULT_COMPARISONS, BlockingPass, LinkSettings
from tests.linkage.linkframes import outcome_of, person, si_frame, tax_frame

SUZUKI = dict(
    name="鈴木 花子",
    kana="スズキ ハナコ",
    sex="F",
    birth=date(1990, 2, 3),
    postal="5300001",
    address="大阪府大阪市北区梅田3-1-1",
)
OTHERS = [
    dict(
        name="佐藤 一郎",
        kana="サトウ イチロウ",
        birth=date(1960, 5, 5),
        postal="9800001",
        address="宮城県仙台市青葉区中央1-1",
    ),
    dict(
        name="田中 美咲",
        kana="タナカ ミサキ",
        sex="F",
        birth=date(2001, 7, 7),
        postal="8100001",
        address="福岡県福岡市中央区天神2-2",
    ),
]


def _levels(tax: pl.DataFrame, si: pl.DataFrame) -> pl.DataFrame:
    t, s = prepare_records(tax, "tax"), prepare_records(si, "si")
    pairs = pl.DataFrame(
        {"tax_i": [0], "si_i": [0]}, schema={"tax_i": pl.UInt32, "si_i": pl.UInt32}
    )
    return comparison_levels(t, s, pairs, DEFAULT_COMPARISONS)


def test_records_without_tokens_link_probabilistically() -> None:
    tax = tax_frame([person(None), *(person(None, **o) for o in OTHERS)])
    si = si_frame([person(None), *(person(None, **o) for o in OTHERS)])
    result = link(tax, si)
    for n in (1, 2, 3):
        assert outcome_of(result.links, f"T000{n}", f"S000{n}") == "probabilistic"
    probabilistic = result.links.filter(pl.col("outcome") == "probabilistic")
    assert probabilistic["match_probability"].min() >= 0.95
    assert probabilistic["match_weight"].is_not_null().all()
    assert result.stats.model is not None and not result.stats.model.m_estimated


def test_thresholds_decide_between_probabilistic_review_and_no_link() -> None:
    # A pair with mixed evidence: reading typo, birth date differs, same town.
    tax = tax_frame([person(None, kana="ヤマダ タロオ", birth=date(1980, 4, 1))])
    si = si_frame(
        [person(None, name="山田 太朗", birth=date(1981, 9, 9), address="東京都千代田区千代田5-5")]
    )
    probability = link(tax, si).links["match_probability"].drop_nulls()
    assert probability.len() == 1
    p = float(probability[0])
    assert 0.0 < p < 1.0
    between = LinkSettings(upper_threshold=min(1.0, p + 1e-9), lower_threshold=p)
    above = LinkSettings(upper_threshold=p, lower_threshold=p)
    below = LinkSettings(upper_threshold=1.0, lower_threshold=min(1.0, p + 1e-9))
    assert outcome_of(link(tax, si, between).links, "T0001", "S0001") == "review"
    assert outcome_of(link(tax, si, above).links, "T0001", "S0001") == "probabilistic"
    unlinked = link(tax, si, below).links
    assert outcome_of(unlinked, "T0001", None) == "tax_only"
    assert outcome_of(unlinked, None, "S0001") == "si_only"


def test_married_name_is_a_candidate_not_a_non_match() -> None:
    maiden = dict(SUZUKI, name="佐々木 花子", kana="ササキ ハナコ")
    tax = tax_frame([person(None, **SUZUKI), *(person(None, **o) for o in OTHERS)])
    si = si_frame([person(None, **maiden), *(person(None, **o) for o in OTHERS)])
    links = link(tax, si).links
    assert outcome_of(links, "T0001", "S0001") in ("review", "probabilistic")
    row = links.filter(pl.col("tax_record_id") == "T0001").row(0, named=True)
    assert row["agree_name"] == 0  # the family name really differs
    assert row["agree_birth_date"] == 1 and row["agree_address"] == 1
    assert (
        _levels(tax_frame([person(None, **SUZUKI)]), si_frame([person(None, **maiden)]))["name"][0]
        == 2
    )


def test_day_month_swap_is_its_own_level_and_still_links() -> None:
    swapped = person(None, birth=date(1980, 1, 4))
    tax, si = tax_frame([person(None, birth=date(1980, 4, 1))]), si_frame([swapped])
    assert _levels(tax, si)["birth_date"][0] == 2
    links = link(tax, si).links
    assert outcome_of(links, "T0001", "S0001") == "probabilistic"
    assert links["agree_birth_date"][0] == 0


def test_unknown_field_adds_no_weight() -> None:
    levels = pl.concat(
        [
            _levels(tax_frame([person(None)]), si_frame([person(None)])),
            _levels(tax_frame([person(None)]), si_frame([person(None, birth=None)])),
            _levels(tax_frame([person(None)]), si_frame([person(None, birth=date(1950, 8, 9))])),
        ]
    )
    assert levels["birth_date"].to_list() == [3, None, 0]
    model = estimate(
        levels,
        None,
        DEFAULT_COMPARISONS,
        total_pairs=3,
        max_iterations=5,
        tolerance=1e-6,
        min_pairs=500,
    )
    weights = score(levels, model)["match_weight"].to_list()
    exact_bonus = model.level_weights()["birth_date"][3]
    different_penalty = model.level_weights()["birth_date"][0]
    assert weights[0] - weights[1] == pytest.approx(exact_bonus)
    assert weights[2] - weights[1] == pytest.approx(different_penalty)


def test_pairs_with_two_different_tokens_are_at_most_review() -> None:
    # The same person under two different valid numbers (one mistyped).
    links = link(tax_frame([person("1")]), si_frame([person("2")])).links
    assert outcome_of(links, "T0001", "S0001") == "review"
    off = link(
        tax_frame([person("1")]), si_frame([person("2")]), LinkSettings(link_different_tokens=False)
    ).links
    assert outcome_of(off, "T0001", None) == "tax_only"


def test_twins_link_one_to_one_to_their_own_records() -> None:
    twin = dict(name="山田 次郎", kana="ヤマダ ジロウ")
    tax = tax_frame([person(None), person(None, **twin)])
    si = si_frame([person(None, **twin), person(None)])
    links = link(tax, si).links
    assert outcome_of(links, "T0001", "S0002") == "probabilistic"
    assert outcome_of(links, "T0002", "S0001") == "probabilistic"
    assert links.height == 2


def test_oversized_blocks_are_skipped_and_counted() -> None:
    tax = tax_frame([person(None), person(None, **OTHERS[0])])
    si = si_frame([person(None), person(None, **OTHERS[0])])
    settings = LinkSettings(blocking=(BlockingPass("sex", ("sex",)),), max_block_pairs=3)
    t, s = prepare_records(tax, "tax"), prepare_records(si, "si")
    pairs, stats = candidate_pairs(t, s, settings)
    assert pairs.is_empty()
    assert stats.blocks_skipped == 1 and stats.pairs_skipped == 4
    assert link(tax, si, settings).stats.blocking.blocks_skipped == 1


def test_too_many_candidate_pairs_stop_with_a_clear_error() -> None:
    tax = tax_frame([person(None), person(None, **OTHERS[0])])
    si = si_frame([person(None), person(None, **OTHERS[0])])
    settings = LinkSettings(blocking=(BlockingPass("sex", ("sex",)),), max_candidate_pairs=3)
    with pytest.raises(TooManyCandidatePairs, match="narrower blocking"):
        link(tax, si, settings)


@pytest.mark.parametrize(
    "change",
    [
        {"upper_threshold": 0.4, "lower_threshold": 0.5},
        {"lower_threshold": -0.1},
        {"blocking": ()},
        {"comparisons": DEFAULT_COMPARISONS + DEFAULT_COMPARISONS[:1]},
        {"identity_conflict_disagreements": 5},
        {"max_block_pairs": 0},
    ],
)
def test_inconsistent_settings_are_refused(change: dict[str, object]) -> None:
    with pytest.raises(InvalidLinkSettings):
        dataclasses.replace(LinkSettings(), **change)
