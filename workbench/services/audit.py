"""The auditor's actions on the access log: query, verify, export, person history, analysis."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import polars as pl
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from rlwb.crypto.identifiers import canonical_my_number
from rlwb.linkage.progress import CancelToken, ProgressCallback, no_progress
from rlwb.workbench.access import authorize, record
from rlwb.workbench.audit.analysis import SECTIONS, AnalysisReport, AnalysisSettings, analyse
from rlwb.workbench.audit.errors import CheckpointError
from rlwb.workbench.audit.events import AuditEvent, EventType, Outcome, PersonRef
from rlwb.workbench.audit.export import (
    ExportCheck,
    check_export,
    export_events_csv,
    signature_path,
)
from rlwb.workbench.audit.log import EventFilter
from rlwb.workbench.audit.schema import schema_warnings
from rlwb.workbench.audit.verify import VerificationResult, verify_log
from rlwb.workbench.errors import AccessDenied, AuditError, InvalidInput, WorkspaceError
from rlwb.workbench.keyaccess import KeyAccess
from rlwb.workbench.number_screen import refuse_number
from rlwb.workbench.outfiles import check_targets, write_private_file
from rlwb.workbench.permissions import Action
from rlwb.workbench.session import Session
from rlwb.workbench.spreadsheet import Sheet, write_table, write_workbook
from rlwb.workbench.workspace import load_keyset, read_workspace_id


def query_events(
    session: Session, flt: EventFilter, *, limit: int | None = None, offset: int = 0
) -> list[AuditEvent]:
    authorize(session, Action.AUDIT_QUERY)
    return session.workspace.audit.query(flt, limit=limit, offset=offset)


def count_events(session: Session, flt: EventFilter) -> int:
    authorize(session, Action.AUDIT_QUERY)
    return session.workspace.audit.count(flt)


def verify(session: Session, *, progress: ProgressCallback = no_progress) -> VerificationResult:
    """Verify the whole log; the verification itself is logged with its result."""
    authorize(session, Action.AUDIT_VERIFY)
    ws = session.workspace
    result = verify_log(
        ws.conn,
        workspace_id=ws.id,
        public_key=ws.keyset.verify_key(),
        external=ws.audit.external,
        progress=progress,
        chain=ws.audit.chain,
    )
    record(
        session,
        EventType.LOG_VERIFIED,
        outcome=Outcome.OK if result.ok else Outcome.FAILED,
        details={
            "intact": result.intact,
            "checked_up_to": result.checked_up_to,
            "broken_seq": result.broken_seq,
            "reason": None if result.reason is None else str(result.reason),
            "tampering": len(result.tampering),
        },
    )
    return result


def anchor_if_due(session: Session) -> None:
    """Sign a checkpoint if events written over a minute ago are not anchored yet.

    For a timer in the GUI: while events are written the log anchors itself at least every
    minute, but the last ones written before the app sits idle would otherwise wait for
    logout. Not an action of the user, so nothing is authorised or logged; a checkpoint
    that cannot be kept outside the database is retried and reported at logout.
    """
    if session.closed:
        return
    with contextlib.suppress(CheckpointError):  # stays pending; logout reports it
        session.workspace.audit.checkpoint_if_due()


@dataclass(frozen=True)
class LogStatus:
    """What the status bar shows: the log's length and how far it is anchored."""

    events: int
    anchored_seq: int


def log_status(session: Session) -> LogStatus:
    """The access log's length and last checkpoint, for every logged-in user's status bar.

    Only two sequence numbers (no event is read out), so no role is needed and nothing is
    logged; an ended session gets AccessDenied. Raises AuditError when the log is unreadable.
    """
    if session.closed:
        raise AccessDenied("This session has ended. Log in again.")
    audit = session.workspace.audit
    last, checkpoint = audit.last(), audit.latest_checkpoint()
    return LogStatus(
        events=0 if last is None else last.seq,
        anchored_seq=0 if checkpoint is None else checkpoint.seq,
    )


@dataclass(frozen=True)
class AuditExport:
    path: Path
    rows: int


def export_events(
    session: Session, flt: EventFilter, out: Path, *, replace: bool = False
) -> AuditExport:
    """Write the events and their signature file; existing files only when ``replace``.

    The export's own event is committed (and the log anchored) before the file is written:
    no event, no export."""
    authorize(session, Action.AUDIT_EXPORT)
    for name in flt.users:  # the filter goes into the export's event
        refuse_number(name, "user name to filter by")
    check_targets([out, signature_path(out)], replace=replace)
    ws = session.workspace
    # The filters read generated columns and indexes: never sign what a changed definition
    # selected (a rewritten column hides a user's events from a filtered export).
    changed = schema_warnings(ws.conn)
    if changed:
        raise AuditError(
            "The access log was not exported: its tables were changed outside the app ("
            + " ".join(changed)
            + ") so a filter could leave events out. Run `workbench audit verify`, keep the "
            "workspace as it is and tell the administrator."
        )
    events = ws.audit.query(flt, newest_first=False)
    details: dict[str, object] = {"file": out.name, "rows": len(events), "filter": _describe(flt)}
    if events:
        details["seqs"] = [events[0].seq, events[-1].seq]
    record(session, EventType.LOG_EXPORTED, details=details)
    try:
        summary = export_events_csv(
            events,
            out,
            signer=ws.keyset.signing_private_key(),
            workspace_id=ws.id,
            replace=replace,
        )
    except AuditError:
        record(session, EventType.LOG_EXPORTED, outcome=Outcome.FAILED, details=details)
        raise
    return AuditExport(out, summary.rows)


def check_exported(path: Path, session: Session | None = None) -> ExportCheck:
    """Check an export's signature file; with a session, also that this workspace signed it."""
    key = session.workspace.keyset.verify_key() if session is not None else None
    return check_export(path, key)


def workspace_public_key(workspace: Path, access: KeyAccess) -> Ed25519PublicKey:
    """The log-signing public key of a workspace, read from its sealed keyset.

    Needs the workspace's master key (as opening it does) but no login: the key is public,
    and only the sealed keyset is a source that someone with file access cannot replace.
    """
    workspace_id = read_workspace_id(workspace)
    master_key = access.store.load(workspace_id)
    if master_key is None:
        raise WorkspaceError(
            f"No key for workspace {workspace_id} in {access.store.description}, so its "
            "signing key cannot be read. Check the export on a machine that opens the "
            "workspace, or with --public-key FILE."
        )
    return load_keyset(workspace, workspace_id, master_key).verify_key()


def person_history(session: Session, my_number: str) -> list[AuditEvent]:
    """Every event about the person with this 個人番号, under every key version.
    The number is tokenised at once and never kept; the search is logged by token."""
    authorize(session, Action.AUDIT_PERSON_HISTORY)
    canonical, problem = canonical_my_number(my_number)
    if canonical is None:
        raise InvalidInput(f"That is not a valid 個人番号 ({problem}). Check the 12 digits.")
    tokens = session.workspace.keyset.tokenizer().all_versions(canonical)
    del canonical
    refs = tuple(PersonRef(t.hex, t.version) for t in tokens)
    events = session.workspace.audit.person_history(refs)
    record(
        session,
        EventType.AUDIT_PERSON_HISTORY,
        persons=refs[-1:],
        details={"events_found": len(events)},
    )
    return events


def _describe(flt: EventFilter) -> dict[str, object]:
    return {
        "users": list(flt.users),
        "event_types": [str(t) for t in flt.event_types],
        "outcomes": [str(o) for o in flt.outcomes],
        "since": None if flt.since is None else flt.since.isoformat(),
        "until": None if flt.until is None else flt.until.isoformat(),
    }


# -- the periodic analysis report -----------------------------------------------------------
_XLSX_MAX_ROWS = 1_048_576  # rows of one sheet, the header included


def analysis_report(
    session: Session,
    since: datetime,
    until: datetime,
    settings: AnalysisSettings | None = None,
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> AnalysisReport:
    """Analyse the log from ``since`` to ``until`` (inclusive); the report itself is logged."""
    authorize(session, Action.AUDIT_REPORT)
    report = analyse(
        session.workspace.audit,
        since,
        until,
        settings or AnalysisSettings(),
        progress=progress,
        cancel=cancel,
    )
    record(
        session,
        EventType.LOG_REPORT,
        details={"period": _period(report), "counts": dict(report.summary)},
    )
    return report


def export_analysis(
    session: Session, report: AnalysisReport, out: Path, *, replace: bool = False
) -> Path:
    """Write the report to ``out``: an XLSX with a sheet per section, or CSV files.

    For ``FILE.csv`` the summary goes to FILE.csv and each section to ``FILE.<section>.csv``
    beside it. Every text cell is formula-safe; files are readable by the owner only. The
    export is logged (``log.exported``) before any file is written: no event, no export.
    """
    authorize(session, Action.AUDIT_REPORT)
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise InvalidInput("Export the analysis report to a .xlsx or .csv file.")
    frames = report.to_frames()
    if suffix == ".xlsx" and any(frames[n].height >= _XLSX_MAX_ROWS for n in SECTIONS):
        raise InvalidInput(
            "A section of this report has more rows than a spreadsheet sheet can hold; "
            "export it to a .csv file instead, or choose a shorter period."
        )
    paths = [out]
    if suffix == ".csv":
        paths += [section_csv_path(out, name) for name in SECTIONS]
    check_targets(paths, replace=replace)
    files = [p.name for p in paths]
    record(
        session,
        EventType.LOG_EXPORTED,
        details={
            "what": "analysis report",
            "file": out.name,
            "files": files,
            "sections": list(SECTIONS),
            "rows": sum(frames[name].height for name in SECTIONS),
            "period": _period(report),
        },
    )
    try:
        if suffix == ".xlsx":
            _write_analysis_xlsx(report, frames, out, replace=replace)
        else:
            write_table(_summary_table(report), out, replace=replace)
            for name in SECTIONS:
                write_table(frames[name], section_csv_path(out, name), replace=replace)
    except OSError as exc:
        raise InvalidInput(
            f"Cannot write {out} ({exc.strerror}). Choose a folder you can write to and try again."
        ) from None
    return out


def section_csv_path(out: Path, section: str) -> Path:
    """Where :func:`export_analysis` writes one section when asked for ``out`` = FILE.csv."""
    return out.with_name(f"{out.stem}.{section}.csv")


def _period(report: AnalysisReport) -> dict[str, str]:
    return {
        "since": report.since.isoformat(),
        "until": report.until.isoformat(),
        "tz": report.settings.tz,
    }


def _summary_table(report: AnalysisReport) -> pl.DataFrame:
    """The summary as text rows: the period and settings, then every count."""
    s = report.settings
    zone = s.zone
    items = [
        ("period from", report.since.astimezone(zone).isoformat()),
        ("period to", report.until.astimezone(zone).isoformat()),
        ("time zone", s.tz),
        ("working hours", f"{s.workday_start:%H:%M}-{s.workday_end:%H:%M}"),
        ("weekends out of hours", "yes" if s.weekend_is_out_of_hours else "no"),
        ("burst", f"{s.burst_threshold} reveals within {s.burst_window}"),
        ("persons per day threshold", str(s.persons_per_day_threshold)),
    ]
    items += [(name, str(count)) for name, count in report.summary.items()]
    return pl.DataFrame(items, schema={"item": pl.String, "value": pl.String}, orient="row")


def _write_analysis_xlsx(
    report: AnalysisReport, frames: dict[str, pl.DataFrame], out: Path, *, replace: bool
) -> None:
    write_private_file(out, lambda f: _fill_analysis_xlsx(report, frames, f), replace=replace)


def _fill_analysis_xlsx(
    report: AnalysisReport, frames: dict[str, pl.DataFrame], out: BinaryIO
) -> None:
    # The counts as numbers, the period and settings as text.
    summary_rows = [
        (item, report.summary.get(str(item), value))
        for item, value in _summary_table(report).iter_rows()
    ]
    sheets = [Sheet("summary", ("item", "value"), summary_rows, 28)]
    sheets += [Sheet.of(name, frames[name], 20) for name in SECTIONS]
    write_workbook(out, sheets, stream=True)  # rows go to disk as they are written
