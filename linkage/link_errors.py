"""Errors raised by linking, reconciliation and the rules.

Every message says what is wrong and what to do next, and never carries an identifier,
a token, a name or an address.
"""

from __future__ import annotations


class LinkError(Exception):
    """Base class of the linking and rules errors."""


class InvalidLinkSettings(LinkError):
    """A LinkSettings value is inconsistent."""


class MissingColumns(LinkError):
    """An input frame lacks a column that linking or a rule needs."""


class TokenVersionMismatch(LinkError):
    """The two datasets carry tokens of different key versions (or one dataset mixes
    versions); comparing them would silently find nothing."""


class TooManyCandidatePairs(LinkError):
    """Blocking produced more candidate pairs than the settings allow."""


class InvalidDecisions(LinkError):
    """The clerk-decisions frame is malformed."""


class RulesFileError(LinkError):
    """A rules file cannot be read or does not describe a valid rule set."""
