"""Old-form (旧字体) and variant (異体字) kanji folded to one form for name matching.

NFKC folds none of these: they are separate unified ideographs (and 﨑 U+FA11 is one of
the twelve "compatibility" ideographs that have no decomposition). The table is used
only to build comparison keys; the clerk always sees the spelling the file had.

Every key and value is NFKC-stable, and no value is itself a key, so one pass of
``str.replace_many`` applies the whole fold (tests check both properties).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

# Grouped by the form they fold to; comments name the usual family-name context.
_PAIRS: Final[tuple[tuple[str, str], ...]] = (
    # 高橋, 高田
    ("髙", "高"),
    # 山崎, 宮崎, 川崎
    ("﨑", "崎"),
    ("嵜", "崎"),
    ("碕", "崎"),
    # 斎藤 / 斉藤: the whole family folds to 斎 (clerks type them interchangeably)
    ("齋", "斎"),
    ("齊", "斎"),
    ("斉", "斎"),
    ("齌", "斎"),
    # 渡辺
    ("邊", "辺"),
    ("邉", "辺"),
    # 澤田, 小沢
    ("澤", "沢"),
    # 浜田, 長浜
    ("濱", "浜"),
    ("濵", "浜"),
    # 國分, 国井
    ("國", "国"),
    ("圀", "国"),
    ("櫻", "桜"),
    ("藏", "蔵"),
    ("廣", "広"),
    # 島田, 中島
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
    ("縣", "県"),
    ("萬", "万"),
    ("鐵", "鉄"),
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
    ("當", "当"),
    ("澁", "渋"),
    ("澀", "渋"),
    ("檜", "桧"),
    ("蘆", "芦"),
    ("衞", "衛"),
    ("讓", "譲"),
    ("變", "変"),
    ("豫", "予"),
    ("遙", "遥"),
    ("醫", "医"),
    ("鎭", "鎮"),
    ("鹽", "塩"),
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

#: variant -> folded form.
VARIANT_KANJI: Final = MappingProxyType(dict(_PAIRS))
