"""A workspace whose keyset file is still format 1 is rewritten as format 2 when it opens.

Format 1 files may already hold the log-MAC key and key chains (the app added them as
optional fields before the format was bumped); an app that reads only format 1 would open
such a workspace and write events without the log key. After one open by this app, the
file says format 2, which that app refuses.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from rlwb.crypto.keyset import SEAL_MAGIC, Keyset, read_keyset_file
from rlwb.workbench.keyaccess import KeyAccess
from rlwb.workbench.services.session import login, logout
from rlwb.workbench.workspace import KEYSET_FILE, Workspace
from tests.workbench.conftest import ADMIN_PASSWORD, TEST_SCRYPT_N, FakeClock
from tests.workbench.test_audit_forgery import _verify


def _plain(path: Path, master: bytes, workspace_id: str) -> dict[str, object]:
    blob = path.read_bytes()
    head = len(SEAL_MAGIC)
    nonce, sealed = blob[head : head + 12], blob[head + 12 :]
    aad = SEAL_MAGIC + b"\x00" + workspace_id.encode()
    document: dict[str, object] = json.loads(AESGCM(master).decrypt(nonce, sealed, aad))
    return document


def _write_format_1(path: Path, keyset: Keyset, master: bytes) -> None:
    """The keyset as the app wrote it before the bump: the same fields, format_version 1."""
    document = json.loads(keyset.to_bytes())
    document["format_version"] = 1
    nonce = os.urandom(12)
    aad = SEAL_MAGIC + b"\x00" + keyset.workspace_id.encode()
    sealed = AESGCM(master).encrypt(nonce, json.dumps(document).encode(), aad)
    path.write_bytes(SEAL_MAGIC + nonce + sealed)


def test_a_format_1_keyset_is_rewritten_as_format_2_at_open(
    workspace: Workspace, access: KeyAccess, clock: FakeClock
) -> None:
    path, workspace_id, master = workspace.path, workspace.id, workspace.master_key()
    keyset = workspace.keyset
    workspace.close()
    _write_format_1(path / KEYSET_FILE, keyset, master)
    assert _plain(path / KEYSET_FILE, master, workspace_id)["format_version"] == 1
    assert read_keyset_file(path / KEYSET_FILE, master, workspace_id).stored_format == 1

    ws = Workspace.open(path, access=access, clock=clock, scrypt_n=TEST_SCRYPT_N)
    on_disk = _plain(path / KEYSET_FILE, master, workspace_id)
    assert on_disk["format_version"] == 2  # an app that reads only format 1 stops here
    assert ws.keyset == keyset and ws.keyset.stored_format == 2
    assert read_keyset_file(path / KEYSET_FILE, master, workspace_id) == keyset
    # Same keys, same log: it verifies, and new events are keyed as before.
    logout(login(ws, "admin", ADMIN_PASSWORD))
    result = _verify(ws)
    assert result.ok and result.keyed
    ws.close()


def test_a_current_keyset_is_not_rewritten(
    workspace: Workspace, access: KeyAccess, clock: FakeClock
) -> None:
    path = workspace.path
    workspace.close()
    before = (path / KEYSET_FILE).read_bytes()
    ws = Workspace.open(path, access=access, clock=clock, scrypt_n=TEST_SCRYPT_N)
    assert (path / KEYSET_FILE).read_bytes() == before
    ws.close()
