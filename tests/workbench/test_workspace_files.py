"""The workspace on disk: folders others can write are refused at open; what a crash left
is removed at open; a dataset and its import.finished event commit together."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rlwb.fixtures.samples import sample_paths
from rlwb.workbench.datasets import list_datasets
from rlwb.workbench.errors import InvalidInput, WorkspaceError
from rlwb.workbench.keyaccess import KeyAccess
from rlwb.workbench.services import settings as settings_service
from rlwb.workbench.services.imports import import_extract
from rlwb.workbench.workspace import Workspace
from tests.workbench.conftest import FakeClock, Team


def _reopen(ws: Workspace, access: KeyAccess, clock: FakeClock) -> Workspace:
    return Workspace.open(ws.path, access=access, clock=clock, scrypt_n=2**4)


# -- folders others can write ----------------------------------------------------------------
def test_a_world_writable_workspace_is_refused_with_the_fix(
    workspace: Workspace, access: KeyAccess, clock: FakeClock
) -> None:
    workspace.close()
    os.chmod(workspace.path, 0o777)
    with pytest.raises(WorkspaceError) as caught:
        _reopen(workspace, access, clock)
    message = str(caught.value)
    assert "can be written by other users" in message
    assert f"chmod 700 {workspace.path}" in message
    os.chmod(workspace.path, 0o700)
    _reopen(workspace, access, clock).close()


def test_a_group_writable_folder_inside_the_workspace_is_refused(
    team: Team, access: KeyAccess, clock: FakeClock
) -> None:
    ws = team.clerk.workspace
    import_extract(team.clerk, sample_paths()["tax_cp932"], "tax")
    ws.close()
    os.chmod(ws.path / "datasets", 0o770)
    with pytest.raises(WorkspaceError, match=r"chmod 700 .*datasets"):
        _reopen(ws, access, clock)


def test_a_workspace_owned_by_another_user_is_refused(
    workspace: Workspace, access: KeyAccess, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace.close()
    owner = workspace.path.stat().st_uid
    monkeypatch.setattr(os, "getuid", lambda: owner + 4242)  # as if someone else opened it
    if owner == 0:  # root's folders are trusted (as ssh does); pretend another owner
        real_stat = Path.stat

        def stat(self: Path, *, follow_symlinks: bool = True) -> os.stat_result:
            st = real_stat(self, follow_symlinks=follow_symlinks)
            values = list(st)
            values[4] = 4243  # st_uid
            return os.stat_result(values)

        monkeypatch.setattr(Path, "stat", stat)
    with pytest.raises(WorkspaceError, match="belongs to another user"):
        _reopen(workspace, access, clock)


def test_a_world_writable_state_folder_is_refused(
    workspace: Workspace, access: KeyAccess, clock: FakeClock
) -> None:
    workspace.close()
    without_keyring = KeyAccess(
        store=access.store, keyring_backend=None, state_dir=access.state_dir
    )
    _reopen(workspace, without_keyring, clock).close()  # creates the state folder, 0700
    os.chmod(access.state_dir, 0o777)
    with pytest.raises(WorkspaceError, match=r"state folder .*`chmod 700"):
        _reopen(workspace, without_keyring, clock)


def test_a_checkpoint_file_in_a_folder_others_can_write_is_refused(
    team: Team, tmp_path: Path, access: KeyAccess, clock: FakeClock
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o700)
    os.chmod(shared, 0o777)
    with pytest.raises(InvalidInput, match="chmod 700"):
        settings_service.set_setting(team.admin, "checkpoint_file", str(shared / "cp.jsonl"))
    os.chmod(shared, 0o700)
    settings_service.set_setting(team.admin, "checkpoint_file", str(shared / "cp.jsonl"))
    ws = team.admin.workspace
    ws.close()
    os.chmod(shared, 0o777)  # loosened afterwards: refused at the next open
    with pytest.raises(WorkspaceError, match="folder of the checkpoint file"):
        _reopen(ws, access, clock)


# -- import limits through the service -------------------------------------------------------
def test_the_import_size_limit_is_a_workspace_setting(team: Team, tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(sample_paths()["tax_cp932"].read_bytes() * 300)
    assert big.stat().st_size > 1024 * 1024
    settings_service.set_setting(team.admin, "import_max_mb", "1")
    with pytest.raises(InvalidInput, match="more than the import limit of 1 MB"):
        import_extract(team.clerk, big, "tax")
    with pytest.raises(InvalidInput, match="whole number of megabytes"):
        settings_service.set_setting(team.admin, "import_max_mb", "lots")
    assert list_datasets(team.clerk.workspace.conn) == []


# -- crash clean-up --------------------------------------------------------------------------
def test_temp_and_orphan_files_are_removed_at_open(
    team: Team, access: KeyAccess, clock: FakeClock
) -> None:
    ws = team.clerk.workspace
    report = import_extract(team.clerk, sample_paths()["tax_cp932"], "tax")
    kept = {p.relative_to(ws.path) for p in ws.path.rglob("*") if p.is_file()}
    leftovers = [
        ws.path / "datasets" / ".tax-x.v1.parquet.enc.1a2b3c4d.tmp",
        ws.path / "datasets" / "tax-crashed.v1.parquet.enc",
        ws.path / "reports" / "tax-crashed.issues.parquet.enc",
        ws.path / "runs" / "run-crashed.links.parquet.enc",
        ws.path / "exports" / "run-crashed.links.0123456789abcdef.persons.parquet.enc",
        ws.path / ".keyset.bin.abcd.tmp",
    ]
    for path in leftovers:
        path.parent.mkdir(mode=0o700, exist_ok=True)
        path.write_bytes(b"encrypted leftovers")
    ws.close()

    reopened = _reopen(ws, access, clock)
    assert not [p for p in leftovers if p.exists()]
    now = {p.relative_to(ws.path) for p in ws.path.rglob("*") if p.is_file()}
    assert kept <= now  # the imported dataset and its reports stay
    assert (ws.path / "datasets" / f"{report.dataset.storage_name}.parquet.enc").exists()
    reopened.close()


def test_nothing_is_removed_while_another_process_has_the_workspace_open(
    team: Team, access: KeyAccess, clock: FakeClock
) -> None:
    ws = team.clerk.workspace  # still open: its files may be in flight
    in_flight = ws.path / "datasets" / "tax-in-flight.v1.parquet.enc"
    in_flight.parent.mkdir(mode=0o700, exist_ok=True)
    in_flight.write_bytes(b"being written")
    _reopen(ws, access, clock).close()
    assert in_flight.exists()


def test_a_failed_finished_event_leaves_no_dataset_and_no_files(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rlwb.workbench.audit.events import EventType
    from rlwb.workbench.audit.log import AuditLog
    from rlwb.workbench.errors import AuditWriteFailed

    real_append = AuditLog.append_many
    ws = team.clerk.workspace

    def fail_finished(self: AuditLog, drafts):  # type: ignore[no-untyped-def]
        if any(d.event_type == EventType.IMPORT_FINISHED for d in drafts):
            raise AuditWriteFailed("disk full (injected)")
        return real_append(self, drafts)

    monkeypatch.setattr(AuditLog, "append_many", fail_finished)
    with pytest.raises(AuditWriteFailed):
        import_extract(team.clerk, sample_paths()["tax_cp932"], "tax")
    assert list_datasets(ws.conn) == []
    assert not [p for p in ws.path.rglob("*.parquet.enc")]


_KILL_AFTER_INSERT = """
import os, sys
from pathlib import Path
from tests.workbench.conftest import ADMIN_PASSWORD, USER_PASSWORD, TEST_SCRYPT_N
from rlwb.crypto.keystore import PassphraseMasterKeyStore
from rlwb.workbench.audit.events import EventType
from rlwb.workbench.audit.log import AuditLog
from rlwb.workbench.keyaccess import KeyAccess
from rlwb.workbench.services.imports import import_extract
from rlwb.workbench.services.session import login
from rlwb.workbench.workspace import Workspace

ws_path, sample = Path(sys.argv[1]), Path(sys.argv[2])
store = PassphraseMasterKeyStore(ws_path, lambda: "a passphrase for the test store", 2**10)
access = KeyAccess(store=store, keyring_backend=None, state_dir=ws_path.parent / "state")
ws = Workspace.open(ws_path, access=access, scrypt_n=TEST_SCRYPT_N)
clerk = login(ws, "clerk1", USER_PASSWORD)
real = AuditLog.append_many

def die_at_finished(self, drafts):
    if any(d.event_type == EventType.IMPORT_FINISHED for d in drafts):
        os._exit(9)  # the dataset row is inserted; the process dies before the event
    return real(self, drafts)

AuditLog.append_many = die_at_finished
import_extract(clerk, sample, "tax")
"""


def test_a_kill_between_dataset_insert_and_finished_event_leaves_no_dataset(
    tmp_path: Path,
) -> None:
    from rlwb.crypto.keystore import PassphraseMasterKeyStore
    from rlwb.workbench.services.session import login
    from rlwb.workbench.services.users import add_user
    from tests.workbench.conftest import ADMIN_PASSWORD, TEST_SCRYPT_N, USER_PASSWORD

    ws_path = tmp_path / "ws"
    ws_path.mkdir(mode=0o700)
    store = PassphraseMasterKeyStore(ws_path, lambda: "a passphrase for the test store", 2**10)
    access = KeyAccess(store=store, keyring_backend=None, state_dir=tmp_path / "state")
    ws = Workspace.create(
        ws_path, access=access, admin_name="admin", admin_password=ADMIN_PASSWORD,
        scrypt_n=TEST_SCRYPT_N,
    )  # fmt: skip
    add_user(login(ws, "admin", ADMIN_PASSWORD), "clerk1", USER_PASSWORD, ["clerk"])
    ws.users.set_password("clerk1", USER_PASSWORD, must_change=False)  # as the `team` fixture
    ws.close()

    root = Path(__file__).resolve().parents[2]
    child = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_KILL_AFTER_INSERT), str(ws_path),
         str(sample_paths()["tax_cp932"])],
        cwd=root, capture_output=True, text=True,
    )  # fmt: skip
    assert child.returncode == 9, child.stderr

    reopened = Workspace.open(ws_path, access=access, scrypt_n=TEST_SCRYPT_N)
    assert list_datasets(reopened.conn) == []
    assert not list(ws_path.rglob("*.parquet.enc"))  # the frame and reports were cleared
    finished = reopened.conn.execute(
        "SELECT count(*) FROM audit_events WHERE event_type = 'import.finished'"
    ).fetchone()[0]
    assert finished == 0
    reopened.close()
