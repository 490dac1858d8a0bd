from __future__ import annotations

import pytest

from tests.memory_keyring import MemoryKeyring


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    """A fresh in-memory keyring backend: tests never touch the OS keyring."""
    return MemoryKeyring()
