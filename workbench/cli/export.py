"""`workbench export`: a run's links, findings or summary as CSV or XLSX."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, get_args

from rlwb.workbench.cli.context import Context, add_command, add_force, in_session
from rlwb.workbench.services import export as export_service
from rlwb.workbench.session import Session


@in_session
def export(args: argparse.Namespace, ctx: Context, session: Session) -> None:
    result = export_service.export_run(
        session, args.run, args.what, Path(args.out), replace=args.force
    )
    ctx.print(f"Wrote {result.rows} rows ({result.persons} persons) to {result.path}")


def register(sub: Any) -> None:
    p = add_command(sub, "export", export, help="export a run's links, findings or summary")
    p.add_argument("run", help="run id or 'latest'")
    p.add_argument("--what", required=True, choices=list(get_args(export_service.What)))
    p.add_argument("--out", required=True, help="FILE.csv or FILE.xlsx")
    add_force(p)
