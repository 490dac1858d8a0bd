"""Key rotation: a new token-key version, then every stored dataset migrated to it.

Crash safety (docs/tokens.md "Rotation"): the new keyset is written before anything
refers to its version; each dataset is rewritten beside the old file, checked (row count,
null count, token uniqueness), and switched over by one database update. A crash at any
point leaves each dataset wholly on one version; running the rotation again resumes it.
Run results store record ids, never tokens, so they need no migration.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from rlwb.linkage.progress import CancelToken, ProgressCallback, no_progress
from rlwb.workbench.clock import to_iso
from rlwb.workbench.datasets import AREA, DatasetInfo, list_datasets, read_dataset
from rlwb.workbench.db import transaction
from rlwb.workbench.errors import WorkspaceError
from rlwb.workbench.number_screen import holds_number, mask_text
from rlwb.workbench.workspace import Workspace


class RotationCheckFailed(WorkspaceError):
    """A migrated dataset did not keep its row count or token uniqueness; nothing switched."""


@dataclass(frozen=True)
class RotationPlan:
    target_version: int
    reason: str
    resumed: bool
    datasets: tuple[DatasetInfo, ...]


@dataclass(frozen=True)
class OpenRotation:
    target_version: int
    reason: str
    started_by: str


def open_rotation(conn: sqlite3.Connection) -> OpenRotation | None:
    row = conn.execute(
        "SELECT target_version, reason, started_by FROM key_rotations "
        "WHERE finished_at IS NULL ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return None if row is None else OpenRotation(int(row[0]), str(row[1]), str(row[2]))


def mask_stored_reasons(ws: Workspace) -> int:
    """Mask a 個人番号 in any stored rotation reason (one typed before reasons were
    screened); returns how many reasons changed."""
    rows = ws.conn.execute("SELECT id, reason FROM key_rotations").fetchall()
    bad = [(mask_text(str(reason)), id_) for id_, reason in rows if holds_number(str(reason))]
    if bad:
        # secure_delete zeroes the old text in the page; the TRUNCATE checkpoint drops the
        # write-ahead log, which still holds the page as it was.
        (before,) = ws.conn.execute("PRAGMA secure_delete").fetchone()
        ws.conn.execute("PRAGMA secure_delete = ON")
        try:
            with transaction(ws.conn):
                ws.conn.executemany("UPDATE key_rotations SET reason = ? WHERE id = ?", bad)
            ws.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            ws.conn.execute(f"PRAGMA secure_delete = {int(before)}")
    return len(bad)


def pending_datasets(ws: Workspace, target_version: int) -> list[DatasetInfo]:
    """Datasets of the current key chain still on an older version. Datasets of an earlier
    chain (retired by a compromise response) are never migrated: no chain leads to them."""
    start = ws.keyset.chain_start
    return [d for d in list_datasets(ws.conn) if start <= d.token_version < target_version]


def begin_rotation(ws: Workspace, *, reason: str, actor: str) -> RotationPlan:
    """Start a new rotation, or pick up one that a crash or a cancel left open."""
    existing = open_rotation(ws.conn)
    if existing is not None:
        return RotationPlan(
            existing.target_version,
            existing.reason,
            True,
            tuple(pending_datasets(ws, existing.target_version)),
        )
    latest = ws.keyset.latest_version
    behind = pending_datasets(ws, latest)
    if behind:
        # The keyset was extended but the process died before the rotation was recorded.
        target, resumed = latest, True
    else:
        ws.save_keyset(ws.keyset.with_new_version(actor, ws.clock()))
        target, resumed = ws.keyset.latest_version, False
    with transaction(ws.conn):
        ws.conn.execute(
            "INSERT INTO key_rotations (target_version, reason, started_at, started_by) "
            "VALUES (?, ?, ?, ?)",
            (target, reason, to_iso(ws.clock()), actor),
        )
    return RotationPlan(target, reason, resumed, tuple(pending_datasets(ws, target)))


def migrate_dataset(ws: Workspace, info: DatasetInfo, target_version: int) -> DatasetInfo:
    """Rewrite one dataset under ``target_version`` and switch to it atomically."""
    frame = read_dataset(ws, info)
    stored_versions = set(frame["token_version"].unique().to_list()) if frame.height else set()
    if stored_versions - {info.token_version}:
        raise WorkspaceError(
            f"Dataset {info.id} holds tokens of another key version than its record says; "
            "restore it from a backup."
        )
    tokenizer = ws.keyset.tokenizer()
    migrated = tokenizer.migrate_many(frame["token"].to_list(), info.token_version, target_version)
    new_frame = frame.with_columns(
        pl.Series("token", migrated, dtype=pl.Binary),
        pl.lit(target_version, dtype=pl.Int32).alias("token_version"),
    )
    _check_migration(info, frame, new_frame)
    new_name = f"{info.id}.v{target_version}"
    store = ws.frames(AREA)
    store.write(new_name, new_frame)
    with transaction(ws.conn):
        updated = ws.conn.execute(
            "UPDATE datasets SET token_version = ?, storage_name = ? "
            "WHERE id = ? AND token_version = ?",
            (target_version, new_name, info.id, info.token_version),
        ).rowcount
    if updated != 1:
        raise WorkspaceError(
            f"Dataset {info.id} changed while it was being migrated; run the rotation again."
        )
    store.delete(info.storage_name)
    return DatasetInfo(
        **{**info.__dict__, "token_version": target_version, "storage_name": new_name}
    )


def _check_migration(info: DatasetInfo, old: pl.DataFrame, new: pl.DataFrame) -> None:
    checks = {
        "row count": (old.height, new.height),
        "empty tokens": (old["token"].null_count(), new["token"].null_count()),
        "distinct tokens": (
            old["token"].drop_nulls().n_unique(),
            new["token"].drop_nulls().n_unique(),
        ),
    }
    for what, (before, after) in checks.items():
        if before != after:
            raise RotationCheckFailed(
                f"Migrating dataset {info.id} changed its {what} ({before} → {after}); "
                "the dataset was left on its old key version."
            )


def remove_orphans(ws: Workspace) -> int:
    """Delete frame files no dataset refers to (left by a crash mid-migration)."""
    directory = ws.path / AREA
    if not directory.exists():
        return 0
    referenced = {f"{d.storage_name}.parquet.enc" for d in list_datasets(ws.conn)}
    removed = 0
    for path in directory.iterdir():
        if path.name not in referenced and (
            path.name.endswith(".parquet.enc") or path.name.endswith(".tmp")
        ):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def finish_rotation(ws: Workspace, target_version: int) -> None:
    behind = pending_datasets(ws, target_version)
    if behind:
        raise WorkspaceError(f"{len(behind)} datasets are still on an older key version.")
    with transaction(ws.conn):
        ws.conn.execute(
            "UPDATE key_rotations SET finished_at = ? WHERE target_version = ? AND finished_at IS NULL",
            (to_iso(ws.clock()), target_version),
        )


def run_migrations(
    ws: Workspace,
    plan: RotationPlan,
    *,
    on_migrated: Callable[[DatasetInfo], None],
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> None:
    remove_orphans(ws)
    todo = pending_datasets(ws, plan.target_version)
    progress("migrating datasets", 0.0)
    for index, info in enumerate(todo, start=1):
        if cancel is not None:
            cancel.raise_if_cancelled()
        on_migrated(migrate_dataset(ws, info, plan.target_version))
        progress(f"dataset {info.id} migrated", index / len(todo))
