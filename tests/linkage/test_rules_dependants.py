"""R01 and R02: dependants' income, at and around every threshold."""

from __future__ import annotations

from datetime import date
from importlib import resources
from typing import Any

import polars as pl
import pytest

from rlwb.linkage.rules import NOT_EVALUATED, load_rules
from rlwb.linkage.rules import evaluate as evaluate_rules
from rlwb.linkage.rules.ruleset import parse_rules
from tests.linkage.linkframes import codes, links_frame, person, si_frame, tax_frame

RULES = load_rules()


def _dependant_case(
    payment: int | None,
    *,
    birth: date | None = date(1990, 5, 5),
    relationship: str | None = "子",
    tax_year: int = 2025,
    outcome: str = "token",
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """An insured person (S0001) and their dependant (S0002) whose tax record is T0001."""
    tax = tax_frame([person("2", birth=birth) | {"payment_amount": payment, "tax_year": tax_year}])
    si = si_frame(
        [
            person("1"),
            person("2", birth=birth)
            | {
                "coverage_type": "dependent",
                "relationship": relationship,
                "insured_record_id": "S0001",
                "standard_monthly_remuneration": None,
            },
        ]
    )
    links = links_frame([("T0001", "S0002", outcome), (None, "S0001", "si_only")])
    return tax, si, links


def _r01(payment: int | None, rules: Any = RULES, **kwargs: Any) -> pl.DataFrame:
    return codes(evaluate_rules(*_dependant_case(payment, **kwargs), rules), "R01")


def test_r01_fires_at_1_300_000_and_not_at_1_299_999() -> None:
    assert _r01(1_299_999).is_empty()
    fired = _r01(1_300_000)
    assert fired.height == 1
    row = fired.row(0, named=True)
    assert (row["severity"], row["tax_record_id"], row["si_record_id"]) == (
        "high",
        "T0001",
        "S0002",
    )
    assert row["name"] == "DEPENDENT_INCOME_OVER_LIMIT"
    assert "1,300,000 yen" in row["detail"] and row["rule_version"] == RULES.version


@pytest.mark.parametrize(
    ("birth", "fires"),
    [
        (date(1966, 1, 2), True),  # 59 on 31 Dec 2025: limit 1,300,000
        (date(1966, 1, 1), False),  # 60 on 31 Dec 2025 under legal age counting
        (date(1965, 12, 31), False),  # 60: limit 1,800,000
    ],
)
def test_r01_age_60_on_31_december(birth: date, fires: bool) -> None:
    assert (_r01(1_500_000, birth=birth, relationship="父").height == 1) is fires


def test_r01_age_60_limit_boundary_and_calendar_counting() -> None:
    assert _r01(1_799_999, birth=date(1965, 12, 31)).is_empty()
    assert _r01(1_800_000, birth=date(1965, 12, 31)).height == 1
    calendar = parse_rules(
        resources.files("rlwb.linkage.rules")
        .joinpath("default_rules.toml")
        .read_text("utf-8")
        .replace('counting = "japanese_legal"', 'counting = "calendar"'),
        "calendar.toml",
    )
    # Born 1 January 1966: 59 on 31 Dec 2025 by the calendar, so the 1.3M limit applies.
    assert _r01(1_500_000, calendar, birth=date(1966, 1, 1)).height == 1


def test_r01_non_spouse_19_to_22_from_2025_10_01() -> None:
    # Effective dates are compared with 31 December of the tax year.
    student = date(2005, 6, 1)  # 19 in 2024, 20 in 2025
    assert _r01(1_400_000, birth=student, tax_year=2024).height == 1  # 1.3M in 2024
    assert _r01(1_400_000, birth=student, tax_year=2025).is_empty()  # 1.5M from 2025-10-01
    assert _r01(1_499_999, birth=student, tax_year=2025).is_empty()
    assert _r01(1_500_000, birth=student, tax_year=2025).height == 1
    # A spouse of the same age keeps the general limit.
    assert _r01(1_400_000, birth=student, relationship="配偶者").height == 1
    # 23 on 31 Dec: outside 19-22, general limit.
    assert _r01(1_400_000, birth=date(2002, 6, 1)).height == 1


def test_r01_unknown_birth_date_says_could_not_be_evaluated() -> None:
    unknown = _r01(1_400_000, birth=None)
    assert unknown.height == 1
    assert unknown["detail"][0].startswith(NOT_EVALUATED)
    assert "birth date is unknown" in unknown["detail"][0]
    assert unknown["severity"][0] == "review"
    # Below every limit that could apply: nothing to say; above all of them: it fires.
    assert _r01(1_299_999, birth=None).is_empty()
    over = _r01(1_800_000, birth=None)
    assert over["severity"].to_list() == ["high"]
    assert not over["detail"][0].startswith(NOT_EVALUATED)


def test_r01_unknown_relationship_or_amount_could_not_be_evaluated() -> None:
    student = date(2005, 6, 1)
    unknown = _r01(1_400_000, birth=student, relationship=None)
    assert unknown["detail"][0].startswith(NOT_EVALUATED)
    assert "relationship" in unknown["detail"][0]
    amount = _r01(None)
    assert amount["detail"][0].startswith(NOT_EVALUATED)
    assert "payment amount is unknown" in amount["detail"][0]


@pytest.mark.parametrize("outcome", ["review", "reviewed_non_match", "tax_only"])
def test_r01_uses_linked_pairs_only(outcome: str) -> None:
    tax, si, _ = _dependant_case(2_000_000)
    links = links_frame([("T0001", "S0002", outcome)])
    assert codes(evaluate_rules(tax, si, links, RULES), "R01").is_empty()


def test_r01_sums_several_payers_in_the_year() -> None:
    tax = tax_frame(
        [
            person("2") | {"payment_amount": 700_000},
            person("2") | {"payment_amount": 600_000},
        ]
    )
    si = si_frame([person("2") | {"coverage_type": "dependent", "relationship": "子"}])
    links = links_frame([("T0001", "S0001", "token"), ("T0002", "S0001", "token")])
    fired = codes(evaluate_rules(tax, si, links, RULES), "R01")
    assert fired["tax_record_id"].to_list() == ["T0001"]
    assert "1,300,000 yen (2 tax records)" in fired["detail"][0]


def _half_case(
    insured_pay: int | None, dependant_pay: int, *, insured_linked: bool = True
) -> pl.DataFrame:
    tax = tax_frame(
        [
            person("1") | {"payment_amount": insured_pay},
            person("2", birth=date(1970, 1, 1)) | {"payment_amount": dependant_pay},
        ]
    )
    si = si_frame(
        [
            person("1"),
            person("2", birth=date(1970, 1, 1))
            | {
                "coverage_type": "dependent",
                "relationship": "配偶者",
                "insured_record_id": "S0001",
            },
        ]
    )
    rows: list[tuple[str | None, str | None, str]] = [("T0002", "S0002", "probabilistic")]
    rows.append(("T0001", "S0001", "token") if insured_linked else ("T0001", None, "tax_only"))
    return codes(evaluate_rules(tax, si, links_frame(rows), RULES), "R02")


def test_r02_fires_at_exactly_half_of_the_insured_income() -> None:
    assert _half_case(2_000_000, 999_999).is_empty()
    fired = _half_case(2_000_000, 1_000_000)
    assert fired.height == 1
    row = fired.row(0, named=True)
    assert (row["severity"], row["tax_record_id"], row["si_record_id"]) == (
        "review",
        "T0002",
        "S0002",
    )
    assert "at least half" in row["detail"]


def test_r02_without_the_insured_income_could_not_be_evaluated() -> None:
    fired = _half_case(2_000_000, 1_000_000, insured_linked=False)
    assert fired["detail"][0].startswith(NOT_EVALUATED)
    unknown = _half_case(None, 900_000)
    assert unknown["detail"][0].startswith(NOT_EVALUATED)
    assert "unknown" in unknown["detail"][0]
