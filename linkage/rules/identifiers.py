"""R04, R05 and R06: findings about the identifiers themselves.

R04 IDENTITY_CONFLICT: a token match whose identity check failed (``identity_conflict``
in the links; whatever a clerk later decided, the conflict in the data stays a finding
until the clerk closes it).
R05 DUPLICATE_IDENTIFIER: within one extract, one token on two or more records whose
identities differ (the identity check of ``linkage.identity`` with the rules file's
``[identity]`` settings). One finding per record involved.
R06 INVALID_IDENTIFIER: a record whose 個人番号 was missing, malformed or failed its
check digit (the kind is recorded, never the value).
"""

from __future__ import annotations

from typing import Final

import polars as pl

from rlwb.linkage.identity import identity_agreement
from rlwb.linkage.records import INDEX, prepare_records
from rlwb.linkage.rules.findings import empty_findings, findings
from rlwb.linkage.rules.inputs import RuleInputs
from rlwb.linkage.rules.ruleset import RuleSet

_ITEMS: Final = {
    "agree_name": "name",
    "agree_birth_date": "birth date",
    "agree_sex": "sex",
    "agree_address": "address",
}
_PROBLEMS: Final = {
    "missing": "No 個人番号 was given",
    "malformed": "The 個人番号 is malformed",
    "check_digit": "The 個人番号 fails its check digit",
}
#: Larger groups of records sharing one token are flagged without pairwise checks.
MAX_GROUP_CHECKED: Final = 20


def identity_conflict(inputs: RuleInputs, ruleset: RuleSet) -> pl.DataFrame:
    """R04 findings."""
    links = inputs.links
    if "identity_conflict" not in links.columns:
        return empty_findings()
    conflicts = links.filter(pl.col("identity_conflict").fill_null(False))
    if not conflicts.height:
        return empty_findings()
    details = []
    for row in conflicts.iter_rows(named=True):
        items = [label for column, label in _ITEMS.items() if row.get(column) == 0]
        details.append(
            f"The identifier tokens match but {len(items)} of name, birth date, sex and "
            f"address disagree ({', '.join(items)}); check whose 個人番号 each record holds "
            "before accepting the match."
        )
    rows = conflicts.select("tax_record_id", "si_record_id").with_columns(
        pl.Series("detail", details, dtype=pl.String)
    )
    return findings(ruleset, "R04", rows)


def _conflicting_records(frame: pl.DataFrame, ruleset: RuleSet, side: str) -> pl.DataFrame:
    """(record_id, group size) of records sharing a token with a different identity."""
    shared = frame.filter(pl.col("token").is_not_null() & pl.col("token").is_duplicated())
    if not shared.height:
        return pl.DataFrame(schema={"record_id": pl.String, "records": pl.UInt32})
    records = prepare_records(shared, side).with_columns(pl.len().over("token").alias("records"))
    large = records.filter(pl.col("records") > MAX_GROUP_CHECKED).select("record_id", "records")
    small = records.filter(pl.col("records") <= MAX_GROUP_CHECKED)
    pairs = (
        small.select(INDEX, "token")
        .join(small.select(pl.col(INDEX).alias("other"), "token"), on="token")
        .filter(pl.col(INDEX) < pl.col("other"))
    )
    agreement = identity_agreement(
        records,
        records,
        pairs[INDEX],
        pairs["other"],
        name_similarity=ruleset.identity.name_similarity,
        address_similarity=ruleset.identity.address_similarity,
    )
    conflicting = pairs.filter(
        agreement["identity_disagreements"] >= ruleset.identity.conflict_disagreements
    )
    involved = pl.concat([conflicting[INDEX], conflicting["other"]]).unique()
    flagged = records.filter(pl.col(INDEX).is_in(involved.implode())).select("record_id", "records")
    return pl.concat([flagged, large]).unique("record_id")


def duplicate_identifier(tax: pl.DataFrame, si: pl.DataFrame, ruleset: RuleSet) -> pl.DataFrame:
    """R05 findings; ``tax`` and ``si`` are the full datasets (names, addresses)."""
    parts = []
    for frame, side, id_column, label in (
        (tax, "tax", "tax_record_id", "tax"),
        (si, "si", "si_record_id", "social-insurance"),
    ):
        if "token" not in frame.columns:
            continue
        flagged = _conflicting_records(frame, ruleset, side)
        if not flagged.height:
            continue
        rows = flagged.select(
            pl.col("record_id").alias(id_column),
            pl.format(
                "The same identifier token is on {} records of the {} extract whose "
                "identities differ; at most one of them can hold this 個人番号.",
                pl.col("records"),
                pl.lit(label),
            ).alias("detail"),
        )
        parts.append(findings(ruleset, "R05", rows))
    return pl.concat(parts) if parts else empty_findings()


def invalid_identifier(inputs: RuleInputs, ruleset: RuleSet) -> pl.DataFrame:
    """R06 findings."""
    parts = []
    for frame, id_column in ((inputs.tax, "tax_record_id"), (inputs.si, "si_record_id")):
        problems = frame.filter(pl.col("id_problem").is_not_null())
        if not problems.height:
            continue
        rows = problems.select(
            pl.col("record_id").alias(id_column),
            pl.format(
                "{}; the record was linked without a token.",
                pl.col("id_problem").replace_strict(
                    _PROBLEMS, default="The 個人番号 is not usable", return_dtype=pl.String
                ),
            ).alias("detail"),
        )
        parts.append(findings(ruleset, "R06", rows))
    return pl.concat(parts) if parts else empty_findings()
