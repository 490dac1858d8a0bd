"""From an :class:`EventDraft` to the stored bytes of an event, and back.

A draft is checked and normalised once, before the write transaction opens
(:func:`prepare`); inside the transaction it gets its sequence number, time and previous
link and is sealed into its canonical bytes and its link (:func:`seal`, keyed by the log's
:class:`~workbench.audit.chain.ChainKey`). What is stored is exactly those
bytes, so reading an event back (:func:`event_from_body`) gives an equal :class:`AuditEvent`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NoReturn

from rlwb.workbench.audit.chain import UNKEYED, ChainKey
from rlwb.workbench.audit.errors import AuditEventRejected
from rlwb.workbench.audit.events import (
    Actor,
    AuditEvent,
    EventDraft,
    EventType,
    Outcome,
    PersonRef,
    Workstation,
    canonical_json,
)
from rlwb.workbench.errors import AuditError
from rlwb.workbench.number_screen import holds_number

MAX_TEXT_CHARS = 200
MAX_DETAILS_BYTES = 8192
_MAX_DEPTH = 6

_ELEVEN_DIGITS = 10**10  # an int below this has at most 10 digits: no 個人番号 fits
_TOKEN_HEX = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class PreparedEvent:
    """A checked, normalised draft that only lacks its place in the chain."""

    fields: Mapping[str, object]
    event_type: EventType
    outcome: Outcome
    actor_roles: tuple[str, ...]
    persons: tuple[PersonRef, ...]
    details: Mapping[str, object]


def iso_utc(moment: datetime) -> str:
    """UTC ISO-8601 with a ``+00:00`` offset and microseconds; naive times are refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("audit times must be timezone-aware datetimes")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def prepare(draft: EventDraft, *, workspace_id: str, workstation: Workstation) -> PreparedEvent:
    """Check ``draft`` and turn it into plain JSON values; raise AuditEventRejected if unusable."""
    try:
        event_type = draft.event_type
        if type(event_type) is not EventType:
            event_type = EventType(event_type)
        outcome = draft.outcome
        if type(outcome) is not Outcome:
            outcome = Outcome(outcome)
    except ValueError:
        raise AuditEventRejected(
            "The event has an unknown type or outcome and was not logged; the action was not "
            "carried out. This is a program error: report it."
        ) from None
    actor = draft.actor
    if actor is not None and not isinstance(actor, Actor):
        _reject("actor", "must be an Actor or None")
    roles = tuple(sorted({_text("actor role", r) for r in actor.roles})) if actor else ()
    persons = _persons(draft.persons)
    purpose = _optional_text("purpose", draft.purpose)
    if purpose is not None:
        _screen("purpose", purpose)
    details = _details(draft.details)
    for what, name in (
        ("actor user", actor.user if actor else None),
        ("subject user", draft.subject_user),
        ("dataset id", draft.dataset_id),
        ("run id", draft.run_id),
    ):
        if isinstance(name, str):
            _screen(what, name)
    fields: dict[str, object] = {
        "actor_roles": list(roles),
        "actor_user": None if actor is None else _text("actor user", actor.user),
        "app_version": _text("app version", workstation.app_version),
        "dataset_id": _optional_text("dataset id", draft.dataset_id),
        "details": details,
        "event_type": event_type.value,
        "host": _text("host", workstation.host),
        "os_user": _text("OS user", workstation.os_user),
        "outcome": outcome.value,
        "persons": [{"key_version": p.key_version, "token_hex": p.token_hex} for p in persons],
        "purpose": purpose,
        "run_id": _optional_text("run id", draft.run_id),
        "subject_user": _optional_text("subject user", draft.subject_user),
        "workspace_id": _text("workspace id", workspace_id),
    }
    return PreparedEvent(fields, event_type, outcome, roles, persons, details)


def seal(
    prepared: PreparedEvent,
    *,
    seq: int,
    time: str,
    prev_hash: bytes,
    chain: ChainKey = UNKEYED,
) -> tuple[bytes, bytes, AuditEvent]:
    """Give ``prepared`` its place in the chain: return (canonical bytes, link, event)."""
    content = dict(prepared.fields)
    content["seq"] = seq
    content["time"] = time
    content["prev_hash"] = prev_hash.hex()
    body = canonical_json(content)
    digest = chain.link(seq, prev_hash, body)
    f = prepared.fields
    event = AuditEvent(
        seq=seq,
        time=time,
        event_type=prepared.event_type,
        outcome=prepared.outcome,
        actor_user=f["actor_user"],  # type: ignore[arg-type]
        actor_roles=prepared.actor_roles,
        host=f["host"],  # type: ignore[arg-type]
        os_user=f["os_user"],  # type: ignore[arg-type]
        app_version=f["app_version"],  # type: ignore[arg-type]
        workspace_id=f["workspace_id"],  # type: ignore[arg-type]
        persons=prepared.persons,
        dataset_id=f["dataset_id"],  # type: ignore[arg-type]
        run_id=f["run_id"],  # type: ignore[arg-type]
        subject_user=f["subject_user"],  # type: ignore[arg-type]
        purpose=f["purpose"],  # type: ignore[arg-type]
        details=prepared.details,  # a fresh plain copy made by prepare(), not the caller's
        prev_hash=prev_hash.hex(),
        hash=digest.hex(),
    )
    return body, digest, event


def event_from_body(body: str | bytes, digest: bytes) -> AuditEvent:
    """Rebuild the event from its stored canonical bytes and hash."""
    try:
        d = json.loads(body)
        return AuditEvent(
            seq=int(d["seq"]),
            time=str(d["time"]),
            event_type=EventType(d["event_type"]),
            outcome=Outcome(d["outcome"]),
            actor_user=d["actor_user"],
            actor_roles=tuple(d["actor_roles"]),
            host=d["host"],
            os_user=d["os_user"],
            app_version=d["app_version"],
            workspace_id=d["workspace_id"],
            persons=tuple(PersonRef(p["token_hex"], p["key_version"]) for p in d["persons"]),
            dataset_id=d["dataset_id"],
            run_id=d["run_id"],
            subject_user=d["subject_user"],
            purpose=d["purpose"],
            details=dict(d["details"]),
            prev_hash=str(d["prev_hash"]),
            hash=bytes(digest).hex(),
        )
    except (KeyError, TypeError, ValueError):
        raise AuditError(
            "An access-log event cannot be read by this version of the app. "
            "Verify the log; if it is intact, update the app."
        ) from None


# -- checks -----------------------------------------------------------------------------------
def _reject(what: str, problem: str) -> NoReturn:
    raise AuditEventRejected(
        f"The event was not logged because its {what} {problem}; the action was not carried "
        "out. This is a program error: report it."
    )


def _text(what: str, value: object) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_TEXT_CHARS:
        _reject(what, f"must be a non-empty text of at most {MAX_TEXT_CHARS} characters")
    return value


def _optional_text(what: str, value: object) -> str | None:
    return None if value is None else _text(what, value)


def _persons(refs: object) -> tuple[PersonRef, ...]:
    if not isinstance(refs, tuple | list):
        _reject("persons", "must be a tuple of PersonRef")
    for ref in refs:
        if (
            not isinstance(ref, PersonRef)
            or not isinstance(ref.token_hex, str)
            or _TOKEN_HEX.fullmatch(ref.token_hex) is None
            or type(ref.key_version) is not int
            or ref.key_version < 1
        ):
            _reject("persons", "must be tokens of 64 lowercase hex digits with a key version >= 1")
    return tuple(dict.fromkeys(refs))  # duplicates dropped, the caller's order kept


def _details(details: object) -> dict[str, object]:
    if not isinstance(details, Mapping):
        _reject("details", "must be a mapping")
    try:
        plain = _plain(details, 0)
        encoded = canonical_json(plain)
    except (TypeError, ValueError):
        _reject("details", "must hold only text, numbers, booleans, lists and mappings")
    if len(encoded) > MAX_DETAILS_BYTES:
        _reject("details", f"are larger than {MAX_DETAILS_BYTES} bytes")
    assert isinstance(plain, dict)
    return plain


def _plain(value: object, depth: int) -> object:
    """Copy ``value`` as JSON data, screening every text and number for a 個人番号."""
    if depth > _MAX_DEPTH:
        raise ValueError("too deeply nested")
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, float):
        return float(value)
    if isinstance(value, int):
        if abs(value) >= _ELEVEN_DIGITS:
            _screen("details", str(value))
        return int(value)
    if isinstance(value, str):
        _screen("details", value)
        return str(value)
    if isinstance(value, Mapping):
        out: dict[str, object] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError("mapping keys must be text")
            _screen("details", key)
            out[str(key)] = _plain(item, depth + 1)
        return out
    if isinstance(value, list | tuple):
        return [_plain(item, depth + 1) for item in value]
    raise TypeError("not JSON data")


def _screen(what: str, text: str) -> None:
    """Refuse text holding twelve digits that pass the 個人番号 check digit.

    The message never repeats the text: it may be the number itself.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        _reject(what, "contain text that is not valid Unicode")
    normalised = text if text.isascii() else unicodedata.normalize("NFKC", text)
    # The rule of the import screen (workbench.number_screen); counting digits first keeps
    # the common event, with no twelve digits at all, off the columnar path.
    if sum(map(str.isdigit, normalised)) >= 12 and holds_number(normalised):
        raise AuditEventRejected(
            f"The event was not logged because its {what} contain what looks like a "
            "個人番号; the action was not carried out. Record a person by token, never by "
            "number (this is a program error: report it)."
        )
