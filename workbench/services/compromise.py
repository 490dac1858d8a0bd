"""The compromise response (administrator): new key chain, retired data, old keys destroyed.

See workbench/compromise.py for the steps and their crash safety. Both steps need the
typed confirmation (the workspace name); the destruction also needs a fresh key backup,
written first. Declining (a wrong confirmation, a missing backup) changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rlwb.crypto.params import SCRYPT_N
from rlwb.workbench import compromise
from rlwb.workbench.access import authorize, record
from rlwb.workbench.audit.encoding import _screen
from rlwb.workbench.audit.errors import AuditEventRejected
from rlwb.workbench.audit.events import EventType, Outcome
from rlwb.workbench.compromise import ChainRecord
from rlwb.workbench.datasets import DatasetInfo
from rlwb.workbench.errors import InvalidInput
from rlwb.workbench.permissions import Action
from rlwb.workbench.runs import list_runs
from rlwb.workbench.session import Session


@dataclass(frozen=True)
class CompromisePlan:
    """What the response will do, shown before the typed confirmation."""

    #: Type this (the workspace folder's name) to confirm.
    confirmation_word: str
    #: A response already started whose old keys are still held: running again finishes it.
    open_response: ChainRecord | None
    #: Datasets that are, or will be, retired: the source files to import again.
    datasets: tuple[DatasetInfo, ...]
    runs: int
    #: Token-key versions that will be destroyed (first, last).
    old_versions: tuple[int, int]


@dataclass(frozen=True)
class CompromiseReport:
    chain: int
    first_version: int
    resumed: bool
    #: Every dataset retired (any response): import their source files again.
    reimport: tuple[DatasetInfo, ...]
    retired_runs: int
    #: The destroyed token-key versions (first, last), or None while they are kept.
    destroyed: tuple[int, int] | None
    backup_file: Path | None


@dataclass(frozen=True)
class UnsearchablePeriod:
    """Events up to ``until`` that name persons under destroyed key versions."""

    until: datetime
    first_version: int
    last_version: int


def compromise_plan(session: Session) -> CompromisePlan:
    authorize(session, Action.KEYS_COMPROMISE)
    ws = session.workspace
    pending = compromise.open_response(ws)
    if pending is not None:
        old = ws.keyset.retired_versions
        versions = (old[0].version, old[-1].version) if old else (0, 0)
        retired = compromise.retired_datasets(ws)
        runs = len(compromise.retired_run_ids(ws.conn))
    else:
        versions = (ws.keyset.versions[0].version, ws.keyset.latest_version)
        retired = compromise.retired_datasets(ws) + compromise.live_datasets(ws)
        runs = len(list_runs(ws))
    return CompromisePlan(compromise.confirmation_word(ws), pending, tuple(retired), runs, versions)


def start_compromise(session: Session, reason: str, *, confirmation: str) -> CompromiseReport:
    """Start a new, unrelated key chain and retire every dataset and run of the old ones.
    The old keys stay (retired) until destroy_old_keys. Resumes an interrupted start."""
    authorize(session, Action.KEYS_COMPROMISE)
    ws = session.workspace
    reason = _checked_reason(reason)
    compromise.check_confirmation(ws, confirmation)
    try:
        chain, resumed = compromise.begin(ws, reason=reason, actor=session.user)
        newly = compromise.retire_old_chain(ws, chain)
    except BaseException as exc:
        record(
            session,
            EventType.KEYS_COMPROMISE_STARTED,
            outcome=Outcome.FAILED,
            details={"error": type(exc).__name__, "resumable": True},
        )
        raise
    record(
        session,
        EventType.KEYS_COMPROMISE_STARTED,
        details={
            "reason": chain.reason,
            "chain": chain.chain,
            "first_version": chain.first_version,
            "resumed": resumed,
            "master_key_replaced": True,
            "retired_datasets": [d.id for d in newly.datasets],
            "retired_runs": len(newly.runs),
        },
    )
    ws.audit.checkpoint()
    return _report(session, chain, resumed, destroyed=None, backup=None)


def destroy_old_keys(
    session: Session,
    *,
    confirmation: str,
    backup_out: Path,
    passphrase: str,
    scrypt_n: int = SCRYPT_N,
) -> CompromiseReport:
    """Write a fresh key backup (new chain only), then destroy the retired key versions."""
    authorize(session, Action.KEYS_COMPROMISE)
    ws = session.workspace
    compromise.check_confirmation(ws, confirmation)
    chain = compromise.open_response(ws)
    if chain is None:
        raise InvalidInput(
            "There are no old keys to destroy: start the compromise response first "
            "(`workbench keys compromise`)."
        )
    compromise.check_backup_target(backup_out, passphrase)
    try:
        destroyed = compromise.destroy_old_keys(
            ws,
            chain,
            actor=session.user,
            backup_out=backup_out,
            passphrase=passphrase,
            scrypt_n=scrypt_n,
        )
    except BaseException as exc:
        record(
            session,
            EventType.KEYS_OLD_CHAIN_DESTROYED,
            outcome=Outcome.FAILED,
            details={"chain": chain.chain, "error": type(exc).__name__, "destroyed": False},
        )
        raise
    record(
        session,
        EventType.KEYS_BACKUP,
        details={"file": backup_out.name, "versions": ws.keyset.latest_version},
    )
    record(
        session,
        EventType.KEYS_OLD_CHAIN_DESTROYED,
        details={
            "chain": chain.chain,
            "destroyed_versions": list(destroyed),
            "backup_file": backup_out.name,
        },
    )
    ws.audit.checkpoint()
    return _report(session, chain, True, destroyed=destroyed, backup=backup_out)


def respond_to_compromise(
    session: Session,
    reason: str,
    *,
    confirmation: str,
    backup_out: Path | None,
    passphrase: str | None,
    scrypt_n: int = SCRYPT_N,
) -> CompromiseReport:
    """The whole response: start (or resume), then, given a backup file, destroy the old
    keys. Every input is checked before anything changes."""
    authorize(session, Action.KEYS_COMPROMISE)
    _checked_reason(reason)
    compromise.check_confirmation(session.workspace, confirmation)
    if backup_out is not None:
        compromise.check_backup_target(backup_out, passphrase or "")
    report = start_compromise(session, reason, confirmation=confirmation)
    if backup_out is None:
        return report
    return destroy_old_keys(
        session,
        confirmation=confirmation,
        backup_out=backup_out,
        passphrase=passphrase or "",
        scrypt_n=scrypt_n,
    )


def _checked_reason(reason: str) -> str:
    """The reason as it will be stored and logged; refused before anything changes if the
    log would refuse it (e.g. it holds what looks like a 個人番号)."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput("Give a reason for the compromise response; it goes into the log.")
    try:
        _screen("reason", reason)
    except AuditEventRejected:
        raise InvalidInput(
            "The reason looks like it contains a 個人番号; describe the incident without it. "
            "Nothing was changed."
        ) from None
    return reason


def retired_datasets(session: Session) -> list[DatasetInfo]:
    """Datasets retired by a compromise response: readable for the log, never joinable."""
    authorize(session, Action.DATASET_LIST)
    return compromise.retired_datasets(session.workspace)


def retired_run_ids(session: Session) -> set[str]:
    """Runs retired by a compromise response: still viewable, over retired datasets only."""
    authorize(session, Action.RUN_VIEW)
    return compromise.retired_run_ids(session.workspace.conn)


def unsearchable_periods(session: Session) -> list[UnsearchablePeriod]:
    """Which part of the access log a person-history search can no longer match: events
    naming persons under token keys destroyed after a compromise response."""
    authorize(session, Action.AUDIT_PERSON_HISTORY)
    ws = session.workspace
    if ws.keyset.destroyed_through == 0:
        return []
    destroyed = [c for c in compromise.chains(ws.conn) if c.old_keys_destroyed_at is not None]
    until = max(
        (c.old_keys_destroyed_at for c in destroyed if c.old_keys_destroyed_at is not None),
        default=ws.keyset.versions[0].created_at,
    )
    return [UnsearchablePeriod(until, 1, ws.keyset.destroyed_through)]


def _report(
    session: Session,
    chain: ChainRecord,
    resumed: bool,
    *,
    destroyed: tuple[int, int] | None,
    backup: Path | None,
) -> CompromiseReport:
    ws = session.workspace
    return CompromiseReport(
        chain=chain.chain,
        first_version=chain.first_version,
        resumed=resumed,
        reimport=tuple(compromise.retired_datasets(ws)),
        retired_runs=len(compromise.retired_run_ids(ws.conn)),
        destroyed=destroyed,
        backup_file=backup,
    )
