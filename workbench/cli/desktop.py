"""`workbench gui` and `workbench demo`: the desktop app (given by ui.launcher)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rlwb.workbench.cli.context import Context, add_command, add_lang


def gui(args: argparse.Namespace, ctx: Context) -> int:
    path = Path(args.workspace)
    return ctx.open_gui(path, ctx.access(path), ctx.language(args.lang))


def demo(args: argparse.Namespace, ctx: Context) -> int:
    # Imported here: the demo pulls in the sample files and the whole pipeline, which the
    # other commands (and --help) do not need.
    from rlwb.workbench.demo import run_demo

    return run_demo(args, ctx)


def register(sub: Any) -> None:
    p = add_command(sub, "gui", gui, user=False, help="open the desktop app on a workspace")
    add_lang(p)
    p = sub.add_parser("demo", help="create a synthetic demo workspace and walk through it")
    p.add_argument(
        "--workspace", help="where to create it (default: a new folder in the app's data dir)"
    )
    p.add_argument("--no-gui", action="store_true", help="only the command-line walk-through")
    add_lang(p)
    p.set_defaults(func=demo)
