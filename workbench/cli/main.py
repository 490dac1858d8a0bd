"""The parser (each command module registers its own commands) and `main`, which turns
every expected error into one line on stderr and an exit code."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from rlwb.workbench import support_log
from rlwb.workbench.cli import (
    audit,
    desktop,
    export,
    findings,
    imports,
    init,
    keys,
    profiles,
    reconcile,
    review,
    settings,
    users,
)
from rlwb.workbench.cli.context import (
    EXIT_BROKEN_PIPE,
    EXIT_DONE_NOT_LOGGED,
    EXIT_ERROR,
    EXIT_UNEXPECTED,
    Context,
)
from rlwb.workbench.errors import EXPECTED_ERRORS
from rlwb.workbench.storage_errors import DoneButNotLogged, describe_failure
from rlwb.workbench.version import APP_VERSION

#: The command groups in the order `workbench --help` lists them.
REGISTER: tuple[Callable[[Any], None], ...] = (
    init.register,
    users.register,
    keys.register,
    audit.register,
    imports.register,
    reconcile.register,
    export.register,
    review.register,
    findings.register,
    profiles.register,
    settings.register,
    desktop.register,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Records Linkage Workbench",
        formatter_class=argparse.RawDescriptionHelpFormatter,  # --version keeps its two lines
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"workbench {APP_VERSION}\nsupport log: {support_log.log_path()}",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for register in REGISTER:
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None, ctx: Context | None = None) -> int:
    ctx = ctx or Context()
    support_log.install()
    args = build_parser().parse_args(argv)
    code = EXIT_ERROR
    try:
        result = int(args.func(args, ctx))
        ctx.out.flush()  # a closed pipe shows here, not at exit
        return result
    except BrokenPipeError:
        # The reader went away (`... | head`): stop quietly, as a shell tool does.
        _silence(ctx.out)
        return EXIT_BROKEN_PIPE
    except DoneButNotLogged as exc:
        message, code = describe_failure(exc), EXIT_DONE_NOT_LOGGED
    except EXPECTED_ERRORS as exc:
        message = describe_failure(exc)
    except KeyboardInterrupt:
        message = "interrupted"
    except Exception as exc:  # a bug: one line here, the traceback in the support log
        path = support_log.log_unexpected(exc, f"workbench {args.command}")
        message = (
            f"unexpected error ({type(exc).__name__}). The details are in {path}; "
            "send that file to your support contact."
        )
        code = EXIT_UNEXPECTED
    start = "\n" if ctx.err_is_terminal() else ""  # end a progress line first
    try:
        print(f"{start}workbench: {message}", file=ctx.err)
    except BrokenPipeError:
        _silence(ctx.err)
    return code


def _silence(stream: TextIO) -> None:
    """Point a broken stream at /dev/null so the flush at exit raises nothing (the Python
    documentation's recipe for SIGPIPE)."""
    try:
        fileno = stream.fileno()
    except (OSError, ValueError, AttributeError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fileno)
    finally:
        os.close(devnull)
