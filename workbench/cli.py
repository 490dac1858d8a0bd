"""The `workbench` command. Its commands and options are a stable contract for scripts.

Every command authenticates (user from --user or WORKBENCH_USER, password from
WORKBENCH_PASSWORD or a prompt) and is logged exactly like the same action in the GUI.
Expected errors print one line to stderr and exit non-zero, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path
from typing import TextIO

from keyring.backend import KeyringBackend

from rlwb.crypto.errors import CryptoError
from rlwb.crypto.passwords import DEFAULT_N
from rlwb.linkage.errors import LinkageError
from rlwb.linkage.profiles import ImportProfile, list_profiles
from rlwb.linkage.progress import Cancelled
from rlwb.workbench import support_log
from rlwb.workbench.access import authorize
from rlwb.workbench.audit.analysis import AnalysisSettings
from rlwb.workbench.audit.errors import CheckpointError
from rlwb.workbench.audit.export import (
    check_export,
    key_fingerprint,
    load_public_key,
    public_key_pem,
)
from rlwb.workbench.audit.log import EventFilter
from rlwb.workbench.clock import Clock, utc_now
from rlwb.workbench.errors import InvalidInput, WorkbenchError
from rlwb.workbench.import_limits import import_max_mb
from rlwb.workbench.keyaccess import KeyAccess, key_access_from_env
from rlwb.workbench.permissions import Action
from rlwb.workbench.services import audit as audit_service
from rlwb.workbench.services import compromise as compromise_service
from rlwb.workbench.services import export as export_service
from rlwb.workbench.services import findings as findings_service
from rlwb.workbench.services import imports as import_service
from rlwb.workbench.services import keys as key_service
from rlwb.workbench.services import reconcile as reconcile_service
from rlwb.workbench.services import review as review_service
from rlwb.workbench.services import scan as scan_service
from rlwb.workbench.services import settings as settings_service
from rlwb.workbench.services import users as user_service
from rlwb.workbench.services.imports import find_profile, profiles_dir
from rlwb.workbench.services.preview import save_import_profile
from rlwb.workbench.services.session import change_own_password, login, logout
from rlwb.workbench.session import Session
from rlwb.workbench.storage_errors import DoneButNotLogged, describe_failure
from rlwb.workbench.version import APP_VERSION
from rlwb.workbench.workspace import Workspace

GuiRunner = Callable[[Path, KeyAccess, str], int]

EXIT_OK = 0
EXIT_BROKEN_LOG = 1
EXIT_ERROR = 2
#: The action was done, but an access-log write after it failed (the message says which).
EXIT_DONE_NOT_LOGGED = 3
#: The reader of the output went away (`| head`); like a process ended by SIGPIPE.
EXIT_BROKEN_PIPE = 141
#: A bug: one line on stderr, the traceback in the support log.
EXIT_UNEXPECTED = 4


@dataclass
class Context:
    """What a command needs from the outside world; tests replace any of it."""

    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    prompt: Callable[[str], str] = getpass.getpass
    #: Visible input, for typed confirmations (not secrets).
    ask: Callable[[str], str] = input
    keyring_backend: KeyringBackend | None = None
    clock: Clock = utc_now
    scrypt_n: int = DEFAULT_N
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

    def confirm(self, question: str, flag: str) -> str:
        """A typed confirmation from the terminal; scripts pass ``flag`` instead."""
        if not sys.stdin.isatty() and self.ask is input:
            raise InvalidInput(f"Run the command in a terminal to confirm, or pass {flag}.")
        return self.ask(question)

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
    done = False
    try:
        user = _acting_user(args, ctx)
        session = login(ws, user, ctx.secret("WORKBENCH_PASSWORD", f"Password for {user}: "))
        try:
            yield session
            done = True
        finally:
            _end(lambda: logout(session), done=done)
    finally:
        _end(ws.close, done=done)


def _end(step: Callable[[], None], *, done: bool) -> None:
    """Log out or close after a command. When the command was done, a failure here (a full
    disk at the logout event or the checkpoint) must not read as if it was not; when it
    failed, its own error is the one to report."""
    try:
        step()
    except (WorkbenchError, sqlite3.Error, OSError) as exc:
        if done:
            raise DoneButNotLogged(
                "The command was done, but its end could not be logged (the logout event or "
                "the log checkpoint)."
            ) from exc


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
    if args.users_command == "unlock" and args.key_backup:
        return _unlock_with_key_backup(args, ctx)
    if args.users_command == "change-password":
        return _change_own_password(args, ctx)
    with _session(args, ctx) as session:
        if args.users_command == "roles":
            name = _required_name(args)
            user, warnings = user_service.set_roles(session, name, args.role)
            ctx.print(f"Roles of {user.name}: {', '.join(user.roles)}.")
            for warning in warnings:
                ctx.print(f"Warning: {warning}")
        elif args.users_command == "add":
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


def _change_own_password(args: argparse.Namespace, ctx: Context) -> int:
    """`users change-password WS`: the acting user's own password, asked for once."""
    path = Path(args.workspace)
    ws = Workspace.open(path, access=ctx.access(path), clock=ctx.clock, scrypt_n=ctx.scrypt_n)
    try:
        user = _acting_user(args, ctx)
        current = ctx.secret("WORKBENCH_PASSWORD", f"Password for {user}: ")
        session = login(ws, user, current)
        try:
            new = ctx.secret("WORKBENCH_NEW_PASSWORD", f"New password for {user}: ", confirm=True)
            change_own_password(session, current, new)
        finally:
            logout(session)
    finally:
        ws.close()
    ctx.print(f"Password of {user} changed.")
    return EXIT_OK


def _unlock_with_key_backup(args: argparse.Namespace, ctx: Context) -> int:
    """`users unlock WS NAME --key-backup FILE`: no administrator session needed."""
    name = _required_name(args)
    path = Path(args.workspace)
    passphrase = ctx.secret("WORKBENCH_BACKUP_PASSPHRASE", "Backup passphrase: ")
    ws = Workspace.open(path, access=ctx.access(path), clock=ctx.clock, scrypt_n=ctx.scrypt_n)
    try:
        user_service.unlock_with_key_backup(ws, name, Path(args.key_backup), passphrase)
    finally:
        ws.close()
    ctx.print(f"Unlocked {name} with the key backup; log in with the account's password.")
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
            retired = compromise_service.retired_datasets(session)
            if retired:
                ctx.print(
                    f"{len(retired)} datasets are retired (compromise response): kept for the "
                    "log, never reconciled."
                )
        elif args.keys_command == "rotate":
            report = key_service.rotate_keys(session, args.reason, progress=_progress(ctx))
            verb = "Resumed" if report.resumed else "Rotated"
            ctx.print(
                f"{verb}: key version {report.target_version} is primary; "
                f"{report.migrated} datasets migrated."
            )
        elif args.keys_command == "compromise":
            _compromise(args, ctx, session)
        elif args.keys_command == "backup":
            passphrase = ctx.secret(
                "WORKBENCH_BACKUP_PASSPHRASE", "Backup passphrase: ", confirm=True
            )
            key_service.backup_keys(session, Path(args.out), passphrase, replace=args.force)
            ctx.print(
                f"Key backup written to {args.out}. Keep it and its passphrase apart, off this machine."
            )
    return EXIT_OK


def _compromise(args: argparse.Namespace, ctx: Context, session: Session) -> None:
    plan = compromise_service.compromise_plan(session)
    first, last = plan.old_versions
    if plan.open_response is not None:
        ctx.print(
            f"A compromise response started on {plan.open_response.started_at:%Y-%m-%d %H:%M} "
            f"by {plan.open_response.started_by}; this run finishes it."
        )
    else:
        ctx.print("Compromise response: the current token keys may have leaked.")
        ctx.print(
            "  1. A new, unrelated key chain starts (fresh random keys, a new master key); "
            "the data key and the log keys stay, so the access log stays verifiable."
        )
        ctx.print(
            f"  2. {len(plan.datasets)} datasets and {plan.runs} runs are retired: kept for "
            "the log, never reconciled with new data."
        )
    if args.keep_old_keys:
        ctx.print("  The old token keys are kept for now (person history searches both chains).")
    else:
        ctx.print(
            f"  3. A new key backup is written to {args.backup_out}, then the old token keys "
            f"(versions {first}-{last}) are destroyed for good."
        )
    word = plan.confirmation_word
    passphrase: str | None = None
    backup: Path | None = None
    if not args.keep_old_keys:
        if not args.backup_out:
            raise InvalidInput(
                "Give --backup-out FILE: the old keys are destroyed only after a new key "
                "backup is written (or pass --keep-old-keys to destroy them later)."
            )
        backup = Path(args.backup_out)
    if args.yes_destroy_old_keys:
        typed = word
    else:
        typed = ctx.confirm(
            f"Type the workspace name '{word}' to go ahead (anything else cancels): ",
            "--yes-destroy-old-keys",
        )
    if typed.strip() != word:
        ctx.print("Cancelled; nothing was changed.")
        raise InvalidInput("The confirmation did not match; nothing was changed.")
    if backup is not None:
        passphrase = ctx.secret("WORKBENCH_BACKUP_PASSPHRASE", "Backup passphrase: ", confirm=True)
    report = compromise_service.respond_to_compromise(
        session,
        args.reason,
        confirmation=typed,
        backup_out=backup,
        passphrase=passphrase,
    )
    ctx.print(
        f"New key chain {report.chain} started at key version {report.first_version}; "
        f"{len(report.reimport)} datasets and {report.retired_runs} runs are retired."
    )
    if report.destroyed is not None:
        ctx.print(
            f"Key backup written to {report.backup_file}; old token keys (versions "
            f"{report.destroyed[0]}-{report.destroyed[1]}) destroyed. Keep the backup and its "
            "passphrase apart, off this machine; older key backups hold only the leaked keys."
        )
    else:
        ctx.print(
            "The old token keys are kept (retired). Run this command again with --backup-out "
            "FILE to destroy them."
        )
    if report.reimport:
        ctx.print("Import these source files again (kind, file, rows, imported):")
        for d in report.reimport:
            ctx.print(
                f"  {d.kind}\t{d.file_name}\t{d.rows:,} rows\t"
                f"{d.imported_at.astimezone():%Y-%m-%d %H:%M}\t(retired dataset {d.id})"
            )


def _date(text: str, *, end: bool) -> datetime:
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date; use YYYY-MM-DD.") from None
    return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)


def _check_export(args: argparse.Namespace, ctx: Context) -> int:
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


def _public_key(args: argparse.Namespace, ctx: Context) -> int:
    key = audit_service.workspace_public_key(Path(args.workspace), ctx.access(Path(args.workspace)))
    pem = public_key_pem(key)
    if args.out:
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
    else:
        ctx.print(pem.rstrip("\n"))
        ctx.print(f"fingerprint {key_fingerprint(key)}")
    return EXIT_OK


def _verify(args: argparse.Namespace, ctx: Context) -> int:
    """Verify, print the result and every warning; exit 1 unless intact and untampered."""
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


def cmd_audit(args: argparse.Namespace, ctx: Context) -> int:
    if args.audit_command == "check-export":
        return _check_export(args, ctx)
    if args.audit_command == "public-key":
        return _public_key(args, ctx)
    if args.audit_command == "verify":
        return _verify(args, ctx)
    with _session(args, ctx) as session:
        if args.audit_command == "export":
            flt = EventFilter(
                users=(args.filter_user,) if args.filter_user else (),
                since=_date(args.date_from, end=False) if args.date_from else None,
                until=_date(args.date_to, end=True) if args.date_to else None,
            )
            export = audit_service.export_events(
                session, flt, Path(args.out), replace=args.force
            )
            ctx.print(
                f"Exported {export.rows} events to {export.path} (signature: {export.path}.sig)"
            )
        elif args.audit_command == "scan-numbers":
            scan = scan_service.scan_numbers(session)
            for line in scan.lines():
                ctx.print(line)
            return EXIT_OK if scan.clean else EXIT_BROKEN_LOG
        elif args.audit_command == "history":
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
        elif args.audit_command == "report":
            settings = AnalysisSettings()
            since = _office_day(args.date_from, settings, end=False)
            until = _office_day(args.date_to, settings, end=True)
            report = audit_service.analysis_report(session, since, until, settings)
            for line in report.lines():
                ctx.print(line)
            if args.out:
                out = audit_service.export_analysis(
                    session, report, Path(args.out), replace=args.force
                )
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
        result = export_service.export_run(
            session, args.run, args.what, Path(args.out), replace=args.force
        )
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
            save_import_profile(session, profile)
            ctx.print(f"Saved import profile {args.name!r}.")
    return EXIT_OK


def cmd_settings(args: argparse.Namespace, ctx: Context) -> int:
    with _session(args, ctx) as session:
        if args.settings_command == "set":
            change = settings_service.set_setting(session, args.key, args.value)
            before, after = change.before or "(default)", change.after or "(default)"
            state = "changed" if change.changed else "unchanged"
            ctx.print(f"{change.key}: {before} -> {after} ({state})")
        else:
            current = settings_service.get_settings(session)
            checkpoint = current.checkpoint_file or "(OS keyring or state folder)"
            ctx.print(f"idle_lock_minutes\t{current.idle_lock_minutes}")
            ctx.print(f"checkpoint_file\t{checkpoint}")
            ctx.print(f"rules_file\t{current.rules_file or '(built-in)'}\t{current.rules_version}")
            ctx.print(f"import_max_mb\t{import_max_mb(session.workspace)}")
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
def _add_force(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--force", action="store_true", help="replace the output file(s) if they already exist"
    )


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
        if name == "unlock":
            p.add_argument(
                "--key-backup",
                metavar="FILE",
                help="lift a lockout without an administrator login, proven by the "
                "workspace's key backup and its passphrase (WORKBENCH_BACKUP_PASSPHRASE)",
            )
    p = with_user(users_sub.add_parser("roles", help="set a user's roles"))
    p.add_argument("workspace")
    p.add_argument("name")
    p.add_argument("--role", action="append", required=True, choices=["clerk", "auditor", "admin"])
    p = with_user(
        users_sub.add_parser(
            "change-password",
            help="change the acting user's own password (the only thing a temporary "
            "password allows)",
        )
    )
    p.add_argument("workspace")
    users.set_defaults(func=cmd_users)

    keys = sub.add_parser("keys", help="token keys (administrator)")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    p = with_user(keys_sub.add_parser("list"))
    p.add_argument("workspace")
    p = with_user(keys_sub.add_parser("rotate"))
    p.add_argument("workspace")
    p.add_argument("--reason", required=True)
    p = with_user(
        keys_sub.add_parser(
            "compromise", help="the keys may have leaked: new key chain, retire, destroy old keys"
        )
    )
    p.add_argument("workspace")
    p.add_argument("--reason", required=True)
    p.add_argument("--backup-out", help="new key backup, written before the old keys go")
    p.add_argument(
        "--yes-destroy-old-keys",
        action="store_true",
        help="confirm without typing the workspace name (scripts)",
    )
    p.add_argument(
        "--keep-old-keys",
        action="store_true",
        help="keep the old keys for now (run again with --backup-out to destroy them)",
    )
    p = with_user(keys_sub.add_parser("backup"))
    p.add_argument("workspace")
    p.add_argument("--out", required=True)
    _add_force(p)
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
    _add_force(p)
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
    _add_force(p)
    p = audit_sub.add_parser(
        "check-export", help="check an audit export against the workspace's signing key"
    )
    p.add_argument("file")
    p.add_argument("--workspace", help="check against this workspace's key (needs its key)")
    p.add_argument(
        "--public-key", help="check against a key file from `workbench audit public-key`"
    )
    p = audit_sub.add_parser(
        "public-key", help="print (or --out FILE) the log-signing public key to keep apart"
    )
    p.add_argument("workspace")
    p.add_argument("--out", help="write it to this new file")
    p = with_user(
        audit_sub.add_parser(
            "scan-numbers",
            help="administrator: count stored values holding a 個人番号, by place "
            "(exit 0 none, 1 found)",
        )
    )
    p.add_argument("workspace")
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
    _add_force(p)
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

    settings = sub.add_parser("settings", help="workspace settings (administrator)")
    settings_sub = settings.add_subparsers(dest="settings_command", required=True)
    p = with_user(settings_sub.add_parser("show"))
    p.add_argument("workspace")
    p = with_user(settings_sub.add_parser("set"))
    p.add_argument("workspace")
    p.add_argument("key", choices=list(settings_service.SETTING_KEYS))
    p.add_argument("value", help="the new value; '' for the default")
    settings.set_defaults(func=cmd_settings)

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
    from rlwb.workbench.demo import run_demo

    return run_demo(args, ctx)


def main(argv: Sequence[str] | None = None, ctx: Context | None = None) -> int:
    ctx = ctx or Context()
    support_log.install()
    args = build_parser().parse_args(argv)
    code = EXIT_ERROR
    try:
        result = int(args.func(args, ctx))
        ctx.out.flush()  # a closed pipe shows here, not at exit
        return result
    except BrokenPipeError:
        # The reader went away (`... | head`): stop quietly, as a shell tool does.
        _silence(ctx.out)
        return EXIT_BROKEN_PIPE
    except DoneButNotLogged as exc:
        message, code = describe_failure(exc), EXIT_DONE_NOT_LOGGED
    except (WorkbenchError, CryptoError, LinkageError, Cancelled, sqlite3.Error, OSError) as exc:
        message = describe_failure(exc)
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
    try:
        print(f"{start}workbench: {message}", file=ctx.err)
    except BrokenPipeError:
        _silence(ctx.err)
    return code


def _silence(stream: TextIO) -> None:
    """Point a broken stream at /dev/null so the flush at exit raises nothing (the Python
    documentation's recipe for SIGPIPE)."""
    try:
        fileno = stream.fileno()
    except (OSError, ValueError, AttributeError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fileno)
    finally:
        os.close(devnull)


if __name__ == "__main__":
    sys.exit(main())
