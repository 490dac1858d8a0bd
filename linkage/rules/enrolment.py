"""R07, R08 and R09: enrolment in social insurance, seen from unpaired records.

R07 POSSIBLY_UNENROLLED: a ``tax_only`` payee paid at least the threshold in a tax year
by a corporation that has insured employees in the social-insurance extract.
R08 EMPLOYER_NOT_ENROLLED: a corporate payer (valid 法人番号) paying salary in the tax
extract with no social-insurance record at all. One finding per payer, on its first
tax record (by row number), so it stays the same finding from run to run.
R09 SI_WITHOUT_TAX: an ``si_only`` insured person covered during a tax year of the tax
extract.

Payers without a corporate number are not corporations as far as the extract shows,
so R07 and R08 leave them alone.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from rlwb.linkage.outcomes import LinkOutcome
from rlwb.linkage.rules.calendar import months_covered, year_end
from rlwb.linkage.rules.findings import NOT_EVALUATED, empty_findings, findings, yen
from rlwb.linkage.rules.inputs import RuleInputs
from rlwb.linkage.rules.ruleset import RuleSet


def _r07_row(ruleset: RuleSet, row: dict[str, Any]) -> str | None:
    year, amount = row["tax_year"], row["payment_amount"]
    if year is None:
        return f"{NOT_EVALUATED}: the tax year is unknown."
    threshold = ruleset.unenrolled_threshold(year_end(year))
    if threshold is None:
        return None
    if amount is None:
        return (
            f"{NOT_EVALUATED}: the payment amount is unknown; the payer is a corporation "
            "with insured employees and no social-insurance record of this person was found."
        )
    if amount < threshold:
        return None
    return (
        f"Paid {yen(amount)} in {year} (threshold {yen(threshold)}) by a corporation with "
        "insured employees in the social-insurance extract, but no social-insurance record "
        "of this person was found; check whether they should be enrolled."
    )


def possibly_unenrolled(inputs: RuleInputs, ruleset: RuleSet) -> pl.DataFrame:
    """R07 findings."""
    employers = (
        inputs.si.filter(
            (pl.col("coverage_type") == "insured")
            & pl.col("employer_corporate_number").is_not_null()
        )
        .select(pl.col("employer_corporate_number").alias("payer_corporate_number"))
        .unique()
    )
    unpaired = inputs.links.filter(pl.col("outcome") == LinkOutcome.TAX_ONLY).select(
        "tax_record_id"
    )
    rows = (
        inputs.tax.rename({"record_id": "tax_record_id"})
        .join(unpaired, on="tax_record_id", how="semi")
        .join(employers, on="payer_corporate_number", how="semi")
    )
    if not rows.height:
        return empty_findings()
    details = [_r07_row(ruleset, row) for row in rows.iter_rows(named=True)]
    fired = rows.with_columns(pl.Series("detail", details, dtype=pl.String)).filter(
        pl.col("detail").is_not_null()
    )
    return findings(ruleset, "R07", fired)


def employer_not_enrolled(inputs: RuleInputs, ruleset: RuleSet) -> pl.DataFrame:
    """R08 findings."""
    payers = (
        inputs.tax.filter(
            pl.col("payer_corporate_number").is_not_null()
            & (pl.col("payment_amount").is_null() | (pl.col("payment_amount") > 0))
        )
        .sort("row_number")
        .group_by("payer_corporate_number", maintain_order=True)
        .agg(pl.col("record_id").first().alias("tax_record_id"), pl.len().alias("payees"))
    )
    if not payers.height:
        return empty_findings()
    employers = inputs.si.filter(pl.col("employer_corporate_number").is_not_null())
    if not employers.height:
        rows = payers.with_columns(
            pl.lit(
                f"{NOT_EVALUATED}: the social-insurance extract records no employer corporate "
                "numbers (事業所法人番号), so enrolment of this record's payer cannot be checked."
            ).alias("detail")
        )
        return findings(ruleset, "R08", rows)
    missing = payers.join(
        employers.select(
            pl.col("employer_corporate_number").alias("payer_corporate_number")
        ).unique(),
        on="payer_corporate_number",
        how="anti",
    )
    rows = missing.select(
        "tax_record_id",
        pl.format(
            "The payer of this record, a corporation, pays salary to {} payee(s) in the tax "
            "extract but has no social-insurance records at all; corporations must enrol "
            "from the first employee.",
            pl.col("payees"),
        ).alias("detail"),
    )
    return findings(ruleset, "R08", rows)


def si_without_tax(inputs: RuleInputs, ruleset: RuleSet) -> pl.DataFrame:
    """R09 findings."""
    unpaired = inputs.links.filter(pl.col("outcome") == LinkOutcome.SI_ONLY).select("si_record_id")
    insured = (
        inputs.si.rename({"record_id": "si_record_id"})
        .join(unpaired, on="si_record_id", how="semi")
        .filter(pl.col("coverage_type") == "insured")
    )
    if not insured.height:
        return empty_findings()
    years = sorted(int(y) for y in inputs.tax["tax_year"].drop_nulls().unique().to_list())
    if not years:
        rows = insured.select(
            "si_record_id",
            pl.lit("Insured, but no tax record of this person was found in the tax extract.").alias(
                "detail"
            ),
        )
        return findings(ruleset, "R09", rows)
    covered = [
        pl.when(
            pl.col("coverage_start").is_null()
            | (months_covered(pl.col("coverage_start"), pl.col("coverage_end"), pl.lit(y)) > 0)
        ).then(pl.lit(str(y)))
        for y in years
    ]
    rows = (
        insured.with_columns(pl.concat_list(covered).list.drop_nulls().alias("years"))
        .filter(pl.col("years").list.len() > 0)
        .select(
            "si_record_id",
            pl.format(
                "Insured during {} but no tax record of this person was found in the tax extract.",
                pl.col("years").list.join(", "),
            ).alias("detail"),
        )
    )
    return findings(ruleset, "R09", rows)
