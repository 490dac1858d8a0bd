"""Clerk decisions feed the next linking run."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest

from rlwb.linkage.decisions import latest_decisions
from rlwb.linkage.errors import InvalidDecisions
from rlwb.linkage.link import link
from tests.linkage.linkframes import outcome_of, person, si_frame, tax_frame

HANAKO = dict(
    name="鈴木 花子",
    kana="スズキ ハナコ",
    sex="F",
    birth=date(1990, 2, 3),
    postal="5300001",
    address="大阪府大阪市北区梅田3-1-1",
)


def _decisions(*rows: tuple[str, str, str]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["tax_record_id", "si_record_id", "decision"], orient="row")


def _conflict() -> tuple[pl.DataFrame, pl.DataFrame]:
    """A token pair refused by identity confirmation (review)."""
    return tax_frame([person("2")]), si_frame([person("2", **HANAKO)])


def test_match_decision_turns_review_into_reviewed_match() -> None:
    tax, si = _conflict()
    links = link(tax, si, decisions=_decisions(("T0001", "S0001", "match"))).links
    assert outcome_of(links, "T0001", "S0001") == "reviewed_match"
    assert links.height == 1


def test_non_match_decision_frees_both_records() -> None:
    tax, si = _conflict()
    links = link(tax, si, decisions=_decisions(("T0001", "S0001", "non_match"))).links
    assert outcome_of(links, "T0001", "S0001") == "reviewed_non_match"
    assert outcome_of(links, "T0001", None) == "tax_only"
    assert outcome_of(links, None, "S0001") == "si_only"


def test_unsure_decision_stays_in_review() -> None:
    tax, si = _conflict()
    links = link(tax, si, decisions=_decisions(("T0001", "S0001", "unsure"))).links
    assert outcome_of(links, "T0001", "S0001") == "review"


def test_non_match_decision_overrides_a_probabilistic_link() -> None:
    tax, si = tax_frame([person(None)]), si_frame([person(None)])
    assert outcome_of(link(tax, si).links, "T0001", "S0001") == "probabilistic"
    links = link(tax, si, decisions=_decisions(("T0001", "S0001", "non_match"))).links
    assert outcome_of(links, "T0001", "S0001") == "reviewed_non_match"
    assert (
        links.filter(pl.col("outcome") == "reviewed_non_match")["match_weight"].is_not_null().all()
    )
    assert outcome_of(links, "T0001", None) == "tax_only"


def test_match_decision_links_a_pair_the_engine_would_not() -> None:
    tax = tax_frame([person(None)])
    si = si_frame([person(None, **HANAKO)])
    assert outcome_of(link(tax, si).links, "T0001", "S0001") is None
    links = link(tax, si, decisions=_decisions(("T0001", "S0001", "match"))).links
    assert outcome_of(links, "T0001", "S0001") == "reviewed_match"
    assert links.height == 1


def test_decisions_about_records_not_in_the_datasets_are_ignored() -> None:
    tax, si = _conflict()
    links = link(tax, si, decisions=_decisions(("T9999", "S0001", "match"))).links
    assert outcome_of(links, "T0001", "S0001") == "review"


def test_a_later_decision_supersedes_an_earlier_one() -> None:
    history = pl.DataFrame(
        {
            "tax_record_id": ["T0001", "T0001", "T0002"],
            "si_record_id": ["S0001", "S0001", "S0002"],
            "decision": ["match", "non_match", "unsure"],
            "decided_at": [datetime(2025, 1, 1), datetime(2025, 2, 1), datetime(2025, 1, 5)],
        }
    )
    latest = latest_decisions(history)
    assert latest.filter(pl.col("tax_record_id") == "T0001")["decision"].to_list() == ["non_match"]
    tax, si = _conflict()
    links = link(tax, si, decisions=latest).links
    assert outcome_of(links, "T0001", "S0001") == "reviewed_non_match"
    # Same timestamp: the later row wins.
    tied = history.with_columns(pl.lit(datetime(2025, 1, 1)).alias("decided_at"))
    assert latest_decisions(tied).row(0, named=True)["decision"] == "non_match"


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (_decisions(("T0001", "S0001", "maybe")), "not one of match, non_match, unsure"),
        (
            _decisions(("T0001", "S0001", "match"), ("T0001", "S0001", "non_match")),
            "latest decision per pair",
        ),
        (pl.DataFrame({"tax_record_id": ["T0001"], "decision": ["match"]}), "si_record_id"),
    ],
)
def test_malformed_decisions_raise(frame: pl.DataFrame, message: str) -> None:
    tax, si = _conflict()
    with pytest.raises(InvalidDecisions, match=message):
        link(tax, si, decisions=frame)
