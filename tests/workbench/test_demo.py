from __future__ import annotations

import io
from pathlib import Path

import pytest
from keyring.backends import fail

from rlwb.crypto.keystore import PassphraseMasterKeyStore
from rlwb.workbench.cli import Context, main
from rlwb.workbench.datasets import list_datasets
from rlwb.workbench.demo import DEMO_PASSPHRASE
from rlwb.workbench.keyaccess import KeyAccess
from rlwb.workbench.runs import list_runs
from rlwb.workbench.workspace import Workspace


def test_demo_without_gui_builds_a_reconciled_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No OS keyring in the test: the demo must say so and use the passphrase store.
    monkeypatch.setenv("WORKBENCH_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setattr("keyring.get_keyring", fail.Keyring)
    out = io.StringIO()
    code = main(
        ["demo", "--workspace", str(tmp_path / "demo"), "--no-gui"], Context(out=out, environ={})
    )
    text = out.getvalue()
    assert code == 0, text
    assert "No usable OS keyring" in text and "demo-passphrase" in text
    for account in ("admin", "clerk", "auditor"):
        assert f"  {account}" in text
    assert "Access log: Intact up to sequence" in text
    store = PassphraseMasterKeyStore(tmp_path / "demo", lambda: DEMO_PASSPHRASE)
    ws = Workspace.open(tmp_path / "demo", access=KeyAccess(store, None, tmp_path / "state"))
    assert sorted(d.kind for d in list_datasets(ws.conn)) == ["si", "tax"]
    assert len(list_runs(ws)) == 1
