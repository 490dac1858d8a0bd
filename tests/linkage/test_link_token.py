"""Token join and identity confirmation."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from rlwb.linkage.errors import DatasetKeyVersionMismatch
from rlwb.linkage.link import LINK_SCHEMA, link
from tests.linkage.linkframes import outcome_of, person, si_frame, tax_frame

HANAKO = {
    "name": "鈴木 花子",
    "kana": "スズキ ハナコ",
    "sex": "F",
    "birth": date(1990, 2, 3),
    "postal": "5300001",
    "address": "大阪府大阪市北区梅田3-1-1",
}


def test_links_have_the_documented_schema_and_every_record_once() -> None:
    sato = dict(
        name="佐藤 一郎",
        kana="サトウ イチロウ",
        birth=date(1960, 5, 5),
        postal="9800001",
        address="宮城県仙台市青葉区中央1-1",
    )
    tanaka = dict(
        name="田中 一",
        kana="タナカ ハジメ",
        birth=date(2001, 7, 7),
        postal="8100001",
        address="福岡県福岡市中央区天神2-2",
    )
    tax = tax_frame([person("1"), person("2", **HANAKO), person("3", **sato)])
    si = si_frame([person("1"), person("2", **HANAKO), person("4", **tanaka)])
    links = link(tax, si).links
    assert links.schema == LINK_SCHEMA
    assert outcome_of(links, "T0001", "S0001") == "token"
    assert outcome_of(links, "T0002", "S0002") == "token"
    assert outcome_of(links, "T0003", None) == "tax_only"
    assert outcome_of(links, None, "S0003") == "si_only"
    assert sorted(links["tax_record_id"].drop_nulls().to_list()) == ["T0001", "T0002", "T0003"]
    assert sorted(links["si_record_id"].drop_nulls().to_list()) == ["S0001", "S0002", "S0003"]
    token_rows = links.filter(pl.col("outcome") == "token")
    assert token_rows["token_match"].all()
    assert (
        token_rows.select("agree_name", "agree_birth_date", "agree_sex", "agree_address")
        .to_numpy()
        .min()
        == 1
    )


def test_identity_conflict_goes_to_review_never_token() -> None:
    # Hanako's number typed on Taro's tax record: name, birth date and sex disagree.
    tax = tax_frame([person("2")])
    si = si_frame([person("2", **HANAKO)])
    links = link(tax, si).links
    row = links.filter(pl.col("tax_record_id") == "T0001")
    assert row["outcome"].to_list() == ["review"]
    assert row["identity_conflict"].to_list() == [True]
    assert row["agree_name"][0] == 0 and row["agree_sex"][0] == 0
    # A record in a review pair is not also listed as unpaired.
    assert links.filter(pl.col("outcome").is_in(["tax_only", "si_only"])).is_empty()


def test_one_disagreeing_item_is_still_a_token_match() -> None:
    moved = dict(postal="0600001", address="北海道札幌市中央区北1条西2-1")
    links = link(tax_frame([person("1")]), si_frame([person("1", **moved)])).links
    assert outcome_of(links, "T0001", "S0001") == "token"
    assert links["agree_address"][0] == 0
    assert links["identity_conflict"][0] is False


def test_unknown_items_neither_agree_nor_disagree() -> None:
    # Birth date, sex and address unknown on one side, name differs: only one
    # disagreement can be counted, so the token match stands.
    bare = dict(
        name="山田 次郎", kana="ヤマダ ジロウ", birth=None, sex=None, postal=None, address=None
    )
    links = link(tax_frame([person("1")]), si_frame([person("1", **bare)])).links
    row = links.row(0, named=True)
    assert row["outcome"] == "token"
    assert row["agree_name"] == 0
    assert row["agree_birth_date"] is None
    assert row["agree_sex"] is None
    assert row["agree_address"] is None


def test_refused_token_match_person_is_found_by_probabilistic_pass() -> None:
    # Taro's tax record carries Hanako's number by mistake. Taro's SI record has no
    # number; Hanako's SI record has hers. The token pair is refused (R04 review) and
    # Taro is still found by the probabilistic pass.
    tax = tax_frame([person("2")])
    si = si_frame([person("2", **HANAKO), person(None)])
    links = link(tax, si).links
    assert outcome_of(links, "T0001", "S0001") == "review"
    assert outcome_of(links, "T0001", "S0002") == "probabilistic"
    # Hanako's SI record is in the review pair only, not listed as si_only.
    assert outcome_of(links, None, "S0001") is None


def test_several_payers_of_one_person_all_link_by_token() -> None:
    tax = tax_frame([person("1"), person("1", name="山田 太郎")])
    links = link(tax, si_frame([person("1")])).links
    assert outcome_of(links, "T0001", "S0001") == "token"
    assert outcome_of(links, "T0002", "S0001") == "token"


def test_different_token_versions_raise_instead_of_matching_nothing() -> None:
    with pytest.raises(DatasetKeyVersionMismatch, match=r"version 1.*version 2"):
        link(tax_frame([person("1")], version=1), si_frame([person("1")], version=2))


def test_mixed_token_versions_in_one_dataset_raise() -> None:
    tax = tax_frame([person("1"), person("2", **HANAKO)]).with_columns(
        pl.Series("token_version", [1, 2], dtype=pl.Int32)
    )
    with pytest.raises(DatasetKeyVersionMismatch, match="mixes tokens of key versions 1, 2"):
        link(tax, si_frame([person("1")]))


def test_a_dataset_without_tokens_needs_no_version() -> None:
    tax = tax_frame([person(None)]).with_columns(pl.lit(None, pl.Int32).alias("token_version"))
    links = link(tax, si_frame([person("1")], version=3)).links
    assert outcome_of(links, "T0001", "S0001") == "probabilistic"
