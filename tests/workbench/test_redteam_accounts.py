"""Red-team attacks on accounts by someone who can write the workspace files."""

from __future__ import annotations

import sqlite3

import pytest

from rlwb.crypto.passwords import hash_password
from rlwb.workbench.errors import LoginRefused
from rlwb.workbench.services.session import login
from rlwb.workbench.workspace import Workspace
from tests.workbench.conftest import TEST_SCRYPT_N, Team


@pytest.mark.xfail(
    strict=True,
    reason="The users table is not authenticated: whoever can write the database can put a "
    "password hash of their own (or extra roles) on any account and then act as that user "
    "through the app, every action logged under the victim's name. Fix: a MAC per user row "
    "under a key of the sealed keyset, checked by authenticate() and authorize(), with the "
    "'rows are MACed' fact sealed in the keyset (like the log-MAC switch point) so that a "
    "NULLed MAC is not re-MACed on upgrade. Not done here: a migration, users.py, "
    "workspace.py and many tests that build a UserStore without the keys.",
)
def test_a_password_hash_written_into_the_database_does_not_open_an_account(
    workspace: Workspace, team: Team
) -> None:
    mine = hash_password("attacker-password-1", n=TEST_SCRYPT_N)
    conn = sqlite3.connect(workspace.path / "workbench.sqlite3", isolation_level=None)
    conn.execute("UPDATE users SET password_hash = ? WHERE name = 'admin'", (mine,))
    conn.close()
    with pytest.raises(LoginRefused):
        login(workspace, "admin", "attacker-password-1")
