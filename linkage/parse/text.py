"""Text helpers shared by the parsers."""

from __future__ import annotations

from typing import Final

import polars as pl

_NON_ASCII: Final = r"[^\x00-\x7F]"


def clean_text(col: pl.Expr) -> pl.Expr:
    """Outer whitespace (incl. U+3000) stripped; empty -> null. Inner text untouched:
    the clerk sees what the file said."""
    stripped = col.cast(pl.String).str.strip_chars()
    return pl.when(stripped.str.len_chars() > 0).then(stripped)


def nfkc_series(series: pl.Series) -> pl.Series:
    """NFKC only where a value has a non-ASCII character (ASCII is already NFKC).

    str.normalize costs about as much on ASCII as on kana, and most cells of numeric
    columns are ASCII, so this skips most of the work.
    """
    text = series.cast(pl.String)
    mask = text.str.contains(_NON_ASCII).fill_null(False)
    count = int(mask.sum())
    if count == 0:
        return text
    if count == text.len():
        return text.str.normalize("NFKC")
    return text.scatter(mask.arg_true(), text.filter(mask).str.normalize("NFKC"))
