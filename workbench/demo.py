"""`workbench demo`: a fresh synthetic workspace, then the desktop app at its login.

It creates a workspace with three accounts (clerk, auditor, admin) and prints their
passwords, imports both committed sample extracts (a CP932 tax CSV and a UTF-8-with-BOM
social-insurance CSV from fixtures/), runs a reconciliation and verifies the access log.
Only synthetic data is used.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from rlwb.crypto.errors import KeystoreUnavailable
from rlwb.crypto.keystore import KeyringMasterKeyStore, PassphraseMasterKeyStore
from rlwb.fixtures.samples import sample_paths
from rlwb.workbench.clock import Clock
from rlwb.workbench.datasets import Kind
from rlwb.workbench.keyaccess import APP_NAME, KeyAccess, default_state_dir
from rlwb.workbench.services import audit as audit_service
from rlwb.workbench.services import users as user_service
from rlwb.workbench.services.imports import import_extract
from rlwb.workbench.services.reconcile import reconcile_datasets
from rlwb.workbench.services.session import login, logout
from rlwb.workbench.workspace import Workspace

if TYPE_CHECKING:
    from rlwb.workbench.cli.context import Context

DEMO_PASSPHRASE = "demo-passphrase-not-for-real-data"  # noqa: S105 - printed demo secret
DEMO_ACCOUNTS = {
    "admin": ("demo-admin-pass", ("admin",)),
    "clerk": ("demo-clerk-pass", ("clerk",)),
    "auditor": ("demo-auditor-pass", ("auditor",)),
}


def demo_access(path: Path, out: Callable[[str], None]) -> KeyAccess:
    """The OS keyring where one works; otherwise the passphrase store, said out loud."""
    state = default_state_dir(os.environ)
    try:
        store = KeyringMasterKeyStore()
        return KeyAccess(store, store.backend, state)
    except KeystoreUnavailable:
        out("No usable OS keyring here: the demo keeps its master key in the passphrase store")
        out(f"with the demo passphrase {DEMO_PASSPHRASE!r} (WORKBENCH_KEYSTORE=passphrase).")
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        return KeyAccess(PassphraseMasterKeyStore(path, lambda: DEMO_PASSPHRASE), None, state)


def create_demo_workspace(
    path: Path, access: KeyAccess, out: Callable[[str], None], clock: Clock
) -> Workspace:
    """Accounts, both sample extracts imported, one reconciliation run."""
    ws = Workspace.create(
        path,
        access=access,
        admin_name="admin",
        admin_password=DEMO_ACCOUNTS["admin"][0],
        clock=clock,
    )
    admin = login(ws, "admin", DEMO_ACCOUNTS["admin"][0])
    for name, (password, roles) in DEMO_ACCOUNTS.items():
        if name != "admin":
            user_service.add_user(admin, name, password, roles)
            # Demo accounts keep their printed passwords instead of a forced first change.
            ws.users.set_password(name, password, must_change=False)
    logout(admin)
    clerk = login(ws, "clerk", DEMO_ACCOUNTS["clerk"][0])
    paths = sample_paths()
    for kind, key in ((Kind.TAX, "tax_cp932"), (Kind.SI, "si_utf8bom")):
        report = import_extract(clerk, paths[key], kind)
        out(report.lines()[0])
    run = reconcile_datasets(clerk)
    counts = ", ".join(f"{k} {v}" for k, v in sorted(run.summary.items()) if v)
    out(f"Reconciliation {run.id}: {counts}")
    logout(clerk)
    return ws


def run_demo(args: argparse.Namespace, ctx: Context) -> int:
    out = ctx.print
    if args.workspace:
        path = Path(args.workspace)
    else:
        base = Path(platformdirs.user_data_dir(APP_NAME))
        base.mkdir(parents=True, exist_ok=True)
        path = Path(tempfile.mkdtemp(prefix="demo-", dir=base))
    access = demo_access(path, out)
    ws = create_demo_workspace(path, access, out, ctx.clock)
    out(f"Demo workspace: {path}")
    out("Accounts (synthetic demo data only):")
    for name, (password, roles) in DEMO_ACCOUNTS.items():
        out(f"  {name:8} password {password:20} role {', '.join(roles)}")
    auditor = login(ws, "auditor", DEMO_ACCOUNTS["auditor"][0])
    result = audit_service.verify(auditor)
    out(f"Access log: {result.message}")
    logout(auditor)
    ws.close()
    if access.keyring_backend is None:
        out(
            "To use this workspace from the command line, set WORKBENCH_KEYSTORE=passphrase "
            f"WORKBENCH_KEYSTORE_PASSPHRASE={DEMO_PASSPHRASE}"
        )
    if args.no_gui:
        out(f"Try: WORKBENCH_USER=auditor workbench audit verify {path}")
        return 0
    return ctx.open_gui(path, access, ctx.language(args.lang))
