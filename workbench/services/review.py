"""Clerical review of uncertain pairs: append-only decisions, undo, the queue."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from rlwb.linkage.decisions import ReviewDecision as ReviewDecision  # for the CLI and UI
from rlwb.linkage.outcomes import LinkOutcome
from rlwb.workbench.access import authorize, record
from rlwb.workbench.audit.events import EventType, PersonRef
from rlwb.workbench.clock import to_iso
from rlwb.workbench.datasets import get_dataset, person_of, read_dataset
from rlwb.workbench.db import transaction
from rlwb.workbench.errors import InvalidInput, NotFound
from rlwb.workbench.number_screen import refuse_number
from rlwb.workbench.permissions import Action
from rlwb.workbench.runs import RunInfo, get_run, read_links
from rlwb.workbench.session import Session
from rlwb.workbench.workspace import Workspace

DECISIONS = tuple(ReviewDecision)


@dataclass(frozen=True)
class Decision:
    id: int
    tax_record_id: str
    si_record_id: str
    decision: str
    note: str
    decided_by: str
    decided_at: str


def latest_decisions(ws: Workspace, tax_dataset: str, si_dataset: str) -> pl.DataFrame:
    """The latest decision per pair (withdrawn ones dropped), as the engine takes them."""
    rows = ws.conn.execute(
        "SELECT tax_record_id, si_record_id, decision FROM review_decisions d "
        "WHERE tax_dataset = ? AND si_dataset = ? AND id = ("
        "  SELECT MAX(id) FROM review_decisions e WHERE e.tax_dataset = d.tax_dataset "
        "  AND e.si_dataset = d.si_dataset AND e.tax_record_id = d.tax_record_id "
        "  AND e.si_record_id = d.si_record_id) AND decision != 'withdrawn'",
        (tax_dataset, si_dataset),
    ).fetchall()
    return pl.DataFrame(
        rows,
        schema={"tax_record_id": pl.String, "si_record_id": pl.String, "decision": pl.String},
        orient="row",
    )


def review_queue(session: Session, run_id: str) -> pl.DataFrame:
    """Pairs of the run waiting for a clerk, with their current decision (no identities)."""
    authorize(session, Action.RUN_VIEW, run_id=run_id)
    ws = session.workspace
    run = get_run(ws, run_id)
    links = read_links(ws, run).filter(pl.col("outcome") == LinkOutcome.REVIEW)
    decided = latest_decisions(ws, run.tax_dataset, run.si_dataset)
    return links.join(decided, on=["tax_record_id", "si_record_id"], how="left").sort(
        "match_weight", descending=True, nulls_last=True
    )


def _persons(ws: Workspace, run: RunInfo, tax_id: str, si_id: str) -> list[PersonRef]:
    refs = []
    for dataset_id, record_id in ((run.tax_dataset, tax_id), (run.si_dataset, si_id)):
        frame = read_dataset(ws, get_dataset(ws.conn, dataset_id))
        rows = frame.filter(pl.col("record_id") == record_id).select("token", "token_version")
        ref = person_of(rows.row(0, named=True)) if rows.height else None
        if ref is not None:
            refs.append(ref)
    return refs


def decide(
    session: Session,
    run_id: str,
    tax_record_id: str,
    si_record_id: str,
    decision: str,
    note: str = "",
) -> Decision:
    authorize(session, Action.REVIEW_DECIDE, run_id=run_id)
    if decision not in DECISIONS:
        raise InvalidInput(f"A decision is one of {', '.join(DECISIONS)}.")
    refuse_number(note, "note")
    ws = session.workspace
    run = get_run(ws, run_id)
    links = read_links(ws, run)
    pair = links.filter(
        (pl.col("tax_record_id") == tax_record_id) & (pl.col("si_record_id") == si_record_id)
    )
    if pair.height == 0:
        raise NotFound(f"The pair {tax_record_id} / {si_record_id} is not in run {run.id}.")
    return _append(session, run, tax_record_id, si_record_id, decision, note)


def _append(
    session: Session, run: RunInfo, tax_id: str, si_id: str, decision: str, note: str
) -> Decision:
    ws = session.workspace
    persons = _persons(ws, run, tax_id, si_id)
    # The decision and its event commit together: no decision without its event.
    with transaction(ws.conn):
        cursor = ws.conn.execute(
            "INSERT INTO review_decisions (tax_dataset, si_dataset, tax_record_id, si_record_id, "
            "decision, note, run_id, decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run.tax_dataset,
                run.si_dataset,
                tax_id,
                si_id,
                decision,
                note,
                run.id,
                session.user,
                to_iso(ws.clock()),
            ),
        )
        decision_id = int(cursor.lastrowid or 0)
        record(
            session,
            EventType.REVIEW_DECISION,
            run_id=run.id,
            persons=persons,
            details={
                "decision": decision,
                "tax_record_id": tax_id,
                "si_record_id": si_id,
                "decision_id": decision_id,
                "note_given": bool(note),
            },
        )
    return Decision(decision_id, tax_id, si_id, decision, note, session.user, to_iso(ws.clock()))


def undo_last(session: Session, run_id: str) -> Decision:
    """Undo this user's last decision in the run: the pair goes back to what it was."""
    authorize(session, Action.REVIEW_DECIDE, run_id=run_id)
    ws = session.workspace
    run = get_run(ws, run_id)
    last = ws.conn.execute(
        "SELECT id, tax_record_id, si_record_id FROM review_decisions "
        "WHERE run_id = ? AND decided_by = ? AND note NOT LIKE 'undo of #%' "
        "AND id NOT IN (SELECT CAST(substr(note, 10) AS INTEGER) FROM review_decisions "
        "WHERE note LIKE 'undo of #%') ORDER BY id DESC LIMIT 1",
        (run.id, session.user),
    ).fetchone()
    if last is None:
        raise InvalidInput("There is no decision of yours to undo in this run.")
    last_id, tax_id, si_id = int(last[0]), str(last[1]), str(last[2])
    earlier = ws.conn.execute(
        "SELECT decision FROM review_decisions WHERE tax_dataset = ? AND si_dataset = ? "
        "AND tax_record_id = ? AND si_record_id = ? AND id < ? ORDER BY id DESC LIMIT 1",
        (run.tax_dataset, run.si_dataset, tax_id, si_id, last_id),
    ).fetchone()
    previous = str(earlier[0]) if earlier else "withdrawn"
    return _append(session, run, tax_id, si_id, previous, f"undo of #{last_id}")
