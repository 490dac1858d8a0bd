"""`workbench findings ...`: a run's findings and their status."""

from __future__ import annotations

import argparse
from typing import Any

from rlwb.workbench.cli.context import Context, add_command, in_session
from rlwb.workbench.services import findings as findings_service
from rlwb.workbench.services.findings import FindingStatus
from rlwb.workbench.session import Session


@in_session
def list_findings(args: argparse.Namespace, ctx: Context, session: Session) -> None:
    table = findings_service.list_findings(session, args.run)
    for row in table.iter_rows(named=True):
        ctx.print(
            f"{row['code']}\t{row['severity']}\t{row['status']}\t"
            f"{row['tax_record_id'] or ''}\t{row['si_record_id'] or ''}\t{row['detail']}"
        )
    ctx.print(f"{table.height} findings.")
    stale = findings_service.no_longer_firing(session, args.run)
    for row in stale.iter_rows(named=True):
        ctx.print(f"no longer firing\t{row['finding_key']}\t{row['status']}")


@in_session
def set_status(args: argparse.Namespace, ctx: Context, session: Session) -> None:
    change = findings_service.set_status(
        session,
        args.run,
        args.code,
        args.tax_record_id or None,
        args.si_record_id or None,
        args.status,
        args.note,
    )
    ctx.print(f"{change.finding_key} is now {change.status}.")


def register(sub: Any) -> None:
    findings = sub.add_parser("findings", help="list findings and change their status")
    findings_sub = findings.add_subparsers(dest="findings_command", required=True)
    p = add_command(findings_sub, "list", list_findings)
    p.add_argument("run")
    p = add_command(findings_sub, "set", set_status)
    p.add_argument("run")
    p.add_argument("code")
    p.add_argument("tax_record_id", help="'' when the finding has no tax record")
    p.add_argument("si_record_id", help="'' when the finding has no SI record")
    p.add_argument("status", choices=[str(s) for s in FindingStatus])
    p.add_argument("--note", default="")
