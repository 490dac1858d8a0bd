"""Reconciliation: link two datasets, then run the rules over the result."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from rlwb.linkage.link import LinkResult, LinkStats, link
from rlwb.linkage.outcomes import OUTCOMES
from rlwb.linkage.progress import CancelToken, ProgressCallback, no_progress
from rlwb.linkage.rules import RULE_CODES, RuleSet, evaluate, load_rules
from rlwb.linkage.settings import LinkSettings

# Share of the progress bar each stage gets (linking dominates).
_LINK_SHARE = 0.8


@dataclass(frozen=True)
class ReconcileResult:
    """Links (``linkage.link.LINK_SCHEMA``), findings (``linkage.rules.FINDINGS_SCHEMA``),
    ``summary``: counts per outcome and per rule code (every outcome and code present,
    zero included), and the settings and rules version that produced them."""

    links: pl.DataFrame
    findings: pl.DataFrame
    summary: dict[str, int]
    settings: LinkSettings
    rules_version: str
    link_stats: LinkStats


def summarise(links: pl.DataFrame, findings: pl.DataFrame) -> dict[str, int]:
    """Counts per outcome and per rule code."""
    outcomes = dict(links.group_by("outcome").len().iter_rows())
    codes = dict(findings.group_by("code").len().iter_rows())
    summary = {str(outcome): int(outcomes.get(outcome, 0)) for outcome in OUTCOMES}
    summary.update({code: int(codes.get(code, 0)) for code in RULE_CODES})
    return summary


def reconcile(
    tax: pl.DataFrame,
    si: pl.DataFrame,
    *,
    settings: LinkSettings | None = None,
    rules: RuleSet | None = None,
    decisions: pl.DataFrame | None = None,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> ReconcileResult:
    """Link ``tax`` with ``si`` and evaluate the rules (defaults: ``LinkSettings()`` and
    the shipped rules file). Raises ``linkage.progress.Cancelled`` when cancelled."""
    settings = settings or LinkSettings()
    ruleset = rules or load_rules()

    def link_progress(step: str, fraction: float) -> None:
        progress(step, fraction * _LINK_SHARE)

    def rule_progress(step: str, fraction: float) -> None:
        progress(step, _LINK_SHARE + fraction * (1.0 - _LINK_SHARE))

    linked: LinkResult = link(
        tax, si, settings, decisions=decisions, progress=link_progress, cancel=cancel
    )
    findings = evaluate(tax, si, linked.links, ruleset, progress=rule_progress, cancel=cancel)
    if cancel is not None:
        cancel.raise_if_cancelled()
    progress("Reconciliation done", 1.0)
    return ReconcileResult(
        links=linked.links,
        findings=findings,
        summary=summarise(linked.links, findings),
        settings=settings,
        rules_version=ruleset.version,
        link_stats=linked.stats,
    )
