"""Exact join of two datasets on their identifier tokens.

Tokens are comparable only within one key version (docs/tokens.md): comparing a
version-1 token with a version-2 token finds nothing, which would look like "nobody
matches". So the versions are checked first and a difference is an error, never an
empty result.
"""

from __future__ import annotations

import polars as pl

from rlwb.linkage.errors import DatasetKeyVersionMismatch
from rlwb.linkage.records import INDEX


def _token_version(records: pl.DataFrame, side: str) -> int | None:
    """The one key version of the dataset's tokens, or None when it has no tokens."""
    versions = records.filter(pl.col("token").is_not_null())["token_version"]
    if versions.is_empty():
        return None
    if versions.null_count():
        raise DatasetKeyVersionMismatch(
            f"The {side} dataset has tokens without a key version; import it again so "
            "every token records the key version that made it."
        )
    distinct = versions.unique()
    if distinct.len() > 1:
        raise DatasetKeyVersionMismatch(
            f"The {side} dataset mixes tokens of key versions "
            f"{', '.join(str(v) for v in sorted(distinct.to_list()))}; finish the key "
            "rotation for this dataset, then run the reconciliation again."
        )
    return int(distinct[0])


def check_token_versions(tax: pl.DataFrame, si: pl.DataFrame) -> int | None:
    """The common key version of both datasets (None if either has no tokens).

    Raises :class:`DatasetKeyVersionMismatch` when the versions differ.
    """
    tax_version = _token_version(tax, "tax")
    si_version = _token_version(si, "social-insurance")
    if tax_version is None or si_version is None:
        return None
    if tax_version != si_version:
        raise DatasetKeyVersionMismatch(
            f"The tax dataset's tokens are on key version {tax_version} and the "
            f"social-insurance dataset's on version {si_version}; tokens of different "
            "versions never match. Migrate both datasets to the current key version "
            "(key rotation), then run the reconciliation again."
        )
    return tax_version


def join_on_tokens(tax: pl.DataFrame, si: pl.DataFrame) -> pl.DataFrame:
    """All (tax_i, si_i) pairs of prepared records sharing a token, after the version check.

    One person may have several tax records (several payers), so the join is not
    one-to-one.
    """
    check_token_versions(tax, si)
    left = tax.filter(pl.col("token").is_not_null()).select(pl.col(INDEX).alias("tax_i"), "token")
    right = si.filter(pl.col("token").is_not_null()).select(pl.col(INDEX).alias("si_i"), "token")
    return left.join(right, on="token", how="inner").select("tax_i", "si_i").sort("tax_i", "si_i")
