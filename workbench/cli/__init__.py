"""The `workbench` command. Its commands and options are a stable contract for scripts.

Every command authenticates (user from --user or WORKBENCH_USER, password from
WORKBENCH_PASSWORD or a prompt) and is logged exactly like the same action in the GUI.
Expected errors print one line to stderr and exit non-zero, never a traceback.

``context`` holds what commands share; each other module is one command group with a
``register(sub)`` and one small function per subcommand; ``main`` builds the parser.
"""

from __future__ import annotations

from rlwb.workbench.cli.context import (
    EXIT_BROKEN_LOG,
    EXIT_BROKEN_PIPE,
    EXIT_DONE_NOT_LOGGED,
    EXIT_ERROR,
    EXIT_OK,
    EXIT_UNEXPECTED,
    Context,
    GuiRunner,
)
from rlwb.workbench.cli.main import build_parser, main

__all__ = [
    "EXIT_BROKEN_LOG",
    "EXIT_BROKEN_PIPE",
    "EXIT_DONE_NOT_LOGGED",
    "EXIT_ERROR",
    "EXIT_OK",
    "EXIT_UNEXPECTED",
    "Context",
    "GuiRunner",
    "build_parser",
    "main",
]
