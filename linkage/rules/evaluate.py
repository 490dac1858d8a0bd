"""Run every enabled rule over two datasets and their links."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from rlwb.linkage.progress import CancelToken, ProgressCallback, no_progress
from rlwb.linkage.rules.dependants import dependent_income_over_half, dependent_income_over_limit
from rlwb.linkage.rules.enrolment import employer_not_enrolled, possibly_unenrolled, si_without_tax
from rlwb.linkage.rules.findings import FINDINGS_SCHEMA, empty_findings
from rlwb.linkage.rules.identifiers import (
    duplicate_identifier,
    identity_conflict,
    invalid_identifier,
)
from rlwb.linkage.rules.inputs import RuleInputs
from rlwb.linkage.rules.remuneration import remuneration_mismatch
from rlwb.linkage.rules.ruleset import RuleSet

_PAIR_RULES: dict[str, Callable[[RuleInputs, RuleSet], pl.DataFrame]] = {
    "R01": dependent_income_over_limit,
    "R02": dependent_income_over_half,
    "R03": remuneration_mismatch,
    "R04": identity_conflict,
    "R06": invalid_identifier,
    "R07": possibly_unenrolled,
    "R08": employer_not_enrolled,
    "R09": si_without_tax,
}


def evaluate(
    tax: pl.DataFrame,
    si: pl.DataFrame,
    links: pl.DataFrame,
    ruleset: RuleSet,
    *,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> pl.DataFrame:
    """Findings (columns of ``FINDINGS_SCHEMA``) of every enabled rule, sorted by code
    and record ids.

    ``tax`` and ``si`` are the stored datasets, ``links`` the table of
    ``linkage.link.link``.
    """
    inputs = RuleInputs.build(tax, si, links)
    codes = [code for code in ruleset.rules if ruleset.enabled(code)]
    parts = [empty_findings()]
    for done, code in enumerate(codes):
        if cancel is not None:
            cancel.raise_if_cancelled()
        progress(f"Rule {code}", done / max(len(codes), 1))
        if code == "R05":
            parts.append(duplicate_identifier(tax, si, ruleset))
        else:
            parts.append(_PAIR_RULES[code](inputs, ruleset))
    progress("Rules done", 1.0)
    return (
        pl.concat(parts)
        .cast(FINDINGS_SCHEMA)
        .sort(["code", "tax_record_id", "si_record_id"], nulls_last=True)
    )
