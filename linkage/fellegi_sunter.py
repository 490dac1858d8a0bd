"""Fellegi–Sunter model: u from random pairs, m and the match prior by EM.

For each comparison level, ``m`` is its probability among true matches and ``u`` among
non-matches. As in Splink:

- ``u`` is counted on random record pairs (nearly all non-matches), which is robust and
  needs no labels;
- ``m`` and the prior ``match_share`` (the probability that two random records of the
  remaining datasets are one person) come from EM on the candidate pairs. Blocking is a
  function of compared fields, so a candidate's posterior under the all-pairs model is
  the right one, and pairs that blocking never proposed count as non-matches.
  EM on a candidate set alone (recordlinkage's ECMClassifier) splits match-heavy sets
  such as FEBRL into "clean" and "dirty" matches instead of matches and non-matches.

With too few records to sample ``u`` (``u_min_records``) or too few candidate pairs for
``m`` (``em_min_pairs``), the settings' defaults stand in; the prior is always
estimated. A null level (unknown field) contributes nothing.

Candidate pairs share few distinct comparison vectors, so EM runs on the distinct
vectors weighted by their counts: a million pairs cost about what a thousand do.

Weights are log2 odds: ``match_weight = log2(share / (1 - share)) + Σ log2(m / u)``,
``match_probability = 2**w / (1 + 2**w)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from rlwb.linkage.progress import CancelToken
from rlwb.linkage.settings import Comparison

_CODE = "_pattern"
_SHARE_FLOOR = 1e-15
# Pseudo-pairs that pull sparse estimates towards the settings' defaults (no zero
# probabilities, no infinite weights from a level that happened not to be sampled).
_U_PSEUDO_PAIRS = 1000.0
_M_PSEUDO_PAIRS = 10.0

FloatArray = npt.NDArray[np.float64]
IntMatrix = npt.NDArray[np.int64]


@dataclass(frozen=True)
class FellegiSunterModel:
    """Parameters that scored the candidate pairs.

    ``m_estimated`` / ``u_estimated`` say whether EM and random sampling estimated them
    or the settings' defaults stood in (too little data).
    """

    comparisons: tuple[str, ...]
    m: tuple[tuple[float, ...], ...]
    u: tuple[tuple[float, ...], ...]
    match_share: float
    iterations: int
    converged: bool
    m_estimated: bool
    u_estimated: bool

    def level_weights(self) -> dict[str, tuple[float, ...]]:
        """log2(m/u) per comparison level (worst level first), to explain a weight."""
        return {
            name: tuple(math.log2(m / u) for m, u in zip(ms, us, strict=True))
            for name, ms, us in zip(self.comparisons, self.m, self.u, strict=True)
        }

    @property
    def prior_weight(self) -> float:
        return math.log2(self.match_share) - math.log2(1.0 - self.match_share)


def _pattern_code(names: list[str], base: int) -> pl.Expr:
    code = pl.lit(0, pl.Int64)
    for position, name in enumerate(names):
        code = code + (pl.col(name).cast(pl.Int64).fill_null(-1) + 1) * (base**position)
    return code.alias(_CODE)


def _patterns(levels: pl.DataFrame, names: list[str]) -> tuple[IntMatrix, FloatArray]:
    """Distinct comparison vectors (-1 = unknown) and how many pairs have each."""
    grouped = levels.select(*names).group_by(names).len("count").sort(names, nulls_last=True)
    matrix = grouped.select(names).fill_null(-1).to_numpy().astype(np.int64)
    counts = grouped["count"].to_numpy().astype(np.float64)
    return matrix.reshape(grouped.height, len(names)), counts


def _log_ratio(matrix: IntMatrix, m: list[FloatArray], u: list[FloatArray]) -> FloatArray:
    """Σ_k ln(m/u) per pattern row; unknown levels (-1) add nothing."""
    total = np.zeros(matrix.shape[0])
    for k in range(matrix.shape[1]):
        level = matrix[:, k]
        known = level >= 0
        ratio = np.log(m[k]) - np.log(u[k])
        total[known] += ratio[level[known]]
    return total


def _posterior(log_ratio: FloatArray, share: float) -> FloatArray:
    logit = math.log(share) - math.log1p(-share) + log_ratio
    return 1.0 / (1.0 + np.exp(-np.clip(logit, -700.0, 700.0)))


def _level_shares(
    matrix: IntMatrix, weights: FloatArray, k: int, default: FloatArray, pseudo: float
) -> FloatArray:
    """Weighted share of each level of comparison k, smoothed towards ``default``."""
    level = matrix[:, k]
    known = level >= 0
    counts = np.bincount(level[known], weights=weights[known], minlength=default.size)
    smoothed = counts + pseudo * default
    result: FloatArray = smoothed / smoothed.sum()
    return result


def _defaults(comparisons: tuple[Comparison, ...]) -> tuple[list[FloatArray], list[FloatArray]]:
    m = [np.asarray(c.m, dtype=np.float64) / sum(c.m) for c in comparisons]
    u = [np.asarray(c.u, dtype=np.float64) / sum(c.u) for c in comparisons]
    return m, u


def estimate(
    candidates: pl.DataFrame,
    random_pairs: pl.DataFrame | None,
    comparisons: tuple[Comparison, ...],
    *,
    total_pairs: int,
    max_iterations: int,
    tolerance: float,
    min_pairs: int,
    cancel: CancelToken | None = None,
) -> FellegiSunterModel:
    """Estimate the model from comparison levels (``linkage.compare``).

    ``candidates``: levels of the blocked candidate pairs; ``random_pairs``: levels of
    random pairs for ``u`` (None → defaults); ``total_pairs``: the number of all
    possible pairs (tax records × SI records being linked), the prior's denominator.
    """
    names = [c.name for c in comparisons]
    default_m, default_u = _defaults(comparisons)
    u = default_u
    if random_pairs is not None and random_pairs.height:
        sample, sample_counts = _patterns(random_pairs, names)
        u = [
            _level_shares(sample, sample_counts, k, default_u[k], _U_PSEUDO_PAIRS)
            for k in range(len(names))
        ]
    matrix, counts = _patterns(candidates, names)
    refit_m = bool(counts.sum() >= max(min_pairs, 1) and max_iterations > 0)
    m = default_m
    total = float(max(total_pairs, 1))
    share = min(max(counts.sum() / (10.0 * total), _SHARE_FLOOR), 0.5)
    iterations = 0
    converged = not counts.size
    for iteration in range(1, max(max_iterations, 1) + 1):
        if not counts.size:
            break
        if cancel is not None:
            cancel.raise_if_cancelled()
        iterations = iteration
        posterior = _posterior(_log_ratio(matrix, m, u), share)
        match_counts = counts * posterior
        new_share = float(np.clip(match_counts.sum() / total, _SHARE_FLOOR, 1.0 - _SHARE_FLOOR))
        change = abs(math.log(new_share) - math.log(share))
        share = new_share
        if refit_m:
            new_m = [
                _level_shares(matrix, match_counts, k, default_m[k], _M_PSEUDO_PAIRS)
                for k in range(len(names))
            ]
            for new, old in zip(new_m, m, strict=True):
                change = max(change, float(np.max(np.abs(new - old))))
            m = new_m
        if change < tolerance:
            converged = True
            break
    return FellegiSunterModel(
        comparisons=tuple(names),
        m=tuple(tuple(float(x) for x in a) for a in m),
        u=tuple(tuple(float(x) for x in a) for a in u),
        match_share=share,
        iterations=iterations,
        converged=converged,
        m_estimated=refit_m,
        u_estimated=u is not default_u,
    )


def score(levels: pl.DataFrame, model: FellegiSunterModel) -> pl.DataFrame:
    """``levels`` with ``match_weight`` and ``match_probability`` (Float64) added."""
    names = list(model.comparisons)
    if not levels.height:
        return levels.with_columns(
            pl.lit(None, pl.Float64).alias("match_weight"),
            pl.lit(None, pl.Float64).alias("match_probability"),
        )
    base = max(len(ms) for ms in model.m) + 1
    coded = levels.with_columns(_pattern_code(names, base))
    table = coded.select(*names, _CODE).unique(_CODE).sort(_CODE)
    matrix = table.select(names).fill_null(-1).to_numpy().astype(np.int64)
    m = [np.asarray(a, dtype=np.float64) for a in model.m]
    u = [np.asarray(a, dtype=np.float64) for a in model.u]
    weights = model.prior_weight + _log_ratio(matrix, m, u) / math.log(2.0)
    scores = pl.DataFrame(
        {
            _CODE: table[_CODE],
            "match_weight": weights,
            "match_probability": 1.0 / (1.0 + np.exp2(-np.clip(weights, -1000.0, 1000.0))),
        }
    )
    return coded.join(scores, on=_CODE, how="left", maintain_order="left").drop(_CODE)
