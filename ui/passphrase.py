"""Secrets typed twice: a password or passphrase pair with a match check and a strength meter.

The strength is a simple score (length and character classes), enough to steer people
away from short or one-class passphrases; the services enforce the hard minimums.
"""

from __future__ import annotations

import unicodedata

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QWidget,
)

from rlwb.ui.i18n import tr

#: Labels of the scores 0..4.
STRENGTH_KEYS = (
    "strength.very_weak",
    "strength.weak",
    "strength.fair",
    "strength.strong",
    "strength.very_strong",
)
_COLOURS = ("#c62828", "#e4572e", "#e0a800", "#4c9a2a", "#1b7a3d")


def character_classes(text: str) -> int:
    """How many of: lower-case, upper-case, digits, symbols/spaces, other scripts (kana…)."""
    classes = set()
    for ch in text:
        if ch.isascii():
            if ch.islower():
                classes.add("lower")
            elif ch.isupper():
                classes.add("upper")
            elif ch.isdigit():
                classes.add("digit")
            else:
                classes.add("symbol")
        elif unicodedata.category(ch).startswith(("L", "N")):
            classes.add("other")
        else:
            classes.add("symbol")
    return len(classes)


def passphrase_strength(text: str) -> int:
    """A score from 0 (very weak) to 4 (very strong)."""
    length = len(text)
    if length < 8:
        return 0
    score = 1 if length < 12 else 2 if length < 16 else 3 if length < 24 else 4
    classes = character_classes(text)
    if classes >= 3:
        score += 1
    elif classes <= 1:
        score -= 1
    if len(set(text)) <= max(2, length // 4):  # "aaaaaaaaaaaa", "abababababab"
        score -= 2
    return max(0, min(4, score))


class SecretPair(QWidget):
    """Two masked fields; ``value()`` is the secret when both agree and it is long enough."""

    changed = Signal()

    def __init__(
        self,
        first_label: str,
        second_label: str,
        *,
        min_length: int,
        min_strength: int = 0,
        meter: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.min_length = min_length
        self.min_strength = min_strength
        self.use_meter = meter
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.first = QLineEdit()
        self.second = QLineEdit()
        for field in (self.first, self.second):
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.textChanged.connect(self._update)
        form.addRow(first_label, self.first)
        form.addRow(second_label, self.second)
        self.meter = QProgressBar()
        self.meter.setRange(0, 4)
        self.meter.setTextVisible(True)
        self.meter.setMaximumHeight(16)
        if meter:
            form.addRow(tr("strength.label"), self.meter)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        form.addRow("", self.hint)
        self._update()

    @property
    def strength(self) -> int:
        return passphrase_strength(self.first.text())

    def problem(self) -> str | None:
        """Why the pair cannot be used yet (None: it can)."""
        first, second = self.first.text(), self.second.text()
        if len(first) < self.min_length:
            return tr("secret.too_short", count=self.min_length)
        if self.use_meter and self.strength < self.min_strength:
            return tr("secret.too_weak")
        if first != second:
            return tr("secret.mismatch")
        return None

    def value(self) -> str | None:
        return self.first.text() if self.problem() is None else None

    def clear(self) -> None:
        self.first.clear()
        self.second.clear()

    def _update(self) -> None:
        score = self.strength
        self.meter.setValue(score if self.first.text() else 0)
        self.meter.setFormat(tr(STRENGTH_KEYS[score]) if self.first.text() else "")
        self.meter.setStyleSheet(
            f"QProgressBar::chunk {{ background: {_COLOURS[score]}; }} "
            "QProgressBar { text-align: center; }"
        )
        problem = self.problem() if (self.first.text() or self.second.text()) else None
        self.hint.setText(problem or "")
        self.hint.setStyleSheet("color: #8a1020;" if problem else "")
        self.changed.emit()
