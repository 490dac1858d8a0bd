"""Token keys (administrator): list versions, rotate, back up, restore."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rlwb.crypto.backup import KeyBackup, read_backup, seal_backup
from rlwb.crypto.errors import BackupError
from rlwb.crypto.keyset import KeyState, open_keyset
from rlwb.crypto.params import SCRYPT_N
from rlwb.linkage.progress import CancelToken, ProgressCallback, no_progress
from rlwb.workbench import compromise, rotation
from rlwb.workbench.access import authorize, record
from rlwb.workbench.audit.events import EventType, Outcome
from rlwb.workbench.clock import Clock, utc_now
from rlwb.workbench.datasets import DatasetInfo, list_datasets
from rlwb.workbench.errors import InvalidInput, WorkspaceError
from rlwb.workbench.keyaccess import KeyAccess
from rlwb.workbench.number_screen import refuse_number
from rlwb.workbench.outfiles import check_targets, refuse_numbered_name, write_private_file
from rlwb.workbench.permissions import Action
from rlwb.workbench.services.session import login, logout
from rlwb.workbench.session import Session
from rlwb.workbench.storage_errors import logged_after
from rlwb.workbench.workspace import KEYSET_FILE, Workspace, read_workspace_id

CHAINING_NOTE = (
    "Every earlier key version stays in the keyset: tokens are chained (T_v = HMAC(K_v, T_v-1)), "
    "so new data is tokenised through every version. Deleting an old key would break imports."
)


@dataclass(frozen=True)
class KeyInfo:
    version: int
    state: KeyState
    created_at: datetime
    created_by: str
    datasets: int


@dataclass(frozen=True)
class RotationReport:
    target_version: int
    resumed: bool
    migrated: int


@dataclass(frozen=True)
class RotationStatus:
    """A rotation that a cancel or a crash left unfinished: running rotate_keys resumes it."""

    target_version: int
    #: The reason given when it started ("" when the process died before it was recorded).
    reason: str
    started_by: str
    #: Datasets still on an older key version.
    pending_datasets: int


def rotation_status(session: Session) -> RotationStatus | None:
    """The unfinished rotation, or None when every dataset is on the primary version."""
    authorize(session, Action.KEYS_LIST)
    ws = session.workspace
    current = rotation.open_rotation(ws.conn)
    if current is not None:
        pending = rotation.pending_datasets(ws, current.target_version)
        return RotationStatus(
            current.target_version, current.reason, current.started_by, len(pending)
        )
    behind = rotation.pending_datasets(ws, ws.keyset.latest_version)
    if behind:
        return RotationStatus(ws.keyset.latest_version, "", "", len(behind))
    return None


def list_keys(session: Session) -> list[KeyInfo]:
    authorize(session, Action.KEYS_LIST)
    counts = Counter(d.token_version for d in list_datasets(session.workspace.conn))
    return [
        KeyInfo(v.version, v.state, v.created_at, v.created_by, counts.get(v.version, 0))
        for v in session.workspace.keyset.versions
    ]


def rotate_keys(
    session: Session,
    reason: str,
    *,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> RotationReport:
    """Create a new primary key version and migrate every dataset to it (or resume)."""
    authorize(session, Action.KEYS_ROTATE)
    reason = reason.strip()
    if not reason:
        raise InvalidInput("Give a reason for the rotation; it goes into the access log.")
    refuse_number(reason, "reason")
    ws = session.workspace
    # A reason stored before the screen existed would make every resumed rotation's event
    # unloggable (and the rotation unfinishable): mask it first.
    rotation.mask_stored_reasons(ws)
    plan = rotation.begin_rotation(ws, reason=reason, actor=session.user)
    record(
        session,
        EventType.KEYS_ROTATION_STARTED,
        details={
            "target_version": plan.target_version,
            "reason": plan.reason,
            "resumed": plan.resumed,
            "datasets": len(plan.datasets),
        },
    )
    migrated = 0

    def on_migrated(info: DatasetInfo) -> None:
        nonlocal migrated
        migrated += 1
        record(
            session,
            EventType.KEYS_DATASET_MIGRATED,
            dataset_id=info.id,
            details={"to_version": plan.target_version, "rows": info.rows},
        )

    try:
        rotation.run_migrations(ws, plan, on_migrated=on_migrated, progress=progress, cancel=cancel)
    except BaseException as exc:
        record(
            session,
            EventType.KEYS_ROTATION_FINISHED,
            outcome=Outcome.FAILED,
            details={
                "target_version": plan.target_version,
                "migrated": migrated,
                "error": type(exc).__name__,
                "resumable": True,
            },
        )
        raise
    rotation.finish_rotation(ws, plan.target_version)
    with logged_after(f"The rotation to key version {plan.target_version} finished"):
        record(
            session,
            EventType.KEYS_ROTATION_FINISHED,
            details={"target_version": plan.target_version, "migrated": migrated},
        )
    return RotationReport(plan.target_version, plan.resumed, migrated)


def backup_keys(
    session: Session,
    out: Path,
    passphrase: str,
    *,
    scrypt_n: int = SCRYPT_N,
    replace: bool = False,
) -> None:
    """Write a key backup to ``out``; an existing file only when ``replace`` (asked for)."""
    authorize(session, Action.KEYS_BACKUP)
    if len(passphrase) < 12:
        raise InvalidInput("A backup passphrase needs at least 12 characters.")
    ws = session.workspace
    check_targets([out], replace=replace)
    blob = (ws.path / KEYSET_FILE).read_bytes()
    backup = KeyBackup(ws.id, ws.master_key(), blob)
    write_private_file(
        out,
        lambda f: f.write(seal_backup(backup, passphrase, scrypt_n=scrypt_n)),
        replace=replace,
    )
    with logged_after(f"The key backup was written to {out}"):
        record(
            session,
            EventType.KEYS_BACKUP,
            details={"file": out.name, "versions": ws.keyset.latest_version},
        )


def restore_keys(
    workspace_path: Path,
    backup_file: Path,
    passphrase: str,
    *,
    access: KeyAccess,
    user: str,
    password: str,
    clock: Clock = utc_now,
    scrypt_n: int = SCRYPT_N,
) -> Workspace:
    """Put a key backup into this machine's key store. An administrator of the workspace
    authenticates against the database the backup opens; nothing is stored before that."""
    refuse_numbered_name(backup_file)  # its name is logged once the keys are stored
    try:
        backup = read_backup(backup_file, passphrase)
    except BackupError as exc:
        raise InvalidInput(str(exc)) from None
    except OSError as exc:
        raise InvalidInput(
            f"The backup file {backup_file} cannot be read: {exc.strerror}."
        ) from None
    workspace_id = read_workspace_id(workspace_path)
    if backup.workspace_id != workspace_id:
        raise InvalidInput(
            f"{backup_file.name} is the key backup of another workspace ({backup.workspace_id}), "
            f"not of {workspace_id}."
        )
    try:
        open_keyset(backup.keyset_blob, backup.master_key, workspace_id)
    except Exception:
        raise InvalidInput(f"{backup_file.name} is damaged: its keyset does not open.") from None
    ws = Workspace.open_with_master_key(
        workspace_path,
        backup.master_key,
        access=access,
        clock=clock,
        scrypt_n=scrypt_n,
        keyset_blob=backup.keyset_blob,
    )
    try:
        session = login(ws, user, password)
        authorize(session, Action.KEYS_RESTORE)
    except BaseException:
        ws.conn.close()
        raise
    newest_chain = compromise.latest_chain(ws.conn)
    if newest_chain is not None and ws.keyset.current_chain < newest_chain.chain:
        ws.conn.close()
        raise WorkspaceError(
            "This backup is older than the compromise response of "
            f"{newest_chain.started_at:%Y-%m-%d}: it holds only the keys that may have leaked. "
            "Use the backup made during or after the response."
        )
    if (
        newest_chain is not None
        and newest_chain.old_keys_destroyed_at is not None
        and ws.keyset.retired_versions
    ):
        ws.conn.close()
        raise WorkspaceError(
            "This backup still holds the token keys destroyed on "
            f"{newest_chain.old_keys_destroyed_at:%Y-%m-%d} after the compromise response. "
            "Use the backup written when they were destroyed."
        )
    if ws.keyset.latest_version < max((d.token_version for d in list_datasets(ws.conn)), default=0):
        ws.conn.close()
        raise WorkspaceError(
            "This backup is older than the last key rotation: datasets use a key version it "
            "does not hold. Use a backup made after the last rotation."
        )
    try:
        access.store.save(workspace_id, backup.master_key)
        ws.save_keyset(ws.keyset)
    except BaseException:
        ws.conn.close()
        raise
    record(
        session,
        EventType.KEYS_RESTORE,
        details={"file": backup_file.name, "versions": ws.keyset.latest_version},
    )
    logout(session)
    return ws
