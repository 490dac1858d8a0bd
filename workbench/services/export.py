"""Export a run's links, findings or summary to CSV or XLSX; formula-safe, no raw numbers.

The export event says what was written, how many rows, where, and which persons: their
tokens are in the event itself up to PERSONS_IN_EVENT; a larger list is kept encrypted
in the workspace and the event holds its SHA-256, so the chain still fixes it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

from rlwb.workbench.access import authorize, record
from rlwb.workbench.audit.events import EventType, PersonRef
from rlwb.workbench.datasets import get_dataset, read_dataset
from rlwb.workbench.errors import InvalidInput
from rlwb.workbench.outfiles import check_targets
from rlwb.workbench.permissions import Action
from rlwb.workbench.runs import RunInfo, get_run, read_links
from rlwb.workbench.services.findings import list_findings
from rlwb.workbench.session import Session
from rlwb.workbench.spreadsheet import write_table
from rlwb.workbench.workspace import Workspace

What = Literal["links", "findings", "summary"]
PERSONS_IN_EVENT = 10_000
EXPORTS_AREA = "exports"

LINK_COLUMNS = ["tax_record_id", "si_record_id", "outcome", "match_weight", "match_probability"]
FINDING_COLUMNS = ["code", "severity", "status", "tax_record_id", "si_record_id", "detail"]


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int
    persons: int


def _table(session: Session, run: RunInfo, what: What) -> pl.DataFrame:
    ws = session.workspace
    if what == "links":
        return read_links(ws, run).select(LINK_COLUMNS)
    if what == "findings":
        return list_findings(session, run.id).select(FINDING_COLUMNS)
    return pl.DataFrame(
        {"item": list(run.summary), "count": list(run.summary.values())},
        schema={"item": pl.String, "count": pl.Int64},
    )


def _persons(ws: Workspace, run: RunInfo, table: pl.DataFrame) -> list[PersonRef]:
    refs: list[PersonRef] = []
    for column, dataset_id in (
        ("tax_record_id", run.tax_dataset),
        ("si_record_id", run.si_dataset),
    ):
        if column not in table.columns:
            continue
        ids = table.select(pl.col(column).drop_nulls().unique())
        frame = read_dataset(ws, get_dataset(ws.conn, dataset_id)).select(
            "record_id", "token", "token_version"
        )
        tokens = frame.join(ids, left_on="record_id", right_on=column).drop_nulls("token")
        refs.extend(
            PersonRef(bytes(t).hex(), int(v))
            for t, v in zip(tokens["token"], tokens["token_version"], strict=True)
        )
    return sorted(set(refs), key=lambda r: (r.key_version, r.token_hex))


def export_run(
    session: Session, run_id: str, what: What, out: Path, *, replace: bool = False
) -> ExportResult:
    """Write the table to ``out``; an existing file only when ``replace`` (the user asked)."""
    authorize(session, Action.RESULT_EXPORT, run_id=run_id)
    if what not in ("links", "findings", "summary"):
        raise InvalidInput("Export links, findings or summary.")
    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise InvalidInput(f"{out.name}: export to a file ending in .csv or .xlsx.")
    check_targets([out], replace=replace)
    ws = session.workspace
    run = get_run(ws, run_id)
    table = _table(session, run, what)
    persons = _persons(ws, run, table)
    details: dict[str, object] = {
        "what": what,
        "file": str(out),
        "rows": table.height,
        "persons": len(persons),
    }
    in_event = persons
    if len(persons) > PERSONS_IN_EVENT:
        listing = pl.DataFrame(
            {
                "token_hex": [p.token_hex for p in persons],
                "key_version": [p.key_version for p in persons],
            }
        )
        digest = hashlib.sha256(
            "\n".join(f"{p.key_version}:{p.token_hex}" for p in persons).encode()
        )
        name = f"{run.id}.{what}.{digest.hexdigest()[:16]}.persons"
        ws.frames(EXPORTS_AREA).write(name, listing)
        details.update(persons_file=name, persons_sha256=digest.hexdigest())
        in_event = []
    # The event is committed before the file exists: no event, no export.
    record(session, EventType.EXPORT, run_id=run.id, persons=in_event, details=details)
    try:
        write_table(table, out, replace=replace)
    except OSError as exc:
        raise InvalidInput(f"Cannot write {out}: {exc.strerror}.") from None
    return ExportResult(out, table.height, len(persons))
