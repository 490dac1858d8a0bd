"""`workbench keys ...`: token keys, their rotation, backup and restore (administrator)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rlwb.workbench.cli.compromise import register_compromise
from rlwb.workbench.cli.context import (
    EXIT_OK,
    Context,
    acting_user,
    add_command,
    add_force,
    in_session,
)
from rlwb.workbench.services import compromise as compromise_service
from rlwb.workbench.services import keys as key_service
from rlwb.workbench.session import Session


@in_session
def list_keys(args: argparse.Namespace, ctx: Context, session: Session) -> None:
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


@in_session
def rotate(args: argparse.Namespace, ctx: Context, session: Session) -> None:
    report = key_service.rotate_keys(session, args.reason, progress=ctx.progress())
    verb = "Resumed" if report.resumed else "Rotated"
    ctx.print(
        f"{verb}: key version {report.target_version} is primary; "
        f"{report.migrated} datasets migrated."
    )


@in_session
def backup(args: argparse.Namespace, ctx: Context, session: Session) -> None:
    passphrase = ctx.backup_passphrase(confirm=True)
    key_service.backup_keys(session, Path(args.out), passphrase, replace=args.force)
    ctx.print(
        f"Key backup written to {args.out}. Keep it and its passphrase apart, off this machine."
    )


def restore(args: argparse.Namespace, ctx: Context) -> int:
    """`keys restore WS FILE`: the workspace cannot open without its keys, so no session."""
    passphrase = ctx.backup_passphrase()
    user = acting_user(args, ctx)
    password = ctx.password_of(user)
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


def register(sub: Any) -> None:
    keys = sub.add_parser("keys", help="token keys (administrator)")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    add_command(keys_sub, "list", list_keys)
    p = add_command(keys_sub, "rotate", rotate)
    p.add_argument("--reason", required=True)
    register_compromise(keys_sub)
    p = add_command(keys_sub, "backup", backup)
    p.add_argument("--out", required=True)
    add_force(p)
    p = add_command(keys_sub, "restore", restore)
    p.add_argument("file")
