"""The administrator's self-inspection: does a 個人番号 rest anywhere in the workspace?"""

from __future__ import annotations

from rlwb.workbench.access import authorize, record
from rlwb.workbench.audit.events import EventType
from rlwb.workbench.number_scan import ScanReport, scan_workspace
from rlwb.workbench.permissions import Action
from rlwb.workbench.session import Session


def scan_numbers(session: Session) -> ScanReport:
    """Scan every stored frame, table and file; log the scan with its counts (no values)."""
    authorize(session, Action.WORKSPACE_SCAN_NUMBERS)
    report = scan_workspace(session.workspace)
    record(
        session,
        EventType.WORKSPACE_NUMBERS_SCANNED,
        details={
            "frames": report.frames,
            "tables": report.tables,
            "files": report.files,
            "values": report.values,
            "places_with_numbers": len(report.found),
            "values_with_numbers": report.numbers,
            "unreadable": len(report.unreadable),
        },
    )
    return report
