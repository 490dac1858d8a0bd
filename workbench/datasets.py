"""Stored datasets: an encrypted frame per imported extract plus its row in the database.

A dataset's frame has no raw 個人番号: only ``token`` (Binary, null when the identifier
was unusable), ``token_version`` and ``id_problem``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from rlwb.linkage.schema import ExtractKind
from rlwb.workbench.audit.events import PersonRef
from rlwb.workbench.clock import from_iso, to_iso
from rlwb.workbench.db import transaction
from rlwb.workbench.errors import NotFound
from rlwb.workbench.ids import new_id
from rlwb.workbench.workspace import Workspace

#: The kind of a dataset is the kind of the extract it was imported from.
Kind = ExtractKind
AREA = "datasets"


@dataclass(frozen=True)
class DatasetInfo:
    id: str
    kind: Kind
    file_name: str
    imported_at: datetime
    imported_by: str
    rows: int
    token_version: int
    storage_name: str
    report: dict[str, object]


_COLUMNS = (
    "id, kind, file_name, imported_at, imported_by, rows, token_version, storage_name, report"
)


def _info(row: tuple[object, ...]) -> DatasetInfo:
    id_, kind, file_name, imported_at, imported_by, rows, version, storage, report = row
    return DatasetInfo(
        id=str(id_),
        kind=ExtractKind.TAX if kind == ExtractKind.TAX else ExtractKind.SI,
        file_name=str(file_name),
        imported_at=from_iso(str(imported_at)),
        imported_by=str(imported_by),
        rows=int(str(rows)),
        token_version=int(str(version)),
        storage_name=str(storage),
        report=json.loads(str(report)),
    )


def list_datasets(conn: sqlite3.Connection, kind: Kind | None = None) -> list[DatasetInfo]:
    if kind is None:
        rows = conn.execute(f"SELECT {_COLUMNS} FROM datasets ORDER BY imported_at, id").fetchall()
    else:
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM datasets WHERE kind = ? ORDER BY imported_at, id", (kind,)
        ).fetchall()
    return [_info(r) for r in rows]


def get_dataset(conn: sqlite3.Connection, dataset_id: str) -> DatasetInfo:
    row = conn.execute(f"SELECT {_COLUMNS} FROM datasets WHERE id = ?", (dataset_id,)).fetchone()
    if row is None:
        raise NotFound(f"There is no dataset {dataset_id!r} in this workspace.")
    return _info(row)


def new_dataset_id(kind: Kind, now: datetime) -> str:
    return new_id(kind, now)


def store_dataset(
    ws: Workspace,
    *,
    kind: Kind,
    frame: pl.DataFrame,
    file_name: str,
    imported_by: str,
    report: dict[str, object],
    dataset_id: str | None = None,
    then: Callable[[DatasetInfo], object] | None = None,
) -> DatasetInfo:
    """Encrypt and store a tokenised frame, then register it. All or nothing.

    ``then`` runs inside the transaction that registers the dataset (e.g. to append its
    ``import.finished`` event, which joins the transaction): the row and whatever ``then``
    writes commit together, or neither does and the frame is deleted. A crash before the
    commit leaves only an unreferenced frame, removed at the next open (cleanup.py).
    """
    if "my_number" in frame.columns:
        raise ValueError("a raw identifier column must never be stored")
    versions = frame["token_version"].unique().to_list() if frame.height else []
    version = int(versions[0]) if versions else ws.keyset.latest_version
    if len(versions) > 1:
        raise ValueError("a dataset holds tokens of a single key version")
    now = ws.clock()
    dataset_id = dataset_id or new_dataset_id(kind, now)
    storage_name = f"{dataset_id}.v{version}"
    store = ws.frames(AREA)
    store.write(storage_name, frame)
    try:
        with transaction(ws.conn):
            ws.conn.execute(
                f"INSERT INTO datasets ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    dataset_id,
                    kind,
                    file_name,
                    to_iso(now),
                    imported_by,
                    frame.height,
                    version,
                    storage_name,
                    json.dumps(report, ensure_ascii=False, sort_keys=True),
                ),
            )
            if then is not None:
                then(get_dataset(ws.conn, dataset_id))
    except BaseException:
        store.delete(storage_name)
        raise
    return get_dataset(ws.conn, dataset_id)


def person_of(row: dict[str, object]) -> PersonRef | None:
    """The access-log reference of a stored record: its token and key version."""
    token = row.get("token")
    if not isinstance(token, bytes):
        return None
    return PersonRef(token.hex(), int(str(row["token_version"])))


def read_dataset(ws: Workspace, info: DatasetInfo) -> pl.DataFrame:
    return ws.cached_frame(AREA, info.storage_name)
