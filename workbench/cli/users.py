"""`workbench users ...`: accounts and roles (administrator), and one's own password."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rlwb.workbench.cli.context import (
    EXIT_OK,
    Context,
    acting_user,
    add_command,
    in_session,
)
from rlwb.workbench.errors import InvalidInput
from rlwb.workbench.permissions import Role
from rlwb.workbench.services import users as user_service
from rlwb.workbench.services.session import change_own_password, login, logout
from rlwb.workbench.session import Session


def _required_name(args: argparse.Namespace) -> str:
    if not args.name:
        raise InvalidInput(f"`users {args.users_command}` needs a user NAME.")
    return str(args.name)


def _print_warnings(ctx: Context, warnings: list[str] | tuple[str, ...]) -> None:
    for warning in warnings:
        ctx.print(f"Warning: {warning}")


@in_session
def add(args: argparse.Namespace, ctx: Context, session: Session) -> None:
    password = ctx.new_password(f"First password for {args.name}: ")
    user, warnings = user_service.add_user(session, args.name, password, args.role)
    ctx.print(
        f"Added {user.name} ({', '.join(user.roles)}); they must change the password at first login."
    )
    _print_warnings(ctx, warnings)


@in_session
def list_users(args: argparse.Namespace, ctx: Context, session: Session) -> None:
    for u in user_service.list_users(session):
        state = "disabled" if u.disabled else ("locked" if u.is_locked(ctx.clock()) else "active")
        if not u.record_intact:
            state = "changed outside the app: reset its password"
        ctx.print(f"{u.name}\t{','.join(u.roles)}\t{state}")


@in_session
def set_roles(args: argparse.Namespace, ctx: Context, session: Session) -> None:
    user, warnings = user_service.set_roles(session, _required_name(args), args.role)
    ctx.print(f"Roles of {user.name}: {', '.join(user.roles)}.")
    _print_warnings(ctx, warnings)


@in_session
def disable(args: argparse.Namespace, ctx: Context, session: Session) -> None:
    name = _required_name(args)
    user_service.disable_user(session, name)
    ctx.print(f"Disabled {name}.")


@in_session
def enable(args: argparse.Namespace, ctx: Context, session: Session) -> None:
    name = _required_name(args)
    user_service.enable_user(session, name)
    ctx.print(f"Enabled {name}.")


@in_session
def _unlock_by_admin(args: argparse.Namespace, ctx: Context, session: Session) -> None:
    name = _required_name(args)
    user_service.unlock_user(session, name)
    ctx.print(f"Unlocked {name}.")


def unlock(args: argparse.Namespace, ctx: Context) -> int:
    """`users unlock WS NAME`, or with --key-backup FILE without an administrator session."""
    if not args.key_backup:
        return _unlock_by_admin(args, ctx)
    name = _required_name(args)
    passphrase = ctx.backup_passphrase()
    ws = ctx.open_workspace(args.workspace)
    try:
        user_service.unlock_with_key_backup(ws, name, Path(args.key_backup), passphrase)
    finally:
        ws.close()
    ctx.print(f"Unlocked {name} with the key backup; log in with the account's password.")
    return EXIT_OK


@in_session
def reset_password(args: argparse.Namespace, ctx: Context, session: Session) -> None:
    name = _required_name(args)
    password = ctx.new_password(f"Temporary password for {name}: ")
    user = user_service.reset_password(session, name, password)
    ctx.print(f"Password of {name} reset; they must change it at next login.")
    if user.disabled:
        ctx.print(
            f"{name} is disabled (its record had been changed outside the app, or an "
            f"administrator disabled it): check its roles (`users roles`), then "
            f"`workbench users enable WORKSPACE {name}`."
        )


def change_password(args: argparse.Namespace, ctx: Context) -> int:
    """`users change-password WS`: the acting user's own password, asked for once."""
    ws = ctx.open_workspace(args.workspace)
    try:
        user = acting_user(args, ctx)
        current = ctx.password_of(user)
        session = login(ws, user, current)
        try:
            new = ctx.new_password(f"New password for {user}: ")
            change_own_password(session, current, new)
        finally:
            logout(session)
    finally:
        ws.close()
    ctx.print(f"Password of {user} changed.")
    return EXIT_OK


def register(sub: Any) -> None:
    users = sub.add_parser("users", help="manage users (administrator)")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    roles = [str(r) for r in Role]
    p = add_command(users_sub, "add", add)
    p.add_argument("name")
    p.add_argument("--role", action="append", required=True, choices=roles)
    for name, func in (
        ("list", list_users),
        ("disable", disable),
        ("enable", enable),
        ("unlock", unlock),
        ("reset-password", reset_password),
    ):
        p = add_command(users_sub, name, func)
        p.add_argument("name", nargs="?")
        if func is unlock:
            p.add_argument(
                "--key-backup",
                metavar="FILE",
                help="lift a lockout without an administrator login, proven by the "
                "workspace's key backup and its passphrase (WORKBENCH_BACKUP_PASSPHRASE)",
            )
    p = add_command(users_sub, "roles", set_roles, help="set a user's roles")
    p.add_argument("name")
    p.add_argument("--role", action="append", required=True, choices=roles)
    add_command(
        users_sub,
        "change-password",
        change_password,
        help="change the acting user's own password (the only thing a temporary password allows)",
    )
