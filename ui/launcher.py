"""The `workbench` console script: the core CLI, plus the desktop app for `gui` and `demo`.

The entry point lives in ui/ so that workbench/ never imports Qt; Qt itself is loaded
only when a window is actually opened.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from rlwb.workbench.cli import Context
from rlwb.workbench.cli import main as cli_main
from rlwb.workbench.services.types import KeyAccess


def open_gui(path: Path, access: KeyAccess, lang: str) -> int:
    from rlwb.ui.app import run_gui

    return run_gui(path, access, lang=lang)


def main(argv: Sequence[str] | None = None) -> int:
    return cli_main(argv, Context(gui=open_gui))


if __name__ == "__main__":
    sys.exit(main())
