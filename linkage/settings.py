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

from dataclasses import dataclass, field

from rlwb.linkage.errors import InvalidLinkSettings


def _check_probabilities(name: str, values: tuple[float, ...], levels: int) -> None:
    if len(values) != levels:
        raise InvalidLinkSettings(
            f"Comparison {name!r} needs {levels} default probabilities, one per level; "
            f"it has {len(values)}. Give one value per level, worst level first."
        )
    if any(not 0.0 < v < 1.0 for v in values):
        raise InvalidLinkSettings(
            f"Comparison {name!r} has a default probability outside (0, 1); "
            "use values strictly between 0 and 1."
        )


@dataclass(frozen=True)
class BlockingPass:
    """One blocking pass: records that agree exactly on every key column become pairs.

    Key columns are columns of the prepared frame: the match keys of
    ``linkage.normalise`` plus ``birth_date``, ``birth_year`` and ``sex``.
    A record with a null or empty key takes no part in that pass.
    ``max_block_pairs`` overrides the settings' cap for this pass.
    """

    name: str
    keys: tuple[str, ...]
    max_block_pairs: int | None = None


@dataclass(frozen=True)
class NameColumns:
    """The whole-name, family and given key columns of one script (kana or kanji)."""

    full: str
    family: str
    given: str


READING = NameColumns("key_name_kana", "key_family_kana", "key_given_kana")
KANJI = NameColumns("key_name_kanji", "key_family_kanji", "key_given_kanji")


@dataclass(frozen=True)
class NameComparison:
    """Names by Jaro–Winkler on the reading and on the kanji, with family and given
    parts where the file split them; the better script decides (a missing reading leaves
    the kanji, a kanji variant leaves the reading). One comparison for both scripts,
    because they say the same thing twice: two comparisons would count a name twice.

    Levels (worst first): 0 different · 1 partial (both parts, or the whole name, roughly
    similar) · 2 given name only (the married-name level: given agrees, family does
    not) · 3 close (every part similar, or family and given swapped) · 4 exact.
    """

    name: str
    scripts: tuple[NameColumns, ...] = (READING, KANJI)
    close: float = 0.92
    partial: float = 0.80
    m: tuple[float, ...] = (0.03, 0.02, 0.02, 0.08, 0.85)
    u: tuple[float, ...] = (0.967, 0.02, 0.01, 0.002, 0.001)
    levels: int = field(default=5, init=False)

    def __post_init__(self) -> None:
        _check_probabilities(self.name, self.m, self.levels)
        _check_probabilities(self.name, self.u, self.levels)
        if not self.scripts:
            raise InvalidLinkSettings(f"Name comparison {self.name!r} needs a script.")


@dataclass(frozen=True)
class DateComparison:
    """Dates. Levels: 0 different · 1 one of year/month/day differs · 2 day and month
    swapped · 3 exact."""

    name: str
    column: str
    m: tuple[float, ...] = (0.015, 0.03, 0.005, 0.95)
    u: tuple[float, ...] = (0.99542, 0.0045, 0.00004, 0.00004)
    levels: int = field(default=4, init=False)

    def __post_init__(self) -> None:
        _check_probabilities(self.name, self.m, self.levels)
        _check_probabilities(self.name, self.u, self.levels)


@dataclass(frozen=True)
class ExactComparison:
    """Exact agreement (e.g. sex). Levels: 0 different · 1 equal."""

    name: str
    column: str
    m: tuple[float, ...] = (0.02, 0.98)
    u: tuple[float, ...] = (0.5, 0.5)
    levels: int = field(default=2, init=False)

    def __post_init__(self) -> None:
        _check_probabilities(self.name, self.m, self.levels)
        _check_probabilities(self.name, self.u, self.levels)


@dataclass(frozen=True)
class PostalComparison:
    """Postal codes. Levels: 0 different · 1 same leading digits (area) · 2 exact."""

    name: str
    column: str
    prefix_digits: int = 3
    m: tuple[float, ...] = (0.10, 0.05, 0.85)
    u: tuple[float, ...] = (0.97, 0.025, 0.005)
    levels: int = field(default=3, init=False)

    def __post_init__(self) -> None:
        _check_probabilities(self.name, self.m, self.levels)
        _check_probabilities(self.name, self.u, self.levels)


@dataclass(frozen=True)
class AddressComparison:
    """Addresses. House numbers decide, so the digit sequence is compared apart from the
    text. Levels: 0 different · 1 roughly similar text (same town) · 2 similar text ·
    3 same house numbers and roughly similar text · 4 exact.

    With ``area_column``, text similarity is computed only for addresses whose postal
    codes share the first ``area_digits`` digits, where one is unknown, whose house
    numbers are the same, or whose names are at least roughly similar (name level 1
    or more); other addresses are different. This keeps most candidate pairs (same birth date,
    far apart) away from the string comparison.
    """

    name: str
    column: str
    digits_column: str
    area_column: str | None = "key_postal"
    area_digits: int = 3
    similar: float = 0.90
    rough: float = 0.75
    m: tuple[float, ...] = (0.10, 0.05, 0.05, 0.10, 0.70)
    u: tuple[float, ...] = (0.90, 0.08, 0.019, 0.0008, 0.0002)
    levels: int = field(default=5, init=False)

    def __post_init__(self) -> None:
        _check_probabilities(self.name, self.m, self.levels)
        _check_probabilities(self.name, self.u, self.levels)


Comparison = (
    NameComparison | DateComparison | ExactComparison | PostalComparison | AddressComparison
)

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
