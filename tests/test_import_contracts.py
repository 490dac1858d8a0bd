"""The dependency rule of docs/architecture.md, checked by import-linter as part of the tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_hold() -> None:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe, "import-linter is part of the dev dependencies"
    result = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 6 kept, 0 broken" in result.stdout


def test_no_qt_import_outside_ui() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for package in ("workbench", "linkage", "crypto", "fixtures")
        for path in (ROOT / package).rglob("*.py")
        if any(
            line.lstrip().startswith(("import PySide6", "from PySide6", "import shiboken6"))
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    ]
    assert offenders == []


#: What only the services may touch: the session's workspace and through it the access log,
#: the user table, the cached frames and the database; the session's activity clock.
_CORE_INSIDES = {"workspace", "audit", "users", "cached_frame", "conn", "last_activity"}


def test_ui_uses_no_insides_of_the_core() -> None:
    """The import contract stops ui/ importing the core; this stops it reaching through a
    handle a service gave it (``session.workspace.audit``), which no import shows."""
    import ast

    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}"
        for path in sorted((ROOT / "ui").rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute)
        and node.attr in _CORE_INSIDES
        and not (isinstance(node.value, ast.Name) and node.value.id == "self")  # its own
    ]
    assert offenders == []
