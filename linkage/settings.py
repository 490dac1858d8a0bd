"""Linking settings: configuration is data, the engine reads it.

A :class:`LinkSettings` value says how records are blocked into candidate pairs, how
each pair is compared field by field, how the Fellegi–Sunter parameters are estimated
and where the decision thresholds lie. The defaults suit Japanese tax and
social-insurance extracts; tests and benchmarks pass their own.

Thresholds are on the **match probability** (0..1): the posterior probability that a
candidate pair is one person, from the Fellegi–Sunter model whose m/u parameters and
match share among candidate pairs are estimated by EM. ``match_weight`` is the same
number as log2 odds (``probability = 2**w / (1 + 2**w)``), so a weight threshold ``w``
is the probability threshold ``2**w / (1 + 2**w)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from rlwb.linkage.comparisons import (
    KANJI,
    READING,
    AddressComparison,
    Comparison,
    DateComparison,
    ExactComparison,
    NameColumns,
    NameComparison,
    PostalComparison,
)
from rlwb.linkage.errors import InvalidLinkSettings

# The comparison classes live in linkage.comparisons (one module each); they are named
# here too because settings are written with them.
__all__ = [
    "DEFAULT_BLOCKING",
    "DEFAULT_COMPARISONS",
    "KANJI",
    "READING",
    "AddressComparison",
    "BlockingPass",
    "Comparison",
    "DateComparison",
    "ExactComparison",
    "LinkSettings",
    "NameColumns",
    "NameComparison",
    "PostalComparison",
]


@dataclass(frozen=True)
class BlockingPass:
    """One blocking pass: records that agree exactly on every key column become pairs.

    Key columns are columns of the prepared frame: the match keys of
    ``linkage.normalise`` plus ``birth_date``, ``birth_year`` and ``sex``.
    A record with a null or empty key takes no part in that pass.
    ``max_block_pairs`` overrides the settings' cap for this pass. Keys may also be the
    derived keys of ``linkage.blocking_keys`` (``block_*``).

    With ``window`` above 0 the pass is a sorted neighbourhood: both sides sorted together
    on the keys, each record paired with the next ``window`` records of the other side
    (``max_block_pairs`` does not apply).
    """

    name: str
    keys: tuple[str, ...]
    max_block_pairs: int | None = None
    window: int = 0


DEFAULT_BLOCKING: tuple[BlockingPass, ...] = (
    BlockingPass("birth_date", ("birth_date",)),
    # A name alone catches a wrong birth date, but common names make huge blocks in a
    # large extract: those blocks are skipped (tight cap) and the same names are paired
    # again within a birth year, which still catches a wrong day or a day/month swap.
    BlockingPass("reading", ("key_name_kana",), max_block_pairs=100),
    BlockingPass("kanji_name", ("key_name_kanji",), max_block_pairs=100),
    BlockingPass("reading_birth_year", ("key_name_kana", "birth_year")),
    BlockingPass("kanji_name_birth_year", ("key_name_kanji", "birth_year")),
    # A postal code is a few streets in a nationwide extract but a crowd in a one-city
    # extract, where the tight cap skips it; the narrower postal passes below still catch
    # a wrong birth date together with a name typo or a married name.
    BlockingPass("postal_code", ("key_postal",), max_block_pairs=500),
    BlockingPass("postal_code_birth_year", ("key_postal", "birth_year")),
    BlockingPass("postal_code_house_number", ("key_postal", "key_address_digits")),
    # Passes that survive a name typo, a swapped name order or a missing birth date and
    # postal code: the first letters of a name part with the house numbers, the family
    # name with the first letters of the given name, the address, and a sorted neighbourhood
    # on the name with its parts sorted (a swapped order meets itself; a typo late in
    # the name stays near). Each was kept for the true pairs only it finds on FEBRL4
    # (bench/bench_quality.py prints every pass's recall and pairs).
    BlockingPass(
        "family_prefix_house_number",
        ("block_family_prefix", "key_address_digits"),
        max_block_pairs=100,
    ),
    BlockingPass(
        "given_prefix_house_number",
        ("block_given_prefix", "key_address_digits"),
        max_block_pairs=100,
    ),
    BlockingPass(
        "family_given_prefix", ("block_family", "block_given_prefix"), max_block_pairs=100
    ),
    BlockingPass("address", ("key_address",), max_block_pairs=100),
    # The romaji reading with its words sorted (linkage.reading): a name in romaji in one
    # file and in katakana in the other, in either order, with ヴ/ブ-style spellings.
    BlockingPass("reading_key", ("key_reading_sorted",), max_block_pairs=100),
    BlockingPass("reading_key_birth_year", ("key_reading_sorted", "birth_year")),
    BlockingPass("name_sorted_window", ("block_name_sorted",), window=3),
)

DEFAULT_COMPARISONS: tuple[Comparison, ...] = (
    NameComparison("name"),
    DateComparison("birth_date", "birth_date"),
    ExactComparison("sex", "sex"),
    PostalComparison("postal_code", "key_postal"),
    AddressComparison("address", "key_address", "key_address_digits"),
)


@dataclass(frozen=True)
class LinkSettings:
    """How ``linkage.link.link`` pairs records.

    - ``upper_threshold`` / ``lower_threshold``: match probability at or above upper is a
      probabilistic link; between lower (inclusive) and upper is ``review``; below is no link.
    - ``blocking``: passes whose candidate pairs are united.
    - ``comparisons``: field comparisons. Their ``m``/``u`` (probabilities of each level
      among matches / among random pairs) are the EM starting values and stand in when
      there is too little data: fewer than ``em_min_pairs`` candidate pairs for m, fewer
      than ``u_min_records`` records on either side for u.
    - ``u_sample_pairs``: random pairs drawn (with ``random_seed``) to count u.
    - ``max_block_pairs``: a block that would make more pairs than this is skipped and
      counted (a common birth date or a whole-town postal code must not swamp the run).
    - ``max_candidate_pairs``: above this the run stops with a clear error instead of
      exhausting memory.
    - ``identity_*``: identity confirmation of token matches. A pair with at least
      ``identity_conflict_disagreements`` disagreeing items (of name, birth date, sex,
      address) goes to review with finding R04.
    - ``link_different_tokens``: also compare pairs whose records carry two different
      usable tokens (a mistyped but valid number); such pairs can reach ``review``
      but never ``probabilistic``. ``different_token_rate`` is the share of true pairs
      expected to carry two different valid numbers: the two numbers count as evidence
      of log2(rate) against the pair (about -10 for 0.001).
    """

    upper_threshold: float = 0.95
    lower_threshold: float = 0.50
    blocking: tuple[BlockingPass, ...] = DEFAULT_BLOCKING
    comparisons: tuple[Comparison, ...] = DEFAULT_COMPARISONS
    em_max_iterations: int = 60
    em_tolerance: float = 1e-5
    em_min_pairs: int = 500
    u_sample_pairs: int = 200_000
    u_min_records: int = 1_000
    random_seed: int = 20_251_001
    max_block_pairs: int = 10_000
    max_candidate_pairs: int = 30_000_000
    identity_name_similarity: float = 0.90
    identity_address_similarity: float = 0.90
    identity_conflict_disagreements: int = 2
    link_different_tokens: bool = True
    different_token_rate: float = 0.001

    def __post_init__(self) -> None:
        if not 0.0 <= self.lower_threshold <= self.upper_threshold <= 1.0:
            raise InvalidLinkSettings(
                "Thresholds must satisfy 0 <= lower_threshold <= upper_threshold <= 1 "
                f"(got lower={self.lower_threshold}, upper={self.upper_threshold}); "
                "they are match probabilities."
            )
        if not self.blocking:
            raise InvalidLinkSettings("At least one blocking pass is needed.")
        if any(not p.keys for p in self.blocking):
            raise InvalidLinkSettings("Every blocking pass needs at least one key column.")
        if not self.comparisons:
            raise InvalidLinkSettings("At least one comparison is needed.")
        names = [c.name for c in self.comparisons]
        if len(set(names)) != len(names):
            raise InvalidLinkSettings("Comparison names must be unique.")
        if min(self.em_max_iterations, self.em_min_pairs, self.u_sample_pairs) < 0:
            raise InvalidLinkSettings("EM iteration and pair counts cannot be negative.")
        if self.max_block_pairs < 1 or self.max_candidate_pairs < 1:
            raise InvalidLinkSettings("Pair limits must be at least 1.")
        if not 0.0 < self.different_token_rate <= 1.0:
            raise InvalidLinkSettings("different_token_rate must be above 0 and at most 1.")
        if not 1 <= self.identity_conflict_disagreements <= 4:
            raise InvalidLinkSettings(
                "identity_conflict_disagreements counts items out of four: use 1 to 4."
            )
