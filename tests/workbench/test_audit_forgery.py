"""Someone with only the workspace files cannot forge, recompute or quietly trim the log.

Every attack uses a plain sqlite3 connection to the file (triggers dropped where needed),
as someone who copied or can write the workspace would, and never the sealed keyset.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from rlwb.crypto.keyset import Keyset, read_keyset_file, write_keyset_file
from rlwb.workbench.audit.events import EventType, canonical_json
from rlwb.workbench.audit.log import ANCHOR_INTERVAL, DISCLOSURES, EventFilter
from rlwb.workbench.audit.verify import BreakReason, VerificationResult, verify_log
from rlwb.workbench.keyaccess import KeyAccess
from rlwb.workbench.services import audit as audit_service
from rlwb.workbench.services.session import login, logout, set_purpose
from rlwb.workbench.services.views import reveal_pair
from rlwb.workbench.workspace import KEYSET_FILE, Workspace
from tests.workbench.conftest import (
    ADMIN_PASSWORD,
    TEST_SCRYPT_N,
    FakeClock,
    Team,
    stored_run,
    valid_numbers,
)
from tests.workbench.test_audit_support import raw_connection


def _verify(ws: Workspace) -> VerificationResult:
    """Verification as the app does it, without logging in (which would add events)."""
    return verify_log(
        ws.conn,
        workspace_id=ws.id,
        public_key=ws.keyset.verify_key(),
        external=ws.audit.external,
        chain=ws.audit.chain,
    )


def _forge_next(db: Path, *, link: str = "sha256", actor: str = "clerk1") -> int:
    """Append a well-formed reveal blamed on ``actor``, linked as an attacker can."""
    attacker = raw_connection(db)
    seq, prev = attacker.execute(
        "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    body = json.loads(
        attacker.execute("SELECT body FROM audit_events WHERE seq = ?", (seq,)).fetchone()[0]
    )
    body.update(
        seq=seq + 1,
        prev_hash=bytes(prev).hex(),
        event_type="reveal",
        outcome="ok",
        actor_user=actor,
        actor_roles=["clerk"],
        purpose="扶養認定確認",
        details={"page": 1},
    )
    raw = canonical_json(body)
    if link == "sha256":
        digest = hashlib.sha256(bytes(prev) + raw).digest()
    else:  # a MAC under a key the attacker made up
        digest = hmac.new(b"k" * 32, bytes(prev) + raw, hashlib.sha256).digest()
    attacker.execute(
        "INSERT INTO audit_events (seq, body, hash) VALUES (?, ?, ?)",
        (seq + 1, raw.decode(), digest),
    )
    attacker.close()
    return int(seq) + 1


def _db(ws: Workspace) -> Path:
    return ws.path / "workbench.sqlite3"


# -- keyed chain -------------------------------------------------------------------------------
def test_a_new_workspace_keys_its_log_from_the_first_event(workspace: Workspace) -> None:
    assert workspace.keyset.log_mac_key is not None and workspace.keyset.log_mac_from_seq == 1
    assert workspace.audit.chain.keyed and workspace.audit.chain.keyed_from == 1
    first = workspace.audit.get(1)
    assert first is not None
    assert first.hash != hashlib.sha256(bytes(32) + canonical_json(first.content())).hexdigest()
    result = _verify(workspace)
    assert result.ok and result.keyed and result.warnings == (), result.warnings


@pytest.mark.parametrize("link", ["sha256", "made-up key"])
def test_a_forged_appended_event_is_detected_even_after_logout_signs_it(
    workspace: Workspace, team: Team, link: str
) -> None:
    forged = _forge_next(_db(workspace), link=link)
    # The forged reveal now shows in the filters, and the next logout signs a checkpoint on it.
    assert workspace.audit.query(EventFilter(users=("clerk1",), event_types=(EventType.REVEAL,)))
    logout(team.clerk)
    result = _verify(workspace)
    assert not result.intact
    assert (result.broken_seq, result.reason) == (forged, BreakReason.CONTENT_CHANGED)
    if link == "sha256":
        assert "log key" in (result.detail or "")


def test_a_recomputed_chain_is_detected(workspace: Workspace, team: Team) -> None:
    """Edit an event not yet anchored, then recompute every later link (SHA-256: the
    attacker has no key): the edited event is named, though no checkpoint covers it."""
    anchored = workspace.audit.latest_checkpoint()
    assert anchored is not None and anchored.seq < 6
    attacker = raw_connection(_db(workspace))
    attacker.execute(
        'UPDATE audit_events SET body = replace(body, \'"actor_user":"clerk1"\', '
        '\'"actor_user":"admin"\') WHERE seq = 6'
    )
    prev = bytes(attacker.execute("SELECT hash FROM audit_events WHERE seq = 5").fetchone()[0])
    for seq, body in attacker.execute(
        "SELECT seq, body FROM audit_events WHERE seq >= 6 ORDER BY seq"
    ).fetchall():
        content = json.loads(body)
        content["prev_hash"] = prev.hex()
        raw = canonical_json(content)
        prev = hashlib.sha256(prev + raw).digest()
        attacker.execute(
            "UPDATE audit_events SET body = ?, hash = ? WHERE seq = ?", (raw.decode(), prev, seq)
        )
    attacker.execute("DELETE FROM audit_checkpoints WHERE seq >= 6")
    attacker.close()
    result = _verify(workspace)
    assert (result.broken_seq, result.reason) == (6, BreakReason.CONTENT_CHANGED), result.message


def _create_unkeyed(tmp_path: Path, access: KeyAccess, clock: FakeClock) -> Path:
    """A workspace as the app wrote it before keyed logs: no log key, SHA-256 links."""
    new = Keyset.new

    def old_keyset(*args: object, **kwargs: object) -> Keyset:
        return replace(new(*args, **kwargs), log_mac_key=None)  # type: ignore[arg-type]

    path = tmp_path / "old-ws"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Keyset, "new", old_keyset)
        ws = Workspace.create(
            path,
            access=access,
            admin_name="admin",
            admin_password=ADMIN_PASSWORD,
            clock=clock,
            scrypt_n=TEST_SCRYPT_N,
        )
        assert not ws.audit.chain.keyed
        logout(login(ws, "admin", ADMIN_PASSWORD))
        ws.close()
    return path


def test_an_upgraded_log_is_keyed_from_the_switch_point_which_cannot_be_moved(
    tmp_path: Path, access: KeyAccess, clock: FakeClock
) -> None:
    path = _create_unkeyed(tmp_path, access, clock)
    ws = Workspace.open(path, access=access, clock=clock, scrypt_n=TEST_SCRYPT_N)
    # The key and the switch point are in the sealed keyset; the old part is anchored.
    on_disk = read_keyset_file(path / KEYSET_FILE, access.store.load(ws.id) or b"", ws.id)
    assert on_disk.log_mac_key is not None and on_disk.log_mac_from_seq == 5
    latest = ws.audit.latest_checkpoint()
    assert latest is not None and latest.seq == 4
    logout(login(ws, "admin", ADMIN_PASSWORD))
    result = _verify(ws)
    assert result.ok and result.checked_up_to == 6
    assert any("before sequence 5" in w for w in result.warnings)  # a note, not tampering
    # A new event written the old, unkeyed way is refused: the switch point is sealed.
    forged = _forge_next(path / "workbench.sqlite3")
    result = _verify(ws)
    assert (result.broken_seq, result.reason) == (forged, BreakReason.CONTENT_CHANGED)
    ws.conn.close()
    # Reopening does not move the switch point either.
    again = Workspace.open(path, access=access, clock=clock, scrypt_n=TEST_SCRYPT_N)
    assert again.keyset.log_mac_from_seq == 5
    assert _verify(again).broken_seq == forged
    again.conn.close()


def test_a_keyset_saved_without_the_log_key_keeps_it(workspace: Workspace) -> None:
    key = workspace.keyset.log_mac_key
    workspace.save_keyset(replace(workspace.keyset, log_mac_key=None))
    assert workspace.keyset.log_mac_key == key
    master = workspace.master_key()
    assert read_keyset_file(workspace.path / KEYSET_FILE, master, workspace.id).log_mac_key == key
    # Nor can a keyset made afresh (Keyset.new) bring another key or switch point in.
    fresh = Keyset.new(workspace.id, "admin", workspace.clock())
    workspace.save_keyset(replace(fresh, log_mac_from_seq=7))
    assert workspace.keyset.log_mac_key == key and workspace.keyset.log_mac_from_seq == 1
    assert workspace.keyset.primary.key == fresh.primary.key


# -- anchoring -----------------------------------------------------------------------------------
def test_every_disclosure_is_anchored_inside_and_outside_the_database(
    workspace: Workspace, team: Team
) -> None:
    run_id = stored_run(workspace, team.clerk, list(valid_numbers(2)))
    set_purpose(team.clerk, "扶養認定確認")
    reveal_pair(team.clerk, run_id, "T0001", None)
    last = workspace.audit.last()
    assert last is not None and last.event_type is EventType.REVEAL
    inside = workspace.audit.latest_checkpoint()
    outside = workspace.audit.external.latest() if workspace.audit.external else None
    assert inside is not None and outside is not None
    assert inside.seq == outside.seq == last.seq and inside.hash == last.hash


def test_the_log_is_anchored_at_least_every_minute_while_events_are_written(
    workspace: Workspace, team: Team, clock: FakeClock
) -> None:
    start = workspace.audit.latest_checkpoint()
    assert start is not None
    for _ in range(5):
        clock.advance(seconds=20)
        audit_service.count_events(team.auditor, EventFilter())  # no event: no anchor needed
        set_purpose(team.clerk, "適用調査")  # an event, not a disclosure
    times = [
        datetime.fromisoformat(str(t))
        for (t,) in workspace.conn.execute(
            "SELECT time FROM audit_checkpoints WHERE seq > ? ORDER BY seq", (start.seq,)
        )
    ]
    assert times, "no checkpoint in 100 s of writing"
    assert all(b - a >= ANCHOR_INTERVAL for a, b in itertools.pairwise(times))
    # The events after the last anchor span less than a minute.
    tail = workspace.audit.query(EventFilter(), newest_first=False)[-1]
    assert datetime.fromisoformat(tail.time) - times[-1] < ANCHOR_INTERVAL


def test_a_deleted_unanchored_tail_after_a_crash_is_detected(
    workspace: Workspace, team: Team, clock: FakeClock, access: KeyAccess
) -> None:
    """The app is killed while a clerk works (no logout, no checkpoint at exit); then someone
    deletes the last events, their index rows and the database checkpoints naming them."""
    run_id = stored_run(workspace, team.clerk, list(valid_numbers(3)))
    set_purpose(team.clerk, "扶養認定確認")
    before = workspace.audit.last()
    assert before is not None
    for i in range(3):
        clock.advance(seconds=40)
        reveal_pair(team.clerk, run_id, f"T000{i}", None)
        clock.advance(seconds=40)
        set_purpose(team.clerk, "適用調査" if i % 2 else "扶養認定確認")
    end = workspace.audit.last()
    assert end is not None
    # What a crash can still lose: the events after the last anchor, none a disclosure, and
    # all written within a minute of that anchor.
    anchor = workspace.audit.latest_checkpoint()
    assert anchor is not None
    unanchored = workspace.audit.query(EventFilter(), newest_first=False)[anchor.seq :]
    assert all(e.event_type not in DISCLOSURES for e in unanchored)
    workspace.conn.close()  # the crash: nothing more is written

    attacker = raw_connection(workspace.path / "workbench.sqlite3")
    cut = before.seq + 1
    attacker.execute("DELETE FROM audit_events WHERE seq >= ?", (cut,))
    attacker.execute("DELETE FROM audit_event_persons WHERE seq >= ?", (cut,))
    attacker.execute("DELETE FROM audit_checkpoints WHERE seq >= ?", (cut,))
    attacker.close()

    reopened = Workspace.open(workspace.path, access=access, clock=clock, scrypt_n=TEST_SCRYPT_N)
    try:
        result = _verify(reopened)
    finally:
        reopened.conn.close()
    assert not result.intact
    assert result.reason is BreakReason.LOG_SHORTER_THAN_CHECKPOINT
    assert result.broken_seq == cut and "outside the database" in result.message


# -- exports -------------------------------------------------------------------------------------
def test_the_audit_export_is_logged_and_anchored_before_the_file_is_written(
    workspace: Workspace, team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, int]] = []
    real = audit_service.export_events_csv

    def spy(*args: object, **kwargs: object) -> object:
        last = workspace.audit.last()
        cp = workspace.audit.latest_checkpoint()
        assert last is not None and cp is not None
        seen.append((str(last.event_type), cp.seq - last.seq))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(audit_service, "export_events_csv", spy)
    audit_service.export_events(team.auditor, EventFilter(), tmp_path / "log.csv")
    assert seen == [("log.exported", 0)]  # the event exists and is anchored already


def test_verify_ignores_nothing_it_cannot_read(workspace: Workspace, tmp_path: Path) -> None:
    """An external checkpoint that cannot be read is a sign of tampering, not a crash."""
    sink = workspace.audit.external
    assert sink is not None

    class Broken:
        def latest(self) -> None:
            from rlwb.workbench.audit.errors import CheckpointError

            raise CheckpointError("The log checkpoint kept in the OS keyring is damaged.")

        def write(self, cp: object) -> None:
            raise AssertionError("verification never writes")

    result = verify_log(
        workspace.conn,
        workspace_id=workspace.id,
        public_key=workspace.keyset.verify_key(),
        external=Broken(),  # type: ignore[arg-type]
        chain=workspace.audit.chain,
    )
    assert result.intact and not result.ok
    assert any("damaged" in t for t in result.tampering)


def test_a_deleted_external_checkpoint_is_a_sign_of_tampering(workspace: Workspace) -> None:
    sink = workspace.audit.external
    assert sink is not None
    path = getattr(sink, "path", None)
    if path is not None:
        Path(path).unlink()
    else:  # the keyring
        sink._ring().delete_password("records-linkage-workbench-checkpoint", workspace.id)  # type: ignore[attr-defined]
    result = _verify(workspace)
    assert result.intact and not result.ok
    assert any("outside the database" in t for t in result.tampering)


def test_the_gui_timer_anchors_a_tail_once_it_is_a_minute_old(
    workspace: Workspace, team: Team, clock: FakeClock
) -> None:
    clock.advance(minutes=5)
    set_purpose(team.clerk, "適用調査")  # anchored at once: the last anchor is 5 minutes old
    set_purpose(team.clerk, "扶養認定確認")  # within the minute: not anchored yet
    last = workspace.audit.last()
    assert last is not None
    before = workspace.audit.latest_checkpoint()
    assert before is not None and before.seq == last.seq - 1
    audit_service.anchor_if_due(team.clerk)
    assert workspace.audit.latest_checkpoint() == before  # less than a minute: nothing
    clock.advance(seconds=61)
    audit_service.anchor_if_due(team.clerk)
    after = workspace.audit.latest_checkpoint()
    assert after is not None and after.seq == last.seq
    assert workspace.audit.external is not None
    assert workspace.audit.external.latest() == after
    audit_service.anchor_if_due(team.clerk)  # nothing new written: no second checkpoint
    assert workspace.audit.latest_checkpoint() == after


def test_restoring_a_backup_from_before_the_upgrade_keeps_the_log_key(
    tmp_path: Path, access: KeyAccess, clock: FakeClock
) -> None:
    from rlwb.workbench.services.keys import backup_keys, restore_keys

    path = _create_unkeyed(tmp_path, access, clock)
    old = Workspace.open(path, access=access, clock=clock, scrypt_n=TEST_SCRYPT_N)
    # This first open upgraded the keyset; make the backup from the keyset of before.
    admin = login(old, "admin", ADMIN_PASSWORD)
    master = old.master_key()
    upgraded = old.keyset
    write_keyset_file(path / KEYSET_FILE, replace(upgraded, log_mac_key=None), master)
    backup = tmp_path / "keys.backup"
    backup_keys(admin, backup, "a long backup passphrase", scrypt_n=TEST_SCRYPT_N)
    write_keyset_file(path / KEYSET_FILE, upgraded, master)
    logout(admin)
    old.close()
    restored = restore_keys(
        path,
        backup,
        "a long backup passphrase",
        access=access,
        user="admin",
        password=ADMIN_PASSWORD,
        clock=clock,
        scrypt_n=TEST_SCRYPT_N,
    )
    try:
        assert restored.keyset.log_mac_key == upgraded.log_mac_key
        assert restored.keyset.log_mac_from_seq == upgraded.log_mac_from_seq
        assert _verify(restored).ok
    finally:
        restored.conn.close()
