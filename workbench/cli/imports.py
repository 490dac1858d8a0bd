"""`workbench import`: a tax or social-insurance extract into the workspace."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rlwb.linkage.schema import ExtractKind
from rlwb.workbench.cli.context import Context, add_command, in_session
from rlwb.workbench.services import imports as import_service
from rlwb.workbench.services.imports import find_profile
from rlwb.workbench.session import Session


@in_session
def import_extract(args: argparse.Namespace, ctx: Context, session: Session) -> None:
    profile = find_profile(session.workspace, args.profile) if args.profile else None
    report = import_service.import_extract(
        session, Path(args.file), args.kind, profile=profile, progress=ctx.progress()
    )
    for line in report.lines():
        ctx.print(line)


def register(sub: Any) -> None:
    p = add_command(sub, "import", import_extract, help="import a tax or social-insurance extract")
    p.add_argument("--kind", required=True, choices=[str(k) for k in ExtractKind])
    p.add_argument("file")
    p.add_argument("--profile", help="a saved import profile for other column layouts")
