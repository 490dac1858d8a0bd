"""Date parsing: every accepted form, era boundaries, and failures that never guess."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from rlwb.linkage.parse.dates import ERA_LAST_DAY, ERAS, DateProblem, parse_date, parse_dates

APRIL_1_1985 = dt.date(1985, 4, 1)


@pytest.mark.parametrize(
    "text",
    [
        "1985-04-01",
        "1985/4/1",
        "1985/04/01",
        "1985.4.1",
        "19850401",
        "1985年4月1日",
        "昭和60年4月1日",
        "昭和60年4月1日生",
        "昭和60年4月1日生まれ",
        "昭和 60年 4月 1日",
        "昭60.4.1",
        "S60.4.1",
        "s60/04/01",
        "S60-4-1",
        "S600401",
        "5-600401",
        "5600401",
        "１９８５－０４－０１",
        "昭和６０年４月１日",
        "Ｓ６０．４．１",
        " 1985-04-01 ",
        "1985-04-01 00:00:00",  # an XLSX date cell read as text
    ],
)
def test_every_form_of_the_same_date(text: str) -> None:
    assert parse_date(text) == (APRIL_1_1985, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("H2.11.3", dt.date(1990, 11, 3)),
        ("R1.5.1", dt.date(2019, 5, 1)),
        ("令和元年5月1日", dt.date(2019, 5, 1)),
        ("R元.5.1", dt.date(2019, 5, 1)),
        ("9-010501", dt.date(2019, 5, 1)),
        ("7-020101", dt.date(1990, 1, 1)),
        ("3-010730", dt.date(1912, 7, 30)),
        ("1-450729", dt.date(1912, 7, 29)),
        ("平成元年1月8日", dt.date(1989, 1, 8)),
        ("昭和64年1月7日", dt.date(1989, 1, 7)),
        ("平成31年4月30日", dt.date(2019, 4, 30)),
        ("大正15年12月24日", dt.date(1926, 12, 24)),
        ("昭和元年12月25日", dt.date(1926, 12, 25)),
        ("明治45年7月29日", dt.date(1912, 7, 29)),
        ("大正元年7月30日", dt.date(1912, 7, 30)),
        ("2024-02-29", dt.date(2024, 2, 29)),
    ],
)
def test_wareki_and_era_codes(text: str, expected: dt.date) -> None:
    assert parse_date(text) == (expected, None)


@pytest.mark.parametrize(
    "text",
    [
        "昭和64年2月1日",  # 昭和 ended 1989-01-07
        "平成1年1月1日",  # 平成 began 1989-01-08
        "平成元年1月7日",
        "平成31年5月1日",  # 令和 from 2019-05-01
        "令和1年4月30日",
        "大正15年12月25日",
        "明治45年7月30日",
        "5-640201",
        "7-010101",
        "S64.2.1",
    ],
)
def test_wareki_outside_its_era_is_unknown(text: str) -> None:
    assert parse_date(text) == (None, DateProblem.OUTSIDE_ERA.value)


@pytest.mark.parametrize(
    "text",
    [
        "2023-02-30",
        "2023-02-29",
        "1985-13-01",
        "1985-04-31",
        "20230230",
        "昭和60年2月30日",
        "S0.1.1",
    ],
)
def test_dates_that_do_not_exist_are_unknown(text: str) -> None:
    assert parse_date(text) == (None, DateProblem.DOES_NOT_EXIST.value)


@pytest.mark.parametrize(
    "text",
    [
        "garbage",
        "1985",
        "85/4/1",
        "X60.4.1",
        "昭和六十年四月一日",
        "1985-04-01-02",
        "2-600401",
        "生",
    ],
)
def test_unreadable_dates(text: str) -> None:
    assert parse_date(text) == (None, DateProblem.UNREADABLE.value)


@pytest.mark.parametrize("text", [None, "", "   ", "\u3000"])
def test_blank_is_null_without_reason(text: str | None) -> None:
    assert parse_date(text) == (None, None)


def test_era_table_matches_the_spec() -> None:
    first = {era.letter: era.first_day for era in ERAS}
    assert first["T"] == dt.date(1912, 7, 30)
    assert first["S"] == dt.date(1926, 12, 25)
    assert first["H"] == dt.date(1989, 1, 8)
    assert first["R"] == dt.date(2019, 5, 1)
    assert {era.letter: era.code for era in ERAS} == {
        "M": "1",
        "T": "3",
        "S": "5",
        "H": "7",
        "R": "9",
    }
    assert ERA_LAST_DAY["S"] == dt.date(1989, 1, 7)
    assert ERA_LAST_DAY["R"] is None


def test_series_keeps_order_and_mixes_paths() -> None:
    series = pl.Series(
        "birth", ["1985-04-01", "S60.4.1", None, "2023-02-30", "x", "昭和64年2月1日", "2000-01-01"]
    )
    dates, reasons = parse_dates(series)
    assert dates.dtype == pl.Date and reasons.dtype == pl.String
    assert dates.name == reasons.name == "birth"
    assert dates.to_list() == [
        APRIL_1_1985,
        APRIL_1_1985,
        None,
        None,
        None,
        None,
        dt.date(2000, 1, 1),
    ]
    assert reasons.to_list() == [
        None,
        None,
        None,
        "date_does_not_exist",
        "date_unreadable",
        "date_outside_era",
        None,
    ]


def test_empty_series() -> None:
    dates, reasons = parse_dates(pl.Series("d", [], dtype=pl.String))
    assert dates.len() == 0 and reasons.len() == 0
