"""`workbench demo`: a fresh synthetic workspace, walked through from the command line.

It creates a workspace with three accounts (clerk, auditor, admin), prints their
passwords, and exercises the security kernel: roles, the logged reveal path, a key
rotation and a verification of the access log. Only synthetic data is used.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from crypto.errors import KeystoreUnavailable
from crypto.keystore import KeyringMasterKeyStore, PassphraseMasterKeyStore
from workbench.errors import AccessDenied
from workbench.keyaccess import APP_NAME, KeyAccess, default_state_dir
from workbench.services import audit as audit_service
from workbench.services import keys as key_service
from workbench.services import users as user_service
from workbench.services.session import change_own_password, login, logout
from workbench.workspace import Workspace

if TYPE_CHECKING:
    from workbench.cli import Context

DEMO_PASSPHRASE = "demo-passphrase-not-for-real-data"  # noqa: S105 - printed demo secret
DEMO_ACCOUNTS = {
    "admin": ("demo-admin-pass", ("admin",)),
    "clerk": ("demo-clerk-pass", ("clerk",)),
    "auditor": ("demo-auditor-pass", ("auditor",)),
}


def add_demo_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("demo", help="create a synthetic demo workspace and walk through it")
    p.add_argument(
        "--workspace", help="where to create it (default: a new folder in the app's data dir)"
    )
    p.add_argument("--no-gui", action="store_true", help="only the command-line walk-through")
    p.add_argument("--lang", choices=["ja", "en"], default="ja")
    p.set_defaults(func=run_demo)


def demo_access(path: Path, out: Callable[[str], None]) -> KeyAccess:
    """The OS keyring where one works; otherwise the passphrase store, said out loud."""
    state = default_state_dir(os.environ)
    try:
        store = KeyringMasterKeyStore()
        import keyring

        return KeyAccess(store, keyring.get_keyring(), state)
    except KeystoreUnavailable:
        out("No usable OS keyring here: the demo keeps its master key in the passphrase store")
        out(f"with the demo passphrase {DEMO_PASSPHRASE!r} (WORKBENCH_KEYSTORE=passphrase).")
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        return KeyAccess(PassphraseMasterKeyStore(path, lambda: DEMO_PASSPHRASE), None, state)


def run_demo(args: argparse.Namespace, ctx: Context) -> int:
    out = ctx.print
    if args.workspace:
        path = Path(args.workspace)
    else:
        base = Path(platformdirs.user_data_dir(APP_NAME))
        base.mkdir(parents=True, exist_ok=True)
        path = Path(tempfile.mkdtemp(prefix="demo-", dir=base))
    access = demo_access(path, out)
    ws = Workspace.create(
        path,
        access=access,
        admin_name="admin",
        admin_password=DEMO_ACCOUNTS["admin"][0],
        clock=ctx.clock,
    )
    out(f"Demo workspace: {path}")
    admin = login(ws, "admin", DEMO_ACCOUNTS["admin"][0])
    change_own_password(admin, DEMO_ACCOUNTS["admin"][0], DEMO_ACCOUNTS["admin"][0] + "!")
    change_own_password(admin, DEMO_ACCOUNTS["admin"][0] + "!", DEMO_ACCOUNTS["admin"][0])
    for name, (password, roles) in DEMO_ACCOUNTS.items():
        if name != "admin":
            user_service.add_user(admin, name, password, roles)
    out("Accounts (synthetic demo only):")
    for name, (password, roles) in DEMO_ACCOUNTS.items():
        out(f"  {name:8} password {password:20} role {', '.join(roles)}")

    report = key_service.rotate_keys(admin, "demo: show a key rotation")
    out(
        f"Key rotation: version {report.target_version} is primary, {report.migrated} datasets migrated."
    )
    logout(admin)

    auditor = login(ws, "auditor", DEMO_ACCOUNTS["auditor"][0])
    try:
        from workbench.services.people import reveal_records

        reveal_records(auditor, "none", ["none"])
    except AccessDenied as exc:
        out(f"An auditor asking for personal data: {exc}")
    result = audit_service.verify(auditor)
    out(f"Access log: {result.message}")
    logout(auditor)
    ws.close()
    out("")
    out("Try it:")
    out(f"  WORKBENCH_USER=auditor workbench audit verify {path}")
    out(f"  WORKBENCH_USER=admin workbench keys list {path}")
    if access.keyring_backend is None:
        out(
            f"  (set WORKBENCH_KEYSTORE=passphrase WORKBENCH_KEYSTORE_PASSPHRASE={DEMO_PASSPHRASE})"
        )
    return 0
