"""A workspace: one directory holding the database, the sealed keyset and encrypted frames.

Layout::

    WORKSPACE/
      workspace.json        id and format (no secrets)
      workbench.sqlite3     metadata, users, decisions, the access log
      keyset.bin            token keys, data key, log-signing and log-MAC keys; sealed under
                            the master key
      datasets/             encrypted Parquet frames
      runs/                 encrypted run results

The master key never lives here: it is in the OS keyring, or in the passphrase store the
user chose explicitly.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from rlwb.crypto._files import fsync_directory
from rlwb.crypto.errors import CryptoError, DecryptionFailed
from rlwb.crypto.keyset import FORMAT_VERSION as KEYSET_FORMAT
from rlwb.crypto.keyset import Keyset, open_keyset, read_keyset_file, write_keyset_file
from rlwb.crypto.params import SCRYPT_N
from rlwb.crypto.passwords import name_key, record_key
from rlwb.workbench.audit.chain import ChainKey
from rlwb.workbench.audit.errors import CheckpointError
from rlwb.workbench.audit.events import Actor, EventDraft, EventType, Outcome, Workstation
from rlwb.workbench.audit.log import AuditLog
from rlwb.workbench.audit.schema import EVENTS_TABLE
from rlwb.workbench.cleanup import WorkspaceLock, remove_leftovers
from rlwb.workbench.clock import Clock, to_iso, utc_now
from rlwb.workbench.db import connect, get_setting, migrate
from rlwb.workbench.errors import WorkspaceError
from rlwb.workbench.keyaccess import KeyAccess
from rlwb.workbench.permissions import Role
from rlwb.workbench.private_dirs import check_workspace_dirs
from rlwb.workbench.store import FrameStore
from rlwb.workbench.users import LockoutPolicy, UserStore, check_password_strength, check_user_name
from rlwb.workbench.version import APP_VERSION

WORKSPACE_FILE = "workspace.json"
DB_FILE = "workbench.sqlite3"
KEYSET_FILE = "keyset.bin"
#: A keyset sealed under a new master key, waiting for the key store to take that key
#: (a compromise response replaces the master key; see workbench/compromise.py).
PENDING_KEYSET_FILE = "keyset.bin.next"
FORMAT = 1

SETTING_CHECKPOINT_FILE = "checkpoint_file"
SETTING_LOCK_MINUTES = "lockout_minutes"
SETTING_MAX_FAILURES = "lockout_failures"
SETTING_IDLE_MINUTES = "idle_lock_minutes"


@dataclass
class Workspace:
    path: Path
    id: str
    conn: sqlite3.Connection
    keyset: Keyset
    access: KeyAccess
    audit: AuditLog
    users: UserStore
    clock: Clock = field(default=utc_now)
    #: Decrypted frames by (area, name); names change whenever content changes.
    frame_cache: dict[tuple[str, str], pl.DataFrame] = field(default_factory=dict, repr=False)
    #: Held while open; see workbench.cleanup.
    lock: WorkspaceLock | None = field(default=None, repr=False)

    # -- lifecycle ------------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        path: Path,
        *,
        access: KeyAccess,
        admin_name: str,
        admin_password: str,
        clock: Clock = utc_now,
        scrypt_n: int = SCRYPT_N,
    ) -> Workspace:
        """Create a workspace with its first administrator. Fails leaving nothing behind."""
        check_user_name(admin_name)
        check_password_strength(admin_password)
        if path.exists() and any(path.iterdir()):
            raise WorkspaceError(f"{path} already exists and is not empty; choose a new directory.")
        workspace_id = str(uuid.uuid4())
        master_key = os.urandom(32)
        now = clock()
        created_dir = not path.exists()
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(path, 0o700)
        try:
            access.store.save(workspace_id, master_key)
            keyset = Keyset.new(workspace_id, admin_name, now)
            write_keyset_file(path / KEYSET_FILE, keyset, master_key)
            _write_private_json(
                path / WORKSPACE_FILE,
                {"workspace_id": workspace_id, "format": FORMAT, "created_at": to_iso(now)},
            )
            conn = connect(path / DB_FILE, create=True)
            migrate(conn)
            ws = cls._assemble(path, workspace_id, conn, keyset, access, clock, scrypt_n)
            ws.lock = WorkspaceLock.take(path / WORKSPACE_FILE)
            ws.lock.share()
            ws.users.add(admin_name, admin_password, (Role.ADMIN,), created_by=admin_name, now=now)
            actor = Actor(admin_name, (Role.ADMIN.value,))
            ws.audit.append_many(
                [
                    EventDraft(
                        EventType.WORKSPACE_CREATED, Outcome.OK, actor, details={"format": FORMAT}
                    ),
                    EventDraft(
                        EventType.USER_CREATED,
                        Outcome.OK,
                        actor,
                        subject_user=admin_name,
                        details={"roles": [Role.ADMIN.value]},
                    ),
                ]
            )
            ws.audit.checkpoint()
            return ws
        except BaseException:
            _remove_partial(path, created_dir)
            with contextlib.suppress(CryptoError):
                access.store.delete(workspace_id)
            raise

    @classmethod
    def open(
        cls, path: Path, *, access: KeyAccess, clock: Clock = utc_now, scrypt_n: int = SCRYPT_N
    ) -> Workspace:
        check_workspace_dirs(path)
        workspace_id = read_workspace_id(path)
        try:
            master_key = access.store.load(workspace_id)
        except CryptoError as exc:
            # e.g. a wrong passphrase for the passphrase store, or a damaged key file
            raise WorkspaceError(
                f"The key of workspace {workspace_id} cannot be read: {exc}"
            ) from None
        if master_key is None:
            raise WorkspaceError(
                f"No key for workspace {workspace_id} in {access.store.description}. "
                "If it was created on another machine, restore a key backup with "
                "`workbench keys restore WORKSPACE FILE`."
            )
        return cls.open_with_master_key(
            path, master_key, access=access, clock=clock, scrypt_n=scrypt_n
        )

    @classmethod
    def open_with_master_key(
        cls,
        path: Path,
        master_key: bytes,
        *,
        access: KeyAccess,
        clock: Clock = utc_now,
        scrypt_n: int = SCRYPT_N,
        keyset_blob: bytes | None = None,
    ) -> Workspace:
        check_workspace_dirs(path)
        workspace_id = read_workspace_id(path)
        if keyset_blob is None:
            settle_pending_keyset(path, workspace_id, master_key)
        keyset = load_keyset(path, workspace_id, master_key, keyset_blob)
        if keyset_blob is not None and (keyset.log_mac_key is None or not keyset.user_record_macs):
            keyset = _keep_log_key(path, workspace_id, master_key, keyset)
        conn = connect(path / DB_FILE)
        lock = WorkspaceLock.take(path / WORKSPACE_FILE)
        try:
            migrate(conn)
            upgraded = keyset.log_mac_key is None
            if upgraded:
                keyset = _add_log_mac_key(path, conn, keyset, master_key)
            elif keyset_blob is None and keyset.stored_format < KEYSET_FORMAT:
                keyset = _rewrite_keyset_format(path, conn, workspace_id, master_key)
            if not keyset.user_record_macs:
                keyset = _mac_user_records(path, conn, keyset, master_key)
            if lock.exclusive:  # nobody else has it open: clear what a crash left
                remove_leftovers(path, conn)
            lock.share()
            ws = cls._assemble(path, workspace_id, conn, keyset, access, clock, scrypt_n)
        except BaseException:
            lock.release()
            conn.close()
            raise
        ws.lock = lock
        if upgraded and ws.audit.last() is not None:
            # Anchor the unkeyed part of the log where the keyed part begins.
            with contextlib.suppress(CheckpointError):  # kept pending; logout reports it
                ws.audit.checkpoint()
        return ws

    @classmethod
    def _assemble(
        cls,
        path: Path,
        workspace_id: str,
        conn: sqlite3.Connection,
        keyset: Keyset,
        access: KeyAccess,
        clock: Clock,
        scrypt_n: int,
    ) -> Workspace:
        external = access.checkpoint_sink(workspace_id, get_setting(conn, SETTING_CHECKPOINT_FILE))
        audit = AuditLog(
            conn,
            workspace_id=workspace_id,
            signer=keyset.signing_private_key(),
            workstation=Workstation.current(APP_VERSION),
            clock=clock,
            external=external,
            chain=ChainKey(keyset.log_mac_key, keyset.log_mac_from_seq),
        )
        return cls(
            path=path,
            id=workspace_id,
            conn=conn,
            keyset=keyset,
            access=access,
            audit=audit,
            users=UserStore(
                conn,
                record_key=record_key(keyset.data_key),
                scrypt_n=scrypt_n,
                name_key=name_key(keyset.data_key),
            ),
            clock=clock,
        )

    def close(self) -> None:
        """Sign a checkpoint of the log and close the database."""
        try:
            if self.audit.last() is not None:
                self.audit.checkpoint()
        finally:
            self.conn.close()
            if self.lock is not None:
                self.lock.release()

    # -- keys and storage ---------------------------------------------------------------
    def master_key(self) -> bytes:
        key = self.access.store.load(self.id)
        if key is None:
            raise WorkspaceError(
                f"The key of workspace {self.id} is no longer in {self.access.store.description}."
            )
        return key

    def save_keyset(self, keyset: Keyset) -> None:
        """Seal and store ``keyset``. The log-MAC key and its switch point always stay this
        workspace's, whatever ``keyset`` holds: replacing them (say with a keyset made fresh by
        ``Keyset.new``) would make every keyed event fail verification. Likewise the fact
        that the users rows are MACed is never dropped."""
        current = self.keyset
        if current.user_record_macs:
            keyset = replace(keyset, user_record_macs=True)
        if current.log_mac_key is not None:
            keyset = replace(
                keyset,
                log_mac_key=current.log_mac_key,
                log_mac_from_seq=current.log_mac_from_seq,
            )
        master_key = self.master_key()
        _refuse_an_older_chain(self.path / KEYSET_FILE, self.id, master_key, keyset)
        write_keyset_file(self.path / KEYSET_FILE, keyset, master_key)
        self.keyset = keyset

    def frames(self, area: str = "datasets") -> FrameStore:
        return FrameStore(self.path / area, workspace_id=self.id, data_key=self.keyset.data_key)

    def cached_frame(self, area: str, name: str) -> pl.DataFrame:
        """A decrypted frame, kept for the next few reads (clerks open many pairs)."""
        key = (area, name)
        if key not in self.frame_cache:
            if len(self.frame_cache) >= 4:
                self.frame_cache.pop(next(iter(self.frame_cache)))
            self.frame_cache[key] = self.frames(area).read(name)
        return self.frame_cache[key]

    def lockout_policy(self) -> LockoutPolicy:
        return LockoutPolicy(
            max_failures=int(get_setting(self.conn, SETTING_MAX_FAILURES, "5") or 5),
            lock_minutes=int(get_setting(self.conn, SETTING_LOCK_MINUTES, "15") or 15),
        )


def read_workspace_id(path: Path) -> str:
    meta_path = path / WORKSPACE_FILE
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        workspace_id = str(meta["workspace_id"])
    except FileNotFoundError:
        raise WorkspaceError(f"{path} is not a workspace (no {WORKSPACE_FILE}).") from None
    except (ValueError, KeyError, TypeError):
        raise WorkspaceError(
            f"{meta_path} is damaged; restore the workspace from a backup."
        ) from None
    if int(meta.get("format", 0)) > FORMAT:
        raise WorkspaceError(f"{path} was written by a newer version of the app; update the app.")
    return workspace_id


def load_keyset(
    path: Path, workspace_id: str, master_key: bytes, blob: bytes | None = None
) -> Keyset:
    try:
        if blob is not None:
            return open_keyset(blob, master_key, workspace_id)
        return read_keyset_file(path / KEYSET_FILE, master_key, workspace_id)
    except FileNotFoundError:
        raise WorkspaceError(
            f"The keyset file of {path} is missing. Restore it with `workbench keys restore`."
        ) from None
    except DecryptionFailed:
        raise WorkspaceError(
            f"The keys available here do not open workspace {workspace_id}: the master key is "
            "wrong or the keyset file is damaged. Restore a key backup with "
            "`workbench keys restore WORKSPACE FILE`."
        ) from None


def _refuse_an_older_chain(
    path: Path, workspace_id: str, master_key: bytes, keyset: Keyset
) -> None:
    """Never write keys of an earlier key chain over a newer one: another window or process
    that still holds the keys from before a compromise response must not bring them back."""
    try:
        stored = read_keyset_file(path, master_key, workspace_id)
    except (OSError, CryptoError):
        return  # nothing readable to protect (e.g. a restore into a fresh key store)
    if stored.current_chain > keyset.current_chain:
        raise WorkspaceError(
            "The keys of this workspace were replaced by a compromise response in another "
            "window or process; nothing was changed here. Close the workspace and open it again."
        )


def settle_pending_keyset(path: Path, workspace_id: str, master_key: bytes) -> None:
    """Finish or drop a master-key switch that a crash interrupted.

    The switch writes ``keyset.bin.next`` under the new master key, then stores the new
    master key, then renames the file over ``keyset.bin``. If the stored master key opens
    the pending file, the store already took the new key: finish the rename. Otherwise the
    switch never took effect: drop the pending file. Either way the workspace opens.
    """
    pending = path / PENDING_KEYSET_FILE
    try:
        blob = pending.read_bytes()
    except FileNotFoundError:
        return
    try:
        open_keyset(blob, master_key, workspace_id)
    except CryptoError:
        pending.unlink(missing_ok=True)
        return
    os.replace(pending, path / KEYSET_FILE)
    fsync_directory(path)


@contextmanager
def _upgrade_once(path: Path, conn: sqlite3.Connection, what: str) -> Iterator[None]:
    """Run a one-time upgrade step inside ``BEGIN IMMEDIATE ... COMMIT``.

    The database's write lock is held throughout, so no other process appends an event or
    upgrades the keyset meanwhile; a failure rolls back and says which upgrade needs a
    writable workspace.
    """
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
    except (sqlite3.Error, OSError) as exc:
        raise WorkspaceError(
            f"The workspace {path} must be upgraded once ({what}) but cannot be written "
            f"({exc}). Open it once where it is writable, then try again."
        ) from exc


def _add_log_mac_key(
    path: Path, conn: sqlite3.Connection, keyset: Keyset, master_key: bytes
) -> Keyset:
    """Give a keyset from before keyed logs its log-MAC key, keyed from the next event on.

    The switch point is chosen and the keyset written while the database's write lock is
    held, so no event can be appended in between.
    """
    with _upgrade_once(path, conn, "its access log gets its own key"):
        (end,) = conn.execute(f"SELECT coalesce(max(seq), 0) FROM {EVENTS_TABLE}").fetchone()
        upgraded = keyset.with_log_mac_key(int(end) + 1)
        write_keyset_file(path / KEYSET_FILE, upgraded, master_key)
    return upgraded


def _mac_user_records(
    path: Path, conn: sqlite3.Connection, keyset: Keyset, master_key: bytes
) -> Keyset:
    """Give every users row its MAC, once, in a workspace from before row MACs, and record
    in the sealed keyset that they have one (from then on a row without is refused).

    The keyset file is read again under the database's write lock: if another process
    upgraded it meanwhile, nothing is MACed again. The rows are MACed and the keyset
    written inside one transaction, so a failure leaves both as they were.
    """
    with _upgrade_once(path, conn, "its user accounts get a MAC"):
        try:
            current = read_keyset_file(path / KEYSET_FILE, master_key, keyset.workspace_id)
        except (OSError, CryptoError):  # a restore over a damaged or missing keyset file
            current = keyset
        upgraded = replace(keyset, user_record_macs=True)
        if not current.user_record_macs:
            store = UserStore(conn, record_key=record_key(keyset.data_key))
            store.seal_all()
            write_keyset_file(path / KEYSET_FILE, upgraded, master_key)
    return upgraded


def _rewrite_keyset_format(
    path: Path, conn: sqlite3.Connection, workspace_id: str, master_key: bytes
) -> Keyset:
    """Write a keyset file of an older format again, in the current one (same keys).

    An app that knows only keyset format 1 would open the workspace and write events
    without the log-MAC key (and ignore retired key chains); it refuses format 2. The file
    is read again while the database's write lock is held, so a keyset another process has
    just changed is not overwritten with an older copy.
    """
    with _upgrade_once(path, conn, "its keyset is written in the current format"):
        current = read_keyset_file(path / KEYSET_FILE, master_key, workspace_id)
        if current.stored_format < KEYSET_FORMAT:
            write_keyset_file(path / KEYSET_FILE, current, master_key)
    return replace(current, stored_format=KEYSET_FORMAT)


def _keep_log_key(path: Path, workspace_id: str, master_key: bytes, restored: Keyset) -> Keyset:
    """A restored backup from before keyed logs or MACed users rows: keep the log key and
    the row-MAC marker of the keyset on disk.

    Without the key, the events keyed since the upgrade could no longer be verified;
    without the marker, the next open would MAC every users row again, a row someone
    changed outside the app included.
    """
    try:
        current = read_keyset_file(path / KEYSET_FILE, master_key, workspace_id)
    except (OSError, CryptoError):
        return restored
    if current.user_record_macs:
        restored = replace(restored, user_record_macs=True)
    if current.log_mac_key is None or restored.log_mac_key is not None:
        return restored
    return replace(
        restored, log_mac_key=current.log_mac_key, log_mac_from_seq=current.log_mac_from_seq
    )


def _write_private_json(path: Path, data: dict[str, object]) -> None:
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=2)
        out.flush()
        os.fsync(out.fileno())


def _remove_partial(path: Path, created_dir: bool) -> None:
    if created_dir:
        shutil.rmtree(path, ignore_errors=True)
    else:
        for child in path.iterdir():
            if child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)
