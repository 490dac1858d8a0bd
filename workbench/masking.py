"""Masked identity for list views: family name and birth year only.

docs/architecture.md, "The one disclosure path", says why.

``山田 太郎`` → ``山田 *``; a name the file did not split keeps its first character
(``山田太郎`` → ``山 *``). Full identity appears only through the logged reveal.
"""

from __future__ import annotations

import polars as pl

_SPACE = r"[ \u3000]"


def mask_name(column: str) -> pl.Expr:
    text = pl.col(column).str.strip_chars()
    split = text.str.contains(_SPACE)
    family = (
        pl.when(split).then(text.str.replace(f"{_SPACE}.*$", "")).otherwise(text.str.slice(0, 1))
    )
    return pl.when(text.is_null() | (text == "")).then(None).otherwise(family + " *")


def masked_identity(frame: pl.DataFrame, prefix: str) -> pl.DataFrame:
    """record_id plus masked name, reading and birth year, columns prefixed ``prefix``."""
    return frame.select(
        pl.col("record_id").alias(f"{prefix}record_id"),
        mask_name("name").alias(f"{prefix}name"),
        mask_name("name_kana").alias(f"{prefix}name_kana")
        if "name_kana" in frame.columns
        else pl.lit(None, dtype=pl.String).alias(f"{prefix}name_kana"),
        pl.col("birth_date").dt.year().alias(f"{prefix}birth_year")
        if "birth_date" in frame.columns
        else pl.lit(None, dtype=pl.Int32).alias(f"{prefix}birth_year"),
    )
