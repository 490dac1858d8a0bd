"""`workbench keys compromise`: the keys may have leaked (explain, confirm, respond)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rlwb.workbench.cli.context import Context, add_command, in_session
from rlwb.workbench.errors import InvalidInput
from rlwb.workbench.services import compromise as compromise_service
from rlwb.workbench.services.compromise import CompromisePlan
from rlwb.workbench.session import Session


def _explain(args: argparse.Namespace, ctx: Context, plan: CompromisePlan) -> None:
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


def _backup_file(args: argparse.Namespace) -> Path | None:
    if args.keep_old_keys:
        return None
    if not args.backup_out:
        raise InvalidInput(
            "Give --backup-out FILE: the old keys are destroyed only after a new key "
            "backup is written (or pass --keep-old-keys to destroy them later)."
        )
    return Path(args.backup_out)


def _confirmed(args: argparse.Namespace, ctx: Context, word: str) -> str:
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
    return typed


@in_session
def compromise(args: argparse.Namespace, ctx: Context, session: Session) -> None:
    plan = compromise_service.compromise_plan(session)
    _explain(args, ctx, plan)
    backup = _backup_file(args)
    typed = _confirmed(args, ctx, plan.confirmation_word)
    passphrase = ctx.backup_passphrase(confirm=True) if backup is not None else None
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


def register_compromise(keys_sub: Any) -> None:
    p = add_command(
        keys_sub,
        "compromise",
        compromise,
        help="the keys may have leaked: new key chain, retire, destroy old keys",
    )
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
