"""The findings table every rule writes to.

One row per finding: ``code`` (R01..R09), ``name``, ``severity`` (high / review / info),
the record(s) it is about (``tax_record_id``, ``si_record_id``; either may be null),
``detail`` (a short sentence for the clerk: amounts and counts, never a name, an
identifier or an address) and the ``rule_version`` of the rules file that produced it.

A rule that needs a field that is unknown says "Could not be evaluated" in the detail
and uses severity ``review``: it is a prompt to look, not a verdict.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from rlwb.linkage.rules.ruleset import RuleSet

FINDINGS_SCHEMA: Final = pl.Schema(
    {
        "code": pl.String(),
        "name": pl.String(),
        "severity": pl.String(),
        "tax_record_id": pl.String(),
        "si_record_id": pl.String(),
        "detail": pl.String(),
        "rule_version": pl.String(),
    }
)

NOT_EVALUATED: Final = "Could not be evaluated"


def empty_findings() -> pl.DataFrame:
    return pl.DataFrame(schema=FINDINGS_SCHEMA)


def findings(ruleset: RuleSet, code: str, rows: pl.DataFrame) -> pl.DataFrame:
    """Findings of one rule from ``rows`` (tax_record_id, si_record_id, detail).

    Rows whose detail starts with :data:`NOT_EVALUATED` get severity ``review``.
    """
    rule = ruleset.rules[code]
    if not rows.height:
        return empty_findings()
    for column in ("tax_record_id", "si_record_id"):
        if column not in rows.columns:
            rows = rows.with_columns(pl.lit(None, pl.String).alias(column))
    return rows.select(
        pl.lit(code).alias("code"),
        pl.lit(rule.name).alias("name"),
        pl.when(pl.col("detail").str.starts_with(NOT_EVALUATED))
        .then(pl.lit("review"))
        .otherwise(pl.lit(rule.severity))
        .alias("severity"),
        pl.col("tax_record_id").cast(pl.String),
        pl.col("si_record_id").cast(pl.String),
        pl.col("detail").cast(pl.String),
        pl.lit(ruleset.version).alias("rule_version"),
    ).cast(FINDINGS_SCHEMA)


def yen(amount: int | None) -> str:
    """``1,300,000 yen``; ``an unknown amount`` for None."""
    return "an unknown amount" if amount is None else f"{amount:,} yen"
