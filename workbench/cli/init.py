"""`workbench init`: a new workspace with its first administrator."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rlwb.workbench.cli.context import EXIT_OK, Context, add_command
from rlwb.workbench.workspace import Workspace


def init(args: argparse.Namespace, ctx: Context) -> int:
    path = Path(args.workspace)
    password = ctx.new_password(f"New password for {args.admin}: ")
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


def register(sub: Any) -> None:
    p = add_command(
        sub, "init", init, user=False, help="create a workspace with its first administrator"
    )
    p.add_argument("--admin", required=True)
