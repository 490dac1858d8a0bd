"""What the auditor asks of the log, turned into a WHERE clause over the generated columns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rlwb.workbench.audit.encoding import iso_utc
from rlwb.workbench.audit.events import EventType, Outcome, PersonRef
from rlwb.workbench.audit.schema import EVENTS_TABLE, PERSONS_TABLE


@dataclass(frozen=True)
class EventFilter:
    """Every condition given must hold; an empty tuple or None means "any".

    ``since`` and ``until`` are inclusive and must be timezone-aware. ``persons`` matches an
    event that mentions any of the (token, key version) pairs. ``text`` is a case-insensitive
    substring of the stored event (purpose, details, user names, ids). ``max_seq`` keeps
    events up to that sequence number: a fixed snapshot of a growing log, and pages read by
    seeking (``seq <= last seen - 1``) instead of skipping over a large offset.
    """

    users: tuple[str, ...] = ()
    event_types: tuple[EventType, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    dataset_id: str | None = None
    run_id: str | None = None
    subject_user: str | None = None
    persons: tuple[PersonRef, ...] = ()
    text: str | None = None
    max_seq: int | None = None


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def where_clause(flt: EventFilter) -> tuple[str, list[object]]:
    """``(sql, params)``; ``sql`` is "" or starts with " WHERE ". Values are always bound."""
    clauses: list[str] = []
    params: list[object] = []
    for column, values in (
        ("actor_user", flt.users),
        ("event_type", tuple(str(t) for t in flt.event_types)),
        ("outcome", tuple(str(o) for o in flt.outcomes)),
    ):
        if values:
            clauses.append(f"{column} IN ({_marks(len(values))})")
            params.extend(values)
    if flt.since is not None:
        clauses.append("time >= ?")
        params.append(iso_utc(flt.since))
    if flt.until is not None:
        clauses.append("time <= ?")
        params.append(iso_utc(flt.until))
    for column, value in (
        ("dataset_id", flt.dataset_id),
        ("run_id", flt.run_id),
        ("subject_user", flt.subject_user),
    ):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if flt.persons:
        refs = sorted(set(flt.persons))
        pair_params = [x for r in refs for x in (r.token_hex, r.key_version)]
        # The index finds candidates fast (one index search per ref; SQLite does not use an
        # index for a row-value IN list); the persons inside the hashed event decide, so a
        # forged index row cannot put a person into an event that does not mention them.
        lookups = " OR ".join("(token_hex = ? AND key_version = ?)" for _ in refs)
        clauses.append(f"seq IN (SELECT seq FROM {PERSONS_TABLE} WHERE {lookups})")
        pairs = ", ".join("(?, ?)" for _ in refs)
        clauses.append(
            "EXISTS (SELECT 1 FROM json_each(body, '$.persons') AS p WHERE "
            "(json_extract(p.value, '$.token_hex'), json_extract(p.value, '$.key_version')) "
            f"IN (VALUES {pairs}))"
        )
        params.extend(pair_params)
        params.extend(pair_params)
    if flt.text:
        clauses.append("instr(lower(body), lower(?)) > 0")
        params.append(flt.text)
    if flt.max_seq is not None:
        clauses.append("seq <= ?")
        params.append(int(flt.max_seq))
    if not clauses:
        return "", params
    return " WHERE " + " AND ".join(clauses), params


def select_sql(
    flt: EventFilter, *, newest_first: bool, limit: int | None, offset: int
) -> tuple[str, list[object]]:
    where, params = where_clause(flt)
    order = "DESC" if newest_first else "ASC"
    sql = f"SELECT body, hash FROM {EVENTS_TABLE}{where} ORDER BY seq {order} LIMIT ? OFFSET ?"
    params.extend([-1 if limit is None else limit, offset])
    return sql, params


def count_sql(flt: EventFilter) -> tuple[str, list[object]]:
    where, params = where_clause(flt)
    return f"SELECT count(*) FROM {EVENTS_TABLE}{where}", params
