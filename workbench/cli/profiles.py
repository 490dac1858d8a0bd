"""`workbench profiles ...`: import profiles for other column layouts."""

from __future__ import annotations

import argparse
from typing import Any

from rlwb.linkage.profiles import ImportProfile
from rlwb.linkage.schema import ExtractKind
from rlwb.linkage.text_encoding import SUPPORTED
from rlwb.workbench.cli.context import Context, add_command, in_session
from rlwb.workbench.errors import InvalidInput
from rlwb.workbench.services import preview as preview_service
from rlwb.workbench.session import Session


@in_session
def list_profiles(args: argparse.Namespace, ctx: Context, session: Session) -> None:
    for name in preview_service.saved_profiles(session):
        ctx.print(name)


def _mapping(items: list[str]) -> dict[str, str]:
    mapping = {}
    for item in items:
        header, sep, alias = item.partition("=")
        if not sep:
            raise InvalidInput(f"--map takes HEADER=column, not {item!r}.")
        mapping[header] = alias
    return mapping


@in_session
def save(args: argparse.Namespace, ctx: Context, session: Session) -> None:
    profile = ImportProfile(args.name, args.kind, _mapping(args.map), args.encoding)
    preview_service.save_import_profile(session, profile)
    ctx.print(f"Saved import profile {args.name!r}.")


def register(sub: Any) -> None:
    profiles = sub.add_parser("profiles", help="import profiles for other column layouts")
    profiles_sub = profiles.add_subparsers(dest="profiles_command", required=True)
    add_command(profiles_sub, "list", list_profiles)
    p = add_command(profiles_sub, "save", save)
    p.add_argument("name")
    p.add_argument("--kind", required=True, choices=[str(k) for k in ExtractKind])
    p.add_argument("--map", action="append", default=[], help="FILE_HEADER=column (repeat)")
    p.add_argument("--encoding", choices=list(SUPPORTED))
