"""The vectorised identifier checks answer exactly like crypto.identifiers, value by value."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from rlwb.crypto.identifiers import (
    canonical_corporate_number,
    canonical_my_number,
    my_number_check_digit,
)
from rlwb.workbench.identifier_columns import with_corporate_number_check, with_my_number_check

_PIECES = st.sampled_from(list("0123456789０１２３４５６７８９- －ー　aＡ١"))
_VALUES = st.one_of(st.none(), st.text(_PIECES, max_size=18), st.from_regex(r"\A[0-9]{12,13}\Z"))


def _expected(fn, values):  # type: ignore[no-untyped-def]
    return [(c, None if p is None else p.value) for c, p in map(fn, values)]


@settings(max_examples=200, deadline=None)
@given(st.lists(_VALUES, max_size=30))
def test_my_number_column_matches_the_reference(values: list[str | None]) -> None:
    frame = with_my_number_check(
        pl.DataFrame({"x": values}, schema={"x": pl.String}), "x", canonical="c", problem="p"
    )
    assert list(zip(frame["c"], frame["p"], strict=True)) == _expected(canonical_my_number, values)


@settings(max_examples=200, deadline=None)
@given(st.lists(_VALUES, max_size=30))
def test_corporate_column_matches_the_reference(values: list[str | None]) -> None:
    frame = with_corporate_number_check(
        pl.DataFrame({"x": values}, schema={"x": pl.String}), "x", canonical="c", problem="p"
    )
    expected = _expected(canonical_corporate_number, values)
    assert list(zip(frame["c"], frame["p"], strict=True)) == expected


@settings(deadline=None)  # the first call compiles polars regexes: no timing here
@given(st.from_regex(r"\A[0-9]{11}\Z"))
def test_every_valid_number_in_any_notation_is_accepted(first11: str) -> None:
    number = first11 + my_number_check_digit(first11)
    fullwidth = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    notations = [
        number,
        f"{number[:4]}-{number[4:8]}-{number[8:]}",
        f"{number[:4]} {number[4:8]} {number[8:]}",
        fullwidth,
    ]
    frame = with_my_number_check(pl.DataFrame({"x": notations}), "x", canonical="c", problem="p")
    assert frame["c"].to_list() == [number] * 4
    assert frame["p"].null_count() == 4
