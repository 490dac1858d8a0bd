"""`workbench review ...`: the clerical review of uncertain pairs."""

from __future__ import annotations

import argparse
from typing import Any

from rlwb.workbench.cli.context import Context, add_command, in_session
from rlwb.workbench.services import review as review_service
from rlwb.workbench.services.review import ReviewDecision
from rlwb.workbench.session import Session


@in_session
def list_queue(args: argparse.Namespace, ctx: Context, session: Session) -> None:
    queue = review_service.review_queue(session, args.run)
    ctx.print("tax_record_id\tsi_record_id\tmatch_weight\tmatch_probability\tdecision")
    for row in queue.iter_rows(named=True):
        weight = row.get("match_weight")
        prob = row.get("match_probability")
        ctx.print(
            f"{row['tax_record_id']}\t{row['si_record_id']}\t"
            f"{'' if weight is None else f'{weight:.2f}'}\t"
            f"{'' if prob is None else f'{prob:.3f}'}\t{row.get('decision') or ''}"
        )
    ctx.print(f"{queue.height} pairs wait for review.")


@in_session
def decide(args: argparse.Namespace, ctx: Context, session: Session) -> None:
    decision = review_service.decide(
        session, args.run, args.tax_record_id, args.si_record_id, args.decision, args.note
    )
    ctx.print(
        f"Decision #{decision.id}: {decision.tax_record_id} / "
        f"{decision.si_record_id} = {decision.decision}"
    )


@in_session
def undo(args: argparse.Namespace, ctx: Context, session: Session) -> None:
    decision = review_service.undo_last(session, args.run)
    ctx.print(
        f"Undone: {decision.tax_record_id} / {decision.si_record_id} is {decision.decision} again."
    )


def register(sub: Any) -> None:
    review = sub.add_parser("review", help="clerical review of uncertain pairs")
    review_sub = review.add_subparsers(dest="review_command", required=True)
    p = add_command(review_sub, "list", list_queue)
    p.add_argument("run")
    p = add_command(review_sub, "decide", decide)
    p.add_argument("run")
    p.add_argument("tax_record_id")
    p.add_argument("si_record_id")
    p.add_argument("decision", choices=[str(d) for d in ReviewDecision])
    p.add_argument("--note", default="")
    p = add_command(review_sub, "undo", undo)
    p.add_argument("run")
