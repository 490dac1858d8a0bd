"""`workbench settings ...`: workspace settings (administrator)."""

from __future__ import annotations

import argparse
from typing import Any

from rlwb.workbench.cli.context import Context, add_command, in_session
from rlwb.workbench.services import settings as settings_service
from rlwb.workbench.session import Session


@in_session
def show(args: argparse.Namespace, ctx: Context, session: Session) -> None:
    current = settings_service.get_settings(session)
    checkpoint = current.checkpoint_file or "(OS keyring or state folder)"
    ctx.print(f"idle_lock_minutes\t{current.idle_lock_minutes}")
    ctx.print(f"checkpoint_file\t{checkpoint}")
    ctx.print(f"rules_file\t{current.rules_file or '(built-in)'}\t{current.rules_version}")
    ctx.print(f"import_max_mb\t{current.import_max_mb}")


@in_session
def set_setting(args: argparse.Namespace, ctx: Context, session: Session) -> None:
    change = settings_service.set_setting(session, args.key, args.value)
    before, after = change.before or "(default)", change.after or "(default)"
    state = "changed" if change.changed else "unchanged"
    ctx.print(f"{change.key}: {before} -> {after} ({state})")


def register(sub: Any) -> None:
    settings = sub.add_parser("settings", help="workspace settings (administrator)")
    settings_sub = settings.add_subparsers(dest="settings_command", required=True)
    add_command(settings_sub, "show", show)
    p = add_command(settings_sub, "set", set_setting)
    p.add_argument("key", choices=list(settings_service.SETTING_KEYS))
    p.add_argument("value", help="the new value; '' for the default")
