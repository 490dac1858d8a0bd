"""R03: average monthly pay against the 標準報酬月額, by 厚生年金 grade."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from rlwb.linkage.rules import NOT_EVALUATED, evaluate, load_rules
from rlwb.linkage.rules.calendar import months_covered
from tests.linkage.linkframes import codes, links_frame, person, si_frame, tax_frame

RULES = load_rules()


def _r03(
    payment: int | None,
    standard: int | None,
    *,
    start: date | None = date(2015, 4, 1),
    end: date | None = None,
) -> pl.DataFrame:
    tax = tax_frame([person("1") | {"payment_amount": payment, "tax_year": 2025}])
    si = si_frame(
        [
            person("1")
            | {
                "standard_monthly_remuneration": standard,
                "coverage_start": start,
                "coverage_end": end,
            }
        ]
    )
    return codes(evaluate(tax, si, links_frame([("T0001", "S0001", "token")]), RULES), "R03")


def test_r03_fires_two_grades_apart_not_one() -> None:
    # 300,000 yen is grade 19 (290,000-310,000).
    one_grade = 320_000 * 12  # grade 20
    two_grades = 340_000 * 12  # grade 21
    assert _r03(one_grade, 300_000).is_empty()
    fired = _r03(two_grades, 300_000)
    assert fired.height == 1
    row = fired.row(0, named=True)
    assert row["severity"] == "review" and row["name"] == "REMUNERATION_MISMATCH"
    assert "grade 21" in row["detail"] and "grade 19" in row["detail"]
    assert (
        "Bonuses and commuting allowance make this a prompt to look, not a verdict."
        in row["detail"]
    )


def test_r03_grade_boundaries_are_inclusive_lower_bounds() -> None:
    # Grade 21 starts at 330,000 a month: 329,999 x 12 is grade 20, one grade from 19.
    assert _r03(329_999 * 12, 300_000).is_empty()
    assert _r03(330_000 * 12, 300_000).height == 1
    # Downwards too: grade 17 (250,000-270,000) is two below grade 19.
    assert _r03(269_999 * 12, 300_000).height == 1
    assert _r03(270_000 * 12, 300_000).is_empty()


def test_r03_divides_by_months_covered_in_the_year() -> None:
    # Covered from April: 9 months. 2,700,000 / 9 = 300,000 (grade 19) - no finding.
    assert _r03(2_700_000, 300_000, start=date(2025, 4, 1)).is_empty()
    # Over 12 months it would be 225,000 (grade 15): four grades apart.
    assert _r03(2_700_000, 300_000).height == 1
    # Not covered at all in 2025: nothing to compare.
    assert _r03(9_000_000, 300_000, start=date(2026, 1, 1)).is_empty()


@pytest.mark.parametrize(
    ("payment", "standard", "start", "reason"),
    [
        (3_600_000, None, date(2015, 4, 1), "標準報酬月額 is unknown"),
        (3_600_000, 300_000, None, "coverage start date"),
        (None, 300_000, date(2015, 4, 1), "payment amount is unknown"),
    ],
)
def test_r03_unknown_fields_could_not_be_evaluated(
    payment: int | None, standard: int | None, start: date | None, reason: str
) -> None:
    fired = _r03(payment, standard, start=start)
    assert fired.height == 1
    assert fired["detail"][0].startswith(NOT_EVALUATED) and reason in fired["detail"][0]
    assert fired["severity"][0] == "review"


def test_months_covered_counts_from_start_month_to_the_month_before_loss() -> None:
    frame = pl.DataFrame(
        {
            "start": [date(2015, 4, 1), date(2025, 4, 15), date(2025, 1, 1), date(2024, 1, 1)],
            "end": [None, date(2025, 10, 1), date(2025, 3, 31), date(2024, 12, 1)],
        }
    )
    months = frame.select(months_covered(pl.col("start"), pl.col("end"), pl.lit(2025)))
    assert months.to_series().to_list() == [12, 6, 2, 0]
