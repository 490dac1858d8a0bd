"""The `workbench` command. Its commands and options are a stable contract for scripts.

Every command authenticates (user from --user or WORKBENCH_USER, password from
WORKBENCH_PASSWORD or a prompt) and is logged exactly like the same action in the GUI.
Expected errors print one line to stderr and exit non-zero, never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path
from typing import TextIO

from keyring.backend import KeyringBackend

from crypto.errors import CryptoError
from linkage.errors import LinkageError
from linkage.profiles import ImportProfile, list_profiles, save_profile
from linkage.progress import Cancelled
from workbench import support_log
from workbench.access import authorize
from workbench.audit.analysis import AnalysisSettings
from workbench.audit.log import EventFilter
from workbench.clock import Clock, utc_now
from workbench.errors import InvalidInput, WorkbenchError
from workbench.keyaccess import KeyAccess, key_access_from_env
from workbench.permissions import Action
from workbench.services import audit as audit_service
from workbench.services import export as export_service
from workbench.services import findings as findings_service
from workbench.services import imports as import_service
from workbench.services import keys as key_service
from workbench.services import reconcile as reconcile_service
from workbench.services import review as review_service
from workbench.services import users as user_service
from workbench.services.imports import find_profile, profiles_dir
from workbench.services.session import login, logout
from workbench.session import Session
from workbench.version import APP_VERSION
from workbench.workspace import Workspace

GuiRunner = Callable[[Path, KeyAccess, str], int]

EXIT_OK = 0
EXIT_BROKEN_LOG = 1
EXIT_ERROR = 2
EXIT_UNEXPECTED = 3


@dataclass
class Context:
    """What a command needs from the outside world; tests replace any of it."""

    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    prompt: Callable[[str], str] = getpass.getpass
    keyring_backend: KeyringBackend | None = None
    clock: Clock = utc_now
    scrypt_n: int = 2**15
    #: Opens the desktop app; given by ui.launcher (the core never imports Qt).
    gui: GuiRunner | None = None

    def secret(self, env_name: str, question: str, *, confirm: bool = False) -> str:
        value = self.environ.get(env_name)
        if value:
            return value
        if not sys.stdin.isatty() and self.prompt is getpass.getpass:
            raise InvalidInput(f"Set {env_name} or run the command in a terminal to be asked.")
        first = self.prompt(question)
        if confirm and self.prompt("Again: ") != first:
            raise InvalidInput("The two entries differ; nothing was changed.")
        return first

    def access(self, workspace: Path) -> KeyAccess:
        return key_access_from_env(
            workspace, environ=self.environ, prompt=self.prompt, backend=self.keyring_backend
        )

    def open_gui(self, path: Path, access: KeyAccess, lang: str) -> int:
        if self.gui is None:
            raise WorkbenchError(
                "The desktop app is not available in this command; run `workbench`."
            )
        return self.gui(path, access, lang)

    def language(self, chosen: str | None) -> str:
        """--lang, else the WORKBENCH_LANG setting, else Japanese."""
        return chosen or (self.environ.get("WORKBENCH_LANG") or "ja").lower()[:2]

    def print(self, text: str = "") -> None:
        print(text, file=self.out)


# -- session helpers -------------------------------------------------------------------------
def _acting_user(args: argparse.Namespace, ctx: Context) -> str:
    user = args.user or ctx.environ.get("WORKBENCH_USER")
    if not user:
        raise InvalidInput("Say who is acting: --user NAME or WORKBENCH_USER.")
    return str(user)


@contextmanager
def _session(args: argparse.Namespace, ctx: Context) -> Iterator[Session]:
    ws = Workspace.open(
        Path(args.workspace),
        access=ctx.access(Path(args.workspace)),
        clock=ctx.clock,
        scrypt_n=ctx.scrypt_n,
    )
    try:
        user = _acting_user(args, ctx)
        session = login(ws, user, ctx.secret("WORKBENCH_PASSWORD", f"Password for {user}: "))
        try:
            yield session
        finally:
            logout(session)
    finally:
        ws.close()


# -- commands --------------------------------------------------------------------------------
def cmd_init(args: argparse.Namespace, ctx: Context) -> int:
    path = Path(args.workspace)
    password = ctx.secret(
        "WORKBENCH_NEW_PASSWORD", f"New password for {args.admin}: ", confirm=True
    )
    ws = Workspace.create(
        path,
        access=ctx.access(path),
        admin_name=args.admin,
        admin_password=password,
        clock=ctx.clock,
        scrypt_n=ctx.scrypt_n,
    )
    ctx.print(f"Created workspace {ws.id} at {path}")
    ctx.print(f"Administrator: {args.admin}. Master key kept in: {ws.access.store.description}")
    ws.close()
    return EXIT_OK


def cmd_users(args: argparse.Namespace, ctx: Context) -> int:
    with _session(args, ctx) as session:
        if args.users_command == "add":
            password = ctx.secret(
                "WORKBENCH_NEW_PASSWORD", f"First password for {args.name}: ", confirm=True
            )
            user, warnings = user_service.add_user(session, args.name, password, args.role)
            ctx.print(
                f"Added {user.name} ({', '.join(user.roles)}); they must change the password at first login."
            )
            for warning in warnings:
                ctx.print(f"Warning: {warning}")
        elif args.users_command == "list":
            for u in user_service.list_users(session):
                state = (
                    "disabled"
                    if u.disabled
                    else ("locked" if u.is_locked(ctx.clock()) else "active")
                )
                ctx.print(f"{u.name}\t{','.join(u.roles)}\t{state}")
        else:
            name = _required_name(args)
            if args.users_command == "disable":
                user_service.disable_user(session, name)
                ctx.print(f"Disabled {name}.")
            elif args.users_command == "unlock":
                user_service.unlock_user(session, name)
                ctx.print(f"Unlocked {name}.")
            elif args.users_command == "reset-password":
                password = ctx.secret(
                    "WORKBENCH_NEW_PASSWORD", f"Temporary password for {name}: ", confirm=True
                )
                user_service.reset_password(session, name, password)
                ctx.print(f"Password of {name} reset; they must change it at next login.")
    return EXIT_OK


def _required_name(args: argparse.Namespace) -> str:
    if not args.name:
        raise InvalidInput(f"`users {args.users_command}` needs a user NAME.")
    return str(args.name)


def cmd_keys(args: argparse.Namespace, ctx: Context) -> int:
    if args.keys_command == "restore":
        passphrase = ctx.secret("WORKBENCH_BACKUP_PASSPHRASE", "Backup passphrase: ")
        user = _acting_user(args, ctx)
        password = ctx.secret("WORKBENCH_PASSWORD", f"Password for {user}: ")
        path = Path(args.workspace)
        ws = key_service.restore_keys(
            path,
            Path(args.file),
            passphrase,
            access=ctx.access(path),
            user=user,
            password=password,
            clock=ctx.clock,
            scrypt_n=ctx.scrypt_n,
        )
        ctx.print(f"Keys restored into {ws.access.store.description}; the workspace opens again.")
        ws.close()
        return EXIT_OK
    with _session(args, ctx) as session:
        if args.keys_command == "list":
            for k in key_service.list_keys(session):
                ctx.print(
                    f"v{k.version}\t{k.state}\t{k.created_at:%Y-%m-%d %H:%M}\t{k.created_by}\t"
                    f"{k.datasets} datasets"
                )
            ctx.print(key_service.CHAINING_NOTE)
        elif args.keys_command == "rotate":
            report = key_service.rotate_keys(session, args.reason, progress=_progress(ctx))
            verb = "Resumed" if report.resumed else "Rotated"
            ctx.print(
                f"{verb}: key version {report.target_version} is primary; "
                f"{report.migrated} datasets migrated."
            )
        elif args.keys_command == "backup":
            passphrase = ctx.secret(
                "WORKBENCH_BACKUP_PASSPHRASE", "Backup passphrase: ", confirm=True
            )
            key_service.backup_keys(session, Path(args.out), passphrase)
            ctx.print(
                f"Key backup written to {args.out}. Keep it and its passphrase apart, off this machine."
            )
    return EXIT_OK


def _date(text: str, *, end: bool) -> datetime:
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date; use YYYY-MM-DD.") from None
    return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)


def cmd_audit(args: argparse.Namespace, ctx: Context) -> int:
    if args.audit_command == "check-export":
        check = audit_service.check_exported(Path(args.file))
        ctx.print(check.message)
        return EXIT_OK if check.ok else EXIT_BROKEN_LOG
    with _session(args, ctx) as session:
        if args.audit_command == "verify":
            result = audit_service.verify(session)
            ctx.print(result.message)
            return EXIT_OK if result.intact else EXIT_BROKEN_LOG
        if args.audit_command == "export":
            flt = EventFilter(
                users=(args.filter_user,) if args.filter_user else (),
                since=_date(args.date_from, end=False) if args.date_from else None,
                until=_date(args.date_to, end=True) if args.date_to else None,
            )
            export = audit_service.export_events(session, flt, Path(args.out))
            ctx.print(
                f"Exported {export.rows} events to {export.path} (signature: {export.path}.sig)"
            )
        elif args.audit_command == "history":
            number = args.number or ctx.secret("WORKBENCH_QUERY_NUMBER", "個人番号: ")
            events = audit_service.person_history(session, number)
            ctx.print(f"{len(events)} events concern this person.")
            for e in events:
                ctx.print(
                    f"{e.seq}\t{e.time}\t{e.event_type}\t{e.outcome}\t{e.actor_user}\t{e.purpose or ''}"
                )
        elif args.audit_command == "report":
            settings = AnalysisSettings()
            since = _office_day(args.date_from, settings, end=False)
            until = _office_day(args.date_to, settings, end=True)
            report = audit_service.analysis_report(session, since, until, settings)
            for line in report.lines():
                ctx.print(line)
            if args.out:
                out = audit_service.export_analysis(session, report, Path(args.out))
                ctx.print(f"Report written to {out}")
    return EXIT_OK


def _office_day(text: str, settings: AnalysisSettings, *, end: bool) -> datetime:
    """The start (or end) of a YYYY-MM-DD day in the office's time zone."""
    day = _date(text, end=end)
    return datetime.combine(day.date(), day.time(), tzinfo=settings.zone)


def cmd_import(args: argparse.Namespace, ctx: Context) -> int:
    with _session(args, ctx) as session:
        profile = find_profile(session.workspace, args.profile) if args.profile else None
        report = import_service.import_extract(
            session, Path(args.file), args.kind, profile=profile, progress=_progress(ctx)
        )
        for line in report.lines():
            ctx.print(line)
    return EXIT_OK


def cmd_reconcile(args: argparse.Namespace, ctx: Context) -> int:
    with _session(args, ctx) as session:
        run = reconcile_service.reconcile_datasets(
            session, tax_dataset=args.tax, si_dataset=args.si, progress=_progress(ctx)
        )
        ctx.print(
            f"Run {run.id}: tax {run.tax_dataset} × si {run.si_dataset}, key version "
            f"{run.key_version}, rules {run.rules_version}"
        )
        for item, count in sorted(run.summary.items()):
            ctx.print(f"  {item}\t{count}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace, ctx: Context) -> int:
    with _session(args, ctx) as session:
        result = export_service.export_run(session, args.run, args.what, Path(args.out))
        ctx.print(f"Wrote {result.rows} rows ({result.persons} persons) to {result.path}")
    return EXIT_OK


def cmd_review(args: argparse.Namespace, ctx: Context) -> int:
    with _session(args, ctx) as session:
        if args.review_command == "list":
            queue = review_service.review_queue(session, args.run)
            ctx.print("tax_record_id\tsi_record_id\tmatch_weight\tmatch_probability\tdecision")
            for row in queue.iter_rows(named=True):
                weight = row.get("match_weight")
                prob = row.get("match_probability")
                ctx.print(
                    f"{row['tax_record_id']}\t{row['si_record_id']}\t"
                    f"{'' if weight is None else f'{weight:.2f}'}\t"
                    f"{'' if prob is None else f'{prob:.3f}'}\t{row.get('decision') or ''}"
                )
            ctx.print(f"{queue.height} pairs wait for review.")
        elif args.review_command == "decide":
            decision = review_service.decide(
                session, args.run, args.tax_record_id, args.si_record_id, args.decision, args.note
            )
            ctx.print(
                f"Decision #{decision.id}: {decision.tax_record_id} / "
                f"{decision.si_record_id} = {decision.decision}"
            )
        elif args.review_command == "undo":
            decision = review_service.undo_last(session, args.run)
            ctx.print(
                f"Undone: {decision.tax_record_id} / {decision.si_record_id} is "
                f"{decision.decision} again."
            )
    return EXIT_OK


def cmd_findings(args: argparse.Namespace, ctx: Context) -> int:
    with _session(args, ctx) as session:
        if args.findings_command == "list":
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
        else:
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
    return EXIT_OK


def cmd_profiles(args: argparse.Namespace, ctx: Context) -> int:
    with _session(args, ctx) as session:
        authorize(session, Action.DATASET_IMPORT)
        directory = profiles_dir(session.workspace)
        if args.profiles_command == "list":
            for name in list_profiles(directory) if directory.exists() else []:
                ctx.print(name)
        else:
            mapping = {}
            for item in args.map:
                header, sep, alias = item.partition("=")
                if not sep:
                    raise InvalidInput(f"--map takes HEADER=column, not {item!r}.")
                mapping[header] = alias
            profile = ImportProfile(args.name, args.kind, mapping, args.encoding)
            try:
                save_profile(directory, profile)
            except LinkageError as exc:
                raise InvalidInput(str(exc)) from None
            ctx.print(f"Saved import profile {args.name!r}.")
    return EXIT_OK


def cmd_gui(args: argparse.Namespace, ctx: Context) -> int:
    path = Path(args.workspace)
    return ctx.open_gui(path, ctx.access(path), ctx.language(args.lang))


def _progress(ctx: Context) -> Callable[[str, float], None]:
    """Progress on a terminal only: scripts get stderr for the one-line error alone."""
    isatty = getattr(ctx.err, "isatty", None)
    if not (callable(isatty) and isatty()):
        return lambda step, fraction: None

    def report(step: str, fraction: float) -> None:
        print(f"\r  {fraction:5.0%}  {step:<40}", end="", file=ctx.err, flush=True)
        if fraction >= 1.0:
            print(file=ctx.err)

    return report


# -- parser ----------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Records Linkage Workbench",
        formatter_class=argparse.RawDescriptionHelpFormatter,  # --version keeps its two lines
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"workbench {APP_VERSION}\nsupport log: {support_log.log_path()}",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def with_user(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--user", help="acting user (default: WORKBENCH_USER)")
        return p

    p = sub.add_parser("init", help="create a workspace with its first administrator")
    p.add_argument("workspace")
    p.add_argument("--admin", required=True)
    p.set_defaults(func=cmd_init)

    users = sub.add_parser("users", help="manage users (administrator)")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    p = with_user(users_sub.add_parser("add"))
    p.add_argument("workspace")
    p.add_argument("name")
    p.add_argument("--role", action="append", required=True, choices=["clerk", "auditor", "admin"])
    for name in ("list", "disable", "unlock", "reset-password"):
        p = with_user(users_sub.add_parser(name))
        p.add_argument("workspace")
        p.add_argument("name", nargs="?")
    users.set_defaults(func=cmd_users)

    keys = sub.add_parser("keys", help="token keys (administrator)")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    p = with_user(keys_sub.add_parser("list"))
    p.add_argument("workspace")
    p = with_user(keys_sub.add_parser("rotate"))
    p.add_argument("workspace")
    p.add_argument("--reason", required=True)
    p = with_user(keys_sub.add_parser("backup"))
    p.add_argument("workspace")
    p.add_argument("--out", required=True)
    p = with_user(keys_sub.add_parser("restore"))
    p.add_argument("workspace")
    p.add_argument("file")
    keys.set_defaults(func=cmd_keys)

    audit = sub.add_parser("audit", help="the access log (auditor)")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    p = with_user(audit_sub.add_parser("verify"))
    p.add_argument("workspace")
    # Here --user filters the events (the contract); the acting user comes from --as.
    p = audit_sub.add_parser("export")
    p.add_argument("workspace")
    p.add_argument("--out", required=True)
    p.add_argument("--from", dest="date_from")
    p.add_argument("--to", dest="date_to")
    p.add_argument("--user", dest="filter_user", help="only events of this user")
    p.add_argument("--as", dest="user", help="acting user (default: WORKBENCH_USER)")
    p = with_user(audit_sub.add_parser("history"))
    p.add_argument("workspace")
    p.add_argument(
        "--number", help="個人番号 (omit to be asked, which keeps it out of shell history)"
    )
    p = with_user(audit_sub.add_parser("report", help="the periodic analysis report"))
    p.add_argument("workspace")
    p.add_argument("--from", dest="date_from", required=True, help="first day, YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", required=True, help="last day, YYYY-MM-DD")
    p.add_argument("--out", help="also write FILE.xlsx (a sheet per section) or FILE.csv")
    p = audit_sub.add_parser("check-export")
    p.add_argument("file")
    audit.set_defaults(func=cmd_audit)

    p = with_user(sub.add_parser("import", help="import a tax or social-insurance extract"))
    p.add_argument("workspace")
    p.add_argument("--kind", required=True, choices=["tax", "si"])
    p.add_argument("file")
    p.add_argument("--profile", help="a saved import profile for other column layouts")
    p.set_defaults(func=cmd_import)

    p = with_user(sub.add_parser("reconcile", help="link the newest (or given) datasets"))
    p.add_argument("workspace")
    p.add_argument("--tax", help="tax dataset id (default: the newest)")
    p.add_argument("--si", help="social-insurance dataset id (default: the newest)")
    p.set_defaults(func=cmd_reconcile)

    p = with_user(sub.add_parser("export", help="export a run's links, findings or summary"))
    p.add_argument("workspace")
    p.add_argument("run", help="run id or 'latest'")
    p.add_argument("--what", required=True, choices=["links", "findings", "summary"])
    p.add_argument("--out", required=True, help="FILE.csv or FILE.xlsx")
    p.set_defaults(func=cmd_export)

    review = sub.add_parser("review", help="clerical review of uncertain pairs")
    review_sub = review.add_subparsers(dest="review_command", required=True)
    p = with_user(review_sub.add_parser("list"))
    p.add_argument("workspace")
    p.add_argument("run")
    p = with_user(review_sub.add_parser("decide"))
    p.add_argument("workspace")
    p.add_argument("run")
    p.add_argument("tax_record_id")
    p.add_argument("si_record_id")
    p.add_argument("decision", choices=["match", "non_match", "unsure"])
    p.add_argument("--note", default="")
    p = with_user(review_sub.add_parser("undo"))
    p.add_argument("workspace")
    p.add_argument("run")
    review.set_defaults(func=cmd_review)

    findings = sub.add_parser("findings", help="list findings and change their status")
    findings_sub = findings.add_subparsers(dest="findings_command", required=True)
    p = with_user(findings_sub.add_parser("list"))
    p.add_argument("workspace")
    p.add_argument("run")
    p = with_user(findings_sub.add_parser("set"))
    p.add_argument("workspace")
    p.add_argument("run")
    p.add_argument("code")
    p.add_argument("tax_record_id", help="'' when the finding has no tax record")
    p.add_argument("si_record_id", help="'' when the finding has no SI record")
    p.add_argument("status", choices=["open", "confirmed", "dismissed", "resolved"])
    p.add_argument("--note", default="")
    findings.set_defaults(func=cmd_findings)

    profiles = sub.add_parser("profiles", help="import profiles for other column layouts")
    profiles_sub = profiles.add_subparsers(dest="profiles_command", required=True)
    p = with_user(profiles_sub.add_parser("list"))
    p.add_argument("workspace")
    p = with_user(profiles_sub.add_parser("save"))
    p.add_argument("workspace")
    p.add_argument("name")
    p.add_argument("--kind", required=True, choices=["tax", "si"])
    p.add_argument("--map", action="append", default=[], help="FILE_HEADER=column (repeat)")
    p.add_argument("--encoding", choices=["utf-8", "utf-8-sig", "cp932"])
    profiles.set_defaults(func=cmd_profiles)

    p = sub.add_parser("gui", help="open the desktop app on a workspace")
    p.add_argument("workspace")
    p.add_argument(
        "--lang", choices=["ja", "en"], default=None, help="default: WORKBENCH_LANG or ja"
    )
    p.set_defaults(func=cmd_gui)

    p = sub.add_parser("demo", help="create a synthetic demo workspace and walk through it")
    p.add_argument(
        "--workspace", help="where to create it (default: a new folder in the app's data dir)"
    )
    p.add_argument("--no-gui", action="store_true", help="only the command-line walk-through")
    p.add_argument(
        "--lang", choices=["ja", "en"], default=None, help="default: WORKBENCH_LANG or ja"
    )
    p.set_defaults(func=cmd_demo)
    return parser


def cmd_demo(args: argparse.Namespace, ctx: Context) -> int:
    # Imported here: the demo pulls in the sample files and the whole pipeline, which the
    # other commands (and --help) do not need.
    from workbench.demo import run_demo

    return run_demo(args, ctx)


def main(argv: Sequence[str] | None = None, ctx: Context | None = None) -> int:
    ctx = ctx or Context()
    support_log.install()
    args = build_parser().parse_args(argv)
    code = EXIT_ERROR
    try:
        return int(args.func(args, ctx))
    except (WorkbenchError, CryptoError, LinkageError, Cancelled) as exc:
        message = str(exc)
    except KeyboardInterrupt:
        message = "interrupted"
    except Exception as exc:  # a bug: one line here, the traceback in the support log
        path = support_log.log_unexpected(exc, f"workbench {args.command}")
        message = (
            f"unexpected error ({type(exc).__name__}). The details are in {path}; "
            "send that file to your support contact."
        )
        code = EXIT_UNEXPECTED
    isatty = getattr(ctx.err, "isatty", None)
    start = "\n" if callable(isatty) and isatty() else ""  # end a progress line first
    print(f"{start}workbench: {message}", file=ctx.err)
    return code

if __name__ == "__main__":
    sys.exit(main())
