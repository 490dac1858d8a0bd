"""R01 and R02: income of social-insurance dependants (被扶養者).

R01 DEPENDENT_INCOME_OVER_LIMIT: a dependant's linked income in a tax year is at or
above the limit that applies to them (age on 31 December, spouse or not, effective
dates: see the rules file). When the age or relationship is unknown the rule still
decides where every possible limit gives the same answer, and otherwise says it could
not be evaluated.

R02 DEPENDENT_INCOME_OVER_HALF: a dependant's income is at least the configured fraction
(half) of the income of their insured person (被保険者整理番号) in the same tax year.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from rlwb.linkage.rules.calendar import age_at_year_end, year_end
from rlwb.linkage.rules.findings import NOT_EVALUATED, empty_findings, findings, yen
from rlwb.linkage.rules.inputs import RuleInputs
from rlwb.linkage.rules.ruleset import IncomeLimit, RuleSet


def _possible_limits(
    ruleset: RuleSet, tax_year: int, age: int | None, spouse: bool | None
) -> list[IncomeLimit]:
    """The limits that could apply, over every value an unknown age or relationship
    could take."""
    if age is None:
        ages = {0, 120}
        for entry in ruleset.dependent_income_limits:
            for bound in (entry.min_age, entry.max_age):
                if bound is not None:
                    ages.update({bound - 1, bound, bound + 1})
        candidates = sorted(a for a in ages if a >= 0)
    else:
        candidates = [age]
    relationships = [spouse] if spouse is not None else [True, False]
    on = year_end(tax_year)
    limits = (ruleset.income_limit(on, a, s) for a in candidates for s in relationships)
    return [limit for limit in limits if limit is not None]


def _r01_row(ruleset: RuleSet, row: dict[str, Any]) -> str | None:
    year = row["tax_year"]
    total = int(row["total"] or 0)
    if year is None:
        return f"{NOT_EVALUATED}: the tax year of the linked tax record is unknown."
    limits = _possible_limits(ruleset, year, row["age"], row["spouse"])
    if not limits:
        return None
    lowest = min(limits, key=lambda e: e.limit)
    highest = max(limits, key=lambda e: e.limit)
    records = f"{row['records']} tax record{'s' if row['records'] > 1 else ''}"
    if total >= highest.limit:
        if lowest.limit == highest.limit:
            limit_text = f"the {yen(highest.limit)} limit {highest.describe()}"
        else:
            limit_text = f"every limit that could apply (up to {yen(highest.limit)})"
        return (
            f"Income of this 被扶養者 in {year} is {yen(total)} ({records}), at or above "
            f"{limit_text}."
        )
    if total < lowest.limit and not row["unknown"]:
        return None
    reasons = []
    if row["unknown"]:
        reasons.append("a linked payment amount is unknown")
    if row["age"] is None:
        reasons.append("the birth date is unknown and the limit depends on age")
    if row["spouse"] is None:
        reasons.append("the relationship (続柄) is unknown and the limit depends on it")
    if lowest.limit == highest.limit:
        limit_text = f"the limit is {yen(lowest.limit)}"
    else:
        limit_text = f"the limit is between {yen(lowest.limit)} and {yen(highest.limit)}"
    return (
        f"{NOT_EVALUATED}: {'; '.join(reasons)}. Known income in {year} is {yen(total)} "
        f"({records}); {limit_text}."
    )


def dependent_income_over_limit(inputs: RuleInputs, ruleset: RuleSet) -> pl.DataFrame:
    """R01 findings."""
    dependants = inputs.si.filter(pl.col("coverage_type") == "dependent").select(
        pl.col("record_id").alias("si_record_id"), "birth_date", "relationship"
    )
    rows = inputs.income.join(dependants, on="si_record_id", how="inner").with_columns(
        age_at_year_end(pl.col("birth_date"), pl.col("tax_year"), ruleset.age_counting).alias(
            "age"
        ),
        pl.when(pl.col("relationship").is_null())
        .then(None)
        .otherwise(pl.col("relationship").is_in(sorted(ruleset.spouse_relationships)))
        .alias("spouse"),
    )
    if not rows.height:
        return empty_findings()
    details = [_r01_row(ruleset, row) for row in rows.iter_rows(named=True)]
    fired = rows.with_columns(pl.Series("detail", details, dtype=pl.String)).filter(
        pl.col("detail").is_not_null()
    )
    return findings(ruleset, "R01", fired)


def _r02_row(ruleset: RuleSet, row: dict[str, Any]) -> str | None:
    numerator, denominator = ruleset.half_income_fraction
    year = row["tax_year"]
    dependant = int(row["total"] or 0)
    share = "half" if (numerator, denominator) == (1, 2) else f"{numerator}/{denominator}"
    if year is None:
        return f"{NOT_EVALUATED}: the tax year of the linked tax record is unknown."
    if row["insured_record_id"] is None or not row["insured_known"]:
        return (
            f"{NOT_EVALUATED}: the insured person (被保険者整理番号) of this 被扶養者 is not in "
            "the social-insurance extract."
        )
    if row["insured_total"] is None:
        return (
            f"{NOT_EVALUATED}: the insured person has no linked tax record for {year}; "
            f"this 被扶養者's income is {yen(dependant)}."
        )
    insured = int(row["insured_total"])
    if row["insured_unknown"]:
        return (
            f"{NOT_EVALUATED}: a payment amount of the insured person in {year} is unknown; "
            f"this 被扶養者's income is {yen(dependant)}."
        )
    if dependant * denominator >= insured * numerator:
        return (
            f"Income of this 被扶養者 in {year} is {yen(dependant)}, at least {share} of "
            f"the insured person's {yen(insured)}."
        )
    if row["unknown"]:
        return (
            f"{NOT_EVALUATED}: a payment amount of this 被扶養者 in {year} is unknown; known "
            f"income is {yen(dependant)} against the insured person's {yen(insured)}."
        )
    return None


def dependent_income_over_half(inputs: RuleInputs, ruleset: RuleSet) -> pl.DataFrame:
    """R02 findings."""
    dependants = inputs.si.filter(pl.col("coverage_type") == "dependent").select(
        pl.col("record_id").alias("si_record_id"), "insured_record_id"
    )
    known_records = inputs.si.select(pl.col("record_id").alias("insured_record_id")).with_columns(
        pl.lit(True).alias("insured_known")
    )
    insured_income = inputs.income.select(
        pl.col("si_record_id").alias("insured_record_id"),
        "tax_year",
        pl.col("total").alias("insured_total"),
        pl.col("unknown").alias("insured_unknown"),
    )
    rows = (
        inputs.income.filter((pl.col("total") > 0) | pl.col("unknown"))
        .join(dependants, on="si_record_id", how="inner")
        .join(known_records, on="insured_record_id", how="left")
        .join(insured_income, on=["insured_record_id", "tax_year"], how="left")
        .with_columns(pl.col("insured_known").fill_null(False))
    )
    if not rows.height:
        return empty_findings()
    details = [_r02_row(ruleset, row) for row in rows.iter_rows(named=True)]
    fired = rows.with_columns(pl.Series("detail", details, dtype=pl.String)).filter(
        pl.col("detail").is_not_null()
    )
    return findings(ruleset, "R02", fired)
