"""The comparison library: one small class per kind of comparison (see ``base``)."""

from rlwb.linkage.comparisons.address import AddressComparison
from rlwb.linkage.comparisons.base import Comparison, PairFrame
from rlwb.linkage.comparisons.date import DateComparison
from rlwb.linkage.comparisons.exact import ExactComparison
from rlwb.linkage.comparisons.name import KANJI, READING, NameColumns, NameComparison
from rlwb.linkage.comparisons.postal import PostalComparison

__all__ = [
    "KANJI",
    "READING",
    "AddressComparison",
    "Comparison",
    "DateComparison",
    "ExactComparison",
    "NameColumns",
    "NameComparison",
    "PairFrame",
    "PostalComparison",
]
