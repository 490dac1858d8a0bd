from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rlwb.crypto.keystore import PassphraseMasterKeyStore
from rlwb.linkage.progress import Cancelled, CancelToken
from rlwb.workbench.audit.events import EventType
from rlwb.workbench.audit.log import EventFilter
from rlwb.workbench.datasets import list_datasets, read_dataset
from rlwb.workbench.errors import AccessDenied, InvalidInput
from rlwb.workbench.keyaccess import KeyAccess
from rlwb.workbench.rotation import open_rotation
from rlwb.workbench.services import keys as key_service
from rlwb.workbench.services.session import login
from rlwb.workbench.workspace import Workspace
from tests.workbench.conftest import FakeClock, Team, store_tokenised, valid_numbers


def _token_join(ws: Workspace) -> list[tuple[str, str]]:
    """The exact token join of every tax dataset with every SI dataset, by record ids."""
    pairs = []
    for tax in (d for d in list_datasets(ws.conn) if d.kind == "tax"):
        for si in (d for d in list_datasets(ws.conn) if d.kind == "si"):
            assert tax.token_version == si.token_version
            joined = read_dataset(ws, tax).join(read_dataset(ws, si), on="token", suffix="_si")
            pairs += list(zip(joined["record_id"], joined["record_id_si"], strict=True))
    return sorted(pairs)


def _seed(ws: Workspace) -> None:
    numbers = valid_numbers(50)
    store_tokenised(ws, "tax", [*numbers[:40], None, None], prefix="T")
    store_tokenised(ws, "si", [*numbers[10:], None], prefix="S")


def test_rotation_keeps_joins_identical_and_migrates_everything(
    workspace: Workspace, team: Team
) -> None:
    _seed(workspace)
    before = _token_join(workspace)
    assert len(before) == 30
    report = key_service.rotate_keys(team.admin, "annual rotation")
    assert (report.target_version, report.migrated, report.resumed) == (2, 2, False)
    assert {d.token_version for d in list_datasets(workspace.conn)} == {2}
    assert _token_join(workspace) == before
    for info in list_datasets(workspace.conn):
        assert set(read_dataset(workspace, info)["token_version"].to_list()) == {2}
    # Tokenising a raw number afresh under v2 equals the migrated token.
    number = valid_numbers(50)[10]
    tax = next(d for d in list_datasets(workspace.conn) if d.kind == "tax")
    frame = read_dataset(workspace, tax)
    fresh = workspace.keyset.tokenizer().tokenize(number).digest
    assert fresh in frame["token"].to_list()
    # Only the current files remain.
    assert sorted(p.name for p in (workspace.path / "datasets").iterdir()) == sorted(
        f"{d.storage_name}.parquet.enc" for d in list_datasets(workspace.conn)
    )
    kinds = [e.event_type for e in workspace.audit.query(EventFilter(), newest_first=False)]
    assert kinds.count(EventType.KEYS_DATASET_MIGRATED) == 2
    assert EventType.KEYS_ROTATION_STARTED in kinds and EventType.KEYS_ROTATION_FINISHED in kinds
    versions = key_service.list_keys(team.admin)
    assert [(k.version, k.state.value, k.datasets) for k in versions] == [
        (1, "active", 0),
        (2, "primary", 2),
    ]


def test_rotation_needs_admin_and_a_reason(workspace: Workspace, team: Team) -> None:
    with pytest.raises(AccessDenied):
        key_service.rotate_keys(team.clerk, "because")
    with pytest.raises(InvalidInput):
        key_service.rotate_keys(team.admin, "   ")
    assert workspace.keyset.latest_version == 1


def test_cancelled_rotation_resumes(workspace: Workspace, team: Team) -> None:
    _seed(workspace)
    before = _token_join(workspace)
    cancel = CancelToken()

    def progress(step: str, fraction: float) -> None:
        if fraction > 0:
            cancel.cancel()

    with pytest.raises(Cancelled):
        key_service.rotate_keys(team.admin, "quarterly", progress=progress, cancel=cancel)
    assert sorted(d.token_version for d in list_datasets(workspace.conn)) == [1, 2]
    assert open_rotation(workspace.conn) is not None
    report = key_service.rotate_keys(team.admin, "resume")
    assert report.resumed and report.target_version == 2 and report.migrated == 1
    assert open_rotation(workspace.conn) is None
    assert _token_join(workspace) == before


CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from rlwb.crypto.keystore import PassphraseMasterKeyStore
    from rlwb.workbench.keyaccess import KeyAccess
    from rlwb.workbench.workspace import Workspace
    from rlwb.workbench.services.session import login
    from rlwb.workbench.services import keys

    path, state = Path(sys.argv[1]), Path(sys.argv[2])
    store = PassphraseMasterKeyStore(path, lambda: "test passphrase", scrypt_n=2**4)
    access = KeyAccess(store=store, keyring_backend=None, state_dir=state)
    ws = Workspace.open(path, access=access, scrypt_n=2**4)
    session = login(ws, "admin", "admin-password-1")

    def progress(step, fraction):
        print(f"{fraction:.3f} {step}", flush=True)
        time.sleep(0.3)

    keys.rotate_keys(session, "rotation killed midway", progress=progress)
    print("finished", flush=True)
    """
)


@pytest.mark.slow
def test_kill_9_mid_rotation_leaves_each_dataset_on_one_version(
    tmp_path: Path, clock: FakeClock
) -> None:
    path, state = tmp_path / "ws", tmp_path / "state"
    path.mkdir(mode=0o700)
    store = PassphraseMasterKeyStore(path, lambda: "test passphrase", scrypt_n=2**4)
    access = KeyAccess(store=store, keyring_backend=None, state_dir=state)
    ws = Workspace.create(
        path, access=access, admin_name="admin", admin_password="admin-password-1", scrypt_n=2**4
    )
    numbers = valid_numbers(30)
    for i in range(4):
        store_tokenised(ws, "tax" if i % 2 else "si", numbers, prefix=f"D{i}-")
    before = sorted((d.id, d.rows) for d in list_datasets(ws.conn))
    ws.close()

    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(state)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert child.stdout is not None
    seen = [child.stdout.readline() for _ in range(3)]  # two datasets done, third under way
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert all(line.strip() for line in seen), seen

    ws = Workspace.open(path, access=access, scrypt_n=2**4)
    infos = list_datasets(ws.conn)
    assert sorted((d.id, d.rows) for d in infos) == before
    for info in infos:  # wholly on the version the database says
        frame = read_dataset(ws, info)
        assert set(frame["token_version"].to_list()) == {info.token_version}
    assert {d.token_version for d in infos} != {2} or open_rotation(ws.conn) is not None

    admin = login(ws, "admin", "admin-password-1")
    report = key_service.rotate_keys(admin, "resume after crash")
    assert report.resumed and report.target_version == 2
    infos = list_datasets(ws.conn)
    assert {d.token_version for d in infos} == {2}
    expected = {ws.keyset.tokenizer().tokenize(n).digest for n in numbers}
    for info in infos:
        assert set(read_dataset(ws, info)["token"].to_list()) == expected
    assert sorted(p.name for p in (path / "datasets").iterdir()) == sorted(
        f"{d.storage_name}.parquet.enc" for d in infos
    )
