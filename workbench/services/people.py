"""Reveal: the full identity of a person's records, only through the logged path."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from rlwb.workbench.access import disclose
from rlwb.workbench.audit.events import PersonRef
from rlwb.workbench.datasets import get_dataset, read_dataset
from rlwb.workbench.errors import NotFound
from rlwb.workbench.permissions import Action
from rlwb.workbench.session import Session

#: Columns never handed to a caller, even through a reveal.
_HIDDEN = ("token", "token_version")


@dataclass(frozen=True)
class RevealedRecord:
    dataset_id: str
    record_id: str
    fields: dict[str, object]
    person: PersonRef | None


def reveal_records(
    session: Session, dataset_id: str, record_ids: Sequence[str]
) -> list[RevealedRecord]:
    """Full records of one dataset; one event lists every person revealed."""
    ws = session.workspace

    def fetch() -> list[RevealedRecord]:
        info = get_dataset(ws.conn, dataset_id)
        frame = read_dataset(ws, info).filter(pl.col("record_id").is_in(list(record_ids)))
        found = {str(r["record_id"]): r for r in frame.to_dicts()}
        missing = [r for r in record_ids if r not in found]
        if missing:
            raise NotFound(
                f"{len(missing)} of the requested records are not in dataset {dataset_id}."
            )
        result = []
        for record_id in record_ids:
            row = found[record_id]
            token = row.get("token")
            person = (
                PersonRef(bytes(token).hex(), int(row["token_version"]))
                if token is not None
                else None
            )
            fields = {k: v for k, v in row.items() if k not in _HIDDEN}
            result.append(RevealedRecord(dataset_id, record_id, fields, person))
        return result

    return disclose(
        session,
        Action.PERSON_REVEAL,
        fetch,
        persons=lambda records: [r.person for r in records if r.person is not None],
        dataset_id=dataset_id,
        details={"records": len(record_ids), "record_ids": list(record_ids)},
    )
