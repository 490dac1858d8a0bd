"""R07, R08, R09: enrolment seen from unpaired records."""

from __future__ import annotations

from datetime import date

import polars as pl

from rlwb.linkage.rules import NOT_EVALUATED, evaluate, load_rules
from tests.linkage.linkframes import (
    EMPLOYER,
    OTHER_EMPLOYER,
    codes,
    links_frame,
    person,
    si_frame,
    tax_frame,
)

RULES = load_rules()
COLLEAGUE = person("9", name="田中 一", kana="タナカ ハジメ", birth=date(1975, 3, 3))


def _r07(
    payment: int | None, *, outcome: str = "tax_only", payer: str | None = EMPLOYER
) -> pl.DataFrame:
    tax = tax_frame([person("1") | {"payment_amount": payment, "payer_corporate_number": payer}])
    si = si_frame([COLLEAGUE])  # the payer has an insured employee
    rows: list[tuple[str | None, str | None, str]] = [(None, "S0001", "si_only")]
    rows.append(("T0001", None, outcome) if outcome == "tax_only" else ("T0001", "S0001", outcome))
    return codes(evaluate(tax, si, links_frame(rows), RULES), "R07")


def test_r07_fires_at_1_060_000_not_at_1_059_999() -> None:
    assert _r07(1_059_999).is_empty()
    fired = _r07(1_060_000)
    assert fired.select("tax_record_id", "si_record_id").rows() == [("T0001", None)]
    assert fired["severity"][0] == "review"
    assert "1,060,000 yen" in fired["detail"][0]


def test_r07_needs_an_unpaired_payee_of_an_enrolled_corporation() -> None:
    assert _r07(2_000_000, outcome="token").is_empty()
    assert _r07(2_000_000, payer=OTHER_EMPLOYER).is_empty()
    assert _r07(2_000_000, payer=None).is_empty()
    unknown = _r07(None)
    assert unknown["detail"][0].startswith(NOT_EVALUATED)


def test_r08_fires_once_per_corporate_payer_without_any_si_record() -> None:
    tax = tax_frame(
        [
            person("1") | {"payer_corporate_number": OTHER_EMPLOYER},
            person("2", name="佐藤 一郎") | {"payer_corporate_number": OTHER_EMPLOYER},
            person("3", name="田中 一") | {"payer_corporate_number": EMPLOYER},
            person("4", name="高橋 三郎") | {"payer_corporate_number": None},
        ]
    )
    si = si_frame([COLLEAGUE])
    links = links_frame(
        [(f"T000{n}", None, "tax_only") for n in range(1, 5)] + [(None, "S0001", "si_only")]
    )
    fired = codes(evaluate(tax, si, links, RULES), "R08")
    assert fired.select("tax_record_id", "si_record_id").rows() == [("T0001", None)]
    assert fired["severity"][0] == "high"
    assert "2 payee(s)" in fired["detail"][0]
    assert "enrol from the first employee" in fired["detail"][0]


def test_r08_does_not_fire_when_the_payer_has_si_records() -> None:
    tax = tax_frame([person("1")])
    si = si_frame([person("1")])
    links = links_frame([("T0001", "S0001", "token")])
    assert codes(evaluate(tax, si, links, RULES), "R08").is_empty()


def test_r09_fires_for_insured_without_tax_record_covered_in_the_year() -> None:
    tax = tax_frame([person("1") | {"tax_year": 2025}])
    si = si_frame(
        [
            person("1"),
            person("2", name="佐藤 一郎"),  # insured, no tax record
            person("3", name="佐藤 花子") | {"coverage_type": "dependent"},  # dependant: no R09
            person("4", name="田中 一") | {"coverage_end": date(2024, 6, 1)},  # left before 2025
            person("5", name="高橋 三郎") | {"coverage_start": None},  # coverage unknown: fires
        ]
    )
    links = links_frame(
        [("T0001", "S0001", "token")] + [(None, f"S000{n}", "si_only") for n in range(2, 6)]
    )
    fired = codes(evaluate(tax, si, links, RULES), "R09")
    assert fired["si_record_id"].to_list() == ["S0002", "S0005"]
    assert set(fired["severity"]) == {"info"}
    assert "during 2025" in fired["detail"][0]
