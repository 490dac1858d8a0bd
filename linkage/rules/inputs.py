"""What the rules read, prepared once: the columns they need and income per person-year.

Only pairs whose outcome is ``token``, ``probabilistic`` or ``reviewed_match`` count as
one person (``LINKED_OUTCOMES``); a person's income in a tax year is the sum of 支払金額
over all their linked tax records of that year (one person may have several payers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import polars as pl

from rlwb.linkage.errors import MissingColumns
from rlwb.linkage.outcomes import LINKED_OUTCOMES

TAX_RULE_COLUMNS: Final[dict[str, pl.DataType]] = {
    "row_number": pl.Int64(),
    "record_id": pl.String(),
    "token": pl.Binary(),
    "id_problem": pl.String(),
    "payment_amount": pl.Int64(),
    "tax_year": pl.Int32(),
    "payer_corporate_number": pl.String(),
}
SI_RULE_COLUMNS: Final[dict[str, pl.DataType]] = {
    "row_number": pl.Int64(),
    "record_id": pl.String(),
    "token": pl.Binary(),
    "id_problem": pl.String(),
    "birth_date": pl.Date(),
    "coverage_type": pl.String(),
    "relationship": pl.String(),
    "insured_record_id": pl.String(),
    "standard_monthly_remuneration": pl.Int64(),
    "coverage_start": pl.Date(),
    "coverage_end": pl.Date(),
    "employer_corporate_number": pl.String(),
}
LINK_COLUMNS: Final = ("tax_record_id", "si_record_id", "outcome")


def _columns(frame: pl.DataFrame, wanted: dict[str, pl.DataType], side: str) -> pl.DataFrame:
    """The wanted columns; an absent one is all unknown (rules then say so)."""
    if "record_id" not in frame.columns:
        raise MissingColumns(
            f"The {side} dataset has no record_id column; the rules cannot name records."
        )
    columns = []
    for name, dtype in wanted.items():
        if name in frame.columns:
            columns.append(pl.col(name).cast(dtype))
        elif name == "row_number":
            columns.append(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(name))
        else:
            columns.append(pl.lit(None, dtype).alias(name))
    return frame.select(columns)


@dataclass(frozen=True)
class RuleInputs:
    """Frames shared by the rules.

    - ``tax`` / ``si``: the columns of :data:`TAX_RULE_COLUMNS` / :data:`SI_RULE_COLUMNS`;
    - ``links``: the link table;
    - ``income``: per (si_record_id, tax_year) of linked persons: ``total`` (sum of known
      payments), ``unknown`` (a linked payment amount is unknown), ``records`` and
      ``tax_record_id`` (the first linked tax record of that year, by row number).
    """

    tax: pl.DataFrame
    si: pl.DataFrame
    links: pl.DataFrame
    income: pl.DataFrame

    @classmethod
    def build(cls, tax: pl.DataFrame, si: pl.DataFrame, links: pl.DataFrame) -> RuleInputs:
        missing = [c for c in LINK_COLUMNS if c not in links.columns]
        if missing:
            raise MissingColumns(
                f"The links table lacks columns {missing}; pass the links of linkage.link."
            )
        links = links.with_columns(pl.col(c).cast(pl.String) for c in LINK_COLUMNS)
        tax_cols = _columns(tax, TAX_RULE_COLUMNS, "tax")
        si_cols = _columns(si, SI_RULE_COLUMNS, "social-insurance")
        linked = links.filter(pl.col("outcome").is_in(LINKED_OUTCOMES)).select(
            "tax_record_id", "si_record_id"
        )
        income = (
            linked.join(
                tax_cols.select(
                    pl.col("record_id").alias("tax_record_id"),
                    "row_number",
                    "payment_amount",
                    "tax_year",
                ),
                on="tax_record_id",
                how="inner",
            )
            .sort("row_number")
            .group_by("si_record_id", "tax_year", maintain_order=True)
            .agg(
                pl.col("payment_amount").sum().alias("total"),
                pl.col("payment_amount").is_null().any().alias("unknown"),
                pl.len().alias("records"),
                pl.col("tax_record_id").first(),
            )
        )
        return cls(tax=tax_cols, si=si_cols, links=links, income=income)
