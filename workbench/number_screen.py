"""The 個人番号 screen: find, mask and count numbers in any text, one column at a time.

One mechanism for every place text enters or rests: the cells of an imported extract,
text typed by users (notes, reasons, names) and the self-inspection of a stored workspace
(workbench.number_scan) and the access log (workbench.audit.encoding). A *number* is
twelve digits, in any width, written whole or in groups joined only by spaces or dashes,
that pass the 個人番号 check digit (docs/tokens.md). Groups count whole: in
``2024 1234 5678 9018`` the windows ``2024 1234 5678`` and ``1234 5678 9018`` are both
tested, but no group is ever cut, so a longer digit run (a 13-digit corporate number) is
not a number. A hexadecimal word of 16 or more characters (a token, a hash) is opaque,
unless it is a single digit run with hex letters around it (``123456789018added``, text
that only touches letters a-f). Invisible format characters (zero-width space, soft
hyphen) are dropped before reading.

Everything is polars expressions over whole columns: a cell without twelve digits joined
by spaces or dashes costs one regex; only the others are normalised (NFKC) and cut into
pieces (digit groups and the text between them), and the windows of 1..12 consecutive
groups are tested by shifting columns in integer arithmetic, never by a Python loop over
cells. Nothing here ever puts a cell value into a message.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import polars as pl

from rlwb.crypto.identifiers import SEPARATOR_CLASS
from rlwb.workbench.errors import InvalidInput
from rlwb.workbench.identifier_columns import with_my_number_check

#: What a number becomes in stored text.
MASK = "*" * 12

_DIGITS = 12
_SEPARATOR = rf"^{SEPARATOR_CLASS}+$"
# Long hex words first (opaque), then digit groups, hex letters, everything else.
_PIECES = r"[0-9A-Fa-f]{16,}|[0-9]+|[A-Fa-f]+|[^0-9A-Fa-f]+"
_SHORT_RUN = r"(?:^|[^0-9])[0-9]{1,12}(?:[^0-9]|$)"
_SHORT_RUN_RAW = r"(?:^|[^0-9０-９])[0-9０-９]{1,12}(?:[^0-9０-９]|$)"
_OTHER = r"[\p{N}--[0-9０-９]]"
_MAYBE = r"[0-9０-９](?:[\p{Pd}\-−ーｰ\s\p{Cf}]*[0-9０-９]){11}|[\p{N}--[0-9０-９]]"
# Invisible format characters (zero-width space, word joiner, soft hyphen, ...) split
# nothing a reader sees: they are dropped before the digits are read.
_INVISIBLE = r"\p{Cf}"
# A long hex word that is one digit run with letters around it ("123456789018added") is
# text that happens to touch hex letters, not a token: it is read like any other text.
_ONE_RUN_IN_LETTERS = r"^[A-Fa-f]*[0-9]+[A-Fa-f]*$"


@dataclass(frozen=True)
class Masked:
    """A column after :func:`mask_numbers`: ``values`` and how many cells were changed."""

    values: pl.Series
    cells: int


def _as_text(values: pl.Series) -> pl.Series:
    if values.dtype == pl.String:
        return values
    return values.cast(pl.String, strict=False)


def passes_check(value: pl.Expr) -> pl.Expr:
    """True where ``value`` (an Int64 of at most 12 digits, leading zeros implied) passes
    the 個人番号 check digit: the rule of crypto.identifiers in integer arithmetic."""
    total = pl.sum_horizontal(
        ((value // 10**n) % 10) * (n + 1 if n <= 6 else n - 5) for n in range(1, 12)
    )
    r = total % 11
    return pl.when(r <= 1).then(0).otherwise(11 - r) == value % 10


def _covered_pieces(text: pl.Series) -> pl.DataFrame:
    """For the cells that may hold a number: one row per piece, in order, with ``row``
    (the cell's position), ``piece`` (NFKC text) and ``covered`` (part of a number)."""
    cells = pl.DataFrame({"text": text}).with_row_index("row")
    # A cheap test first (most cells never get further): twelve ASCII or full-width
    # digits with nothing but spaces and dashes between them, or any other numeric
    # character, which NFKC may turn into digits.
    maybe = pl.col("text").str.contains(_MAYBE)
    cells = cells.filter(
        maybe & (pl.col("text").str.contains(_SHORT_RUN_RAW) | pl.col("text").str.contains(_OTHER))
    ).with_columns(pl.col("text").str.normalize("NFKC").str.replace_all(_INVISIBLE, ""))
    # ... and after NFKC: twelve digits, in at least one run short enough to be part of a
    # number (a 13-digit corporate number alone is not).
    cells = cells.filter(
        (pl.col("text").str.count_matches("[0-9]") >= _DIGITS)
        & pl.col("text").str.contains(_SHORT_RUN)
    )
    if cells.height == 0:
        return pl.DataFrame(schema={"row": pl.UInt32, "piece": pl.String, "covered": pl.Boolean})
    piece = pl.col("piece")
    resplit = (piece.str.len_chars() >= 16) & piece.str.contains(_ONE_RUN_IN_LETTERS)
    pieces = (
        cells.select("row", pl.col("text").str.extract_all(_PIECES).alias("piece"))
        .explode("piece")
        .with_columns(
            pl.when(resplit)
            .then(piece.str.extract_all("[0-9]+|[^0-9]+"))
            .otherwise(pl.concat_list(piece))
            .alias("piece")
        )
        .explode("piece")
        .with_row_index("_at")
    )
    is_digits = pl.col("piece").str.contains("^[0-9]+$").fill_null(False)
    pieces = pieces.with_columns(
        is_digits.alias("_digit"), pl.col("piece").str.contains(_SEPARATOR).alias("_sep")
    )
    # The digit groups alone, each knowing whether it continues the group before it
    # (only a separator between them, same cell). Groups longer than 12 stay, as walls.
    groups = (
        pieces.with_columns(
            (
                pl.col("_sep").shift(1)
                & pl.col("_digit").shift(2)
                & (pl.col("row").shift(2) == pl.col("row"))
            )
            .fill_null(False)
            .alias("_joined")
        )
        .filter("_digit")
        .select(
            "_at",
            "_joined",
            pl.col("piece").str.len_chars().cast(pl.Int64).alias("_n"),
            pl.col("piece").str.slice(0, _DIGITS).cast(pl.Int64, strict=False).alias("_g"),
        )
    )
    # Windows of k consecutive groups, k = 1..12 (a group has at least one digit):
    # integers only, one materialised step per k; a window stops growing at 12 digits.
    groups = groups.with_columns(
        pl.lit(True).alias("_chain"),
        pl.col("_n").alias("_len"),
        pl.col("_g").alias("_value"),
        pl.when(pl.col("_n") == _DIGITS).then(pl.col("_at")).alias("_end"),
    )
    for k in range(1, _DIGITS):
        n_next = pl.col("_n").shift(-k)
        chain = (
            pl.col("_chain") & (pl.col("_len") < _DIGITS) & pl.col("_joined").shift(-k)
        ).fill_null(False)
        groups = groups.with_columns(
            chain.alias("_chain"),
            pl.when(chain).then(pl.col("_len") + n_next).otherwise(pl.col("_len")).alias("_len"),
            pl.when(chain & (pl.col("_len") + n_next <= _DIGITS))  # no overflow
            .then(
                pl.col("_value") * pl.lit(10, dtype=pl.Int64).pow(n_next.clip(0, _DIGITS))
                + pl.col("_g").shift(-k)
            )
            .otherwise(pl.col("_value"))
            .alias("_value"),
            pl.when(chain & (pl.col("_len") + n_next == _DIGITS))
            .then(pl.col("_at").shift(-k))
            .otherwise(pl.col("_end"))
            .alias("_end"),
        )
        if not groups["_chain"].any():
            break
    found = groups.filter(pl.col("_end").is_not_null())
    found = found.filter(passes_check(pl.col("_value")))
    covered_at = found.select(pl.int_ranges("_at", pl.col("_end") + 1).alias("_c")).explode("_c")
    return pieces.select(
        "row", "piece", pl.col("_at").is_in(covered_at["_c"].implode()).alias("covered")
    )


def mask_numbers(values: pl.Series, mark: str | None = None) -> Masked:
    """``values`` as text with every number replaced by :data:`MASK` (or by ``mark``, once
    per run of number text).

    A changed cell comes back NFKC-normalised (the masked text is what is kept); every
    other cell is returned exactly as given. Nulls stay null.
    """
    text = _as_text(values)
    pieces = _covered_pieces(text)
    hit = pieces.filter("covered")["row"].unique()
    if hit.len() == 0:
        return Masked(text, 0)
    covered = pl.col("covered")
    if mark is None:
        out = pl.when(covered & pl.col("piece").str.contains("^[0-9]+$")).then(
            pl.col("piece").str.replace_all("[0-9]", "*")
        )
    else:
        starts = covered & ~covered.shift(1, fill_value=False).over("row")
        out = pl.when(starts).then(pl.lit(mark))
    rebuilt = (
        pieces.filter(pl.col("row").is_in(hit.implode()))
        .with_columns(
            out.when(pl.col("covered")).then(pl.lit("")).otherwise(pl.col("piece")).alias("out")
        )
        .group_by("row", maintain_order=True)
        .agg(pl.col("out").str.join(""))
    )
    # scatter works in place: on a copy, never on the caller's series.
    masked = text.clone().scatter(rebuilt["row"].cast(pl.Int64), rebuilt["out"])
    return Masked(masked, rebuilt.height)


def count_numbers(values: pl.Series) -> int:
    """How many values hold at least one number (never which, never the number)."""
    pieces = _covered_pieces(_as_text(values))
    return int(pieces.filter("covered")["row"].n_unique())


def _too_few_digits(text: str) -> bool:
    return sum(map(str.isdigit, unicodedata.normalize("NFKC", text))) < _DIGITS


def holds_number(text: str) -> bool:
    """True when ``text`` holds a number. For one typed text; columns use the above."""
    if _too_few_digits(text):
        return False
    return count_numbers(pl.Series([text], dtype=pl.String)) > 0


def mask_text(text: str, mark: str | None = None) -> str:
    """``text`` with every number masked (unchanged when it holds none); see mask_numbers."""
    if _too_few_digits(text):
        return text
    return str(mask_numbers(pl.Series([text], dtype=pl.String), mark).values[0])


def refuse_number(text: str, what: str) -> None:
    """Raise InvalidInput when text a user typed holds a number; the message names the
    field (``what``), never the text."""
    if holds_number(text):
        raise InvalidInput(
            f"The {what} holds what looks like a 個人番号 (12 digits that pass the check "
            "digit), and a 個人番号 must never be stored. Remove it (name a person by "
            "整理番号 instead) and try again."
        )


def refuse_numbered_file_name(name: str) -> None:
    """Raise InvalidInput when the name of a file to read holds a number: file names are
    kept in the access log with the action, so such a file cannot be opened or imported."""
    if holds_number(name):
        raise InvalidInput(
            "The file name holds what looks like a 個人番号, and file names are kept in the "
            "access log: rename the file and try again."
        )


def integer_numbers(values: pl.Series) -> pl.Series:
    """Boolean per value of an integer column: the value, written out, is a number
    (twelve digits, so from 10**11 up; a leading zero does not survive in an integer)."""
    value = pl.col("v").cast(pl.Int64, strict=False)
    frame = pl.DataFrame({"v": values}).with_columns(
        value.is_between(10**11, 10**12 - 1).fill_null(False).alias("twelve")
    )
    if not frame["twelve"].any():  # amounts are far below 10**11: the usual answer
        return frame["twelve"]
    return frame.select((pl.col("twelve") & passes_check(value)).fill_null(False)).to_series()


def whole_numbers(values: pl.Series) -> pl.Series:
    """Boolean per value: the whole cell is one number (any width, spaces and dashes)."""
    frame = with_my_number_check(
        pl.DataFrame({"v": _as_text(values)}), "v", canonical="_valid", problem="_problem"
    )
    return frame["_valid"].is_not_null()
