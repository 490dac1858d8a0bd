"""Validation of the 個人番号 (individual number) and the 法人番号 (corporate number).

Both rules are those of docs/tokens.md. The functions never echo the value they were
given in an error: a 個人番号 must not reach a log line or an exception message.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

#: The dashes a 個人番号 or 法人番号 may be written with (ASCII, Unicode dashes and minus,
#: the long vowel mark and the full-width hyphen); with spaces they are dropped before the
#: check. The one definition: workbench's vectorised checks and screens build on it.
DASHES = "-‐‑‒–—―−ー－"
#: DASHES and the spaces (ASCII, tab, ideographic) as a regex character class.
SEPARATOR_CLASS = "[" + re.escape(DASHES) + r"\s\u3000]"
_STRIP = str.maketrans("", "", DASHES + " \t\u3000")


class IdentifierProblem(StrEnum):
    """Why a value got no token. Only the kind is kept, never the value."""

    MISSING = "missing"
    MALFORMED = "malformed"
    CHECK_DIGIT = "check_digit"


def _canonical_digits(
    value: str | None, length: int
) -> tuple[str | None, IdentifierProblem | None]:
    if value is None:
        return None, IdentifierProblem.MISSING
    text = unicodedata.normalize("NFKC", value).translate(_STRIP)
    if not text:
        return None, IdentifierProblem.MISSING
    if len(text) != length or not (text.isascii() and text.isdigit()):
        return None, IdentifierProblem.MALFORMED
    return text, None


def my_number_check_digit(first11: str) -> str:
    """The check digit of a 個人番号 whose first 11 digits are ``first11``."""
    if len(first11) != 11 or not (first11.isascii() and first11.isdigit()):
        raise ValueError("a 個人番号 check digit needs exactly 11 ASCII digits")
    total = 0
    for n, digit in enumerate(reversed(first11), start=1):
        q = n + 1 if n <= 6 else n - 5
        total += int(digit) * q
    r = total % 11
    return "0" if r <= 1 else str(11 - r)


def canonical_my_number(value: str | None) -> tuple[str | None, IdentifierProblem | None]:
    """Return ``(12 canonical digits, None)`` or ``(None, problem)``.

    Canonical form: NFKC, spaces and every dash variant removed, exactly 12 ASCII digits
    whose last digit checks.
    """
    digits, problem = _canonical_digits(value, 12)
    if digits is None:
        return None, problem
    if my_number_check_digit(digits[:11]) != digits[11]:
        return None, IdentifierProblem.CHECK_DIGIT
    return digits, None


def is_valid_my_number(value: str | None) -> bool:
    return canonical_my_number(value)[0] is not None


def corporate_check_digit(last12: str) -> str:
    """The leading check digit of a 法人番号 whose other 12 digits are ``last12``."""
    if len(last12) != 12 or not (last12.isascii() and last12.isdigit()):
        raise ValueError("a 法人番号 check digit needs exactly 12 ASCII digits")
    total = 0
    for n, digit in enumerate(reversed(last12), start=1):
        total += int(digit) * (1 if n % 2 else 2)
    return str(9 - total % 9)


def canonical_corporate_number(value: str | None) -> tuple[str | None, IdentifierProblem | None]:
    """Return ``(13 canonical digits, None)`` or ``(None, problem)``."""
    digits, problem = _canonical_digits(value, 13)
    if digits is None:
        return None, problem
    if corporate_check_digit(digits[1:]) != digits[0]:
        return None, IdentifierProblem.CHECK_DIGIT
    return digits, None


def is_valid_corporate_number(value: str | None) -> bool:
    return canonical_corporate_number(value)[0] is not None
