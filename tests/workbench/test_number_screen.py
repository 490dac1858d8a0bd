"""The 個人番号 screen: what it finds and masks, and that the vectorised columns answer
like a plain per-text reference of the same rule."""

from __future__ import annotations

import re
import unicodedata

import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rlwb.crypto.identifiers import canonical_my_number, my_number_check_digit
from rlwb.workbench.audit.errors import AuditEventRejected
from rlwb.workbench.audit.events import EventDraft, EventType, Outcome
from rlwb.workbench.errors import InvalidInput
from rlwb.workbench.import_screen import names_a_number, screen_extract
from rlwb.workbench.number_screen import (
    MASK,
    count_numbers,
    holds_number,
    mask_numbers,
    mask_text,
    passes_check,
    refuse_number,
)
from rlwb.workbench.workspace import Workspace
from tests.workbench.conftest import valid_numbers

N1, N2 = valid_numbers(2, start=40_000_000_000)
_FULL = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (f"扶養親族 {N1} 確認済", f"扶養親族 {MASK} 確認済"),
        (f"扶養親族 {N1.translate(_FULL)} 確認済", f"扶養親族 {MASK} 確認済"),
        (f"{N1[:4]}-{N1[4:8]}-{N1[8:]}", MASK),
        (f"{N1[:4]}－{N1[4:8]}－{N1[8:]}", MASK),  # full-width dash
        (f"{N1[:4]}\u3000{N1[4:8]}\u3000{N1[8:]}", MASK),  # ideographic space
        (f"{N1[:4]}ー{N1[4:8]}ー{N1[8:]}", MASK),  # long-vowel mark as a dash
        (f"2024 {N1[:4]} {N1[4:8]} {N1[8:]}", f"2024 {MASK}"),  # the group before is not cut
        (f"番号{N1}と{N2}", f"番号{MASK}と{MASK}"),
        (f"No{N1}", f"No{MASK}"),
        (f"{N1}5", None),  # 13 digits: not a 個人番号
        (f"{N1[:11]}{(int(N1[11]) + 1) % 10}", None),  # wrong check digit
        ("住所 東京都千代田区1-2-3", None),
        ("a3f9" + N1 + "b2c3d4e5f6a7b8c9", None),  # a hex token is opaque
        ("", None),
    ],
)
def test_masks_numbers_in_every_written_form(text: str, masked: str | None) -> None:
    assert mask_text(text) == (text if masked is None else masked)
    assert holds_number(text) is (masked is not None)


def test_columns_keep_other_cells_nulls_and_the_callers_series() -> None:
    values = pl.Series(["ｱｲｳ", None, f"x {N1}", "ｶﾅ 12"])
    result = mask_numbers(values)
    assert result.values.to_list() == ["ｱｲｳ", None, f"x {MASK}", "ｶﾅ 12"]
    assert result.cells == 1
    assert values[2] == f"x {N1}"  # not masked in place
    ints = mask_numbers(pl.Series([int(N1), 7, None]))
    assert ints.values.to_list() == [MASK, "7", None]
    assert count_numbers(pl.Series([], dtype=pl.String)) == 0


def test_refusal_names_the_field_never_the_text() -> None:
    with pytest.raises(InvalidInput, match="The note holds what looks like a 個人番号") as err:
        refuse_number(f"本人 {N1}", "note")
    assert N1 not in str(err.value)
    refuse_number("異動なし 2024-04-01", "note")


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_integer_check_matches_crypto_identifiers(value: int) -> None:
    text = f"{value:012d}"
    expected = my_number_check_digit(text[:11]) == text[11]
    got = pl.select(passes_check(pl.lit(value, dtype=pl.Int64))).item()
    assert got is expected


def _reference_count(text: str) -> bool:
    """The rule, one text at a time: whole digit groups joined only by separators,
    twelve digits that check; hex words of 16+ characters are opaque, unless they are one
    digit run with hex letters around it ("123456789018added"), which reads as text."""
    norm = unicodedata.normalize("NFKC", text)
    pieces = []
    for piece in re.findall(r"[0-9A-Fa-f]{16,}|[0-9]+|[A-Fa-f]+|[^0-9A-Fa-f]+", norm):
        if len(piece) >= 16 and re.fullmatch(r"[A-Fa-f]*[0-9]+[A-Fa-f]*", piece):
            pieces += re.findall(r"[0-9]+|[A-Fa-f]+", piece)
        else:
            pieces.append(piece)
    for start, piece in enumerate(pieces):
        if not re.fullmatch(r"[0-9]+", piece):
            continue
        digits, at = piece, start
        while len(digits) < 12 and at + 2 < len(pieces):
            if not re.fullmatch(r"[\-‐‑‒–—―−ー\s]+", pieces[at + 1]) or not re.fullmatch(
                r"[0-9]+", pieces[at + 2]
            ):
                break
            digits, at = digits + pieces[at + 2], at + 2
        if len(digits) == 12 and canonical_my_number(digits)[0] is not None:
            return True
    return False


_NUMBERISH = st.sampled_from([N1, N2, N1.translate(_FULL), f"{N2[:4]}-{N2[4:8]}-{N2[8:]}"])
_PIECE = st.one_of(
    _NUMBERISH,
    st.text(st.sampled_from(list("0123456789０１ -－ー　abcF名ｱ①")), max_size=14),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_PIECE, max_size=5).map("".join), max_size=20))
@example(["400000000009FFFb", "cafe123456789018"])  # one digit run inside a long hex word
def test_column_counts_match_the_per_text_reference(texts: list[str]) -> None:
    series = pl.Series(texts, dtype=pl.String)
    expected = [_reference_count(t) for t in texts]
    assert count_numbers(series) == sum(expected)
    masked = mask_numbers(series)
    assert masked.cells == sum(expected)
    assert count_numbers(masked.values) == 0


@pytest.mark.parametrize(
    "header",
    ["控除対象配偶者個人番号", "扶養親族個人番号", "マイナンバー", "まいなんばー", "My Number",
     "spouse_my_number", "個人番号（扶養1）"],
)  # fmt: skip
def test_headers_that_name_a_number(header: str) -> None:
    assert names_a_number(header)


@pytest.mark.parametrize("header", ["摘要", "備考", "基礎年金番号", "整理番号", "number"])
def test_headers_that_do_not(header: str) -> None:
    assert not names_a_number(header)


def test_screen_extract_per_column() -> None:
    ids = valid_numbers(4, start=50_000_000_000)
    frame = pl.DataFrame(
        {
            "row_number": [2, 3, 4, 5],
            "record_id": ["A1", "A2", "A3", "A4"],
            "my_number": ids,  # the tokeniser's, untouched here
            "name": ["山田", "田中", f"佐藤 {ids[0]}", "鈴木"],
            "payment_amount": [100, int(ids[1]), 300, None],
            "extra:参照": [ids[0], ids[1], "", ids[3]],
            "extra:備考": ["a", f"b {ids[2]}", None, "d"],
            f"extra:{ids[3]}": ["x", "y", "z", "w"],
        }
    )
    screened = screen_extract(frame)
    assert {c: a.describe() for c, a in screened.actions.items()} == {
        "name": "1 cells held a 個人番号: masked",
        "payment_amount": "1 values were a 個人番号: made unknown",
        "参照": "dropped: its cells are 個人番号",
        "備考": "1 cells held a 個人番号: masked",
        MASK: "the header held a 個人番号: masked in the column name",
    }
    out = screened.frame
    assert out.columns == [
        "row_number", "record_id", "my_number", "name", "payment_amount", "extra:備考",
        f"extra:{MASK}",
    ]  # fmt: skip
    assert out["my_number"].to_list() == ids
    assert out["payment_amount"].to_list() == [100, None, 300, None]
    assert screened.issues.to_dicts() == [
        {"row_number": 3, "record_id": "A2", "column": "payment_amount",
         "reason": "my_number_in_cell"}
    ]  # fmt: skip
    assert count_numbers(out.drop("my_number")["name"]) == 0


def test_the_access_log_uses_the_same_screen(workspace: Workspace) -> None:
    """Before, the log's own regex took the first 12 digits of ``2024 1234 5678 9018``,
    found they did not check, and let the number after them through."""
    spaced = f"2024 {N1[:4]} {N1[4:8]} {N1[8:]}"
    for text in (spaced, f"No{N1}", f"{N1[:4]} - {N1[4:8]} - {N1[8:]}"):
        with pytest.raises(AuditEventRejected, match="個人番号"):
            workspace.audit.append(
                EventDraft(EventType.SETTINGS_CHANGED, Outcome.OK, None, details={"x": text})
            )
    with pytest.raises(AuditEventRejected):
        workspace.audit.append(
            EventDraft(EventType.LOGIN_FAILED, Outcome.DENIED, None, subject_user=N1)
        )
    hex_token = "a3f9" + N1 + "b2c3d4e5f6a7b8c9"
    event = workspace.audit.append(
        EventDraft(EventType.SETTINGS_CHANGED, Outcome.OK, None, details={"x": hex_token})
    )
    assert event.details["x"] == hex_token
