"""`workbench reconcile`: link the newest (or given) tax and social-insurance datasets."""

from __future__ import annotations

import argparse
from typing import Any

from rlwb.workbench.cli.context import Context, add_command, in_session
from rlwb.workbench.services import reconcile as reconcile_service
from rlwb.workbench.session import Session


@in_session
def reconcile(args: argparse.Namespace, ctx: Context, session: Session) -> None:
    run = reconcile_service.reconcile_datasets(
        session, tax_dataset=args.tax, si_dataset=args.si, progress=ctx.progress()
    )
    ctx.print(
        f"Run {run.id}: tax {run.tax_dataset} × si {run.si_dataset}, key version "
        f"{run.key_version}, rules {run.rules_version}"
    )
    for item, count in sorted(run.summary.items()):
        ctx.print(f"  {item}\t{count}")


def register(sub: Any) -> None:
    p = add_command(sub, "reconcile", reconcile, help="link the newest (or given) datasets")
    p.add_argument("--tax", help="tax dataset id (default: the newest)")
    p.add_argument("--si", help="social-insurance dataset id (default: the newest)")
