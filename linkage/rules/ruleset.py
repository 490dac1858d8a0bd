"""The rule set: thresholds with effective dates, read from a TOML rules file.

The shipped file is ``default_rules.toml`` beside this module; a user may replace it.
A file that cannot be read or does not describe a complete rule set raises
:class:`linkage.errors.RulesFileError` naming the file and the entry at fault; nothing
is half-loaded.

Effective dates are compared with 31 December of the tax year (the day ages count on
too): a dated threshold applies when ``effective_from <= 31 Dec < effective_to``.
"""

from __future__ import annotations

import itertools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal

from rlwb.linkage.errors import RulesFileError

RULE_CODES: Final = ("R01", "R02", "R03", "R04", "R05", "R06", "R07", "R08", "R09")


class Severity(StrEnum):
    """How urgent a finding is: act now, check, or for information."""

    HIGH = "high"
    REVIEW = "review"
    INFO = "info"


SEVERITIES: Final = tuple(Severity)
AgeCounting = Literal["japanese_legal", "calendar"]
Relationship = Literal["any", "spouse", "non_spouse"]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    enabled: bool = True


@dataclass(frozen=True)
class IncomeLimit:
    """R01: one dependant income limit and the conditions under which it applies."""

    effective_from: date
    effective_to: date | None
    limit: int
    min_age: int | None = None
    max_age: int | None = None
    relationship: Relationship = "any"

    def describe(self) -> str:
        """``for a non-spouse dependant aged 19-22``: the conditions, for a finding."""
        parts = []
        if self.relationship == "spouse":
            parts.append("a spouse")
        elif self.relationship == "non_spouse":
            parts.append("a non-spouse dependant")
        else:
            parts.append("a dependant")
        if self.min_age is not None and self.max_age is not None:
            parts.append(f"aged {self.min_age}-{self.max_age}")
        elif self.min_age is not None:
            parts.append(f"aged {self.min_age} or over")
        elif self.max_age is not None:
            parts.append(f"aged {self.max_age} or under")
        return "for " + " ".join(parts)

    @property
    def specificity(self) -> int:
        return (
            (self.min_age is not None) + (self.max_age is not None) + (self.relationship != "any")
        )

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)

    def applies(self, on: date, age: int, spouse: bool) -> bool:
        if not self.in_force(on):
            return False
        if self.min_age is not None and age < self.min_age:
            return False
        if self.max_age is not None and age > self.max_age:
            return False
        if self.relationship == "spouse" and not spouse:
            return False
        return not (self.relationship == "non_spouse" and spouse)


@dataclass(frozen=True)
class Grade:
    grade: int
    amount: int
    pay_from: int


@dataclass(frozen=True)
class GradeTable:
    effective_from: date
    effective_to: date | None
    grades: tuple[Grade, ...]


@dataclass(frozen=True)
class DatedAmount:
    effective_from: date
    effective_to: date | None
    amount: int


@dataclass(frozen=True)
class IdentityRule:
    conflict_disagreements: int
    name_similarity: float
    address_similarity: float


@dataclass(frozen=True)
class RuleSet:
    """Everything the rules need, as loaded from one rules file."""

    version: str
    source: str
    rules: Mapping[str, Rule]
    age_counting: AgeCounting
    spouse_relationships: frozenset[str]
    half_income_fraction: tuple[int, int]
    dependent_income_limits: tuple[IncomeLimit, ...]
    grade_distance: int
    grade_tables: tuple[GradeTable, ...]
    unenrolled_thresholds: tuple[DatedAmount, ...]
    identity: IdentityRule

    def enabled(self, code: str) -> bool:
        return self.rules[code].enabled

    def income_limit(self, on: date, age: int, spouse: bool) -> IncomeLimit | None:
        """R01 limit for a dependant of this age and relationship (None: none in force)."""
        applicable = [e for e in self.dependent_income_limits if e.applies(on, age, spouse)]
        if not applicable:
            return None
        return max(applicable, key=lambda e: (e.specificity, e.effective_from))

    def grade_table(self, on: date) -> GradeTable | None:
        tables = [
            t
            for t in self.grade_tables
            if t.effective_from <= on and (t.effective_to is None or on < t.effective_to)
        ]
        return max(tables, key=lambda t: t.effective_from) if tables else None

    def unenrolled_threshold(self, on: date) -> int | None:
        amounts = [
            a
            for a in self.unenrolled_thresholds
            if a.effective_from <= on and (a.effective_to is None or on < a.effective_to)
        ]
        return max(amounts, key=lambda a: a.effective_from).amount if amounts else None


DEFAULT_RULES_FILE: Final = "default_rules.toml"


class _Reader:
    """Typed access to the parsed TOML with messages that name the file and the key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str) -> RulesFileError:
        return RulesFileError(
            f"Rules file {self.source}: {where}: {problem}. Correct the file, or remove it "
            "to use the rules shipped with the application."
        )

    def table(self, data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
        value = data.get(key)
        if not isinstance(value, dict):
            raise self.fail(where, f"needs a [{key}] table")
        return value

    def entries(self, data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
        value = data.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
            raise self.fail(f"[[{key}]]", "needs at least one entry")
        return value

    def integer(
        self,
        data: Mapping[str, Any],
        key: str,
        where: str,
        *,
        minimum: int = 0,
        optional: bool = False,
    ) -> int | None:
        value = data.get(key)
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(where, f"'{key}' must be a whole number of at least {minimum}")
        return value

    def required_int(self, data: Mapping[str, Any], key: str, where: str, minimum: int = 0) -> int:
        value = self.integer(data, key, where, minimum=minimum)
        assert value is not None
        return value

    def fraction(self, data: Mapping[str, Any], key: str, where: str) -> float:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
            raise self.fail(where, f"'{key}' must be a number above 0 and at most 1")
        return float(value)

    def day(
        self, data: Mapping[str, Any], key: str, where: str, *, optional: bool = False
    ) -> date | None:
        value = data.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, date) or isinstance(value, datetime):
            raise self.fail(where, f"'{key}' must be a date such as 2025-10-01")
        return value

    def period(self, data: Mapping[str, Any], where: str) -> tuple[date, date | None]:
        start = self.day(data, "effective_from", where)
        end = self.day(data, "effective_to", where, optional=True)
        assert start is not None
        if end is not None and end <= start:
            raise self.fail(where, "'effective_to' must be after 'effective_from'")
        return start, end


def _rules(reader: _Reader, data: Mapping[str, Any]) -> dict[str, Rule]:
    table = reader.table(data, "rules", "top level")
    rules: dict[str, Rule] = {}
    for code in RULE_CODES:
        entry = table.get(code)
        where = f"[rules] {code}"
        if not isinstance(entry, dict):
            raise reader.fail(where, "is missing (every rule R01-R09 needs name and severity)")
        name, severity = entry.get("name"), entry.get("severity")
        if not isinstance(name, str) or not name:
            raise reader.fail(where, "'name' must be a non-empty text")
        if severity not in SEVERITIES:
            raise reader.fail(where, f"'severity' must be one of {', '.join(SEVERITIES)}")
        enabled = entry.get("enabled", True)
        if not isinstance(enabled, bool):
            raise reader.fail(where, "'enabled' must be true or false")
        rules[code] = Rule(code=code, name=name, severity=str(severity), enabled=enabled)
    unknown = sorted(set(table) - set(RULE_CODES))
    if unknown:
        raise reader.fail("[rules]", f"unknown rule codes {', '.join(unknown)}")
    return rules


def _income_limits(reader: _Reader, data: Mapping[str, Any]) -> tuple[IncomeLimit, ...]:
    limits = []
    for n, entry in enumerate(reader.entries(data, "dependent_income_limit"), start=1):
        where = f"[[dependent_income_limit]] entry {n}"
        start, end = reader.period(entry, where)
        relationship = entry.get("relationship", "any")
        if relationship not in ("any", "spouse", "non_spouse"):
            raise reader.fail(where, "'relationship' must be any, spouse or non_spouse")
        min_age = reader.integer(entry, "min_age", where, optional=True)
        max_age = reader.integer(entry, "max_age", where, optional=True)
        if min_age is not None and max_age is not None and max_age < min_age:
            raise reader.fail(where, "'max_age' must not be below 'min_age'")
        limits.append(
            IncomeLimit(
                effective_from=start,
                effective_to=end,
                limit=reader.required_int(entry, "limit", where, minimum=1),
                min_age=min_age,
                max_age=max_age,
                relationship=relationship,
            )
        )
    return tuple(limits)


def _grade_tables(reader: _Reader, data: Mapping[str, Any]) -> tuple[GradeTable, ...]:
    tables = []
    for n, entry in enumerate(reader.entries(data, "pension_grade_table"), start=1):
        where = f"[[pension_grade_table]] entry {n}"
        start, end = reader.period(entry, where)
        rows = entry.get("grades")
        if not isinstance(rows, list) or len(rows) < 2:
            raise reader.fail(where, "'grades' must list [grade, amount, pay from] rows")
        grades = []
        for row in rows:
            if (
                not isinstance(row, list)
                or len(row) != 3
                or not all(isinstance(v, int) and not isinstance(v, bool) for v in row)
            ):
                raise reader.fail(where, "each grade must be [grade, amount, pay from] in yen")
            grades.append(Grade(grade=row[0], amount=row[1], pay_from=row[2]))
        numbers = [g.grade for g in grades]
        bounds = [g.pay_from for g in grades]
        if numbers != list(range(1, len(grades) + 1)):
            raise reader.fail(where, "grades must be numbered 1, 2, 3, ... in order")
        if bounds[0] != 0 or any(b >= c for b, c in itertools.pairwise(bounds)):
            raise reader.fail(where, "'pay from' must start at 0 and rise with every grade")
        if any(not g.pay_from <= g.amount for g in grades[1:]):
            raise reader.fail(where, "each grade's amount must lie in its own pay range")
        tables.append(GradeTable(effective_from=start, effective_to=end, grades=tuple(grades)))
    return tuple(tables)


def _thresholds(reader: _Reader, data: Mapping[str, Any]) -> tuple[DatedAmount, ...]:
    amounts = []
    for n, entry in enumerate(reader.entries(data, "unenrolled_payment_threshold"), start=1):
        where = f"[[unenrolled_payment_threshold]] entry {n}"
        start, end = reader.period(entry, where)
        amount = reader.required_int(entry, "amount", where, minimum=1)
        amounts.append(DatedAmount(effective_from=start, effective_to=end, amount=amount))
    return tuple(amounts)


def parse_rules(text: str, source: str) -> RuleSet:
    """A rule set from the text of a rules file; ``source`` names it in messages."""
    reader = _Reader(source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise reader.fail("syntax", f"not valid TOML ({exc})") from exc
    version = data.get("version")
    if not isinstance(version, str) or not version.strip():
        raise reader.fail("top level", "'version' must be a non-empty text")
    age = reader.table(data, "age", "top level")
    counting = age.get("counting")
    if counting not in ("japanese_legal", "calendar"):
        raise reader.fail("[age]", "'counting' must be japanese_legal or calendar")
    dependants = reader.table(data, "dependants", "top level")
    spouses = dependants.get("spouse_relationships")
    if not isinstance(spouses, list) or not spouses or not all(isinstance(s, str) for s in spouses):
        raise reader.fail("[dependants]", "'spouse_relationships' must list 続柄 texts")
    fraction = dependants.get("half_income_fraction")
    if (
        not isinstance(fraction, list)
        or len(fraction) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in fraction)
    ):
        raise reader.fail("[dependants]", "'half_income_fraction' must be [numerator, denominator]")
    remuneration = reader.table(data, "remuneration", "top level")
    identity = reader.table(data, "identity", "top level")
    return RuleSet(
        version=version.strip(),
        source=source,
        rules=MappingProxyType(_rules(reader, data)),
        age_counting=counting,
        spouse_relationships=frozenset(spouses),
        half_income_fraction=(fraction[0], fraction[1]),
        dependent_income_limits=_income_limits(reader, data),
        grade_distance=reader.required_int(remuneration, "grade_distance", "[remuneration]", 1),
        grade_tables=_grade_tables(reader, data),
        unenrolled_thresholds=_thresholds(reader, data),
        identity=IdentityRule(
            conflict_disagreements=reader.required_int(
                identity, "conflict_disagreements", "[identity]", 1
            ),
            name_similarity=reader.fraction(identity, "name_similarity", "[identity]"),
            address_similarity=reader.fraction(identity, "address_similarity", "[identity]"),
        ),
    )


def load_rules(path: Path | str | None = None) -> RuleSet:
    """Load a rules file; ``None`` loads the rules shipped with the application."""
    if path is None:
        text = resources.files("rlwb.linkage.rules").joinpath(DEFAULT_RULES_FILE).read_text("utf-8")
        return parse_rules(text, DEFAULT_RULES_FILE)
    file = Path(path)
    try:
        text = file.read_text("utf-8")
    except FileNotFoundError as exc:
        raise RulesFileError(
            f"Rules file {file.name} was not found; check the path, or leave the rules "
            "setting empty to use the rules shipped with the application."
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesFileError(
            f"Rules file {file.name} cannot be read as UTF-8 text ({type(exc).__name__}); "
            "save it as UTF-8 and try again."
        ) from exc
    return parse_rules(text, file.name)
