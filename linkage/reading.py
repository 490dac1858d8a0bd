"""A reading key where romaji and katakana names meet: ``NGUYEN VAN AN`` == ``グエン　バン　アン``.

Foreign residents are often written in romaji in one extract and in katakana in the
other, and Japanese names in Hepburn romaji (``TARO``, ``OHNO``) in one and kana
(``タロウ``, ``オオノ``) in the other. Both sides are brought to one folded romaji form:

1. katakana (and hiragana, half-width kana via NFKC) -> Hepburn romaji through a table
   built once from jaconv's ``kata2alphabet`` (the project's kana library, MIT, already a
   dependency and maintained; pykakasi is GPL-3 and cutlet needs MeCab and a dictionary
   for kanji, which a reading does not have). Digraphs with small ァィゥェォ (ティ, ヴァ,
   ファ, ウィ) are composed from their consonant, which jaconv spells as separate kana.
2. The same folds on both sides, as polars expressions (no per-row Python): spellings
   that differ by romanisation system or by katakana convention meet (ヴ/ブ and V/B,
   ティ/チ, シ/SHI/SI, ジ/JI/ZI, ツ/TSU/TU, フ/FU/HU, L/R, M/N before B/P/M), long
   vowels and doubled letters are dropped (TARO == タロウ, OHNO == オオノ, SATOH == サトウ,
   HATTORI == HATORI), a leading NG reads as G (NGUYEN == グエン), YE as E, and the
   vowels katakana adds after a consonant are dropped (ナム == NAM, トラン == TRAN), and
   final NH/NG read as ン (MINH == ミン, DANG == ダン), TR as チ (TRAN == チャン).

The key is for comparison only: ``key_reading`` keeps the order of the words,
``key_reading_sorted`` sorts them (family and given name in either order). Both have no
spaces and are null when there is no reading. A name that contains kanji has no reading
here (its kana column, if any, is used).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

import jaconv
import polars as pl

from rlwb.linkage.variants import VARIATION_SELECTORS

__all__ = [
    "READING_COLUMNS",
    "folded_reading_expr",
    "keys_from_folded",
    "normalise_reading",
    "reading_key_exprs",
    "reading_source_expr",
]

#: Columns :func:`reading_key_exprs` gives (Utf8, null when there is no reading).
READING_COLUMNS: Final = ("key_reading", "key_reading_sorted")

_HIRAGANA: Final = "".join(chr(c) for c in range(0x3041, 0x3097)) + "ゝゞ"
_KATAKANA: Final = "".join(chr(c) for c in range(0x30A1, 0x30FB))
_SMALL_VOWELS: Final = dict(zip("ァィゥェォ", "aiueo", strict=True))
_SMALL_Y: Final = "ャュョ"
_VOWELS: Final = "aeiou"
# Bases whose consonant jaconv's spelling does not give by dropping the vowel.
_CONSONANT: Final = {"ウ": "w", "ヴ": "v", "イ": "y", "ト": "t", "ド": "d"}


def _consonant(kana: str) -> str:
    if kana in _CONSONANT:
        return _CONSONANT[kana]
    romaji = jaconv.kata2alphabet(kana)
    return romaji.rstrip(_VOWELS) if romaji and romaji[-1] in _VOWELS else ""


def _kana_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for base in _KATAKANA:
        if base in _SMALL_VOWELS or base in _SMALL_Y or base in "ッー・ヽヾ":
            continue
        romaji = jaconv.kata2alphabet(base)
        if not romaji.isascii() or not romaji.isalpha():
            continue
        table[base] = romaji
        consonant = _consonant(base)
        if not consonant:
            continue
        for small, vowel in _SMALL_VOWELS.items():
            table[base + small] = consonant + vowel
        for small in _SMALL_Y:
            digraph = jaconv.kata2alphabet(base + small)
            if digraph.isascii() and digraph.isalpha():
                table[base + small] = digraph
    table.update({"ッ": "", "ー": "", "ン": "n", "ヲ": "o"})
    table.update(dict(zip(_SMALL_VOWELS, _SMALL_VOWELS.values(), strict=True)))
    table.update({"ャ": "ya", "ュ": "yu", "ョ": "yo", "ヮ": "wa", "ヵ": "ka", "ヶ": "ke"})
    for hira in _HIRAGANA:
        kata = jaconv.hira2kata(hira)
        if kata in table:
            table[hira] = table[kata]
    # Two-character patterns first: replace_many(leftmost=True) prefers earlier keys.
    return dict(sorted(table.items(), key=lambda kv: -len(kv[0])))


#: kana (and digraphs) -> Hepburn romaji, lower case.
KANA_TO_ROMAJI: Final = MappingProxyType(_kana_table())

# Ordered folds (regex, replacement), applied to lower-case ASCII letters and spaces.
_FOLDS: Final[tuple[tuple[str, str], ...]] = (
    ("tch", "ch"),
    ("ph", "f"),
    ("wh", "w"),
    ("th", "t"),
    ("sh", "sy"),
    ("ch", "ty"),
    ("ts", "t"),
    ("dz", "z"),
    ("j", "zy"),
    # ヅ is DU in Nihon-shiki and ZU in Hepburn; Vietnamese D reads /z/ (DUNG == ズン)
    # while Đ reads /d/ (DUC == ドック): ZU folds to DU, so both meet their katakana
    ("zu", "du"),
    ("c", "k"),
    ("q", "k"),
    ("x", "ks"),
    ("l", "r"),
    ("v", "b"),
    ("f", "h"),
    ("([styz])yi", "${1}i"),
    ("(^| )ng", "${1}g"),
    ("ye", "e"),
    ("wo", "o"),
    ("m([bpm])", "n${1}"),
    # A Hepburn h marking a long vowel: OHNO, SATOH
    ("([aeiou])h([^aeiouy]|$)", "${1}${2}"),
    ("ou", "o"),
    ("ei", "e"),
    # Vowels katakana adds to a foreign consonant: ナム == NAM, トラン == TRAN,
    # サントス == SANTOS (the same fold on Japanese names on both sides costs little).
    ("([bdghkmprstz])o([bdghkmprstz])", "${1}${2}"),
    ("([bdghkmprstz])u([bdghkmprstz ]|$)", "${1}${2}"),
    ("([bdghkmprstz])u([bdghkmprstz ]|$)", "${1}${2}"),  # again: matches do not overlap
    # Vietnamese finals and initials as katakana writes them: MINH == ミン, DANG == ダン,
    # TRAN == チャン (トラン folds to TRAN above)
    ("n[hg]( |$)", "n${1}"),
    ("tr", "ty"),
)
_DOUBLES: Final = MappingProxyType({c * 2: c for c in "abcdefghijklmnopqrstuvwxyz"})


def reading_source_expr(name: pl.Expr, kana: pl.Expr) -> pl.Expr:
    """The reading a row has: its kana column, else its name when the name holds no
    kanji (a romaji or katakana name)."""
    kana_text = kana.cast(pl.String)
    has_kana = kana_text.str.strip_chars().str.len_chars().fill_null(0) > 0
    name_text = name.cast(pl.String)
    no_kanji = ~name_text.str.contains(r"\p{Han}|[々〆ヶ]").fill_null(True)
    return pl.when(has_kana).then(kana_text).when(no_kanji).then(name_text)


def _folded(source: pl.Expr) -> pl.Expr:
    expr = (
        source.cast(pl.String)
        .str.replace_all(VARIATION_SELECTORS, "")
        .str.normalize("NFKC")
        .str.replace_many(dict(KANA_TO_ROMAJI), leftmost=True)
        # Ō, é, ü: the letter without its mark
        .str.normalize("NFKD")
        .str.to_lowercase()
        .str.replace_all(r"[^a-z]+", " ")
        .str.strip_chars(" ")
    )
    for pattern, replacement in _FOLDS:
        expr = expr.str.replace_all(pattern, replacement)
    doubles = dict(_DOUBLES)
    return expr.str.replace_many(doubles).str.replace_many(doubles)


def reading_key_exprs(source: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(``key_reading``, ``key_reading_sorted``) of a reading column (see module doc).
    Both repeat the fold chain: on large frames materialise :func:`folded_reading_expr`
    once and use :func:`keys_from_folded` (add_match_keys does)."""
    return keys_from_folded(_folded(source))


def _whole(folded: pl.Expr) -> pl.Expr:
    whole = folded.str.replace_all(" ", "", literal=True)
    return pl.when(whole.str.len_bytes() > 0).then(whole)


def _sorted(folded: pl.Expr) -> pl.Expr:
    joined = folded.str.split(" ").list.sort().list.join("")
    return pl.when(joined.str.len_bytes() > 0).then(joined)


def folded_reading_expr(source: pl.Expr) -> pl.Expr:
    """The folded reading with its word spaces (input of the two keys)."""
    return _folded(source)


def keys_from_folded(folded: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(``key_reading``, ``key_reading_sorted``) from :func:`folded_reading_expr`."""
    return _whole(folded), _sorted(folded)


def normalise_reading(value: str | None) -> str | None:
    """``NGUYEN VAN AN`` -> ``guenbanan``; ``グエン　バン　アン`` -> ``guenbanan``."""
    frame = pl.DataFrame({"v": [value]}, schema={"v": pl.String})
    result = frame.select(_whole(_folded(pl.col("v"))).alias("out"))["out"][0]
    return None if result is None else str(result)
