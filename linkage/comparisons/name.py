"""Names, on the reading and on the kanji."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import polars as pl

from rlwb.linkage.comparisons.base import PairFrame, check_probabilities, level
from rlwb.linkage.errors import InvalidLinkSettings
from rlwb.linkage.similarity import edit_distance, jaro_winkler

_PARTS = ("fam_l", "fam_r", "giv_l", "giv_r")
_ALPHABET = r"^[A-Za-z'-]+$"
# A name written in romaji (the other side may write it in kana).
_ROMAJI = r"^[A-Za-z][A-Za-z '.-]*$"


@dataclass(frozen=True)
class NameColumns:
    """The whole-name, family and given key columns of one script (kana or kanji)."""

    full: str
    family: str
    given: str


READING = NameColumns("key_name_kana", "key_family_kana", "key_given_kana")
KANJI = NameColumns("key_name_kanji", "key_family_kanji", "key_given_kanji")
#: The folded romaji reading with its words sorted (``linkage.reading``).
READING_KEY = "key_reading_sorted"


@dataclass(frozen=True)
class NameComparison:
    """Names by Jaro–Winkler on the reading and on the kanji, with family and given
    parts where the file split them; the better script decides (a missing reading leaves
    the kanji, a kanji variant leaves the reading). One comparison for both scripts,
    because they say the same thing twice: two comparisons would count a name twice.

    Levels (worst first): 0 different · 1 partial (both parts, or the whole name, roughly
    similar: Jaro–Winkler at least ``partial``, or for a part one edit apart) · 2 given name only (the married-name level: given agrees, family does
    not) · 3 close (every part similar, or family and given swapped, each part still
    similar to its counterpart) · 4 exact.

    The romaji reading key (``reading_key``, ``linkage.reading``) bridges the scripts:
    ``NGUYEN VAN AN`` in one file and ``グエン　バン　アン`` in the other, or given name
    first. It is the same name once more, so it is not a comparison of its own but a
    third opinion in this one, and the better level wins: equal keys are level 3 (close,
    not exact: the fold drops long vowels and ヴ/ブ-style differences), and where one
    record writes the name in romaji and the other does not (the scripts cannot be
    compared) the keys are graded by Jaro–Winkler like a whole name. Elsewhere the key
    gives no opinion, so a Japanese name is not scored twice on its kana.
    """

    stage: ClassVar[int] = 0
    names_person: ClassVar[bool] = True
    evidence: ClassVar[bool] = True

    name: str
    scripts: tuple[NameColumns, ...] = (READING, KANJI)
    reading_key: str | None = READING_KEY
    close: float = 0.92
    partial: float = 0.80
    m: tuple[float, ...] = (0.03, 0.02, 0.02, 0.08, 0.85)
    u: tuple[float, ...] = (0.967, 0.02, 0.01, 0.002, 0.001)
    levels: int = field(default=5, init=False)

    def __post_init__(self) -> None:
        check_probabilities(self.name, self.m, self.levels)
        check_probabilities(self.name, self.u, self.levels)
        if not self.scripts:
            raise InvalidLinkSettings(f"Name comparison {self.name!r} needs a script.")

    def compare(self, frame: PairFrame) -> pl.Series:
        """The better level of the scripts both records have (null when none)."""
        per_script = pl.DataFrame(
            {f"s{k}": self._script(frame, columns) for k, columns in enumerate(self.scripts)}
        )
        best = per_script.select(pl.max_horizontal(pl.all()).alias(self.name)).to_series()
        if self.reading_key is None:
            return best
        bridged = pl.DataFrame({"best": best, "bridge": self._bridge(frame, best)})
        return bridged.select(pl.max_horizontal(pl.all()).alias(self.name)).to_series()

    def _bridge(self, frame: PairFrame, best: pl.Series) -> pl.Series:
        """The reading key's level (see the class docstring); null where it has none."""
        assert self.reading_key is not None
        key = frame.both(self.reading_key)
        name = frame.both(KANJI.full)
        romaji_l = pl.col("l").str.contains(_ROMAJI).fill_null(False)
        romaji_r = pl.col("r").str.contains(_ROMAJI).fill_null(False)
        mixed = name.select((romaji_l != romaji_r).alias("m")).to_series() & (best.fill_null(0) < 3)
        sim = jaro_winkler(key["l"], key["r"], mixed)
        return (
            key.with_columns(mixed.alias("mixed"), sim.alias("sim"))
            .select(
                pl.when(pl.col("l").is_null() | pl.col("r").is_null())
                .then(pl.lit(None, pl.Int8))
                .when(pl.col("l") == pl.col("r"))
                .then(pl.lit(3, pl.Int8))
                .when(pl.col("mixed"))
                .then(
                    level(
                        ((pl.col("sim") >= self.close).fill_null(False), 3),
                        ((pl.col("sim") >= self.partial).fill_null(False), 1),
                    )
                )
                .otherwise(pl.lit(None, pl.Int8))
                .alias("bridge")
            )
            .to_series()
        )

    def _parts(self, frame: PairFrame, columns: NameColumns) -> pl.DataFrame:
        full = frame.both(columns.full)
        family = frame.both(columns.family)
        given = frame.both(columns.given)
        return pl.DataFrame(
            {
                "full_l": full["l"],
                "full_r": full["r"],
                "fam_l": family["l"],
                "fam_r": family["r"],
                "giv_l": given["l"],
                "giv_r": given["r"],
            }
        )

    def _script(self, frame: PairFrame, columns: NameColumns) -> pl.Series:
        parts = self._parts(frame, columns)
        both_split = pl.all_horizontal(pl.col(n).is_not_null() for n in _PARTS)
        split_mask = parts.select(both_split & (pl.col("full_l") != pl.col("full_r"))).to_series()
        # Every level above 0 of a split name needs a roughly similar given name, so the
        # family name is scored only where the given name is (most candidate pairs are not).
        giv_sim = jaro_winkler(parts["giv_l"], parts["giv_r"], split_mask)
        giv_rough = self._rough(parts["giv_l"], parts["giv_r"], giv_sim, split_mask)
        fam_sim = jaro_winkler(parts["fam_l"], parts["fam_r"], split_mask & giv_rough)
        fam_rough = self._rough(parts["fam_l"], parts["fam_r"], fam_sim, split_mask & giv_rough)
        # Family and given name swapped, with a typo: scored only where the given names
        # are not close and a part starts like the other's counterpart (a swap keeps
        # the first letters; most candidate pairs share none and cost nothing).
        starts = (
            parts.select(
                (pl.col("giv_l").str.slice(0, 1) == pl.col("fam_r").str.slice(0, 1))
                & (pl.col("fam_l").str.slice(0, 1) == pl.col("giv_r").str.slice(0, 1))
            )
            .to_series()
            .fill_null(False)
        )
        unclose = split_mask & (giv_sim < self.close).fill_null(False) & starts
        cross_giv = jaro_winkler(parts["giv_l"], parts["fam_r"], unclose)
        cross_fam = jaro_winkler(
            parts["fam_l"], parts["giv_r"], unclose & (cross_giv >= self.close).fill_null(False)
        )
        unsplit_mask = parts.select(~both_split).to_series()
        full_sim = jaro_winkler(parts["full_l"], parts["full_r"], unsplit_mask)
        scored = parts.with_columns(
            split_mask.alias("split"),
            full_sim.alias("full_sim"),
            fam_sim.alias("fam_sim"),
            giv_sim.alias("giv_sim"),
            (giv_rough & fam_rough).alias("both_rough"),
            cross_giv.alias("cross_giv"),
            cross_fam.alias("cross_fam"),
        )
        return scored.select(
            pl.when(pl.col("full_l").is_null() | pl.col("full_r").is_null())
            .then(pl.lit(None, pl.Int8))
            .when(pl.col("full_l") == pl.col("full_r"))
            .then(pl.lit(4, pl.Int8))
            .when(pl.col("split"))
            .then(self._split_levels())
            .otherwise(self._whole_levels())
            .alias("level")
        ).to_series()

    def _split_levels(self) -> pl.Expr:
        """Both records split family and given name."""
        fam_close = pl.col("fam_sim") >= self.close
        giv_close = pl.col("giv_sim") >= self.close
        swapped = (pl.col("cross_giv") >= self.close) & (pl.col("cross_fam") >= self.close)
        return level(
            ((fam_close & giv_close).fill_null(False), 3),
            (swapped.fill_null(False), 3),
            (giv_close.fill_null(False), 2),
            (pl.col("both_rough"), 1),
        )

    def _rough(
        self, left: pl.Series, right: pl.Series, sim: pl.Series, where: pl.Series
    ) -> pl.Series:
        """Roughly similar: Jaro–Winkler at least ``partial``, or (where it is not) one
        edit apart in alphabet names of three letters or more (a transposed or mistyped
        letter in a short romaji name, which Jaro–Winkler misses; a kana or kanji name
        one letter apart already scores about ``partial``, and one-letter names are not
        compared by edits)."""
        rough = (sim >= self.partial).fill_null(False)
        frame = pl.DataFrame({"l": left, "r": right})
        candidates = (
            frame.select(
                ((pl.col("l").str.len_chars() - pl.col("r").str.len_chars()).abs() <= 1)
                & (pl.min_horizontal(pl.col("l").str.len_chars(), pl.col("r").str.len_chars()) >= 3)
                & pl.col("l").str.contains(_ALPHABET)
                & pl.col("r").str.contains(_ALPHABET)
            )
            .to_series()
            .fill_null(False)
        )
        edits = edit_distance(left, right, where & ~rough & candidates)
        return rough | (edits <= 1).fill_null(False)

    def _whole_levels(self) -> pl.Expr:
        """At most one record split the name: whole names, and the married-name check."""
        # Only one side split: the other side's whole name may still end with the same
        # given name under another family name (a married name).
        given_suffix = (
            pl.col("fam_l").is_not_null()
            & pl.col("full_r").str.ends_with(pl.col("giv_l").fill_null("\x00"))
            & ~pl.col("full_r").str.starts_with(pl.col("fam_l").fill_null("\x00"))
        ) | (
            pl.col("fam_r").is_not_null()
            & pl.col("full_l").str.ends_with(pl.col("giv_r").fill_null("\x00"))
            & ~pl.col("full_l").str.starts_with(pl.col("fam_r").fill_null("\x00"))
        )
        return level(
            ((pl.col("full_sim") >= self.close).fill_null(False), 3),
            (given_suffix.fill_null(False), 2),
            ((pl.col("full_sim") >= self.partial).fill_null(False), 1),
        )
