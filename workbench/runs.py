"""Stored reconciliation runs: a row in the database plus encrypted links and findings."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from rlwb.workbench.clock import from_iso, to_iso
from rlwb.workbench.db import transaction
from rlwb.workbench.errors import NotFound
from rlwb.workbench.ids import new_id
from rlwb.workbench.workspace import Workspace

AREA = "runs"
_COLUMNS = (
    "id, tax_dataset, si_dataset, created_at, created_by, key_version, rules_version, summary"
)


@dataclass(frozen=True)
class RunInfo:
    id: str
    tax_dataset: str
    si_dataset: str
    created_at: datetime
    created_by: str
    key_version: int
    rules_version: str
    summary: dict[str, int]


def _info(row: tuple[object, ...]) -> RunInfo:
    id_, tax, si, created_at, created_by, version, rules_version, summary = row
    return RunInfo(
        id=str(id_),
        tax_dataset=str(tax),
        si_dataset=str(si),
        created_at=from_iso(str(created_at)),
        created_by=str(created_by),
        key_version=int(str(version)),
        rules_version=str(rules_version),
        summary={str(k): int(v) for k, v in json.loads(str(summary)).items()},
    )


def list_runs(ws: Workspace) -> list[RunInfo]:
    rows = ws.conn.execute(f"SELECT {_COLUMNS} FROM runs ORDER BY created_at, id").fetchall()
    return [_info(r) for r in rows]


def get_run(ws: Workspace, run_id: str) -> RunInfo:
    if run_id == "latest":
        row = ws.conn.execute(
            f"SELECT {_COLUMNS} FROM runs ORDER BY created_at DESC, rowid DESC LIMIT 1"
        ).fetchone()
        if row is None:
            raise NotFound("There is no reconciliation run yet; run `workbench reconcile` first.")
        return _info(row)
    row = ws.conn.execute(f"SELECT {_COLUMNS} FROM runs WHERE id = ?", (run_id,)).fetchone()
    if row is None:
        raise NotFound(f"There is no run {run_id!r} in this workspace.")
    return _info(row)


def store_run(
    ws: Workspace,
    *,
    tax_dataset: str,
    si_dataset: str,
    created_by: str,
    key_version: int,
    rules_version: str,
    summary: dict[str, int],
    links: pl.DataFrame,
    findings: pl.DataFrame,
) -> RunInfo:
    now = ws.clock()
    run_id = new_id("run", now)
    store = ws.frames(AREA)
    store.write(f"{run_id}.links", links)
    store.write(f"{run_id}.findings", findings)
    try:
        with transaction(ws.conn):
            ws.conn.execute(
                f"INSERT INTO runs ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    tax_dataset,
                    si_dataset,
                    to_iso(now),
                    created_by,
                    key_version,
                    rules_version,
                    json.dumps(summary, sort_keys=True),
                ),
            )
    except BaseException:
        store.delete(f"{run_id}.links")
        store.delete(f"{run_id}.findings")
        raise
    return get_run(ws, run_id)


def read_links(ws: Workspace, run: RunInfo) -> pl.DataFrame:
    return ws.cached_frame(AREA, f"{run.id}.links")


def read_findings(ws: Workspace, run: RunInfo) -> pl.DataFrame:
    return ws.cached_frame(AREA, f"{run.id}.findings")
