"""Reconciliation rules R01-R09 (docs/rules.md) and the rules file they read."""

from rlwb.linkage.rules.evaluate import evaluate
from rlwb.linkage.rules.findings import FINDINGS_SCHEMA, NOT_EVALUATED
from rlwb.linkage.rules.ruleset import RULE_CODES, RuleSet, load_rules, parse_rules

__all__ = [
    "FINDINGS_SCHEMA",
    "NOT_EVALUATED",
    "RULE_CODES",
    "RuleSet",
    "evaluate",
    "load_rules",
    "parse_rules",
]
