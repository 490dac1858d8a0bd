"""Signed CSV export of selected events, and checking it again later."""

from __future__ import annotations

import csv
import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from rlwb.workbench.audit.events import AuditEvent, EventDraft, EventType, Outcome
from rlwb.workbench.audit.export import (
    COLUMNS,
    check_export,
    export_events_csv,
    safe_cell,
    signature_path,
)
from rlwb.workbench.audit.log import EventFilter
from tests.workbench.test_audit_support import CLERK, WORKSPACE_ID, fill, make_log, open_db

KEY = Ed25519PrivateKey.generate()


def events(tmp_path: Path, n: int = 9) -> list[AuditEvent]:
    log = make_log(open_db(tmp_path / "log.db"), key=KEY)
    fill(log, n)
    log.append(
        EventDraft(
            EventType.EXPORT,
            Outcome.OK,
            CLERK,
            purpose='=HYPERLINK("http://x")',
            details={"file": "+cmd.csv", "rows": 3},
        )
    )
    return log.query(EventFilter(), newest_first=False)


def export(tmp_path: Path, evs: list[AuditEvent]) -> Path:
    out = tmp_path / "events.csv"
    summary = export_events_csv(
        evs,
        out,
        signer=KEY,
        workspace_id=WORKSPACE_ID,
        clock=lambda: datetime(2026, 5, 1, tzinfo=UTC),
    )
    assert summary.rows == len(evs)
    assert (summary.first_seq, summary.last_seq) == (
        (evs[0].seq, evs[-1].seq) if evs else (None, None)
    )
    assert summary.signature_path == signature_path(out) == tmp_path / "events.csv.sig"
    return out


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_export_has_a_column_for_every_field_and_checks_ok(tmp_path: Path) -> None:
    evs = events(tmp_path)
    out = export(tmp_path, evs)
    rows = read_rows(out)
    assert tuple(rows[0]) == COLUMNS
    assert "outcome" in COLUMNS and len(COLUMNS) == len(AuditEvent.__dataclass_fields__)
    assert [int(r["seq"]) for r in rows] == [e.seq for e in evs]
    assert {r["outcome"] for r in rows} == {"ok", "denied"}
    first = rows[2]  # seq 3: a reveal with a person
    assert json.loads(first["persons"]) == [
        {"key_version": 1, "token_hex": evs[2].persons[0].token_hex}
    ]
    assert first["hash"] == evs[2].hash and first["prev_hash"] == evs[1].hash
    assert json.loads(first["actor_roles"]) == ["clerk"]
    check = check_export(out, KEY.public_key())
    assert check.ok, check.message
    assert "intact" in check.message and f"sequences 1–{len(evs)}" in check.message
    if os.name == "posix":
        assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_cells_that_would_run_as_formulas_are_quoted(tmp_path: Path) -> None:
    rows = read_rows(export(tmp_path, events(tmp_path)))
    last = rows[-1]
    assert last["purpose"] == '\'=HYPERLINK("http://x")'
    assert json.loads(last["details"])["file"] == "+cmd.csv"  # inside JSON: starts with {, harmless
    for value in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(value) == "'" + value
    assert safe_cell("山田") == "山田" and safe_cell("") == ""


def test_signature_file_says_what_was_exported(tmp_path: Path) -> None:
    evs = events(tmp_path)
    out = export(tmp_path, evs)
    sig = json.loads(signature_path(out).read_text(encoding="utf-8"))
    assert sig["workspace_id"] == WORKSPACE_ID
    assert sig["rows"] == len(evs) and (sig["first_seq"], sig["last_seq"]) == (1, len(evs))
    assert sig["created"] == "2026-05-01T00:00:00.000000+00:00"
    assert (
        len(sig["sha256"]) == 64 and len(sig["signature"]) == 128 and len(sig["public_key"]) == 64
    )


def test_an_edited_csv_is_detected(tmp_path: Path) -> None:
    out = export(tmp_path, events(tmp_path))
    out.write_bytes(out.read_bytes().replace(b"sato", b"kato"))
    check = check_export(out)
    assert not check.ok and "changed after it was exported" in check.message


def test_a_missing_signature_file_is_detected(tmp_path: Path) -> None:
    out = export(tmp_path, events(tmp_path))
    signature_path(out).unlink()
    check = check_export(out)
    assert not check.ok and "missing" in check.message


@pytest.mark.parametrize(
    "edit",
    [
        lambda sig: sig.update(rows=sig["rows"] - 1),
        lambda sig: sig.update(sha256="0" * 64),
        lambda sig: sig.update(signature="0" * 128),
        lambda sig: sig.pop("workspace_id"),
        lambda sig: sig.update(rows="ten"),
    ],
)
def test_an_edited_signature_file_is_detected(tmp_path: Path, edit) -> None:  # type: ignore[no-untyped-def]
    out = export(tmp_path, events(tmp_path))
    sig_file = signature_path(out)
    sig = json.loads(sig_file.read_text(encoding="utf-8"))
    edit(sig)
    sig_file.write_text(json.dumps(sig), encoding="utf-8")
    check = check_export(out)
    assert not check.ok and "damaged or was edited" in check.message


def test_garbage_signature_file(tmp_path: Path) -> None:
    out = export(tmp_path, events(tmp_path))
    signature_path(out).write_text("not json", encoding="utf-8")
    assert not check_export(out).ok


def test_a_signature_by_another_key_is_detected(tmp_path: Path) -> None:
    evs = events(tmp_path)
    out = tmp_path / "events.csv"
    mallory = Ed25519PrivateKey.generate()
    export_events_csv(evs, out, signer=mallory, workspace_id=WORKSPACE_ID)
    assert check_export(out).ok  # self-consistent ...
    check = check_export(out, KEY.public_key())  # ... but not this workspace's key
    assert not check.ok and "another key" in check.message


def test_an_empty_selection_exports_a_header_only(tmp_path: Path) -> None:
    out = export(tmp_path, [])
    assert read_rows(out) == []
    check = check_export(out, KEY.public_key())
    assert check.ok and "no events" in check.message


def test_export_streams_from_a_generator(tmp_path: Path) -> None:
    log = make_log(open_db(tmp_path / "log.db"), key=KEY)
    fill(log, 40)
    out = tmp_path / "all.csv"
    summary = export_events_csv(
        log.iter_events(EventFilter(), batch=16), out, signer=KEY, workspace_id=WORKSPACE_ID
    )
    assert summary.rows == 40 and len(read_rows(out)) == 40
    assert not (tmp_path / "all.csv.tmp").exists()
