"""Old-form (旧字体) and variant (異体字) kanji folded to one form for name and address matching.

NFKC folds none of these: they are separate unified ideographs (and 﨑 U+FA11 is one of
the twelve "compatibility" ideographs that have no decomposition). The table is used
only to build comparison keys; the clerk always sees the spelling the file had.

The pairs come from Unicode's Unihan database (kJoyoKanji/kJinmeiyoKanji mappings and
the variant fields, restricted to characters used in Japanese systems and folded to a
Jōyō, Jinmeiyō or JIS level-1 form) plus a short supplement; ``tools/make_variants.py``
regenerates ``linkage/variant_table.py`` from Debian's ``unicode-data`` package.

Every key and value is NFKC-stable, and no value is itself a key, so one pass of
``str.replace_many`` applies the whole fold (tests check both properties).

Ideographic variation selectors (U+FE00..U+FE0F, U+E0100..U+E01EF: MJ glyphs arrive as
base character + selector) are not in this table: normalisation strips them first.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from rlwb.linkage.variant_table import PAIRS

#: Regex class of the variation selectors normalisation removes (NFKC keeps them).
VARIATION_SELECTORS: Final = r"[\x{FE00}-\x{FE0F}\x{E0100}-\x{E01EF}]"

#: variant -> folded form.
VARIANT_KANJI: Final = MappingProxyType(dict(PAIRS))
