"""The compromise response: a new, unrelated key chain when the current keyset may have leaked.

Rotation protects stored tokens against an old copy of the keyset; it does not help against
someone who holds the current one. The response (docs/tokens.md "Compromise response"):

1. **New chain.** The keyset gets a fresh random root key (version n+1, chain c+1), derived
   from no earlier key; every earlier version becomes ``retired``. The data key and the
   log-signing key stay, so the access log and its checkpoints stay continuous and
   verifiable. The master key is replaced too: whoever read the keyset had it, and with it
   could open any later copy of ``keyset.bin``. The new keyset is written beside the old
   one sealed under the new master key, the key store takes the new master key, then the
   file is renamed into place (``Workspace.open`` finishes or drops an interrupted switch).
2. **Retire.** Every dataset and run made under an earlier chain is marked retired (one
   transaction). Retired data stays readable for the log's sake but is never reconciled,
   and rotation leaves it alone. A dataset on an earlier chain's key version counts as
   retired even without a mark (an import that raced the response).
3. **Destroy.** After a typed confirmation and a fresh key backup (written first, holding
   only the new chain), the retired versions are removed from the keyset. Until then the
   person history still searches both chains; afterwards it says which period can no
   longer be searched.

Each step is recorded (``key_chains``) and the whole response resumes where a crash left it.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rlwb.crypto._files import fsync_directory, write_private_atomic
from rlwb.crypto.backup import KeyBackup, write_backup
from rlwb.crypto.keyset import Keyset, seal_keyset
from rlwb.workbench.clock import from_iso, to_iso
from rlwb.workbench.datasets import DatasetInfo, list_datasets
from rlwb.workbench.db import transaction
from rlwb.workbench.errors import InvalidInput, WorkspaceError
from rlwb.workbench.outfiles import refuse_numbered_name
from rlwb.workbench.runs import RunInfo, list_runs
from rlwb.workbench.workspace import KEYSET_FILE, PENDING_KEYSET_FILE, Workspace

MASTER_KEY_SIZE = 32


@dataclass(frozen=True)
class ChainRecord:
    """A key chain started by a compromise response."""

    chain: int
    first_version: int
    reason: str
    started_at: datetime
    started_by: str
    old_keys_destroyed_at: datetime | None
    old_keys_destroyed_by: str | None


_CHAIN_COLUMNS = (
    "chain, first_version, reason, started_at, started_by, old_keys_destroyed_at, "
    "old_keys_destroyed_by"
)


def _chain(row: tuple[object, ...]) -> ChainRecord:
    chain, first, reason, started_at, started_by, destroyed_at, destroyed_by = row
    return ChainRecord(
        chain=int(str(chain)),
        first_version=int(str(first)),
        reason=str(reason),
        started_at=from_iso(str(started_at)),
        started_by=str(started_by),
        old_keys_destroyed_at=None if destroyed_at is None else from_iso(str(destroyed_at)),
        old_keys_destroyed_by=None if destroyed_by is None else str(destroyed_by),
    )


def chains(conn: sqlite3.Connection) -> list[ChainRecord]:
    rows = conn.execute(f"SELECT {_CHAIN_COLUMNS} FROM key_chains ORDER BY chain").fetchall()
    return [_chain(r) for r in rows]


def latest_chain(conn: sqlite3.Connection) -> ChainRecord | None:
    found = chains(conn)
    return found[-1] if found else None


def open_response(ws: Workspace) -> ChainRecord | None:
    """The latest response while its destruction of the old keys is not recorded yet."""
    current = latest_chain(ws.conn)
    if current is None or current.chain != ws.keyset.current_chain:
        return None
    return current if current.old_keys_destroyed_at is None else None


def retired_dataset_ids(conn: sqlite3.Connection) -> set[str]:
    return {str(r[0]) for r in conn.execute("SELECT dataset_id FROM retired_datasets")}


def retired_run_ids(conn: sqlite3.Connection) -> set[str]:
    return {str(r[0]) for r in conn.execute("SELECT run_id FROM retired_runs")}


def is_retired(ws: Workspace, info: DatasetInfo, retired: set[str] | None = None) -> bool:
    """Marked retired, or on a key version before the current chain (never joinable)."""
    marked = retired_dataset_ids(ws.conn) if retired is None else retired
    return info.id in marked or info.token_version < ws.keyset.chain_start


def retired_datasets(ws: Workspace) -> list[DatasetInfo]:
    marked = retired_dataset_ids(ws.conn)
    return [d for d in list_datasets(ws.conn) if is_retired(ws, d, marked)]


def live_datasets(ws: Workspace) -> list[DatasetInfo]:
    marked = retired_dataset_ids(ws.conn)
    return [d for d in list_datasets(ws.conn) if not is_retired(ws, d, marked)]


def require_joinable(ws: Workspace, *infos: DatasetInfo) -> None:
    """Refuse a retired dataset, or datasets of different key chains, with what to do."""
    marked = retired_dataset_ids(ws.conn)
    for info in infos:
        if is_retired(ws, info, marked):
            raise WorkspaceError(
                f"Dataset {info.id} ({info.file_name}) was retired by a compromise response: "
                "its tokens belong to a key chain that may have leaked, so it is never joined "
                "with new data. Import its source file again and use the new dataset."
            )


# -- step 1: the new chain -----------------------------------------------------------------
def begin(ws: Workspace, *, reason: str, actor: str) -> tuple[ChainRecord, bool]:
    """Start a new chain (new keyset and master key), or pick up one a crash left open.

    Returns the chain's record and whether it was resumed."""
    recorded = latest_chain(ws.conn)
    if (
        recorded is not None
        and recorded.chain == ws.keyset.current_chain
        and recorded.old_keys_destroyed_at is None
    ):
        return recorded, True
    # The keyset is on a newer chain than recorded: the keys switched, then the process
    # died before this row. Otherwise start the next chain now.
    resumed = ws.keyset.current_chain > (1 if recorded is None else recorded.chain)
    if not resumed:
        switch_master_key(ws, ws.keyset.with_new_chain(actor, ws.clock()))
    keyset = ws.keyset
    with transaction(ws.conn):
        ws.conn.execute(
            f"INSERT INTO key_chains ({_CHAIN_COLUMNS}) VALUES (?, ?, ?, ?, ?, NULL, NULL)",
            (keyset.current_chain, keyset.chain_start, reason, to_iso(ws.clock()), actor),
        )
    found = latest_chain(ws.conn)
    if found is None:  # pragma: no cover - inserted just above
        raise WorkspaceError("The new key chain was not recorded; run the command again.")
    return found, resumed


def switch_master_key(ws: Workspace, keyset: Keyset) -> None:
    """Make ``keyset`` the workspace's keyset, sealed under a new random master key.

    Order: pending file under the new key, then the key store, then the rename. A crash
    before the store took the key leaves the old keyset and key (the pending file is
    dropped at open); after it, open finishes the rename. Never a keyset without its key.
    """
    new_master = os.urandom(MASTER_KEY_SIZE)
    pending = ws.path / PENDING_KEYSET_FILE
    write_private_atomic(pending, seal_keyset(keyset, new_master))
    try:
        ws.access.store.save(ws.id, new_master)
    except BaseException:
        pending.unlink(missing_ok=True)
        raise
    os.replace(pending, ws.path / KEYSET_FILE)
    fsync_directory(ws.path)
    ws.keyset = keyset
    ws.frame_cache.clear()


# -- step 2: retire --------------------------------------------------------------------------
@dataclass(frozen=True)
class Retired:
    datasets: tuple[DatasetInfo, ...]
    runs: tuple[RunInfo, ...]


def retire_old_chain(ws: Workspace, record: ChainRecord) -> Retired:
    """Mark every dataset on a version before the chain, and every run using one, retired.
    Idempotent; returns what this call newly marked."""
    marked = retired_dataset_ids(ws.conn)
    datasets = [d for d in list_datasets(ws.conn) if d.token_version < record.first_version]
    new_datasets = [d for d in datasets if d.id not in marked]
    old_ids = marked | {d.id for d in datasets}
    marked_runs = retired_run_ids(ws.conn)
    new_runs = [
        r
        for r in list_runs(ws)
        if r.id not in marked_runs and (r.tax_dataset in old_ids or r.si_dataset in old_ids)
    ]
    now = to_iso(ws.clock())
    with transaction(ws.conn):
        ws.conn.executemany(
            "INSERT INTO retired_datasets (dataset_id, chain, retired_at) VALUES (?, ?, ?)",
            [(d.id, record.chain, now) for d in new_datasets],
        )
        ws.conn.executemany(
            "INSERT INTO retired_runs (run_id, chain, retired_at) VALUES (?, ?, ?)",
            [(r.id, record.chain, now) for r in new_runs],
        )
    return Retired(tuple(new_datasets), tuple(new_runs))


# -- step 3: destroy -------------------------------------------------------------------------
def confirmation_word(ws: Workspace) -> str:
    """What the administrator types to confirm: the workspace folder's name."""
    return ws.path.resolve().name


def check_confirmation(ws: Workspace, typed: str) -> None:
    if typed.strip() != confirmation_word(ws):
        raise InvalidInput(
            f"The confirmation does not match: type the workspace name "
            f"'{confirmation_word(ws)}' exactly. Nothing was changed."
        )


def check_backup_target(out: Path, passphrase: str) -> None:
    refuse_numbered_name(out)  # logged with the destruction of the old keys
    if len(passphrase) < 12:
        raise InvalidInput("A backup passphrase needs at least 12 characters.")
    if out.exists():
        raise InvalidInput(f"{out} already exists; choose a new file name.")
    if not out.parent.is_dir():
        raise InvalidInput(f"The folder {out.parent} does not exist; choose another place.")


def destroy_old_keys(
    ws: Workspace,
    record: ChainRecord,
    *,
    actor: str,
    backup_out: Path,
    passphrase: str,
    scrypt_n: int,
) -> tuple[int, int]:
    """Back up the keyset without the retired versions, then make it the workspace's.

    Returns the range of destroyed versions. The backup is written first: if it fails,
    nothing is destroyed; it holds only the new chain, so it cannot bring the old keys back.
    """
    retired = ws.keyset.retired_versions
    if retired:
        check_backup_target(backup_out, passphrase)
        final = ws.keyset.without_retired()
        master = ws.master_key()
        write_backup(
            backup_out,
            KeyBackup(ws.id, master, seal_keyset(final, master)),
            passphrase,
            scrypt_n=scrypt_n,
        )
        ws.save_keyset(final)
        destroyed = (retired[0].version, retired[-1].version)
    else:  # destroyed already; the process died before it was recorded
        destroyed = (1, ws.keyset.destroyed_through)
    with transaction(ws.conn):
        ws.conn.execute(
            "UPDATE key_chains SET old_keys_destroyed_at = ?, old_keys_destroyed_by = ? "
            "WHERE chain = ? AND old_keys_destroyed_at IS NULL",
            (to_iso(ws.clock()), actor, record.chain),
        )
    return destroyed
