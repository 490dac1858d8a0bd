"""R03 REMUNERATION_MISMATCH: tax income against the 標準報酬月額 of an insured person.

The insured person's linked 支払金額 in a tax year, divided by the months covered in
that year, is placed in the 厚生年金 grade table, as is their 標準報酬月額; grades at
least ``grade_distance`` apart fire. Bonuses are in 支払金額 but not in 標準報酬月額,
and commuting allowance the other way round, so the finding says it is a prompt to
look, not a verdict.

Grades are compared in integers: monthly pay ``p`` is in a grade from ``pay_from`` when
``total >= pay_from * months``, so no rounding decides a boundary.
"""

from __future__ import annotations

from typing import Any, Final

import polars as pl

from rlwb.linkage.rules.calendar import months_covered, year_end
from rlwb.linkage.rules.findings import NOT_EVALUATED, empty_findings, findings, yen
from rlwb.linkage.rules.inputs import RuleInputs
from rlwb.linkage.rules.ruleset import GradeTable, RuleSet

PROMPT: Final = "Bonuses and commuting allowance make this a prompt to look, not a verdict."


def _grade(amount: pl.Expr, months: pl.Expr, table: GradeTable) -> pl.Expr:
    return pl.sum_horizontal(
        [(amount >= pl.lit(g.pay_from, pl.Int64) * months).cast(pl.Int32) for g in table.grades[1:]]
    ) + pl.lit(1, pl.Int32)


def _detail(row: dict[str, Any], distance_needed: int) -> str | None:
    year = row["tax_year"]
    if year is None:
        return f"{NOT_EVALUATED}: the tax year of the linked tax record is unknown."
    if row["months"] == 0:
        return None  # not covered in that year: nothing to compare
    reasons = []
    if row["unknown"]:
        reasons.append("a linked payment amount is unknown")
    if row["months"] is None:
        reasons.append("the coverage start date (資格取得年月日) is unknown")
    if row["standard_monthly_remuneration"] is None:
        reasons.append("the 標準報酬月額 is unknown")
    if row["no_table"]:
        reasons.append(f"no grade table is in force for {year}")
    if reasons:
        return f"{NOT_EVALUATED}: {'; '.join(reasons)}."
    distance = abs(row["pay_grade"] - row["standard_grade"])
    if distance < distance_needed:
        return None
    total, months = int(row["total"]), int(row["months"])
    return (
        f"Tax payments in {year} of {yen(total)} over {months} covered month"
        f"{'s' if months > 1 else ''} average about {yen(total // months)} a month "
        f"(grade {row['pay_grade']}); the 標準報酬月額 of "
        f"{yen(row['standard_monthly_remuneration'])} is grade {row['standard_grade']}: "
        f"{distance} grades apart. {PROMPT}"
    )


def remuneration_mismatch(inputs: RuleInputs, ruleset: RuleSet) -> pl.DataFrame:
    """R03 findings."""
    insured = inputs.si.filter(pl.col("coverage_type") == "insured").select(
        pl.col("record_id").alias("si_record_id"),
        "standard_monthly_remuneration",
        "coverage_start",
        "coverage_end",
    )
    rows = inputs.income.join(insured, on="si_record_id", how="inner").with_columns(
        months_covered(pl.col("coverage_start"), pl.col("coverage_end"), pl.col("tax_year"))
        .cast(pl.Int64)
        .alias("months")
    )
    if not rows.height:
        return empty_findings()
    parts = []
    for (year,), part in rows.group_by("tax_year"):
        table = ruleset.grade_table(year_end(int(year))) if year is not None else None
        if table is None:
            part = part.with_columns(
                pl.lit(None, pl.Int32).alias("pay_grade"),
                pl.lit(None, pl.Int32).alias("standard_grade"),
                pl.lit(year is not None).alias("no_table"),
            )
        else:
            part = part.with_columns(
                _grade(pl.col("total"), pl.col("months"), table).alias("pay_grade"),
                _grade(pl.col("standard_monthly_remuneration"), pl.lit(1, pl.Int64), table).alias(
                    "standard_grade"
                ),
                pl.lit(False).alias("no_table"),
            )
        parts.append(part)
    graded = pl.concat(parts)
    # Python only for rows that may produce a finding: unknowns or grades far apart.
    candidates = graded.filter(
        pl.col("tax_year").is_null()
        | pl.col("unknown")
        | pl.col("months").is_null()
        | pl.col("standard_monthly_remuneration").is_null()
        | pl.col("no_table")
        | ((pl.col("pay_grade") - pl.col("standard_grade")).abs() >= ruleset.grade_distance)
    )
    if not candidates.height:
        return empty_findings()
    details = [_detail(row, ruleset.grade_distance) for row in candidates.iter_rows(named=True)]
    fired = candidates.with_columns(pl.Series("detail", details, dtype=pl.String)).filter(
        pl.col("detail").is_not_null()
    )
    return findings(ruleset, "R03", fired)
