"""The installed app runs without the dev extra: no Faker on the way to --help or the demo.

`./dev test` also builds the wheel and runs it in a clean venv; these checks catch an eager
import of the generator here, in seconds, with the reason in the failure.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Runs in a child process where `import faker` fails, as in a venv without the dev extra.
_WITHOUT_FAKER = """
import sys
sys.modules["faker"] = None
{body}
"""


def _run(body: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _WITHOUT_FAKER.format(body=body)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_help_needs_neither_faker_nor_the_demo() -> None:
    result = _run(
        "from rlwb.ui.launcher import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit as e:\n"
        "    assert e.code == 0\n"
        "assert 'rlwb.workbench.demo' not in sys.modules, 'the CLI imports the demo eagerly'\n"
        "assert 'PySide6' not in sys.modules, 'the CLI imports Qt before a window opens'\n"
    )
    assert result.returncode == 0, result.stderr
    assert "usage: workbench" in result.stdout


def test_demo_finds_the_committed_samples_without_faker() -> None:
    result = _run(
        "import rlwb.workbench.demo\n"
        "from rlwb.fixtures.samples import sample_paths\n"
        "assert all(p.is_file() for p in sample_paths().values())\n"
        "print('ok')\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_runtime_dependencies_leave_out_dev_and_bench_packages() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = {d.split(">")[0].split("=")[0].strip().lower() for d in project["dependencies"]}
    assert "pyside6" not in runtime  # the meta-package brings WebEngine and Pdf
    assert {"pyside6-essentials", "pyside6-addons", "jellyfish", "numpy"} <= runtime
    assert not runtime & {"faker", "pandas", "recordlinkage", "openpyxl", "pytest"}
