"""The rules file: the shipped one loads, a bad one fails clearly."""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from rlwb.linkage.errors import RulesFileError
from rlwb.linkage.rules import RULE_CODES, load_rules, parse_rules

DEFAULT_TEXT = (
    resources.files("rlwb.linkage.rules").joinpath("default_rules.toml").read_text("utf-8")
)


def test_shipped_rules_hold_the_spec_thresholds() -> None:
    rules = load_rules()
    assert rules.version and rules.source == "default_rules.toml"
    assert tuple(rules.rules) == RULE_CODES
    assert [rules.rules[c].severity for c in RULE_CODES] == [
        "high",
        "review",
        "review",
        "high",
        "high",
        "info",
        "review",
        "high",
        "info",
    ]
    year_end_2025 = date(2025, 12, 31)
    limit = rules.income_limit(year_end_2025, 40, False)
    assert limit is not None and limit.limit == 1_300_000
    senior = rules.income_limit(year_end_2025, 60, True)
    assert senior is not None and senior.limit == 1_800_000
    student = rules.income_limit(year_end_2025, 19, False)
    assert student is not None and student.limit == 1_500_000
    student_2024 = rules.income_limit(date(2024, 12, 31), 19, False)
    assert student_2024 is not None and student_2024.limit == 1_300_000
    table = rules.grade_table(year_end_2025)
    assert table is not None and len(table.grades) == 32
    assert (table.grades[0].amount, table.grades[-1].amount) == (88_000, 650_000)
    assert table.grades[22].pay_from == 370_000 and table.grades[23].pay_from == 395_000
    assert rules.unenrolled_threshold(year_end_2025) == 1_060_000


def test_a_user_rules_file_is_loaded_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "my_rules.toml"
    path.write_text(
        DEFAULT_TEXT.replace('version = "2025.10-1"', 'version = "city-7"').replace(
            "amount = 1_060_000", "amount = 1_000_000"
        ),
        encoding="utf-8",
    )
    rules = load_rules(path)
    assert rules.version == "city-7" and rules.source == "my_rules.toml"
    assert rules.unenrolled_threshold(date(2025, 12, 31)) == 1_000_000


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("version = ", "versio = ", "'version' must be a non-empty text"),
        (
            'R03 = { name = "REMUNERATION_MISMATCH", severity = "review" }',
            "",
            r"\[rules\] R03: is missing",
        ),
        ('severity = "info" }', 'severity = "low" }', "'severity' must be one of"),
        (
            "effective_from = 2025-10-01",
            'effective_from = "October"',
            r"\[\[dependent_income_limit\]\] entry 3: 'effective_from' must be a date",
        ),
        ("limit = 1_300_000", "limit = -5", "'limit' must be a whole number"),
        ("[2, 98_000, 93_000],", "[2, 98_000, 130_000],", "'pay from' must start at 0 and rise"),
        ('counting = "japanese_legal"', 'counting = "lunar"', "'counting' must be"),
        ("grade_distance = 2", "grade_distance = 0", "'grade_distance' must be a whole number"),
        ("version = ", "version = = ", "not valid TOML"),
    ],
)
def test_a_bad_rules_file_raises_a_clear_error(old: str, new: str, message: str) -> None:
    assert old in DEFAULT_TEXT
    with pytest.raises(RulesFileError, match=message) as caught:
        parse_rules(DEFAULT_TEXT.replace(old, new, 1), "broken.toml")
    assert "broken.toml" in str(caught.value)
    assert "Correct the file" in str(caught.value)


def test_missing_or_unreadable_rules_file(tmp_path: Path) -> None:
    with pytest.raises(RulesFileError, match="was not found"):
        load_rules(tmp_path / "absent.toml")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(RulesFileError, match="cannot be read as UTF-8"):
        load_rules(binary)
