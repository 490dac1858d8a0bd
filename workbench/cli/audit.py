"""`workbench audit ...`: the access log (auditor), its exports and the number scan."""

from __future__ import annotations

import argparse
import contextlib
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from rlwb.workbench.audit.analysis import AnalysisSettings
from rlwb.workbench.audit.errors import CheckpointError
from rlwb.workbench.audit.export import (
    check_export,
    key_fingerprint,
    load_public_key,
    public_key_pem,
)
from rlwb.workbench.audit.log import EventFilter
from rlwb.workbench.cli.context import (
    EXIT_BROKEN_LOG,
    EXIT_OK,
    Context,
    acting_user,
    add_command,
    add_force,
    in_session,
    parse_date,
)
from rlwb.workbench.errors import InvalidInput
from rlwb.workbench.services import audit as audit_service
from rlwb.workbench.services import compromise as compromise_service
from rlwb.workbench.services import scan as scan_service
from rlwb.workbench.services.session import login, logout
from rlwb.workbench.session import Session


def verify(args: argparse.Namespace, ctx: Context) -> int:
    """Verify, print the result and every warning; exit 1 unless intact and untampered."""
    ws = ctx.open_workspace(args.workspace)
    try:
        user = acting_user(args, ctx)
        session = login(ws, user, ctx.password_of(user))
        try:
            result = audit_service.verify(session)
        finally:
            try:
                logout(session)
            except CheckpointError as exc:  # e.g. the external checkpoint no longer matches
                result_error: str | None = str(exc)
            else:
                result_error = None
    finally:
        with contextlib.suppress(CheckpointError):  # reported above
            ws.close()
    ctx.print(result.message)
    for warning in result.warnings:
        ctx.print(f"warning: {warning}")
    if result_error is not None:
        ctx.print(f"warning: {result_error}")
    return EXIT_OK if result.ok and result_error is None else EXIT_BROKEN_LOG


@in_session
def export(args: argparse.Namespace, ctx: Context, session: Session) -> None:
    flt = EventFilter(
        users=(args.filter_user,) if args.filter_user else (),
        since=parse_date(args.date_from, end=False) if args.date_from else None,
        until=parse_date(args.date_to, end=True) if args.date_to else None,
    )
    done = audit_service.export_events(session, flt, Path(args.out), replace=args.force)
    ctx.print(f"Exported {done.rows} events to {done.path} (signature: {done.path}.sig)")


@in_session
def history(args: argparse.Namespace, ctx: Context, session: Session) -> None:
    number = args.number or ctx.secret("WORKBENCH_QUERY_NUMBER", "個人番号: ")
    events = audit_service.person_history(session, number)
    ctx.print(f"{len(events)} events concern this person.")
    for e in events:
        ctx.print(
            f"{e.seq}\t{e.time}\t{e.event_type}\t{e.outcome}\t{e.actor_user}\t{e.purpose or ''}"
        )
    for gap in compromise_service.unsearchable_periods(session):
        ctx.print(
            f"Not searchable: events up to {gap.until.astimezone():%Y-%m-%d %H:%M} that "
            f"name persons under key versions {gap.first_version}-{gap.last_version}; "
            "those keys were destroyed after a compromise response."
        )


def _office_day(text: str, settings: AnalysisSettings, *, end: bool) -> datetime:
    """The start (or end) of a YYYY-MM-DD day in the office's time zone."""
    day = parse_date(text, end=end)
    return datetime.combine(day.date(), day.time(), tzinfo=settings.zone)


@in_session
def report(args: argparse.Namespace, ctx: Context, session: Session) -> None:
    settings = AnalysisSettings()
    since = _office_day(args.date_from, settings, end=False)
    until = _office_day(args.date_to, settings, end=True)
    analysis = audit_service.analysis_report(session, since, until, settings)
    for line in analysis.lines():
        ctx.print(line)
    if args.out:
        out = audit_service.export_analysis(session, analysis, Path(args.out), replace=args.force)
        ctx.print(f"Report written to {out}")


def check_export_file(args: argparse.Namespace, ctx: Context) -> int:
    """Check an export against a trusted key: the workspace's, or a key file kept apart."""
    if args.workspace and args.public_key:
        raise InvalidInput("Give either --workspace or --public-key, not both.")
    key = None
    if args.workspace:
        key = audit_service.workspace_public_key(
            Path(args.workspace), ctx.access(Path(args.workspace))
        )
    elif args.public_key:
        try:
            key = load_public_key(Path(args.public_key).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            raise InvalidInput(
                f"{args.public_key} is not a public key written by `workbench audit "
                "public-key`. Check the file name."
            ) from None
    check = check_export(Path(args.file), key)
    ctx.print(check.message)
    return EXIT_OK if check.ok and check.trusted else EXIT_BROKEN_LOG


def public_key(args: argparse.Namespace, ctx: Context) -> int:
    key = audit_service.workspace_public_key(Path(args.workspace), ctx.access(Path(args.workspace)))
    pem = public_key_pem(key)
    if not args.out:
        ctx.print(pem.rstrip("\n"))
        ctx.print(f"fingerprint {key_fingerprint(key)}")
        return EXIT_OK
    out = Path(args.out)
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise InvalidInput(f"{out} already exists; choose a new file name.") from None
    except OSError as exc:
        raise InvalidInput(f"Cannot write {out} ({exc.strerror}).") from None
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(pem)
    ctx.print(f"Public key written to {out} (fingerprint {key_fingerprint(key)}).")
    return EXIT_OK


@in_session
def scan_numbers(args: argparse.Namespace, ctx: Context, session: Session) -> int:
    scan = scan_service.scan_numbers(session)
    for line in scan.lines():
        ctx.print(line)
    return EXIT_OK if scan.clean else EXIT_BROKEN_LOG


def register(sub: Any) -> None:
    audit = sub.add_parser("audit", help="the access log (auditor)")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    add_command(audit_sub, "verify", verify)
    # Here --user filters the events (the contract); the acting user comes from --as.
    p = add_command(audit_sub, "export", export, user=False)
    p.add_argument("--out", required=True)
    p.add_argument("--from", dest="date_from")
    p.add_argument("--to", dest="date_to")
    p.add_argument("--user", dest="filter_user", help="only events of this user")
    p.add_argument("--as", dest="user", help="acting user (default: WORKBENCH_USER)")
    add_force(p)
    p = add_command(audit_sub, "history", history)
    p.add_argument(
        "--number", help="個人番号 (omit to be asked, which keeps it out of shell history)"
    )
    p = add_command(audit_sub, "report", report, help="the periodic analysis report")
    p.add_argument("--from", dest="date_from", required=True, help="first day, YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", required=True, help="last day, YYYY-MM-DD")
    p.add_argument("--out", help="also write FILE.xlsx (a sheet per section) or FILE.csv")
    add_force(p)
    p = audit_sub.add_parser(
        "check-export", help="check an audit export against the workspace's signing key"
    )
    p.add_argument("file")
    p.add_argument("--workspace", help="check against this workspace's key (needs its key)")
    p.add_argument(
        "--public-key", help="check against a key file from `workbench audit public-key`"
    )
    p.set_defaults(func=check_export_file)
    p = add_command(
        audit_sub,
        "public-key",
        public_key,
        user=False,
        help="print (or --out FILE) the log-signing public key to keep apart",
    )
    p.add_argument("--out", help="write it to this new file")
    add_command(
        audit_sub,
        "scan-numbers",
        scan_numbers,
        help="administrator: count stored values holding a 個人番号, by place "
        "(exit 0 none, 1 found)",
    )
