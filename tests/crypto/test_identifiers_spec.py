"""Spec vectors of docs/tokens.md for both number kinds, and the detection property of the
個人番号 check digit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rlwb.crypto.identifiers import (
    IdentifierProblem,
    canonical_corporate_number,
    canonical_my_number,
    corporate_check_digit,
    is_valid_corporate_number,
    is_valid_my_number,
    my_number_check_digit,
)

VALID_MY_NUMBERS = ["123456789018", "621498320257", "983205673214"]


@pytest.mark.parametrize("number", VALID_MY_NUMBERS)
def test_spec_valid_my_numbers(number: str) -> None:
    assert canonical_my_number(number) == (number, None)
    assert my_number_check_digit(number[:11]) == number[11]
    assert is_valid_my_number(number)


def test_spec_invalid_my_number_fails_the_check_digit() -> None:
    assert canonical_my_number("983205673210") == (None, IdentifierProblem.CHECK_DIGIT)
    assert not is_valid_my_number("983205673210")


@pytest.mark.parametrize(
    "written",
    [
        "１２３４５６７８９０１８",  # full-width digits
        "1234-5678-9018",
        "1234－5678－9018",  # full-width hyphen
        "1234ー5678ー9018",  # katakana prolonged sound mark, a common typo for a dash
        "1234‐5678‑9018",  # hyphen and non-breaking hyphen
        "1234−5678―9018",  # minus sign and horizontal bar
        "1234 5678 9018",
        "1234\u30005678\u30009018",  # ideographic space
        " 123456789018\t",
        "１２３４－５６７８－９０１８",
    ],
)
def test_written_forms_canonicalise(written: str) -> None:
    assert canonical_my_number(written) == ("123456789018", None)


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        (None, IdentifierProblem.MISSING),
        ("", IdentifierProblem.MISSING),
        ("   ", IdentifierProblem.MISSING),
        ("- -", IdentifierProblem.MISSING),
        ("12345678901", IdentifierProblem.MALFORMED),  # 11 digits
        ("1234567890180", IdentifierProblem.MALFORMED),  # 13 digits
        ("12345678901a", IdentifierProblem.MALFORMED),
        ("1234.5678.9018", IdentifierProblem.MALFORMED),
        ("١٢٣٤٥٦٧٨٩٠١٨", IdentifierProblem.MALFORMED),  # Arabic-Indic digits are not ASCII
        ("9832-0567-3210", IdentifierProblem.CHECK_DIGIT),
        ("９８３２０５６７３２１０", IdentifierProblem.CHECK_DIGIT),
    ],
)
def test_invalid_my_numbers_report_only_the_kind(written: str | None, problem: str) -> None:
    assert canonical_my_number(written) == (None, problem)


@pytest.mark.parametrize("number", ["7123456789012", "5835678256246"])
def test_spec_valid_corporate_numbers(number: str) -> None:
    assert canonical_corporate_number(number) == (number, None)
    assert corporate_check_digit(number[1:]) == number[0]
    assert is_valid_corporate_number(number)


@pytest.mark.parametrize(
    "written",
    ["７１２３４５６７８９０１２", "7-1234-5678-9012", "7 1234 5678 9012", "7123‐4567‐89012"],
)
def test_corporate_written_forms_canonicalise(written: str) -> None:
    assert canonical_corporate_number(written) == ("7123456789012", None)


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        (None, IdentifierProblem.MISSING),
        ("", IdentifierProblem.MISSING),
        ("123456789012", IdentifierProblem.MALFORMED),  # a 12-digit 個人番号 length
        ("71234567890123", IdentifierProblem.MALFORMED),
        ("8123456789012", IdentifierProblem.CHECK_DIGIT),
        ("8-1234-5678-9012", IdentifierProblem.CHECK_DIGIT),
    ],
)
def test_invalid_corporate_numbers(written: str | None, problem: str) -> None:
    assert canonical_corporate_number(written) == (None, problem)


# --- the check digit catches single-digit errors, with one documented exception ---------


def _reference_remainder(first11: str) -> int:
    """r of docs/tokens.md, written independently of crypto.identifiers."""
    total = 0
    for index, digit in enumerate(first11):
        n = 11 - index  # position counted from the right, check digit excluded
        total += int(digit) * (n + 1 if n <= 6 else n - 5)
    return total % 11


def _valid_number(first11: str) -> str:
    r = _reference_remainder(first11)
    return first11 + ("0" if r <= 1 else str(11 - r))


@given(
    first11=st.text(alphabet="0123456789", min_size=11, max_size=11),
    position=st.integers(min_value=0, max_value=11),
    shift=st.integers(min_value=1, max_value=9),
)
def test_single_digit_change_is_caught_unless_r_moves_between_0_and_1(
    first11: str, position: int, shift: int
) -> None:
    """Every weight Q is 2..7 and a digit changes by 1..9, so Q*delta is never a multiple
    of the prime 11: a change among the first 11 digits always changes r. But the rule
    maps two remainders to one check digit: r = 0 and r = 1 both give check digit 0.
    So exactly the changes that move r from 0 to 1 or from 1 to 0 keep the number valid,
    and such a number always ends in 0. A changed check digit is always caught."""
    number = _valid_number(first11)
    changed_digit = str((int(number[position]) + shift) % 10)
    changed = number[:position] + changed_digit + number[position + 1 :]
    assert changed != number

    accepted = is_valid_my_number(changed)

    if position == 11:
        assert not accepted
        return
    r_before = _reference_remainder(number[:11])
    r_after = _reference_remainder(changed[:11])
    assert r_before != r_after
    undetectable = {r_before, r_after} == {0, 1}
    assert accepted == undetectable
    if accepted:
        assert number[11] == changed[11] == "0"
    else:
        assert canonical_my_number(changed) == (None, IdentifierProblem.CHECK_DIGIT)


def test_the_undetectable_case_exists() -> None:
    # 3·... sums to r = 0 here; 3 -> 5 in the leftmost digit (weight 6) adds 12 ≡ 1 (mod 11).
    assert _reference_remainder("32860129040") in (0, 1)
    assert is_valid_my_number("328601290400")
    assert is_valid_my_number("528601290400")
    assert {_reference_remainder("32860129040"), _reference_remainder("52860129040")} == {0, 1}
