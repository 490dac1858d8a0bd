from __future__ import annotations

import os
import tempfile

import pytest

# The support log of everything the tests run goes to a throwaway folder, never into the
# user's log directory (workbench/support_log.py reads this once per process).
os.environ["WORKBENCH_LOG_DIR"] = tempfile.mkdtemp(prefix="workbench-test-log-")

from tests.memory_keyring import MemoryKeyring

#: The workspace fixtures every test folder uses (clock, keyring_backend, access, workspace).
pytest_plugins = ["tests.workspaces"]


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    """A fresh in-memory keyring backend: tests never touch the OS keyring."""
    return MemoryKeyring()
