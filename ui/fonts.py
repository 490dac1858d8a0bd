"""Pick a font that has Japanese glyphs, so kanji never render as boxes."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

#: First installed family wins. The README's set-up installs fonts-noto-cjk.
PREFERRED_FAMILIES = (
    "Noto Sans CJK JP",
    "Noto Sans JP",
    "Source Han Sans JP",
    "IPAexGothic",
    "IPAGothic",
    "Yu Gothic UI",
    "Meiryo UI",
    "Hiragino Sans",
)


def cjk_family() -> str | None:
    installed = set(QFontDatabase.families())
    return next((f for f in PREFERRED_FAMILIES if f in installed), None)


def apply_cjk_font(app: QApplication, point_size: int = 10) -> str | None:
    """Set the application font to a CJK family; returns it (None if none is installed)."""
    family = cjk_family()
    if family is not None:
        font = QFont(family)
        font.setPointSize(point_size)
        app.setFont(font)
    return family
