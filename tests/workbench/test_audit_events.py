"""Events: canonical encoding, the chain hash formula, and what a draft may not contain."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlwb.crypto.identifiers import my_number_check_digit
from rlwb.workbench.audit.encoding import event_from_body, prepare, seal
from rlwb.workbench.audit.errors import AuditEventRejected
from rlwb.workbench.audit.events import (
    ZERO_HASH_HEX,
    EventDraft,
    EventType,
    Outcome,
    PersonRef,
    Workstation,
    canonical,
    chain_hash,
    event_is_self_consistent,
)
from rlwb.workbench.errors import AuditWriteFailed
from tests.workbench.test_audit_support import CLERK, STATION, make_log, open_db, person


def synthetic_my_number(first11: str) -> str:
    return first11 + my_number_check_digit(first11)


def test_event_types_cover_the_spec() -> None:
    wanted = {
        "login.ok", "login.failed", "login.locked_out", "logout", "session.idle_lock",
        "session.unlock", "import.started", "import.finished", "import.failed", "reconcile.run",
        "reveal", "search", "review.decision", "finding.status", "export",
        "keys.rotation_started", "keys.dataset_migrated", "keys.rotation_finished", "keys.backup",
        "keys.restore", "user.created", "user.roles_changed", "user.disabled", "user.unlocked",
        "user.password_reset", "user.password_changed", "log.verified", "log.exported",
        "access.denied", "audit.person_history", "audit.query", "workspace.created",
        "workspace.opened",
    }  # fmt: skip
    assert wanted <= {t.value for t in EventType}
    assert EventType.LOGIN_OK == "login.ok"
    assert [o.value for o in Outcome] == ["ok", "denied", "failed"]


def test_first_event_chains_from_32_zero_bytes_over_its_canonical_json(tmp_path: Path) -> None:
    log = make_log(open_db(tmp_path / "a.db"))
    event = log.append(
        EventDraft(EventType.REVEAL, Outcome.OK, CLERK, purpose="国保税算定", persons=(person(1),))
    )
    assert event.seq == 1
    assert event.prev_hash == ZERO_HASH_HEX
    body = canonical(event)
    # Sorted keys, no spaces, UTF-8 (not \u escapes), persons included, hash excluded.
    decoded = json.loads(body)
    assert list(decoded) == sorted(decoded)
    assert b" " not in body.replace("国保税算定".encode(), b"")
    assert "国保税算定".encode() in body
    assert decoded["persons"] == [{"key_version": 1, "token_hex": person(1).token_hex}]
    assert "hash" not in decoded
    assert event.hash == hashlib.sha256(bytes(32) + body).hexdigest()
    assert event.hash == chain_hash(ZERO_HASH_HEX, body)
    assert event_is_self_consistent(event)


def test_time_is_utc_iso_with_offset_and_microseconds(tmp_path: Path) -> None:
    event = make_log(open_db(tmp_path / "a.db")).append(
        EventDraft(EventType.LOGIN_OK, Outcome.OK, CLERK)
    )
    assert event.time.endswith("+00:00")
    parsed = datetime.fromisoformat(event.time)
    assert parsed.utcoffset() is not None and parsed.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert len(event.time.split(".")[1]) == len("000000+00:00")


def test_second_event_chains_from_the_first(tmp_path: Path) -> None:
    log = make_log(open_db(tmp_path / "a.db"))
    first, second = log.append_many(
        [
            EventDraft(EventType.LOGIN_OK, Outcome.OK, CLERK),
            EventDraft(EventType.LOGOUT, Outcome.OK, CLERK),
        ]
    )
    assert second.prev_hash == first.hash
    assert second.hash == hashlib.sha256(bytes.fromhex(first.hash) + canonical(second)).hexdigest()


def test_persons_keep_their_order_without_duplicates() -> None:
    prepared = prepare(
        EventDraft(EventType.REVEAL, Outcome.OK, CLERK, persons=(person(2), person(1), person(2))),
        workspace_id="w",
        workstation=STATION,
    )
    assert prepared.persons == (person(2), person(1))


@settings(max_examples=60, deadline=None)
@given(
    details=st.dictionaries(
        st.text(max_size=8),
        st.recursive(
            st.none()
            | st.booleans()
            | st.integers(-(10**6), 10**6)
            | st.text(max_size=12)
            | st.floats(allow_nan=False, allow_infinity=False),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(st.text(max_size=5), inner, max_size=3)
            ),
            max_leaves=8,
        ),
        max_size=4,
    ),
    purpose=st.none() | st.text(min_size=1, max_size=30),
)
def test_stored_bytes_read_back_to_an_equal_event(
    details: dict[str, object], purpose: str | None
) -> None:
    draft = EventDraft(EventType.EXPORT, Outcome.OK, CLERK, purpose=purpose, details=details)
    try:
        prepared = prepare(draft, workspace_id="w", workstation=STATION)
    except AuditEventRejected:
        return  # hypothesis found 12 digits with a good check digit, or a lone surrogate
    body, digest, event = seal(
        prepared, seq=7, time="2026-04-01T00:00:00.000000+00:00", prev_hash=bytes(32)
    )
    again = event_from_body(body.decode("utf-8"), digest)
    assert again == event
    assert canonical(again) == body
    assert event_is_self_consistent(again)


@pytest.mark.parametrize(
    "details",
    [
        {"note": synthetic_my_number("12345678901")},
        {"file": f"extract_{synthetic_my_number('62149832025')}.csv"},
        {"nested": [{"x": synthetic_my_number("98320567321")}]},
        {"spaced": "1234 5678 9018"},
        {"fullwidth": "１２３４５６７８９０１８"},
        {synthetic_my_number("12345678901"): 1},
        {"as_int": int(synthetic_my_number("62149832025"))},
    ],
)
def test_details_with_a_my_number_are_refused_without_echoing_it(
    details: dict[str, object],
) -> None:
    draft = EventDraft(EventType.EXPORT, Outcome.OK, CLERK, details=details)
    with pytest.raises(AuditEventRejected) as info:
        prepare(draft, workspace_id="w", workstation=STATION)
    assert isinstance(info.value, AuditWriteFailed)
    assert "個人番号" in str(info.value)
    assert not any(ch.isdigit() for ch in str(info.value))


def test_twelve_digits_with_a_wrong_check_digit_or_thirteen_digits_pass() -> None:
    good = synthetic_my_number("12345678901")
    wrong = good[:11] + str((int(good[11]) + 1) % 10)
    corporate = "7123456789012"
    prepared = prepare(
        EventDraft(
            EventType.EXPORT, Outcome.OK, CLERK, details={"a": wrong, "corp": corporate, "rows": 12}
        ),
        workspace_id="w",
        workstation=STATION,
    )
    assert prepared.details == {"a": wrong, "corp": corporate, "rows": 12}


def test_purpose_with_a_my_number_is_refused() -> None:
    draft = EventDraft(
        EventType.REVEAL, Outcome.OK, CLERK, purpose="確認 " + synthetic_my_number("98320567321")
    )
    with pytest.raises(AuditEventRejected):
        prepare(draft, workspace_id="w", workstation=STATION)


@pytest.mark.parametrize(
    "draft",
    [
        EventDraft(EventType.REVEAL, Outcome.OK, CLERK, persons=(PersonRef("ABC", 1),)),
        EventDraft(EventType.REVEAL, Outcome.OK, CLERK, persons=(PersonRef("a" * 64, 0),)),
        EventDraft(EventType.REVEAL, Outcome.OK, CLERK, persons=(PersonRef("A" * 64, 1),)),
        EventDraft(EventType.EXPORT, Outcome.OK, CLERK, details={"x": float("nan")}),
        EventDraft(EventType.EXPORT, Outcome.OK, CLERK, details={"x": object()}),
        EventDraft(EventType.EXPORT, Outcome.OK, CLERK, details={1: "x"}),  # type: ignore[dict-item]
        EventDraft(EventType.EXPORT, Outcome.OK, CLERK, details={"x": "y" * 10_000}),
        EventDraft(EventType.EXPORT, Outcome.OK, CLERK, dataset_id=""),
        EventDraft("no.such.type", Outcome.OK, CLERK),  # type: ignore[arg-type]
    ],
)
def test_unusable_drafts_are_refused(draft: EventDraft) -> None:
    with pytest.raises(AuditEventRejected, match="not logged"):
        prepare(draft, workspace_id="w", workstation=STATION)


def test_workstation_current_names_host_user_and_version() -> None:
    ws = Workstation.current("9.9.9")
    assert ws.app_version == "9.9.9"
    assert ws.host and ws.os_user
