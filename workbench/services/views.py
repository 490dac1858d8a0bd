"""What list views show (masked identity only) and the logged side-by-side reveal."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from rlwb.workbench.access import authorize, disclose
from rlwb.workbench.audit.events import PersonRef
from rlwb.workbench.datasets import DatasetInfo, get_dataset, list_datasets, person_of, read_dataset
from rlwb.workbench.errors import NotFound
from rlwb.workbench.masking import masked_identity
from rlwb.workbench.permissions import Action
from rlwb.workbench.runs import RunInfo, get_run, list_runs, read_links
from rlwb.workbench.services.findings import list_findings
from rlwb.workbench.session import Session

#: Fields compared side by side, in display order (both kinds have them).
PERSON_FIELDS = ("name", "name_kana", "birth_date", "sex", "postal_code", "address")
_HIDDEN = ("token", "token_version")


def datasets(session: Session) -> list[DatasetInfo]:
    authorize(session, Action.DATASET_LIST)
    return list_datasets(session.workspace.conn)


def runs(session: Session) -> list[RunInfo]:
    authorize(session, Action.RUN_VIEW)
    return list_runs(session.workspace)


def _with_identity(session: Session, run: RunInfo, table: pl.DataFrame) -> pl.DataFrame:
    ws = session.workspace
    tax = masked_identity(read_dataset(ws, get_dataset(ws.conn, run.tax_dataset)), "tax_")
    si = masked_identity(read_dataset(ws, get_dataset(ws.conn, run.si_dataset)), "si_")
    return table.join(tax, on="tax_record_id", how="left").join(si, on="si_record_id", how="left")


def findings_table(session: Session, run_id: str) -> pl.DataFrame:
    """Findings with status and masked identity of both records (no full names)."""
    run = get_run(session.workspace, run_id)
    return _with_identity(session, run, list_findings(session, run.id))


def links_table(session: Session, run_id: str) -> pl.DataFrame:
    authorize(session, Action.RUN_VIEW, run_id=run_id)
    run = get_run(session.workspace, run_id)
    return _with_identity(session, run, read_links(session.workspace, run))


@dataclass(frozen=True)
class PairView:
    """Both sides of a pair in full, for the reveal and review screens."""

    run_id: str
    tax: dict[str, object] | None
    si: dict[str, object] | None
    differing: tuple[str, ...]
    link: dict[str, object] | None


def _record(
    frame: pl.DataFrame, record_id: str | None
) -> tuple[dict[str, object] | None, PersonRef | None]:
    if record_id is None:
        return None, None
    rows = frame.filter(pl.col("record_id") == record_id).to_dicts()
    if not rows:
        raise NotFound(f"Record {record_id} is not in the dataset.")
    row = rows[0]
    return {k: v for k, v in row.items() if k not in _HIDDEN}, person_of(row)


def reveal_pair(
    session: Session, run_id: str, tax_record_id: str | None, si_record_id: str | None
) -> PairView:
    """Full identity of a pair (or a single record), through the logged reveal path."""
    ws = session.workspace
    run = get_run(ws, run_id)
    refs: list[PersonRef] = []

    def fetch() -> PairView:
        tax, tax_ref = _record(
            read_dataset(ws, get_dataset(ws.conn, run.tax_dataset)), tax_record_id
        )
        si, si_ref = _record(read_dataset(ws, get_dataset(ws.conn, run.si_dataset)), si_record_id)
        refs.extend(r for r in (tax_ref, si_ref) if r is not None)
        differing = tuple(
            f
            for f in PERSON_FIELDS
            if tax is not None
            and si is not None
            and tax.get(f) is not None
            and si.get(f) is not None
            and tax.get(f) != si.get(f)
        )
        links = (
            read_links(ws, run)
            .filter(
                (pl.col("tax_record_id").eq_missing(tax_record_id))
                & (pl.col("si_record_id").eq_missing(si_record_id))
            )
            .to_dicts()
        )
        return PairView(run.id, tax, si, differing, links[0] if links else None)

    return disclose(
        session,
        Action.PERSON_REVEAL,
        fetch,
        persons=lambda _view: refs,
        run_id=run.id,
        details={"tax_record_id": tax_record_id, "si_record_id": si_record_id},
    )
