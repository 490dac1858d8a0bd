"""Linking a tax dataset with a social-insurance dataset.

Steps (each reports progress and checks the cancel token):

1. exact token join, after checking both datasets are on the same key version;
2. identity confirmation of every token pair (``linkage.identity``): two or more
   disagreeing items of name, birth date, sex and address → ``review`` (finding R04),
   never auto-accepted;
3. clerk decisions (``linkage.decisions``);
4. probabilistic linking of every record without a confirmed link, including records
   whose token match was refused: blocking (``linkage.blocking``), comparison levels
   (``linkage.compare``), Fellegi–Sunter with EM (``linkage.fellegi_sunter``), then a
   one-to-one assignment (``linkage.assignment``): probability ≥ upper threshold →
   ``probabilistic``, between the thresholds → ``review``. A pair whose two records
   carry different usable tokens is at most ``review``;
5. every record without a partner: ``tax_only`` / ``si_only``.

Every record appears exactly once on its side among the rows whose outcome is
``token``, ``probabilistic``, ``reviewed_match``, ``tax_only`` or ``si_only``, except
that one person's several tax records (several payers, same token) may all link to one
social-insurance record. ``review`` and ``reviewed_non_match`` rows are pair rows on top:
a record in a ``review`` pair is not also listed as ``*_only``; a record whose only pair
was decided ``reviewed_non_match`` is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import polars as pl

from rlwb.linkage.assignment import assign_one_to_one
from rlwb.linkage.blocking import BlockingStats, candidate_pairs, random_pairs
from rlwb.linkage.compare import comparison_levels
from rlwb.linkage.decisions import decision_pairs
from rlwb.linkage.fellegi_sunter import FellegiSunterModel, estimate, score
from rlwb.linkage.identity import AGREEMENT_COLUMNS, identity_agreement
from rlwb.linkage.outcomes import LINKED_OUTCOMES as LINKED_OUTCOMES  # re-exported
from rlwb.linkage.outcomes import OUTCOMES as OUTCOMES  # re-exported
from rlwb.linkage.progress import CancelToken, ProgressCallback, no_progress
from rlwb.linkage.records import INDEX, prepare_records
from rlwb.linkage.settings import LinkSettings
from rlwb.linkage.token_join import join_on_tokens

LINK_SCHEMA: Final = pl.Schema(
    {
        "tax_record_id": pl.String(),
        "si_record_id": pl.String(),
        "outcome": pl.String(),
        "match_weight": pl.Float64(),
        "match_probability": pl.Float64(),
        "agree_name": pl.Int8(),
        "agree_birth_date": pl.Int8(),
        "agree_sex": pl.Int8(),
        "agree_address": pl.Int8(),
        "token_match": pl.Boolean(),
        "identity_conflict": pl.Boolean(),
    }
)

_PAIR_ROWS: Final = pl.Schema(
    {
        "tax_i": pl.UInt32(),
        "si_i": pl.UInt32(),
        "outcome": pl.String(),
        "match_weight": pl.Float64(),
        "match_probability": pl.Float64(),
        "token_match": pl.Boolean(),
        "identity_conflict": pl.Boolean(),
    }
)


@dataclass(frozen=True)
class LinkStats:
    """Counts that explain a run (no personal data)."""

    token_pairs: int
    identity_conflicts: int
    remaining_tax: int
    remaining_si: int
    blocking: BlockingStats
    model: FellegiSunterModel | None


@dataclass(frozen=True)
class LinkResult:
    """``links`` has the columns of :data:`LINK_SCHEMA`; see the module docstring."""

    links: pl.DataFrame
    stats: LinkStats
    settings: LinkSettings


class _Steps:
    """Maps step progress onto the overall fraction and checks cancel between steps."""

    def __init__(self, progress: ProgressCallback, cancel: CancelToken | None) -> None:
        self._progress = progress
        self._cancel = cancel

    def __call__(self, label: str, fraction: float) -> None:
        if self._cancel is not None:
            self._cancel.raise_if_cancelled()
        self._progress(label, fraction)


def _token_rows(
    tax: pl.DataFrame,
    si: pl.DataFrame,
    token_pairs: pl.DataFrame,
    decided: pl.DataFrame,
    settings: LinkSettings,
) -> pl.DataFrame:
    agreement = identity_agreement(
        tax,
        si,
        token_pairs["tax_i"],
        token_pairs["si_i"],
        name_similarity=settings.identity_name_similarity,
        address_similarity=settings.identity_address_similarity,
    )
    conflict = agreement["identity_disagreements"] >= settings.identity_conflict_disagreements
    rows = token_pairs.with_columns(conflict.alias("identity_conflict")).join(
        decided, on=["tax_i", "si_i"], how="left"
    )
    return rows.select(
        "tax_i",
        "si_i",
        pl.when(pl.col("decision") == "match")
        .then(pl.lit("reviewed_match"))
        .when(pl.col("decision") == "non_match")
        .then(pl.lit("reviewed_non_match"))
        .when((pl.col("decision") == "unsure") | pl.col("identity_conflict"))
        .then(pl.lit("review"))
        .otherwise(pl.lit("token"))
        .alias("outcome"),
        pl.lit(None, pl.Float64).alias("match_weight"),
        pl.lit(None, pl.Float64).alias("match_probability"),
        pl.lit(True).alias("token_match"),
        "identity_conflict",
    )


def _decision_rows(decided: pl.DataFrame, token_pairs: pl.DataFrame) -> pl.DataFrame:
    """Decided pairs that the token join did not produce."""
    return decided.join(token_pairs, on=["tax_i", "si_i"], how="anti").select(
        "tax_i",
        "si_i",
        pl.col("decision")
        .replace_strict(
            {"match": "reviewed_match", "non_match": "reviewed_non_match", "unsure": "review"},
            return_dtype=pl.String,
        )
        .alias("outcome"),
        pl.lit(None, pl.Float64).alias("match_weight"),
        pl.lit(None, pl.Float64).alias("match_probability"),
        pl.lit(False).alias("token_match"),
        pl.lit(None, pl.Boolean).alias("identity_conflict"),
    )


def _with_usable_tokens(records: pl.DataFrame, refused: pl.Series) -> pl.DataFrame:
    """A token is usable unless missing or part of a refused token match."""
    return records.with_columns(
        (pl.col("token").is_not_null() & ~pl.col(INDEX).is_in(refused.implode())).alias(
            "_usable_token"
        )
    )


@dataclass(frozen=True)
class _Remaining:
    """Records without a confirmed link, with ``_usable_token``, and the token pairs
    (any outcome) that blocking must not propose again."""

    tax: pl.DataFrame
    si: pl.DataFrame
    token_pairs: pl.DataFrame


@dataclass(frozen=True)
class _Candidates:
    """Candidate pairs (tax_i, si_i, different_tokens) and what blocking did."""

    pairs: pl.DataFrame
    blocking: BlockingStats


@dataclass(frozen=True)
class _Fitted:
    """Comparison levels of the candidate pairs and the model estimated on them."""

    levels: pl.DataFrame
    model: FellegiSunterModel


@dataclass(frozen=True)
class _Assigned:
    """New pair rows (``_PAIR_ROWS``) and the weights of pairs a clerk already decided."""

    rows: pl.DataFrame
    decided_weights: pl.DataFrame


@dataclass(frozen=True)
class _Probabilistic:
    """Everything the probabilistic pass adds to a run."""

    rows: pl.DataFrame
    decided_weights: pl.DataFrame
    blocking: BlockingStats
    model: FellegiSunterModel
    remaining_tax: int
    remaining_si: int


def _remaining(tax: pl.DataFrame, si: pl.DataFrame, pair_rows: pl.DataFrame) -> _Remaining:
    linked = pair_rows.filter(pl.col("outcome").is_in(["token", "reviewed_match"]))
    token_pairs = pair_rows.filter(pl.col("token_match"))
    refused = token_pairs.filter(~pl.col("outcome").is_in(["token", "reviewed_match"]))
    return _Remaining(
        tax=_with_usable_tokens(
            tax.filter(~pl.col(INDEX).is_in(linked["tax_i"].implode())), refused["tax_i"]
        ),
        si=_with_usable_tokens(
            si.filter(~pl.col(INDEX).is_in(linked["si_i"].implode())), refused["si_i"]
        ),
        token_pairs=token_pairs.select("tax_i", "si_i"),
    )


def _candidates(
    tax: pl.DataFrame,
    si: pl.DataFrame,
    rest: _Remaining,
    settings: LinkSettings,
    cancel: CancelToken | None,
) -> _Candidates:
    """Blocked pairs, each marked when both records carry different usable tokens."""
    pairs, blocking = candidate_pairs(
        rest.tax, rest.si, settings, exclude=rest.token_pairs, cancel=cancel
    )
    both_tokens = (
        tax["token"].gather(pairs["tax_i"]).is_not_null()
        & si["token"].gather(pairs["si_i"]).is_not_null()
    )
    usable_tax = rest.tax.select(pl.col(INDEX).alias("tax_i"), pl.col("_usable_token").alias("ut"))
    usable_si = rest.si.select(pl.col(INDEX).alias("si_i"), pl.col("_usable_token").alias("us"))
    marked = (
        pairs.select("tax_i", "si_i")
        .with_columns(both_tokens.alias("both"))
        .join(usable_tax, on="tax_i", how="left", maintain_order="left")
        .join(usable_si, on="si_i", how="left", maintain_order="left")
        .select(
            "tax_i",
            "si_i",
            (pl.col("both") & pl.col("ut") & pl.col("us")).alias("different_tokens"),
        )
    )
    if not settings.link_different_tokens:
        marked = marked.filter(~pl.col("different_tokens"))
    return _Candidates(marked, blocking)


def _fit(
    tax: pl.DataFrame,
    si: pl.DataFrame,
    rest: _Remaining,
    candidates: _Candidates,
    settings: LinkSettings,
    steps: _Steps,
    cancel: CancelToken | None,
) -> _Fitted:
    """Comparison levels of the candidates; u from random pairs, m and prior by EM."""
    steps("Comparing candidate pairs", 0.50)
    levels = comparison_levels(tax, si, candidates.pairs, settings.comparisons, cancel=cancel)
    steps("Estimating match parameters", 0.75)
    sample = None
    if min(rest.tax.height, rest.si.height) >= settings.u_min_records:
        sample = comparison_levels(
            tax,
            si,
            random_pairs(rest.tax, rest.si, settings.u_sample_pairs, seed=settings.random_seed),
            settings.comparisons,
            cancel=cancel,
        )
    model = estimate(
        levels,
        sample,
        settings.comparisons,
        total_pairs=rest.tax.height * rest.si.height,
        max_iterations=settings.em_max_iterations,
        tolerance=settings.em_tolerance,
        min_pairs=settings.em_min_pairs,
        cancel=cancel,
    )
    return _Fitted(levels, model)


def _scored(fitted: _Fitted, candidates: _Candidates, settings: LinkSettings) -> pl.DataFrame:
    """Weights and probabilities of the candidates, with ``different_tokens`` and the
    evidence guard ``_full_identity``."""
    penalty = math.log2(settings.different_token_rate)
    scored = (
        score(fitted.levels, fitted.model)
        .with_columns(candidates.pairs["different_tokens"])
        .with_columns(
            pl.when(pl.col("different_tokens"))
            .then(pl.col("match_weight") + penalty)
            .otherwise(pl.col("match_weight"))
            .alias("match_weight")
        )
        .with_columns(
            (1.0 / (1.0 + (2.0 ** (-pl.col("match_weight").clip(-1000.0, 1000.0))))).alias(
                "match_probability"
            )
        )
    )
    # Evidence guard: Fellegi–Sunter weights estimated by EM can favour pairs that only
    # share a postal area (the latent class drifts towards "same household"). A pair on
    # which two of the evidence comparisons (name, birth date, address) plainly disagree
    # (level 0; unknown counts as neither) may wait for a clerk but is never linked
    # automatically.
    evidence = [c.name for c in settings.comparisons if c.evidence]
    contradictions = pl.sum_horizontal(
        (fitted.levels[c] == 0).fill_null(False).cast(pl.Int8) for c in evidence
    )
    return scored.with_columns((contradictions <= 1).alias("_full_identity"))


def _assigned(
    scored: pl.DataFrame, decided: pl.DataFrame, settings: LinkSettings, n_tax: int, n_si: int
) -> _Assigned:
    """One-to-one assignment of the undecided pairs above the lower threshold."""
    decided_weights = scored.join(decided, on=["tax_i", "si_i"], how="semi").select(
        "tax_i", "si_i", "match_weight", "match_probability"
    )
    assignable = scored.join(decided, on=["tax_i", "si_i"], how="anti").filter(
        pl.col("match_probability") >= settings.lower_threshold
    )
    assigned = assign_one_to_one(assignable, n_tax=n_tax, n_si=n_si)
    rows = assigned.select(
        "tax_i",
        "si_i",
        pl.when(
            (pl.col("match_probability") >= settings.upper_threshold)
            & ~pl.col("different_tokens")
            & pl.col("_full_identity")
        )
        .then(pl.lit("probabilistic"))
        .otherwise(pl.lit("review"))
        .alias("outcome"),
        "match_weight",
        "match_probability",
        pl.lit(False).alias("token_match"),
        pl.lit(None, pl.Boolean).alias("identity_conflict"),
    )
    return _Assigned(rows, decided_weights)


def _probabilistic(
    tax: pl.DataFrame,
    si: pl.DataFrame,
    pair_rows: pl.DataFrame,
    decided: pl.DataFrame,
    settings: LinkSettings,
    steps: _Steps,
    cancel: CancelToken | None,
) -> _Probabilistic:
    """Step 4 of the module docstring, phase by phase."""
    rest = _remaining(tax, si, pair_rows)
    steps("Blocking", 0.40)
    candidates = _candidates(tax, si, rest, settings, cancel)
    fitted = _fit(tax, si, rest, candidates, settings, steps, cancel)
    scored = _scored(fitted, candidates, settings)
    steps("Assigning links", 0.85)
    assigned = _assigned(scored, decided, settings, tax.height, si.height)
    return _Probabilistic(
        rows=assigned.rows,
        decided_weights=assigned.decided_weights,
        blocking=candidates.blocking,
        model=fitted.model,
        remaining_tax=rest.tax.height,
        remaining_si=rest.si.height,
    )


def _assemble(
    tax: pl.DataFrame, si: pl.DataFrame, pair_rows: pl.DataFrame, settings: LinkSettings
) -> pl.DataFrame:
    agreement = identity_agreement(
        tax,
        si,
        pair_rows["tax_i"],
        pair_rows["si_i"],
        name_similarity=settings.identity_name_similarity,
        address_similarity=settings.identity_address_similarity,
    ).select(AGREEMENT_COLUMNS)
    pairs = pl.concat([pair_rows, agreement], how="horizontal")
    partnered = pairs.filter(pl.col("outcome") != "reviewed_non_match")
    tax_only = tax.select(pl.col(INDEX).alias("tax_i")).join(
        partnered.select("tax_i"), on="tax_i", how="anti"
    )
    si_only = si.select(pl.col(INDEX).alias("si_i")).join(
        partnered.select("si_i"), on="si_i", how="anti"
    )
    unpaired = pl.concat(
        [
            tax_only.with_columns(
                pl.lit(None, pl.UInt32).alias("si_i"), pl.lit("tax_only").alias("outcome")
            ),
            si_only.with_columns(
                pl.lit(None, pl.UInt32).alias("tax_i"), pl.lit("si_only").alias("outcome")
            ),
        ],
        how="diagonal",
    ).with_columns(pl.lit(None, pl.Boolean).alias("token_match"))
    rows = pl.concat([pairs, unpaired], how="diagonal").sort(["tax_i", "si_i"], nulls_last=True)
    tax_ids = tax["record_id"]
    si_ids = si["record_id"]
    return rows.select(
        pl.col("tax_i")
        .map_batches(lambda s: tax_ids.gather(s), return_dtype=pl.String)
        .alias("tax_record_id"),
        pl.col("si_i")
        .map_batches(lambda s: si_ids.gather(s), return_dtype=pl.String)
        .alias("si_record_id"),
        *[c for c in LINK_SCHEMA if c not in ("tax_record_id", "si_record_id")],
    ).cast(LINK_SCHEMA)


def link(
    tax: pl.DataFrame,
    si: pl.DataFrame,
    settings: LinkSettings | None = None,
    *,
    decisions: pl.DataFrame | None = None,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> LinkResult:
    """Link a tax dataset with a social-insurance dataset (see the module docstring).

    ``decisions``: (tax_record_id, si_record_id, decision) with the latest decision per
    pair, decision in match / non_match / unsure.
    """
    settings = settings or LinkSettings()
    steps = _Steps(progress, cancel)
    steps("Preparing records", 0.0)
    tax_records = prepare_records(tax, "tax")
    si_records = prepare_records(si, "si")
    decided = decision_pairs(decisions, tax_records, si_records)
    steps("Joining on tokens", 0.15)
    token_pairs = join_on_tokens(tax_records, si_records)
    steps("Confirming identities of token matches", 0.25)
    token_rows = _token_rows(tax_records, si_records, token_pairs, decided, settings)
    pair_rows = pl.concat([token_rows, _decision_rows(decided, token_pairs)]).cast(_PAIR_ROWS)
    found = _probabilistic(tax_records, si_records, pair_rows, decided, settings, steps, cancel)
    pair_rows = (
        pair_rows.join(
            found.decided_weights, on=["tax_i", "si_i"], how="left", maintain_order="left"
        )
        .with_columns(
            pl.coalesce("match_weight_right", "match_weight").alias("match_weight"),
            pl.coalesce("match_probability_right", "match_probability").alias("match_probability"),
        )
        .drop("match_weight_right", "match_probability_right")
    )
    pair_rows = pl.concat([pair_rows, found.rows.cast(_PAIR_ROWS)])
    steps("Assembling links", 0.92)
    links = _assemble(tax_records, si_records, pair_rows, settings)
    steps("Linking done", 1.0)
    stats = LinkStats(
        token_pairs=token_pairs.height,
        identity_conflicts=int(token_rows["identity_conflict"].sum()),
        remaining_tax=found.remaining_tax,
        remaining_si=found.remaining_si,
        blocking=found.blocking,
        model=found.model,
    )
    return LinkResult(links=links, stats=stats, settings=settings)
