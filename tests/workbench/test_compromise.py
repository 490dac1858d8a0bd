"""The compromise response: a new, unrelated key chain, retired data, old keys destroyed."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest

from rlwb.crypto.backup import read_backup
from rlwb.crypto.errors import TokenVersionMismatch
from rlwb.crypto.keyset import KeyState, open_keyset
from rlwb.crypto.keystore import KeyringMasterKeyStore
from rlwb.crypto.tokens import DOMAIN
from rlwb.fixtures.samples import sample_paths
from rlwb.workbench import compromise
from rlwb.workbench.audit.events import EventType, Outcome
from rlwb.workbench.audit.log import EventFilter
from rlwb.workbench.datasets import DatasetInfo, list_datasets, read_dataset
from rlwb.workbench.errors import AccessDenied, InvalidInput, NotFound, WorkspaceError
from rlwb.workbench.keyaccess import KeyAccess
from rlwb.workbench.services import audit as audit_service
from rlwb.workbench.services import compromise as service
from rlwb.workbench.services import keys as key_service
from rlwb.workbench.services.imports import import_extract
from rlwb.workbench.services.reconcile import reconcile_datasets
from rlwb.workbench.services.session import set_purpose
from rlwb.workbench.services.views import reveal_pair
from rlwb.workbench.workspace import KEYSET_FILE, PENDING_KEYSET_FILE, Workspace
from tests.memory_keyring import MemoryKeyring
from tests.workbench.conftest import (
    ADMIN_PASSWORD,
    TEST_SCRYPT_N,
    Team,
    store_tokenised,
    stored_run,
    valid_numbers,
    workspace_bytes,
)

PASSPHRASE = "correct horse battery staple"


def _import_both(team: Team) -> None:
    paths = sample_paths()
    import_extract(team.clerk, paths["tax_cp932"], "tax")
    import_extract(team.clerk, paths["si_utf8bom"], "si")


def _by_kind(infos: list[DatasetInfo]) -> tuple[DatasetInfo, DatasetInfo]:
    (tax,) = [d for d in infos if d.kind == "tax"]
    (si,) = [d for d in infos if d.kind == "si"]
    return tax, si


def _state(ws: Workspace) -> tuple[bytes, bytes | None, set[str], int]:
    """What a declined response must leave as it was."""
    key = ws.access.store.load(ws.id)
    return (
        (ws.path / KEYSET_FILE).read_bytes(),
        key,
        compromise.retired_dataset_ids(ws.conn),
        len(compromise.chains(ws.conn)),
    )


def _start(ws: Workspace, team: Team) -> service.CompromiseReport:
    return service.start_compromise(
        team.admin, "laptop with the keyring stolen", confirmation=ws.path.name
    )


def _destroy(ws: Workspace, team: Team, out: Path) -> service.CompromiseReport:
    return service.destroy_old_keys(
        team.admin,
        confirmation=ws.path.name,
        backup_out=out,
        passphrase=PASSPHRASE,
        scrypt_n=TEST_SCRYPT_N,
    )


def test_new_chain_tokens_are_unrelated_to_the_old_ones(workspace: Workspace, team: Team) -> None:
    old = workspace.keyset
    old_master = workspace.master_key()
    key_service.rotate_keys(team.admin, "yearly")  # chain 1 holds v1, v2
    old = workspace.keyset
    number = valid_numbers(1)[0]
    old_tokens = old.tokenizer().all_versions(number)

    report = _start(workspace, team)
    new = workspace.keyset
    assert (report.chain, report.first_version) == (2, 3)
    assert new.current_chain == 2 and new.latest_version == 3
    assert [v.state for v in new.versions] == [KeyState.RETIRED, KeyState.RETIRED, KeyState.PRIMARY]
    root = new.versions[-1].key
    assert root not in {v.key for v in old.versions}
    fresh = new.tokenizer().tokenize(number)
    # The new root hashes the number itself: no old key or old token goes into it.
    expected = hmac.new(root, DOMAIN + number.encode(), hashlib.sha256).digest()
    assert fresh.digest == expected and fresh.chain == 2
    assert fresh.digest not in {t.digest for t in old_tokens}
    with pytest.raises(TokenVersionMismatch, match="chain"):
        _ = fresh == old_tokens[-1].__class__(fresh.version, old_tokens[-1].digest, 1)
    with pytest.raises(TokenVersionMismatch):
        new.tokenizer().migrate_many([old_tokens[-1].digest], 2, 3)
    # Non-token keys stay (the log stays verifiable); the master key is replaced.
    assert (new.data_key, new.signing_key) == (old.data_key, old.signing_key)
    assert workspace.master_key() != old_master
    reopened = Workspace.open(workspace.path, access=workspace.access, scrypt_n=TEST_SCRYPT_N)
    assert reopened.keyset.latest_version == 3
    reopened.conn.close()


def test_old_data_is_retired_refused_by_reconcile_and_new_imports_work(
    workspace: Workspace, team: Team
) -> None:
    _import_both(team)
    old_run = reconcile_datasets(team.clerk)
    old_tax, old_si = _by_kind(list_datasets(workspace.conn))

    report = _start(workspace, team)
    assert {d.id for d in report.reimport} == {old_tax.id, old_si.id}
    assert report.retired_runs == 1
    assert compromise.retired_run_ids(workspace.conn) == {old_run.id}
    with pytest.raises(NotFound, match="import its source file again"):
        reconcile_datasets(team.clerk)
    with pytest.raises(WorkspaceError, match="retired by a compromise response"):
        reconcile_datasets(team.clerk, tax_dataset=old_tax.id, si_dataset=old_si.id)
    # Kept readable for the log's sake.
    assert read_dataset(workspace, old_tax).height == old_tax.rows

    _import_both(team)
    new_tax, new_si = _by_kind(compromise.live_datasets(workspace))
    assert new_tax.token_version == new_si.token_version == 2
    with pytest.raises(WorkspaceError, match="retired"):
        reconcile_datasets(team.clerk, tax_dataset=new_tax.id, si_dataset=old_si.id)
    run = reconcile_datasets(team.clerk)
    assert (run.tax_dataset, run.si_dataset) == (new_tax.id, new_si.id)
    assert run.summary == old_run.summary  # same files, same outcome under the new keys
    # Rotation after the response migrates only data of the new chain.
    rotated = key_service.rotate_keys(team.admin, "after the response")
    assert rotated.migrated == 2
    assert {d.token_version for d in list_datasets(workspace.conn)} == {1, 3}


def test_old_keys_go_only_after_confirmation_and_a_fresh_backup(
    workspace: Workspace, team: Team, tmp_path: Path
) -> None:
    store_tokenised(workspace, "tax", valid_numbers(5))
    _start(workspace, team)
    before = (workspace.path / KEYSET_FILE).read_bytes()
    out = tmp_path / "after-response.rlwkey"
    with pytest.raises(InvalidInput, match="does not match"):
        service.destroy_old_keys(
            team.admin, confirmation="yes", backup_out=out, passphrase=PASSPHRASE
        )
    with pytest.raises(InvalidInput, match="12 characters"):
        service.destroy_old_keys(
            team.admin, confirmation=workspace.path.name, backup_out=out, passphrase="short"
        )
    out.write_bytes(b"someone else's file")
    with pytest.raises(InvalidInput, match="already exists"):
        _destroy(workspace, team, out)
    assert out.read_bytes() == b"someone else's file"
    assert (workspace.path / KEYSET_FILE).read_bytes() == before
    assert workspace.keyset.retired_versions
    out.unlink()

    report = _destroy(workspace, team, out)
    assert report.destroyed == (1, 1)
    assert [v.version for v in workspace.keyset.versions] == [2]
    assert workspace.keyset.destroyed_through == 1
    backup = read_backup(out, PASSPHRASE)
    restored = open_keyset(backup.keyset_blob, backup.master_key, workspace.id)
    assert [v.version for v in restored.versions] == [2]  # the backup cannot bring them back
    assert backup.master_key == workspace.master_key()
    types = [e.event_type for e in workspace.audit.query(EventFilter(), newest_first=False)]
    assert types.index(EventType.KEYS_BACKUP) < types.index(EventType.KEYS_OLD_CHAIN_DESTROYED)
    with pytest.raises(InvalidInput, match="no old keys"):
        _destroy(workspace, team, tmp_path / "again.rlwkey")


def test_the_log_verifies_across_the_response(
    workspace: Workspace, team: Team, tmp_path: Path
) -> None:
    _import_both(team)
    _start(workspace, team)
    _destroy(workspace, team, tmp_path / "k.rlwkey")
    _import_both(team)
    result = audit_service.verify(team.auditor)
    assert result.intact, result.message
    workspace.close()
    reopened = Workspace.open(workspace.path, access=workspace.access, scrypt_n=TEST_SCRYPT_N)
    from rlwb.workbench.services.session import login

    auditor = login(reopened, "auditor1", "user-password-1")
    assert audit_service.verify(auditor).intact
    started = reopened.audit.query(EventFilter(event_types=(EventType.KEYS_COMPROMISE_STARTED,)))
    assert started[0].details["reason"] == "laptop with the keyring stolen"
    assert started[0].details["master_key_replaced"] is True
    reopened.conn.close()


def test_person_history_spans_both_chains_until_the_old_keys_are_destroyed(
    workspace: Workspace, team: Team, tmp_path: Path
) -> None:
    number = valid_numbers(3)[1]
    old = stored_run(workspace, team.clerk, list(valid_numbers(3)), prefix="T")
    set_purpose(team.clerk, "年末調整の確認")
    reveal_pair(team.clerk, old, "T0001", None)
    assert len(audit_service.person_history(team.auditor, number)) == 1
    assert service.unsearchable_periods(team.auditor) == []

    _start(workspace, team)
    new = stored_run(workspace, team.clerk, list(valid_numbers(3)), prefix="N")
    reveal_pair(team.clerk, new, "N0001", None)
    reveal_pair(team.clerk, old, "T0001", None)  # retired data is still readable, logged
    history = audit_service.person_history(team.auditor, number)
    assert [e.run_id for e in history if e.event_type == EventType.REVEAL] == [old, new, old]
    assert service.unsearchable_periods(team.auditor) == []

    _destroy(workspace, team, tmp_path / "k.rlwkey")
    history = audit_service.person_history(team.auditor, number)
    assert [e.run_id for e in history if e.event_type == EventType.REVEAL] == [new]
    (gap,) = service.unsearchable_periods(team.auditor)
    assert (gap.first_version, gap.last_version) == (1, 1)
    assert gap.until == workspace.clock()
    stored = workspace_bytes(workspace.path) + workspace_bytes(tmp_path / "state")
    for raw in valid_numbers(3):
        assert raw.encode() not in stored


def test_a_declined_response_changes_nothing(workspace: Workspace, team: Team) -> None:
    store_tokenised(workspace, "tax", valid_numbers(5))
    before = _state(workspace)
    for typed in ("", "ws2", "yes", "WS "):
        with pytest.raises(InvalidInput, match="Nothing was changed"):
            service.respond_to_compromise(
                team.admin,
                "leak",
                confirmation=typed,
                backup_out=None,
                passphrase=None,
            )
    with pytest.raises(InvalidInput, match="reason"):
        service.start_compromise(team.admin, "  ", confirmation=workspace.path.name)
    number = valid_numbers(1)[0]
    with pytest.raises(InvalidInput, match="個人番号") as refused:
        service.start_compromise(
            team.admin, f"clerk typed {number} into chat", confirmation=workspace.path.name
        )
    assert number not in str(refused.value)
    with pytest.raises(InvalidInput, match="12 characters"):  # checked before anything changes
        service.respond_to_compromise(
            team.admin,
            "leak",
            confirmation=workspace.path.name,
            backup_out=workspace.path.parent / "k.rlwkey",
            passphrase="short",
        )
    assert _state(workspace) == before
    assert service.compromise_plan(team.admin).open_response is None


def test_only_an_administrator_may_respond_and_a_refusal_is_logged(
    workspace: Workspace, team: Team
) -> None:
    before = _state(workspace)
    for session in (team.clerk, team.auditor):
        with pytest.raises(AccessDenied, match=r"keys\.compromise"):
            service.start_compromise(session, "leak", confirmation=workspace.path.name)
    denied = workspace.audit.query(EventFilter(event_types=(EventType.ACCESS_DENIED,)))
    assert {e.actor_user for e in denied} == {"clerk1", "auditor1"}
    assert all(e.outcome == Outcome.DENIED for e in denied)
    assert {e.details["action"] for e in denied} == {"keys.compromise"}
    assert _state(workspace) == before


def test_a_crash_while_switching_keys_leaves_a_usable_workspace(
    workspace: Workspace, team: Team
) -> None:
    info = store_tokenised(workspace, "tax", valid_numbers(4))
    access = workspace.access
    old_master = workspace.master_key()

    class StoreFails(KeyringMasterKeyStore):
        def save(self, workspace_id: str, key: bytes) -> None:
            raise OSError("keyring went away")

    ring = access.keyring_backend
    assert isinstance(ring, MemoryKeyring)
    workspace.access = KeyAccess(StoreFails(backend=ring), ring, access.state_dir)
    with pytest.raises(OSError, match="keyring went away"):
        _start(workspace, team)
    workspace.access = access
    assert not (workspace.path / PENDING_KEYSET_FILE).exists()
    assert workspace.master_key() == old_master
    failed = workspace.audit.query(EventFilter(event_types=(EventType.KEYS_COMPROMISE_STARTED,)))
    assert failed[0].outcome == Outcome.FAILED

    # Died after the store took the new key, before the rename: open finishes the switch.
    new_keyset = workspace.keyset.with_new_chain("admin", workspace.clock())
    compromise.write_private_atomic(
        workspace.path / PENDING_KEYSET_FILE,
        compromise.seal_keyset(new_keyset, b"\x07" * 32),
    )
    access.store.save(workspace.id, b"\x07" * 32)
    workspace.conn.close()
    reopened = Workspace.open(workspace.path, access=access, scrypt_n=TEST_SCRYPT_N)
    assert reopened.keyset.current_chain == 2
    assert not (workspace.path / PENDING_KEYSET_FILE).exists()
    # ...and the response picks up where it stopped: the chain is recorded, data retired.
    from rlwb.workbench.services.session import login

    admin = login(reopened, "admin", ADMIN_PASSWORD)
    report = service.start_compromise(admin, "resumed", confirmation=reopened.path.name)
    assert report.resumed and report.chain == 2
    assert [d.id for d in report.reimport] == [info.id]
    reopened.conn.close()


def test_a_stale_pending_keyset_is_dropped_at_open(workspace: Workspace) -> None:
    pending = workspace.path / PENDING_KEYSET_FILE
    new_keyset = workspace.keyset.with_new_chain("admin", workspace.clock())
    compromise.write_private_atomic(pending, compromise.seal_keyset(new_keyset, b"\x09" * 32))
    workspace.conn.close()
    reopened = Workspace.open(workspace.path, access=workspace.access, scrypt_n=TEST_SCRYPT_N)
    assert reopened.keyset.current_chain == 1
    assert not pending.exists()
    reopened.conn.close()


def test_a_backup_from_before_the_response_is_refused(
    workspace: Workspace, team: Team, tmp_path: Path
) -> None:
    old_backup = tmp_path / "old.rlwkey"
    key_service.backup_keys(team.admin, old_backup, PASSPHRASE, scrypt_n=TEST_SCRYPT_N)
    _start(workspace, team)
    ring = MemoryKeyring()
    other = KeyAccess(KeyringMasterKeyStore(backend=ring), ring, tmp_path / "state2")
    with pytest.raises(WorkspaceError, match="older than the compromise response"):
        key_service.restore_keys(
            workspace.path,
            old_backup,
            PASSPHRASE,
            access=other,
            user="admin",
            password=ADMIN_PASSWORD,
            scrypt_n=TEST_SCRYPT_N,
        )
    assert ring.get_password("records-linkage-workbench", workspace.id) is None


def test_a_window_opened_before_the_response_cannot_bring_the_old_keys_back(
    workspace: Workspace, team: Team
) -> None:
    stale = Workspace.open(workspace.path, access=workspace.access, scrypt_n=TEST_SCRYPT_N)
    _start(workspace, team)
    from rlwb.workbench.services.session import login

    admin = login(stale, "admin", ADMIN_PASSWORD)
    with pytest.raises(WorkspaceError, match="another window"):
        key_service.rotate_keys(admin, "yearly")
    stale.conn.close()
    reopened = Workspace.open(workspace.path, access=workspace.access, scrypt_n=TEST_SCRYPT_N)
    assert reopened.keyset.current_chain == 2
    reopened.conn.close()


def test_a_crash_after_destroying_before_recording_is_finished_by_running_again(
    workspace: Workspace, team: Team, tmp_path: Path
) -> None:
    _start(workspace, team)
    workspace.save_keyset(workspace.keyset.without_retired())  # then the process died
    assert service.compromise_plan(team.admin).open_response is not None
    report = _destroy(workspace, team, tmp_path / "again.rlwkey")
    assert report.destroyed == (1, 1)
    assert service.compromise_plan(team.admin).open_response is None
    assert compromise.latest_chain(workspace.conn).old_keys_destroyed_at is not None  # type: ignore[union-attr]
