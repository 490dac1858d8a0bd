"""Reconcile two stored datasets and keep the run."""

from __future__ import annotations

from pathlib import Path

from rlwb.linkage.outcomes import OUTCOMES as OUTCOMES  # for the CLI and UI
from rlwb.linkage.outcomes import LinkOutcome as LinkOutcome
from rlwb.linkage.progress import CancelToken, ProgressCallback, no_progress
from rlwb.linkage.reconcile import reconcile
from rlwb.linkage.rules import RuleSet, load_rules
from rlwb.linkage.schema import ExtractKind
from rlwb.workbench import compromise
from rlwb.workbench.access import authorize, record
from rlwb.workbench.audit.events import EventType
from rlwb.workbench.datasets import DatasetInfo, get_dataset, list_datasets, read_dataset
from rlwb.workbench.db import get_setting
from rlwb.workbench.errors import InvalidInput, NotFound, WorkspaceError
from rlwb.workbench.permissions import Action
from rlwb.workbench.runs import RunInfo, store_run
from rlwb.workbench.services.boundary import engine_errors
from rlwb.workbench.services.review import latest_decisions
from rlwb.workbench.session import Session
from rlwb.workbench.storage_errors import logged_after
from rlwb.workbench.workspace import Workspace

SETTING_RULES_FILE = "rules_file"


def newest(ws: Workspace, kind: str) -> DatasetInfo:
    found = [d for d in compromise.live_datasets(ws) if d.kind == kind]
    if not found:
        retired = any(d.kind == kind for d in list_datasets(ws.conn))
        raise NotFound(
            f"There is no {kind} dataset under the current keys; import its source file again "
            "(the earlier ones were retired by a compromise response)."
            if retired
            else f"There is no {kind} dataset yet; import one first."
        )
    return found[-1]


def rules_for(ws: Workspace) -> RuleSet:
    path = get_setting(ws.conn, SETTING_RULES_FILE)
    return load_rules(Path(path) if path else None)


@engine_errors()
def reconcile_datasets(
    session: Session,
    *,
    tax_dataset: str | None = None,
    si_dataset: str | None = None,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> RunInfo:
    authorize(session, Action.RUN_RECONCILE)
    ws = session.workspace
    tax = get_dataset(ws.conn, tax_dataset) if tax_dataset else newest(ws, ExtractKind.TAX)
    si = get_dataset(ws.conn, si_dataset) if si_dataset else newest(ws, ExtractKind.SI)
    if tax.kind != "tax" or si.kind != "si":
        raise InvalidInput("Choose one tax dataset and one social-insurance dataset.")
    compromise.require_joinable(ws, tax, si)
    if tax.token_version != si.token_version:
        raise WorkspaceError(
            f"Dataset {tax.id} is on key version {tax.token_version} and {si.id} on "
            f"{si.token_version}: a key rotation is unfinished. Ask an administrator to run "
            "`workbench keys rotate` again to finish it."
        )
    progress("read datasets", 0.02)
    tax_frame, si_frame = read_dataset(ws, tax), read_dataset(ws, si)
    decisions = latest_decisions(ws, tax.id, si.id)
    result = reconcile(
        tax_frame,
        si_frame,
        rules=rules_for(ws),
        decisions=decisions if decisions.height else None,
        progress=lambda step, f: progress(step, 0.05 + 0.85 * f),
        cancel=cancel,
    )
    progress("store run", 0.92)
    run = store_run(
        ws,
        tax_dataset=tax.id,
        si_dataset=si.id,
        created_by=session.user,
        key_version=tax.token_version,
        rules_version=result.rules_version,
        summary={str(k): int(v) for k, v in result.summary.items()},
        links=result.links,
        findings=result.findings,
    )
    with logged_after(f"Run {run.id} was stored"):
        record(
            session,
            EventType.RECONCILE_RUN,
            run_id=run.id,
            details={
                "tax_dataset": tax.id,
                "si_dataset": si.id,
                "rules_version": run.rules_version,
                "summary": run.summary,
            },
        )
    progress("done", 1.0)
    return run
