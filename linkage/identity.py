"""Identity confirmation: do two records describe the same person?

A shared token says two records carry the same 個人番号, but a number typed for the
wrong person (a spouse's, a child's) also gives a shared token. Before a token match
is accepted, four items are compared: name, birth date, sex and address. Each item
agrees (1), disagrees (0) or is unknown (null) when either side lacks it; unknown is
neither agreement nor disagreement. The same per-item agreement is shown on the review
screen for every pair.

- name: agrees when the reading (kana) or the kanji name agrees. Where both sides split
  family and given name, both parts must be similar (so a sibling with the same family
  name, or a married person whose family name changed, does not agree on name). The
  folded romaji reading key with its words sorted (``key_reading_sorted``,
  ``linkage.reading``) also agrees when equal: ``NGUYEN VAN AN`` (or ``AN VAN NGUYEN``) in
  one file and ``グエン　バン　アン`` in the other are one name in two scripts.
- birth date, sex: equality.
- address: the normalised addresses are equal, or similar with the same house numbers;
  when an address is unknown the postal codes stand in for it.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from rlwb.linkage.similarity import jaro_winkler

AGREEMENT_COLUMNS: Final = ("agree_name", "agree_birth_date", "agree_sex", "agree_address")

_NAME_SCRIPTS: Final = (
    ("key_name_kana", "key_family_kana", "key_given_kana"),
    ("key_name_kanji", "key_family_kanji", "key_given_kanji"),
)


def _sides(
    left: pl.DataFrame, right: pl.DataFrame, left_i: pl.Series, right_i: pl.Series, col: str
) -> tuple[pl.Series, pl.Series]:
    return left[col].gather(left_i), right[col].gather(right_i)


def _script_agreement(
    left: pl.DataFrame,
    right: pl.DataFrame,
    left_i: pl.Series,
    right_i: pl.Series,
    columns: tuple[str, str, str],
    threshold: float,
) -> pl.Series:
    """True/False/null: does one script (kana or kanji) of the name agree?"""
    full, family, given = columns
    full_l, full_r = _sides(left, right, left_i, right_i, full)
    fam_l, fam_r = _sides(left, right, left_i, right_i, family)
    giv_l, giv_r = _sides(left, right, left_i, right_i, given)
    frame = pl.DataFrame(
        {
            "split": fam_l.is_not_null()
            & fam_r.is_not_null()
            & giv_l.is_not_null()
            & giv_r.is_not_null(),
            "full": jaro_winkler(full_l, full_r),
            "family": jaro_winkler(fam_l, fam_r),
            "given": jaro_winkler(giv_l, giv_r),
        }
    )
    return frame.select(
        pl.when(pl.col("split"))
        .then((pl.col("family") >= threshold) & (pl.col("given") >= threshold))
        .otherwise(pl.col("full") >= threshold)
        .alias("agree")
    ).to_series()


def _flag(agree: pl.Expr) -> pl.Expr:
    return pl.when(agree).then(pl.lit(1, pl.Int8)).when(~agree).then(pl.lit(0, pl.Int8))


def identity_agreement(
    left: pl.DataFrame,
    right: pl.DataFrame,
    left_i: pl.Series,
    right_i: pl.Series,
    *,
    name_similarity: float,
    address_similarity: float,
) -> pl.DataFrame:
    """Per pair (``left[left_i]``, ``right[right_i]``): the four ``agree_*`` columns (Int8
    1/0/null) and ``identity_disagreements`` (count of 0s, Int8).

    ``left`` and ``right`` are prepared frames (``linkage.records``).
    """
    kana = _script_agreement(left, right, left_i, right_i, _NAME_SCRIPTS[0], name_similarity)
    kanji = _script_agreement(left, right, left_i, right_i, _NAME_SCRIPTS[1], name_similarity)
    reading_l, reading_r = _sides(left, right, left_i, right_i, "key_reading_sorted")
    birth_l, birth_r = _sides(left, right, left_i, right_i, "birth_date")
    sex_l, sex_r = _sides(left, right, left_i, right_i, "sex")
    addr_l, addr_r = _sides(left, right, left_i, right_i, "key_address")
    digits_l, digits_r = _sides(left, right, left_i, right_i, "key_address_digits")
    postal_l, postal_r = _sides(left, right, left_i, right_i, "key_postal")
    items = pl.DataFrame(
        {
            "kana": kana,
            "kanji": kanji,
            "reading": reading_l == reading_r,
            "birth_l": birth_l,
            "birth_r": birth_r,
            "sex_l": sex_l,
            "sex_r": sex_r,
            "addr_l": addr_l,
            "addr_r": addr_r,
            "addr_sim": jaro_winkler(addr_l, addr_r),
            "digits_l": digits_l,
            "digits_r": digits_r,
            "postal_l": postal_l,
            "postal_r": postal_r,
        }
    )
    name_agree = (
        pl.when(
            pl.col("kana").fill_null(False)
            | pl.col("kanji").fill_null(False)
            | pl.col("reading").fill_null(False)
        )
        .then(True)
        .when(pl.col("kana").is_not_null() | pl.col("kanji").is_not_null())
        .then(False)
    )
    same_numbers = pl.col("digits_l").eq_missing(pl.col("digits_r"))
    address_agree = (
        pl.when(pl.col("addr_l").is_not_null() & pl.col("addr_r").is_not_null())
        .then(
            (pl.col("addr_l") == pl.col("addr_r"))
            | ((pl.col("addr_sim") >= address_similarity) & same_numbers)
        )
        .otherwise(pl.col("postal_l") == pl.col("postal_r"))
    )
    agreement = items.select(
        _flag(name_agree).alias("agree_name"),
        _flag(pl.col("birth_l") == pl.col("birth_r")).alias("agree_birth_date"),
        _flag(pl.col("sex_l") == pl.col("sex_r")).alias("agree_sex"),
        _flag(address_agree).alias("agree_address"),
    )
    return agreement.with_columns(
        pl.sum_horizontal([(pl.col(c) == 0).cast(pl.Int8) for c in AGREEMENT_COLUMNS])
        .fill_null(0)
        .cast(pl.Int8)
        .alias("identity_disagreements")
    )
