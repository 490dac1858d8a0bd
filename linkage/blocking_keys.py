"""Derived blocking keys: forms of the match keys that survive a typo or a swap.

A blocking pass names columns of the prepared frame; besides the match keys of
``linkage.normalise`` it may name one of the keys below, which blocking derives on the
fly (only those a pass uses). Each takes the kanji-script key and falls back to the
reading where the file has no kanji name.

- ``block_name_sorted``: family and given name sorted and joined, so a name written
  given-name first meets itself (the whole name where the file did not split it);
- ``block_name_reversed``: the whole name reversed, so a sorted neighbourhood also
  meets names whose first letters differ by a typo;
- ``block_family`` / ``block_given``: the family / given name;
- ``block_family_prefix`` / ``block_given_prefix``: their first two characters (a typo
  further on leaves them alone);
- ``block_address_prefix``: the first eight characters of the address key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import polars as pl

PREFIX_CHARS: Final = 2
ADDRESS_PREFIX_CHARS: Final = 8


def _name(kind: str) -> pl.Expr:
    return pl.coalesce(pl.col(f"key_{kind}_kanji"), pl.col(f"key_{kind}_kana"))


def _sorted_name() -> pl.Expr:
    family, given = _name("family"), _name("given")
    split = pl.when(family < given).then(family + " " + given).otherwise(given + " " + family)
    return pl.coalesce(split, pl.col("key_name_kanji"), pl.col("key_name_kana"))


def _reversed_name() -> pl.Expr:
    return pl.coalesce(pl.col("key_name_kanji"), pl.col("key_name_kana")).str.reverse()


DERIVED_KEYS: Final[dict[str, Callable[[], pl.Expr]]] = {
    "block_name_sorted": _sorted_name,
    "block_name_reversed": _reversed_name,
    "block_family": lambda: _name("family"),
    "block_given": lambda: _name("given"),
    "block_family_prefix": lambda: _name("family").str.slice(0, PREFIX_CHARS),
    "block_given_prefix": lambda: _name("given").str.slice(0, PREFIX_CHARS),
    "block_address_prefix": lambda: pl.col("key_address").str.slice(0, ADDRESS_PREFIX_CHARS),
}


def with_derived_keys(frame: pl.DataFrame, keys: set[str]) -> pl.DataFrame:
    """``frame`` with the derived keys among ``keys`` that it does not have yet."""
    wanted = [k for k in DERIVED_KEYS if k in keys and k not in frame.columns]
    if not wanted:
        return frame
    return frame.with_columns(DERIVED_KEYS[k]().alias(k) for k in wanted)
