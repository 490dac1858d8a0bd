"""Errors raised while reading extracts and import profiles.

Messages name the file, the row and the column where that applies, and say what to do
next. They never carry a cell value: a cell may hold a 個人番号, so only positions,
column names and reasons appear here.
"""

from __future__ import annotations

from pathlib import Path


class LinkageError(Exception):
    """Base class of the errors of the linkage engine."""


class ExtractError(LinkageError):
    """An extract file cannot be imported; nothing of it may be stored.

    ``row`` is the 1-based row in the file (the header is row 1) and ``column`` the
    header as the file wrote it, when the problem has a position.
    """

    def __init__(
        self,
        path: Path,
        problem: str,
        *,
        row: int | None = None,
        column: str | None = None,
        advice: str = "",
    ) -> None:
        self.path = path
        self.problem = problem
        self.row = row
        self.column = column
        where = []
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column}")
        location = f" ({', '.join(where)})" if where else ""
        message = f"Cannot import {path.name}{location}: {problem}"
        if advice:
            message = f"{message} {advice}"
        super().__init__(message)


class ProfileError(LinkageError):
    """An import profile cannot be saved, loaded or applied."""


# --- linking, reconciliation and rules ------------------------------------------------
# Messages never carry an identifier, a token, a name or an address.


class LinkingError(LinkageError):
    """Linking or reconciliation cannot run as asked."""


class InvalidLinkSettings(LinkingError):
    """A LinkSettings value is inconsistent."""


class MissingColumns(LinkingError):
    """An input frame lacks a column (or values) that linking or a rule needs."""


class DatasetKeyVersionMismatch(LinkingError):
    """The two datasets carry tokens of different key versions (or one dataset mixes
    versions); comparing them would silently find nothing. (Two single tokens of different
    versions raise crypto.errors.TokenVersionMismatch; linkage and crypto stand apart, so
    the dataset-level check has its own class.)"""


class TooManyCandidatePairs(LinkingError):
    """Blocking would produce more candidate pairs than the settings allow."""


class InvalidDecisions(LinkingError):
    """The clerk-decisions frame is malformed."""


class RulesFileError(LinkageError):
    """A rules file cannot be read or does not describe a valid rule set."""
