"""How this process reaches a workspace's secrets: the master-key store and the place
outside the database where the latest signed log checkpoint is kept.

The OS keyring is the default. Where none is usable (a headless Linux box), the app says
so and the user opts in to the passphrase store with WORKBENCH_KEYSTORE=passphrase; it
never falls back silently to plaintext.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from keyring.backend import KeyringBackend

from rlwb.crypto.keystore import (
    KeyringMasterKeyStore,
    MasterKeyStore,
    PassphraseMasterKeyStore,
    master_key_store_from_env,
)
from rlwb.workbench.audit.checkpoints import (
    CheckpointSink,
    CombinedCheckpointSink,
    FileCheckpointSink,
    KeyringCheckpointSink,
)
from rlwb.workbench.errors import WorkspaceError
from rlwb.workbench.private_dirs import check_private_dir

APP_NAME = "records-linkage-workbench"


@dataclass(frozen=True)
class KeyAccess:
    store: MasterKeyStore
    #: The keyring backend when the master key lives in the OS keyring, else None.
    keyring_backend: KeyringBackend | None
    #: Where checkpoints go when there is no keyring and no administrator-chosen file.
    state_dir: Path

    def checkpoint_sink(self, workspace_id: str, configured_file: str | None) -> CheckpointSink:
        """Where the latest checkpoint is kept. WorkspaceError when its folder can be
        written by other users (they could roll the checkpoint back).

        ``configured_file`` comes from the database, so whoever can write the database can
        change it: the checkpoint is then kept in the app's own place (the OS keyring, or
        the state folder) as well, and verification reads both.
        """
        if configured_file:
            path = Path(configured_file)
            check_private_dir(path.parent, "folder of the checkpoint file")
            chosen = FileCheckpointSink(path)
            try:
                own = self._own_sink(workspace_id)
            except (OSError, WorkspaceError):
                return chosen  # no usable state folder: the administrator's file alone
            return CombinedCheckpointSink((own, chosen))
        return self._own_sink(workspace_id)

    def _own_sink(self, workspace_id: str) -> CheckpointSink:
        if self.keyring_backend is not None:
            return KeyringCheckpointSink(workspace_id, self.keyring_backend)
        self.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        check_private_dir(self.state_dir, "state folder")
        return FileCheckpointSink(self.state_dir / f"{workspace_id}.checkpoints.jsonl")


def default_state_dir(environ: Mapping[str, str]) -> Path:
    configured = environ.get("WORKBENCH_STATE_DIR")
    return Path(configured) if configured else Path(platformdirs.user_state_dir(APP_NAME))


def key_access_from_env(
    workspace_dir: Path,
    *,
    environ: Mapping[str, str] | None = None,
    prompt: Callable[[str], str] = getpass.getpass,
    backend: KeyringBackend | None = None,
) -> KeyAccess:
    """Choose the stores from WORKBENCH_KEYSTORE (keyring by default, or passphrase)."""
    env = os.environ if environ is None else environ
    store = master_key_store_from_env(workspace_dir, environ=env, prompt=prompt, backend=backend)
    ring: KeyringBackend | None = None
    if isinstance(store, KeyringMasterKeyStore):
        ring = store.backend  # the one safe backend the store settled on
    elif not isinstance(store, PassphraseMasterKeyStore):  # pragma: no cover - defensive
        raise TypeError("unexpected master key store")
    return KeyAccess(store=store, keyring_backend=ring, state_dir=default_state_dir(env))
