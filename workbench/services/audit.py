"""The auditor's actions on the access log: query, verify, export, person history."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crypto.identifiers import canonical_my_number
from linkage.progress import ProgressCallback, no_progress
from workbench.access import authorize, record
from workbench.audit.events import AuditEvent, EventType, Outcome, PersonRef
from workbench.audit.export import ExportCheck, check_export, export_events_csv
from workbench.audit.log import EventFilter
from workbench.audit.verify import VerificationResult, verify_log
from workbench.errors import InvalidInput
from workbench.permissions import Action
from workbench.session import Session


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
    )
    record(
        session,
        EventType.LOG_VERIFIED,
        outcome=Outcome.OK if result.intact else Outcome.FAILED,
        details={
            "intact": result.intact,
            "checked_up_to": result.checked_up_to,
            "broken_seq": result.broken_seq,
            "reason": None if result.reason is None else str(result.reason),
        },
    )
    return result


@dataclass(frozen=True)
class AuditExport:
    path: Path
    rows: int


def export_events(session: Session, flt: EventFilter, out: Path) -> AuditExport:
    authorize(session, Action.AUDIT_EXPORT)
    ws = session.workspace
    events = ws.audit.query(flt, newest_first=False)
    summary = export_events_csv(
        events, out, signer=ws.keyset.signing_private_key(), workspace_id=ws.id
    )
    record(
        session,
        EventType.LOG_EXPORTED,
        details={"file": out.name, "rows": summary.rows, "filter": _describe(flt)},
    )
    return AuditExport(out, summary.rows)


def check_exported(path: Path, session: Session | None = None) -> ExportCheck:
    """Check an export's signature file; with a session, also that this workspace signed it."""
    key = session.workspace.keyset.verify_key() if session is not None else None
    return check_export(path, key)


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
