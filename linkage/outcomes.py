"""What linking says about each record: the link outcomes, defined once."""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class LinkOutcome(StrEnum):
    """The outcome column of a link table, one value per tax or social-insurance record."""

    TOKEN = "token"  # noqa: S105 - an outcome name, not a secret
    PROBABILISTIC = "probabilistic"
    REVIEW = "review"
    REVIEWED_MATCH = "reviewed_match"
    REVIEWED_NON_MATCH = "reviewed_non_match"
    TAX_ONLY = "tax_only"
    SI_ONLY = "si_only"


OUTCOMES: Final = tuple(LinkOutcome)
#: Outcomes that pair a tax record with a social-insurance record as one person.
LINKED_OUTCOMES: Final = (
    LinkOutcome.TOKEN,
    LinkOutcome.PROBABILISTIC,
    LinkOutcome.REVIEWED_MATCH,
)
