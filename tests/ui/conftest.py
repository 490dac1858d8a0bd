"""Fixtures for the UI tests: a real workspace, real services, real extract files."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest

from rlwb.ui.i18n import set_language
from rlwb.ui.tasks import wait_for_workers
from rlwb.workbench.services.session import login
from rlwb.workbench.services.users import add_user
from rlwb.workbench.session import Session
from rlwb.workbench.workspace import Workspace
from tests.workspaces import ADMIN_PASSWORD, USER_PASSWORD, FakeClock

# The workspace fixtures (clock, keyring_backend, access, workspace) come from
# tests/workspaces.py, which tests/conftest.py loads for every folder.
__all__ = ["ADMIN_PASSWORD", "USER_PASSWORD", "FakeClock"]

SAMPLE_PERSONS = 60
SAMPLE_SEED = 1


@pytest.fixture(autouse=True)
def japanese() -> Iterator[None]:
    set_language("ja")
    yield
    set_language("ja")
    wait_for_workers()


def make_user(ws: Workspace, name: str, roles: list[str]) -> Session:
    """A user who logged in before (no forced password change), then a fresh session."""
    admin = login(ws, "admin", ADMIN_PASSWORD)
    add_user(admin, name, USER_PASSWORD, roles)
    ws.users.set_password(name, USER_PASSWORD, must_change=False)
    return login(ws, name, USER_PASSWORD)


@pytest.fixture
def clerk(workspace: Workspace) -> Session:
    return make_user(workspace, "clerk1", ["clerk"])


SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "samples"


@pytest.fixture(scope="session")
def sample_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The committed sample extracts (tax CP932, SI UTF-8 with BOM); generated if absent."""
    tax, si = SAMPLES / "tax_sample_cp932.csv", SAMPLES / "si_sample_utf8bom.csv"
    if tax.is_file() and si.is_file():
        return tax, si
    from rlwb.fixtures import generate, write_csv

    out = tmp_path_factory.mktemp("samples")
    pair = generate(SAMPLE_PERSONS, seed=SAMPLE_SEED)
    return (
        write_csv(pair.tax, out / "tax.csv", "cp932"),
        write_csv(pair.si, out / "si.csv", "utf-8-sig"),
    )


@pytest.fixture
def run_id(clerk: Session, sample_files: tuple[Path, Path]) -> str:
    """Both samples imported and reconciled through the services (no GUI)."""
    from rlwb.workbench.services.imports import import_extract
    from rlwb.workbench.services.reconcile import reconcile_datasets

    tax, si = sample_files
    import_extract(clerk, tax, "tax")
    import_extract(clerk, si, "si")
    return reconcile_datasets(clerk).id
