"""Regenerate linkage/variant_table.py (old and variant kanji -> one folded form) from Unihan.

Usage::

    apt-get install unicode-data          # Debian ships Unihan in /usr/share/unicode
    python tools/make_variants.py [UNIHAN_DIR]

UNIHAN_DIR holds ``Unihan_Variants.txt`` and ``Unihan_OtherMappings.txt`` (plain or
``.bz2``, as Debian ships them; the files of ``Unihan.zip`` from unicode.org work too).

Which characters fold, and to what:

1. *Official Japanese mappings*: ``kJoyoKanji`` values ``U+XXXX`` and ``kJinmeiyoKanji``
   values ``2010:U+XXXX`` pair a character with its variant (薰/薫, 穗/穂, 晃/晄); the
   less common one (not Jōyō, then not JIS level 1) folds into the other, and a pair
   of equal standing is left alone.
2. *Variant edges*: ``kSemanticVariant``, ``kZVariant``, ``kSimplifiedVariant`` and
   ``kTraditionalVariant`` edges from a character used in Japanese systems (it has a
   JIS X 0208/0213 or IBM Japan code) that is not itself a standard form, to a
   standard form (髙 -> 高, 區 -> 区, 譽 -> 誉, 藪 -> 薮). Standard forms are the Jōyō
   kanji, the Jinmeiyō kanji (their standard forms) and JIS X 0208 level 1. With
   several standard targets the Jōyō one wins, then Jinmeiyō, then level 1, then the
   lowest code point.
3. *Supplements* (``SUPPLEMENT`` below) win over both: the forms Unihan 15.0 has no
   Japanese edge for (the bracketed forms of the 常用漢字表 such as 驛 -> 駅, and
   register forms such as 靏 -> 鶴), and the table's original hand-picked pairs, whose
   folds the matching already relies on (斉/齊/齋 -> 斎 and similar).

Keys and values are NFKC-stable (NFKC runs first in normalisation; a compatibility
ideograph that NFKC already folds is left to it), and chains are resolved so one
``str.replace_many`` pass applies the whole table.
"""

from __future__ import annotations

import bz2
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

DEFAULT_DIR = Path("/usr/share/unicode")
OUTPUT = Path(__file__).resolve().parent.parent / "linkage" / "variant_table.py"

_EDGE_FIELDS = ("kSemanticVariant", "kZVariant", "kSimplifiedVariant", "kTraditionalVariant")
_JAPANESE_FIELDS = ("kJis0", "kJis1", "kJIS0213", "kIBMJapan")
_CODE = re.compile(r"U\+([0-9A-F]{4,6})")

#: Pairs Unihan 15.0 lacks, and the original hand-picked table (kept for its folds).
SUPPLEMENT: tuple[tuple[str, str], ...] = (
    # 常用漢字表 (2010) bracketed traditional forms without a Japanese edge in Unihan 15.0
    ("驛", "駅"),
    ("繩", "縄"),
    ("滿", "満"),
    ("圖", "図"),
    ("區", "区"),
    ("臺", "台"),
    ("譽", "誉"),
    ("驗", "験"),
    ("鐵", "鉄"),
    ("體", "体"),
    ("聲", "声"),
    ("發", "発"),
    ("辯", "弁"),
    ("瓣", "弁"),
    ("辨", "弁"),
    ("變", "変"),
    ("歸", "帰"),
    ("圍", "囲"),
    ("觀", "観"),
    ("權", "権"),
    ("舊", "旧"),
    ("廳", "庁"),
    ("擧", "挙"),
    ("邊", "辺"),
    ("寶", "宝"),
    ("鹽", "塩"),
    ("當", "当"),
    ("黨", "党"),
    ("獨", "独"),
    ("讀", "読"),
    ("營", "営"),
    ("縣", "県"),
    ("齒", "歯"),
    ("續", "続"),
    ("總", "総"),
    ("對", "対"),
    ("斷", "断"),
    ("濟", "済"),
    ("雙", "双"),
    ("蠶", "蚕"),
    ("假", "仮"),
    ("廢", "廃"),
    ("國", "国"),
    # Register and place-name forms: 飛驒/飛騨, 鶴/靏/鶴, 鴎/鷗, 篭/籠
    ("驒", "騨"),
    ("靏", "鶴"),
    ("鷗", "鴎"),
    ("篭", "籠"),
    ("藪", "薮"),
    ("薰", "薫"),
    # The original hand-picked table (linkage/variants.py before the generated one).
    ("髙", "高"),
    ("﨑", "崎"),
    ("嵜", "崎"),
    ("碕", "崎"),
    ("齋", "斎"),
    ("齊", "斎"),
    ("斉", "斎"),
    ("齌", "斎"),
    ("邉", "辺"),
    ("澤", "沢"),
    ("濱", "浜"),
    ("濵", "浜"),
    ("圀", "国"),
    ("櫻", "桜"),
    ("藏", "蔵"),
    ("廣", "広"),
    ("嶋", "島"),
    ("嶌", "島"),
    ("峯", "峰"),
    ("冨", "富"),
    ("惠", "恵"),
    ("德", "徳"),
    ("瀨", "瀬"),
    ("龍", "竜"),
    ("眞", "真"),
    ("實", "実"),
    ("與", "与"),
    ("榮", "栄"),
    ("曾", "曽"),
    ("增", "増"),
    ("圓", "円"),
    ("薗", "園"),
    ("淺", "浅"),
    ("兒", "児"),
    ("顯", "顕"),
    ("賴", "頼"),
    ("來", "来"),
    ("壽", "寿"),
    ("彌", "弥"),
    ("傳", "伝"),
    ("萬", "万"),
    ("戶", "戸"),
    ("黑", "黒"),
    ("靑", "青"),
    ("淸", "清"),
    ("學", "学"),
    ("豐", "豊"),
    ("禮", "礼"),
    ("嶽", "岳"),
    ("樂", "楽"),
    ("關", "関"),
    ("寬", "寛"),
    ("瀧", "滝"),
    ("龜", "亀"),
    ("彥", "彦"),
    ("會", "会"),
    ("經", "経"),
    ("條", "条"),
    ("團", "団"),
    ("槇", "槙"),
    ("桒", "桑"),
    ("舘", "館"),
    ("舩", "船"),
    ("栁", "柳"),
    ("𠮷", "吉"),
    ("恆", "恒"),
    ("澁", "渋"),
    ("澀", "渋"),
    ("檜", "桧"),
    ("蘆", "芦"),
    ("衞", "衛"),
    ("讓", "譲"),
    ("豫", "予"),
    ("遙", "遥"),
    ("醫", "医"),
    ("鎭", "鎮"),
    ("黃", "黄"),
    ("亞", "亜"),
    ("嚴", "厳"),
    ("壹", "壱"),
    ("從", "従"),
    ("晉", "晋"),
    ("稻", "稲"),
    ("穗", "穂"),
    ("繪", "絵"),
    ("聰", "聡"),
    ("莊", "荘"),
    ("將", "将"),
    ("桝", "枡"),
    ("渕", "淵"),
    ("曻", "昇"),
    ("逹", "達"),
    ("埜", "野"),
    ("槗", "橋"),
)


def _lines(directory: Path, name: str) -> list[str]:
    plain = directory / name
    if plain.exists():
        return plain.read_text(encoding="utf-8").splitlines()
    packed = directory / f"{name}.bz2"
    if packed.exists():
        return bz2.decompress(packed.read_bytes()).decode("utf-8").splitlines()
    raise SystemExit(f"{name} not found in {directory}: install unicode-data or pass the folder.")


def _fields(directory: Path, name: str) -> dict[str, dict[str, str]]:
    """field -> {character: value}"""
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for line in _lines(directory, name):
        if not line.startswith("U+"):
            continue
        code, field, value = line.split("\t", 2)
        out[field][chr(int(code[2:], 16))] = value
    return out


def _stable(ch: str) -> bool:
    return unicodedata.normalize("NFKC", ch) == ch


def build(directory: Path) -> dict[str, str]:
    other = _fields(directory, "Unihan_OtherMappings.txt")
    variants = _fields(directory, "Unihan_Variants.txt")
    joyo = {c for c, v in other["kJoyoKanji"].items() if not v.startswith("U+")}
    jinmeiyo = {c for c, v in other["kJinmeiyoKanji"].items() if "U+" not in v}
    level1 = {c for c, v in other["kJis0"].items() if 16 <= int(v[:2]) <= 47}
    japanese = set().union(*(other[f].keys() for f in _JAPANESE_FIELDS))
    rank = {**dict.fromkeys(level1, 3), **dict.fromkeys(jinmeiyo, 2), **dict.fromkeys(joyo, 1)}

    jinmeiyo_any = set(other["kJinmeiyoKanji"])

    def common(ch: str) -> tuple[bool, bool, bool]:
        return (ch in joyo, ch in level1, ch in jinmeiyo_any)

    table: dict[str, str] = {}
    for field in ("kJoyoKanji", "kJinmeiyoKanji"):
        for ch, value in other[field].items():
            found = _CODE.search(value)
            if not found:
                continue
            # The field pairs variants (亞/亜, but also 晃/晄, 亘/亙 where the listed one is
            # the common form): fold the less common one into the more common one.
            other_ch = chr(int(found.group(1), 16))
            if common(other_ch) > common(ch):
                table[ch] = other_ch
            elif common(ch) > common(other_ch):
                table[other_ch] = ch
    for ch in sorted(japanese - rank.keys() - table.keys()):
        targets = {
            chr(int(code, 16))
            for field in _EDGE_FIELDS
            for code in _CODE.findall(variants[field].get(ch, ""))
        }
        standard = sorted((rank[t], ord(t), t) for t in targets if t in rank)
        if standard:
            table[ch] = standard[0][2]
    for key, value in SUPPLEMENT:
        table.pop(value, None)  # a supplement decides the direction (槙 <- 槇, not ->)
        table[key] = value
    table = {k: v for k, v in table.items() if k != v and _stable(k) and _stable(v)}
    # Resolve chains (a -> b -> c becomes a -> c); a cycle keeps its first fold.
    for key in list(table):
        seen = {key}
        value = table[key]
        while value in table and table[value] not in seen:
            seen.add(value)
            value = table[value]
        table[key] = value
    return {k: v for k, v in table.items() if k != v and v not in table}


def render(table: dict[str, str], source: str) -> str:
    rows = "\n".join(f'    ("{k}", "{v}"),  # U+{ord(k):04X}' for k, v in sorted(table.items()))
    return (
        '"""Generated by tools/make_variants.py from Unihan (' + source + "); do not edit.\n\n"
        "Old-form and variant kanji -> the form they fold to for matching.\n"
        '"""\n\n'
        "from typing import Final\n\n"
        "PAIRS: Final[tuple[tuple[str, str], ...]] = (\n" + rows + "\n)\n"
    )


def _version(directory: Path) -> str:
    header = " ".join(_lines(directory, "Unihan_Variants.txt")[:4])
    found = re.search(r"Unicode version: [0-9.]+", header)
    return found.group(0) if found else "Unihan"


def main(argv: list[str]) -> int:
    directory = Path(argv[1]) if len(argv) > 1 else DEFAULT_DIR
    table = build(directory)
    OUTPUT.write_text(render(table, _version(directory)), encoding="utf-8")
    print(f"{len(table)} variant pairs written to {OUTPUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
