"""Red-team attacks on the access log by someone who can write the workspace files only.

Each attack works on the files as an attacker would (a plain sqlite3 connection, files copied
or replaced), never with the sealed keyset, the master key or the OS keyring.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from rlwb.workbench.audit.checkpoints import Checkpoint, KeyringCheckpointSink
from rlwb.workbench.audit.verify import BreakReason, VerificationResult, verify_log
from rlwb.workbench.keyaccess import KeyAccess
from rlwb.workbench.services.session import login, logout, set_purpose
from rlwb.workbench.services.views import reveal_pair
from rlwb.workbench.workspace import KEYSET_FILE, Workspace
from tests.workbench.conftest import (
    ADMIN_PASSWORD,
    TEST_SCRYPT_N,
    USER_PASSWORD,
    FakeClock,
    Team,
    stored_run,
    valid_numbers,
)
from tests.workbench.test_audit_forgery import _create_unkeyed, _forge_next


def _verify(ws: Workspace) -> VerificationResult:
    return verify_log(
        ws.conn,
        workspace_id=ws.id,
        public_key=ws.keyset.verify_key(),
        external=ws.audit.external,
        chain=ws.audit.chain,
    )


def _cut_tail(db: Path, keep: int) -> None:
    """Delete every event, index row and checkpoint after ``keep``; the triggers are
    dropped and created again exactly as they were, so the schema check sees nothing."""
    conn = sqlite3.connect(db, isolation_level=None)
    triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    conn.execute("BEGIN")
    for name, _ in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    for table in ("audit_events", "audit_event_persons", "audit_checkpoints"):
        conn.execute(f"DELETE FROM {table} WHERE seq > ?", (keep,))
    for _, sql in triggers:
        conn.execute(sql)
    conn.execute("COMMIT")
    conn.close()


def test_pointing_the_checkpoint_setting_at_a_file_of_ones_own_does_not_hide_a_cut_tail(
    workspace: Workspace, team: Team, clock: FakeClock, access: KeyAccess, tmp_path: Path
) -> None:
    """The place of the external checkpoint is a setting in the database. Someone who can
    write the database cuts the tail (a reveal), then sets ``checkpoint_file`` to a file
    holding an older, genuinely signed checkpoint copied from the database: verification
    must still compare the log with the checkpoint kept in the OS keyring."""
    run = stored_run(workspace, team.clerk, valid_numbers(2))
    set_purpose(team.clerk, "扶養認定確認")
    before = workspace.audit.last()
    assert before is not None
    clock.advance(seconds=30)
    reveal_pair(team.clerk, run, "T0001", None)
    assert workspace.audit.external is not None
    outside = workspace.audit.external.latest()
    assert outside is not None and outside.seq > before.seq
    workspace.conn.close()

    db = workspace.path / "workbench.sqlite3"
    _cut_tail(db, before.seq)
    conn = sqlite3.connect(db, isolation_level=None)
    row = conn.execute(
        "SELECT workspace_id, seq, hash, signature, time FROM audit_checkpoints "
        "ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    mine = tmp_path / "mine"
    mine.mkdir(mode=0o700)
    planted = mine / "checkpoints.jsonl"
    planted.write_text(Checkpoint(*row).to_json() + "\n", encoding="utf-8")
    conn.execute(
        "INSERT INTO settings (key, value) VALUES ('checkpoint_file', ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (str(planted),),
    )
    conn.close()

    reopened = Workspace.open(workspace.path, access=access, clock=clock, scrypt_n=TEST_SCRYPT_N)
    try:
        result = _verify(reopened)
    finally:
        reopened.conn.close()
    assert not result.ok
    assert result.reason is BreakReason.LOG_SHORTER_THAN_CHECKPOINT
    assert json.loads(planted.read_text(encoding="utf-8").splitlines()[0])["seq"] == row[1]


def test_an_older_keyset_copy_from_before_the_upgrade_cannot_move_the_switch_point(
    tmp_path: Path, access: KeyAccess, clock: FakeClock
) -> None:
    """A workspace upgraded to keyed links; the attacker kept keyset.bin from before the
    upgrade (no log key). They append a reveal linked with plain SHA-256, put the old
    keyset back and wait for someone to open the workspace: the app then adds a new log key
    keyed from the end of the log, which would make the forged event an 'old, unkeyed' one.
    The events keyed since the upgrade no longer chain as plain SHA-256 and the signed
    checkpoints name them, so verification still fails (held before this file)."""
    path = _create_unkeyed(tmp_path, access, clock)
    old_keyset = (path / KEYSET_FILE).read_bytes()
    ws = Workspace.open(path, access=access, clock=clock, scrypt_n=TEST_SCRYPT_N)
    logout(login(ws, "admin", ADMIN_PASSWORD))
    switch = ws.keyset.log_mac_from_seq
    ws.close()
    forged = _forge_next(path / "workbench.sqlite3")
    (path / KEYSET_FILE).write_bytes(old_keyset)

    reopened = Workspace.open(path, access=access, clock=clock, scrypt_n=TEST_SCRYPT_N)
    try:
        assert reopened.keyset.log_mac_from_seq > forged  # the app did move it ...
        result = _verify(reopened)
    finally:
        reopened.conn.close()
    assert not result.ok  # ... but the log shows it
    assert result.broken_seq is not None and result.broken_seq <= switch


def test_an_import_preview_is_anchored_at_once_like_every_disclosure(
    workspace: Workspace, team: Team, clock: FakeClock, tmp_path: Path
) -> None:
    """The preview shows names and birth dates of the file's first rows (its own code calls
    it a disclosure), but before this its event waited up to a minute for an anchor, so a
    crash plus a cut tail could remove it without trace."""
    from rlwb.workbench.services.preview import preview_extract
    from tests.workbench.test_numbers_never_stored import extract_with_extra_numbers

    tax_path, _si, _numbers = extract_with_extra_numbers(tmp_path)
    clock.advance(seconds=10)  # within the minute of the last anchor
    preview = preview_extract(team.clerk, tax_path, "tax")
    assert preview.rows
    last = workspace.audit.last()
    assert last is not None and str(last.event_type) == "import.preview"
    inside = workspace.audit.latest_checkpoint()
    assert workspace.audit.external is not None
    outside = workspace.audit.external.latest()
    assert inside is not None and outside is not None
    assert inside.seq == outside.seq == last.seq


def test_a_planted_checkpoint_file_does_not_stop_the_apps_own_copy_from_growing(
    workspace: Workspace, team: Team, clock: FakeClock, access: KeyAccess, tmp_path: Path
) -> None:
    """Someone who can write the database points ``checkpoint_file`` at a file holding a
    line of another workspace with a huge sequence. Every anchor then refuses that file;
    before, the refusal also stopped the checkpoint kept in the OS keyring, so the tail
    written from then on could be cut later without trace. Each place is written on its own
    now, and verification still reports the planted line."""
    mine = tmp_path / "mine"
    mine.mkdir(mode=0o700)
    planted = mine / "checkpoints.jsonl"
    foreign = Checkpoint("another-workspace", 10**6, "00" * 32, "00" * 64, "2026-01-01T00:00:00")
    planted.write_text(foreign.to_json() + "\n", encoding="utf-8")
    workspace.conn.close()
    conn = sqlite3.connect(workspace.path / "workbench.sqlite3", isolation_level=None)
    conn.execute("INSERT INTO settings (key, value) VALUES ('checkpoint_file', ?)", (str(planted),))
    conn.close()

    ws = Workspace.open(workspace.path, access=access, clock=clock, scrypt_n=TEST_SCRYPT_N)
    try:
        clerk = login(ws, "clerk1", USER_PASSWORD)
        run = stored_run(ws, clerk, valid_numbers(2))
        set_purpose(clerk, "扶養認定確認")
        clock.advance(seconds=5)
        reveal_pair(clerk, run, "T0001", None)
        last = ws.audit.last()
        assert last is not None
        own = KeyringCheckpointSink(ws.id, access.keyring_backend)
        kept = own.latest()
        assert kept is not None and kept.seq == last.seq
        assert not _verify(ws).ok  # the planted line is still reported
    finally:
        ws.conn.close()
