"""Comparison keys for names, kana readings, addresses and postal codes.

These keys exist for matching only; the clerk always sees what the file said.

Everything runs as polars expressions so a million-row frame is normalised column-wise:
``str.normalize("NFKC")`` does the width folding (half-width kana -> full-width, full-width
ASCII -> ASCII, U+3000 -> space), one ``str.replace_many`` pass applies a composed
character table (hiragana -> katakana, small kana -> large, dash variants, variant kanji),
and a handful of ``replace_all`` regexes do the rest. The only per-value Python is the
kanji-numeral conversion in addresses, and it runs on the distinct addresses that contain
a kanji numeral in a house-number position (usually few).

jaconv is used to *build* the hiragana -> katakana table (its ``hira2kata`` is the tested
reference mapping, including ゔ/ゕ/ゖ/ゝ/ゞ), not per row: calling it per value would be
per-row Python. jaconv's ``z2h``/``h2z`` are not needed because NFKC already folds width.

The single-value helpers (``normalise_kana`` etc.) run the very same expressions on a
one-row frame, so the UI, the tests and the engine cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

import jaconv
import polars as pl

from rlwb.linkage.postal import with_prefecture
from rlwb.linkage.reading import folded_reading_expr, keys_from_folded, reading_source_expr
from rlwb.linkage.variants import VARIANT_KANJI, VARIATION_SELECTORS

__all__ = [
    "KEY_COLUMNS",
    "add_match_keys",
    "address_digits",
    "address_digits_expr",
    "address_expr",
    "kana_expr",
    "kanji_name_expr",
    "normalise_address",
    "normalise_kana",
    "normalise_kanji_name",
    "split_name_exprs",
]

#: Columns added by :func:`add_match_keys`, all Utf8, null when the source is null/empty.
KEY_COLUMNS: Final = (
    "key_name_kana",
    "key_family_kana",
    "key_given_kana",
    "key_name_kanji",
    "key_family_kanji",
    "key_given_kanji",
    "key_address",
    "key_address_digits",
    "key_postal",
    # Romaji and katakana readings meet here (linkage.reading): word order kept / sorted.
    "key_reading",
    "key_reading_sorted",
)

# --- character tables ---------------------------------------------------------------

_HIRAGANA: Final = "".join(chr(c) for c in range(0x3041, 0x3097)) + "ゝゞ"
_HIRA_TO_KATA: Final = {h: jaconv.hira2kata(h) for h in _HIRAGANA}

# Small kana read as their large forms when comparing (ッ/ツ, ャ/ヤ: typing varies).
_SMALL_TO_LARGE: Final = {
    **dict(zip("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ", strict=True)),
    # Small katakana extension (Ainu), U+31F0..U+31FF.
    **dict(
        zip("ㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ", "クシストヌハヒフヘホムラリルレロ", strict=True)
    ),
}

# Hyphen/dash look-alikes (after NFKC: U+FF0D is already '-', U+FF70 already 'ー').
_DASHES: Final = "-‐‑‒–—―−─━﹣"
_LONG_VOWEL: Final = "ー"

_KANJI_DIGITS: Final = dict(zip("〇一二三四五六七八九", "0123456789", strict=True))


def _compose(*tables: Mapping[str, str]) -> dict[str, str]:
    """Merge single-character tables so chained folds (ぁ->ァ->ア) take one pass."""
    merged: dict[str, str] = {}
    for table in tables:
        merged.update(table)
    changed = True
    while changed:
        changed = False
        for key, value in merged.items():
            folded = "".join(merged.get(ch, ch) for ch in value)
            if folded != value:
                merged[key] = folded
                changed = True
    return {k: v for k, v in merged.items() if k != v}


_ASCII_UPPER: Final = {chr(c): chr(c - 32) for c in range(ord("a"), ord("z") + 1)}
# After NFKC every space variant is U+0020; control whitespace is folded to it too.
_WHITESPACE: Final = dict.fromkeys("\t\n\r\x0b\x0c", " ")

#: Table for names and readings: kana folds, dashes -> long vowel, variant kanji,
#: ASCII upper case (romaji names), whitespace -> space.
NAME_FOLD: Final = MappingProxyType(
    _compose(
        _HIRA_TO_KATA,
        _SMALL_TO_LARGE,
        dict.fromkeys(_DASHES, _LONG_VOWEL),
        VARIANT_KANJI,
        _ASCII_UPPER,
        _WHITESPACE,
    )
)

# Dropped from whole-name keys (after the family/given split has used the spaces).
_NAME_NOISE: Final = MappingProxyType(dict.fromkeys([" ", "・", "=", ".", ",", "、", "。"], ""))

# Block markers become hyphens: 二丁目1番地2号 -> 二-1-2-. Ordered longest first because
# replace_many(leftmost=True) prefers the earlier pattern at one position.
_BLOCK_MARKERS: Final = {"丁目": "-", "番地": "-", "番": "-", "号": "-"}
# Separators become hyphens too; hyphens not between two digits are removed later.
_ADDRESS_SEPARATORS: Final = dict.fromkeys(" \t\n\r、。,.・/()[]「」『』【】", "-")

#: Table for addresses: dashes stay hyphens (ー is a long vowel in building names).
ADDRESS_FOLD: Final = MappingProxyType(
    {
        **_BLOCK_MARKERS,
        **_compose(
            _HIRA_TO_KATA,
            _SMALL_TO_LARGE,
            dict.fromkeys(_DASHES, "-"),
            VARIANT_KANJI,
            _ASCII_UPPER,
            _ADDRESS_SEPARATORS,
        ),
    }
)

# --- names and readings -------------------------------------------------------------


def _null_if_empty(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr.str.len_chars() > 0).then(expr).otherwise(pl.lit(None, pl.String))


def _name_base(col: pl.Expr) -> pl.Expr:
    """NFKC, folds, iteration mark expanded, outer spaces stripped (inner ones kept)."""
    return (
        col.cast(pl.String)
        # 葛󠄀 (葛 + U+E0100) == 葛: the selector only picks a glyph
        .str.replace_all(VARIATION_SELECTORS, "")
        .str.normalize("NFKC")
        .str.replace_many(dict(NAME_FOLD))
        # 佐々木 == 佐佐木
        .str.replace_all(r"(.)々", "${1}${1}")
        .str.strip_chars(" ")
    )


def _strip_noise(expr: pl.Expr) -> pl.Expr:
    return _null_if_empty(expr.str.replace_many(dict(_NAME_NOISE)))


def kana_expr(col: pl.Expr) -> pl.Expr:
    """Whole reading as one katakana string without spaces (null if empty)."""
    return _strip_noise(_name_base(col))


def kanji_name_expr(col: pl.Expr) -> pl.Expr:
    """Whole name, variant kanji folded, without spaces (null if empty)."""
    # Names and readings share one pipeline: a kanji name may contain kana, and a
    # reading contains no variant kanji, so the same folds are safe for both.
    return _strip_noise(_name_base(col))


def split_name_exprs(col: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(family, given) where the file split the name by a space; both null otherwise."""
    return _split_base(_name_base(col))


def _split_base(base: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    parts = base.str.splitn(" ", 2)
    has_split = base.str.contains(" ", literal=True).fill_null(False)
    family = pl.when(has_split).then(_strip_noise(parts.struct.field("field_0")))
    given = pl.when(has_split).then(_strip_noise(parts.struct.field("field_1")))
    return family, given


# --- addresses ----------------------------------------------------------------------

_NUMERAL_CHARS: Final = "〇一二三四五六七八九十百千"
# A kanji numeral run in a house-number position (block markers are already hyphens):
# followed by a hyphen, ノ + numeral, a digit or the end. 千葉, 八王子, 四日市, 一ノ瀬
# stay as they are.
_NUMERAL_RUN: Final = re.compile(rf"[{_NUMERAL_CHARS}]+(?=-|ノ[0-9{_NUMERAL_CHARS}]|ー|[0-9]|$)")
# Superset of _NUMERAL_RUN without look-ahead (polars' regex has none): selects the rows
# that need the Python pass.
_NUMERAL_RUN_FILTER: Final = rf"[{_NUMERAL_CHARS}](?:-|ノ|ー|[0-9]|$)"
_UNITS: Final = {"十": 10, "百": 100, "千": 1000}


def kanji_numeral_value(run: str) -> int:
    """Value of a kanji numeral: 二十三 -> 23, 百二 -> 102, 二〇三 -> 203 (positional)."""
    if not any(ch in _UNITS for ch in run):
        return int("".join(_KANJI_DIGITS[ch] for ch in run))
    total = 0
    pending: int | None = None
    for ch in run:
        if ch in _UNITS:
            total += (1 if pending is None else pending) * _UNITS[ch]
            pending = None
        else:
            pending = (pending or 0) * 10 + int(_KANJI_DIGITS[ch])
    return total + (pending or 0)


def _convert_run(match: re.Match[str]) -> str:
    return str(kanji_numeral_value(match.group(0)))


def _convert_kanji_numerals(series: pl.Series) -> pl.Series:
    """Replace kanji numerals in house-number positions, on the distinct rows needing it."""
    mask = series.str.contains(_NUMERAL_RUN_FILTER).fill_null(False)
    if not mask.any():
        return series
    needing = series.filter(mask).unique().to_list()
    mapping = {value: _NUMERAL_RUN.sub(_convert_run, value) for value in needing}
    return series.replace(mapping)


def _address_base(col: pl.Expr) -> pl.Expr:
    return (
        col.cast(pl.String)
        .str.replace_all(VARIATION_SELECTORS, "")
        .str.normalize("NFKC")
        .str.replace_many(dict(ADDRESS_FOLD), leftmost=True)
        # 霞が関 == 霞ヶ関 == 霞ケ関 (ヶ already folded to ケ, が to ガ)
        .str.replace_all(r"(\p{Han})[ケガ](\p{Han})", "${1}ガ${2}")
        # A postal code written into the address is not part of it.
        .str.replace_all(r"〒-*[0-9]{3}-?[0-9]{4}", "")
        .map_batches(_convert_kanji_numerals, return_dtype=pl.String, is_elementwise=True)
        # 1の2, 1番地の2 (の is already ノ, 番地 already '-'); 2ー1ー2 (ー after a digit)
        .str.replace_all(r"([0-9])(?:-?[ノ之]|ー)", "${1}-")
        # Keep hyphens only between two digits, one each.
        .str.replace_all(r"([^0-9-])-+", "${1}")
        .str.replace_all(r"-+([^0-9-])", "${1}")
        .str.replace_all(r"^-+|-+$|(-)-+", "${1}")
    )


def address_expr(col: pl.Expr) -> pl.Expr:
    """Normalised address: ``東京都千代田区二丁目1番地2号`` -> ``東京都千代田区2-1-2``."""
    return _null_if_empty(_address_base(col))


def address_digits_expr(col: pl.Expr) -> pl.Expr:
    """Just the digit groups of the normalised address joined by '-' (null if none)."""
    return _null_if_empty(_address_base(col).str.extract_all(r"[0-9]+").list.join("-"))


def postal_expr(col: pl.Expr) -> pl.Expr:
    digits = col.cast(pl.String).str.normalize("NFKC").str.replace_all(r"[^0-9]", "")
    return pl.when(digits.str.len_chars() == 7).then(digits).otherwise(pl.lit(None, pl.String))


# --- frame-level entry point --------------------------------------------------------


def _column_or_null(frame: pl.DataFrame, name: str) -> pl.Expr:
    if name in frame.columns:
        return pl.col(name).cast(pl.String)
    return pl.repeat(None, n=frame.height, dtype=pl.String)


def add_match_keys(frame: pl.DataFrame) -> pl.DataFrame:
    """Add the ``key_*`` columns (see :data:`KEY_COLUMNS`) from name, name_kana,
    address and postal_code. Missing input columns give all-null keys."""
    # Each stage is materialised before the next refers to it more than once: nested
    # expressions would re-run their whole regex chain once per reference.
    stage = frame.select(
        _name_base(_column_or_null(frame, "name")).alias("name"),
        _name_base(_column_or_null(frame, "name_kana")).alias("kana"),
        _address_base(_column_or_null(frame, "address")).alias("address"),
        postal_expr(_column_or_null(frame, "postal_code")).alias("key_postal"),
        reading_source_expr(
            _column_or_null(frame, "name"), _column_or_null(frame, "name_kana")
        ).alias("reading_source"),
    )
    # Readings repeat (the same name in many rows): fold each distinct one once.
    reading, reading_sorted = keys_from_folded(pl.col("reading"))
    distinct = (
        stage.select(pl.col("reading_source").unique())
        .drop_nulls()
        .with_columns(folded_reading_expr(pl.col("reading_source")).alias("reading"))
        .select(
            "reading_source",
            reading.alias("key_reading"),
            reading_sorted.alias("key_reading_sorted"),
        )
    )
    stage = stage.join(distinct, on="reading_source", how="left", maintain_order="left").drop(
        "reading_source"
    )
    noise = dict(_NAME_NOISE)
    stage = stage.select(
        pl.col("key_postal"),
        pl.col("kana").str.replace_many(noise).alias("key_name_kana"),
        pl.col("name").str.replace_many(noise).alias("key_name_kanji"),
        pl.col("kana").str.splitn(" ", 2).alias("kana_parts"),
        pl.col("name").str.splitn(" ", 2).alias("name_parts"),
        pl.col("kana").str.contains(" ", literal=True).fill_null(False).alias("kana_split"),
        pl.col("name").str.contains(" ", literal=True).fill_null(False).alias("name_split"),
        pl.col("address").alias("key_address"),
        pl.col("address").str.extract_all(r"[0-9]+").list.join("-").alias("key_address_digits"),
        pl.col("key_reading"),
        pl.col("key_reading_sorted"),
    )
    # 千代田区霞が関1-2-3 meets 東京都千代田区霞が関1-2-3 (Japan Post data, linkage.postal)
    stage = with_prefecture(stage, "key_address", "key_postal")
    stage = stage.select(
        pl.all().exclude("kana_parts", "name_parts", "kana_split", "name_split"),
        *(
            pl.when(pl.col(f"{src}_split"))
            .then(pl.col(f"{src}_parts").struct.field(field).str.replace_many(noise))
            .alias(f"key_{part}_{kind}")
            for src, kind in (("kana", "kana"), ("name", "kanji"))
            for part, field in (("family", "field_0"), ("given", "field_1"))
        ),
    )
    keys = stage.select(
        pl.when(pl.col(c).str.len_bytes() > 0).then(pl.col(c)).alias(c) for c in KEY_COLUMNS
    )
    return frame.drop([c for c in KEY_COLUMNS if c in frame.columns]).hstack(keys)


# --- single-value helpers (UI, tests) -----------------------------------------------


def _one(value: str | None, expr: pl.Expr) -> str | None:
    frame = pl.DataFrame({"v": [value]}, schema={"v": pl.String})
    result = frame.select(expr.alias("out"))["out"][0]
    return None if result is None else str(result)


def normalise_kana(value: str | None) -> str | None:
    """``ﾔﾏﾀﾞ ﾀﾛｳ`` / ``やまだ　たろう`` -> ``ヤマダタロウ``."""
    return _one(value, kana_expr(pl.col("v")))


def normalise_kanji_name(value: str | None) -> str | None:
    """``髙橋 一郎`` -> ``高橋一郎``."""
    return _one(value, kanji_name_expr(pl.col("v")))


def normalise_address(value: str | None) -> str | None:
    """``二丁目1番地2号`` -> ``2-1-2``."""
    return _one(value, address_expr(pl.col("v")))


def address_digits(value: str | None) -> str | None:
    """``東京都港区芝五丁目3番2号`` -> ``5-3-2``."""
    return _one(value, address_digits_expr(pl.col("v")))
