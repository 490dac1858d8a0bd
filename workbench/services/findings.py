"""Findings workflow: open → confirmed / dismissed (with a note) → resolved.

Statuses belong to a finding's key (rule code and the two record ids) within a pair of
datasets, so re-running reconciliation keeps what clerks wrote; findings that no longer
fire keep their history and are listed as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import polars as pl

from rlwb.linkage.rules.ruleset import SEVERITIES as SEVERITIES  # for the CLI and UI
from rlwb.linkage.rules.ruleset import Severity as Severity
from rlwb.workbench.access import authorize, record
from rlwb.workbench.audit.events import EventType
from rlwb.workbench.clock import to_iso
from rlwb.workbench.db import transaction
from rlwb.workbench.errors import InvalidInput, NotFound
from rlwb.workbench.number_screen import refuse_number
from rlwb.workbench.permissions import Action
from rlwb.workbench.runs import get_run, read_findings
from rlwb.workbench.session import Session
from rlwb.workbench.workspace import Workspace


class FindingStatus(StrEnum):
    """Where a clerk's work on a finding stands."""

    OPEN = "open"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"
    RESOLVED = "resolved"


STATUSES = tuple(FindingStatus)
_ALLOWED = {
    FindingStatus.OPEN: {FindingStatus.CONFIRMED, FindingStatus.DISMISSED},
    FindingStatus.CONFIRMED: {FindingStatus.RESOLVED, FindingStatus.OPEN},
    FindingStatus.DISMISSED: {FindingStatus.OPEN},
    FindingStatus.RESOLVED: {FindingStatus.OPEN},
}


def finding_key(code: str, tax_record_id: str | None, si_record_id: str | None) -> str:
    return f"{code}|{tax_record_id or ''}|{si_record_id or ''}"


def _key_expr() -> pl.Expr:
    return pl.concat_str(
        [
            pl.col("code"),
            pl.col("tax_record_id").fill_null(""),
            pl.col("si_record_id").fill_null(""),
        ],
        separator="|",
    ).alias("finding_key")


def _statuses(ws: Workspace, tax_dataset: str, si_dataset: str) -> pl.DataFrame:
    rows = ws.conn.execute(
        "SELECT finding_key, status, note FROM finding_events f WHERE tax_dataset = ? "
        "AND si_dataset = ? AND id = (SELECT MAX(id) FROM finding_events g WHERE "
        "g.tax_dataset = f.tax_dataset AND g.si_dataset = f.si_dataset AND "
        "g.finding_key = f.finding_key)",
        (tax_dataset, si_dataset),
    ).fetchall()
    return pl.DataFrame(
        rows,
        schema={"finding_key": pl.String, "status": pl.String, "status_note": pl.String},
        orient="row",
    )


def list_findings(session: Session, run_id: str) -> pl.DataFrame:
    """The run's findings with their current status (open unless a clerk changed it)."""
    authorize(session, Action.RUN_VIEW, run_id=run_id)
    ws = session.workspace
    run = get_run(ws, run_id)
    findings = read_findings(ws, run).with_columns(_key_expr())
    statuses = _statuses(ws, run.tax_dataset, run.si_dataset)
    return findings.join(statuses, on="finding_key", how="left").with_columns(
        pl.col("status").fill_null(FindingStatus.OPEN.value)
    )


def no_longer_firing(session: Session, run_id: str) -> pl.DataFrame:
    """Findings a clerk worked on in this dataset pair that the run no longer produces."""
    authorize(session, Action.RUN_VIEW, run_id=run_id)
    ws = session.workspace
    run = get_run(ws, run_id)
    current = read_findings(ws, run).with_columns(_key_expr()).select("finding_key")
    return _statuses(ws, run.tax_dataset, run.si_dataset).join(
        current, on="finding_key", how="anti"
    )


@dataclass(frozen=True)
class StatusChange:
    finding_key: str
    status: str
    note: str
    changed_by: str
    changed_at: str
    run_id: str


def set_status(
    session: Session,
    run_id: str,
    code: str,
    tax_record_id: str | None,
    si_record_id: str | None,
    status: str,
    note: str = "",
) -> StatusChange:
    authorize(session, Action.FINDING_UPDATE, run_id=run_id)
    if status not in STATUSES:
        raise InvalidInput(f"A finding status is one of {', '.join(STATUSES)}.")
    note = note.strip()
    if status == FindingStatus.DISMISSED and not note:
        raise InvalidInput("Say why the finding is dismissed: a note is required.")
    refuse_number(note, "note")
    ws = session.workspace
    run = get_run(ws, run_id)
    key = finding_key(code, tax_record_id, si_record_id)
    findings = list_findings(session, run_id).filter(pl.col("finding_key") == key)
    if findings.height == 0:
        raise NotFound(f"Run {run.id} has no finding {key}.")
    current = FindingStatus(findings["status"][0])
    if status not in _ALLOWED[current]:
        raise InvalidInput(f"A {current} finding cannot become {status}.")
    now = to_iso(ws.clock())
    # The change and its event commit together: no status change without its event.
    with transaction(ws.conn):
        ws.conn.execute(
            "INSERT INTO finding_events (tax_dataset, si_dataset, finding_key, status, note, "
            "run_id, changed_by, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (run.tax_dataset, run.si_dataset, key, status, note, run.id, session.user, now),
        )
        record(
            session,
            EventType.FINDING_STATUS,
            run_id=run.id,
            details={"finding": key, "from": current, "to": status, "note_given": bool(note)},
        )
    return StatusChange(key, status, note, session.user, now, run.id)


def finding_history(session: Session, run_id: str, key: str) -> list[StatusChange]:
    authorize(session, Action.RUN_VIEW, run_id=run_id)
    ws = session.workspace
    run = get_run(ws, run_id)
    rows = ws.conn.execute(
        "SELECT finding_key, status, note, changed_by, changed_at, run_id FROM finding_events "
        "WHERE tax_dataset = ? AND si_dataset = ? AND finding_key = ? ORDER BY id",
        (run.tax_dataset, run.si_dataset, key),
    ).fetchall()
    return [StatusChange(*(str(x) for x in r)) for r in rows]
