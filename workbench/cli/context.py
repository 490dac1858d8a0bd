"""What every command shares: the Context (the outside world), exit codes, the login
session around a command, and the small argparse helpers the command modules use."""

from __future__ import annotations

import argparse
import getpass
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from functools import wraps
from pathlib import Path
from typing import Any, TextIO

from keyring.backend import KeyringBackend

from rlwb.crypto.params import SCRYPT_N
from rlwb.workbench.clock import Clock, utc_now
from rlwb.workbench.errors import InvalidInput, WorkbenchError
from rlwb.workbench.keyaccess import KeyAccess, key_access_from_env
from rlwb.workbench.services.session import login, logout
from rlwb.workbench.session import Session
from rlwb.workbench.storage_errors import DoneButNotLogged
from rlwb.workbench.workspace import Workspace

GuiRunner = Callable[[Path, KeyAccess, str], int]
#: What a subcommand is: parsed arguments and the context in, an exit code out.
Command = Callable[[argparse.Namespace, "Context"], int]

EXIT_OK = 0
EXIT_BROKEN_LOG = 1
EXIT_ERROR = 2
#: The action was done, but an access-log write after it failed (the message says which).
EXIT_DONE_NOT_LOGGED = 3
#: The reader of the output went away (`| head`); like a process ended by SIGPIPE.
EXIT_BROKEN_PIPE = 141
#: A bug: one line on stderr, the traceback in the support log.
EXIT_UNEXPECTED = 4

LANGUAGES = ("ja", "en")


@dataclass
class Context:
    """What a command needs from the outside world; tests replace any of it."""

    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    prompt: Callable[[str], str] = getpass.getpass
    #: Visible input, for typed confirmations (not secrets).
    ask: Callable[[str], str] = input
    keyring_backend: KeyringBackend | None = None
    clock: Clock = utc_now
    scrypt_n: int = SCRYPT_N
    #: Opens the desktop app; given by ui.launcher (the core never imports Qt).
    gui: GuiRunner | None = None

    def secret(self, env_name: str, question: str, *, confirm: bool = False) -> str:
        value = self.environ.get(env_name)
        if value:
            return value
        if not sys.stdin.isatty() and self.prompt is getpass.getpass:
            raise InvalidInput(f"Set {env_name} or run the command in a terminal to be asked.")
        first = self.prompt(question)
        if confirm and self.prompt("Again: ") != first:
            raise InvalidInput("The two entries differ; nothing was changed.")
        return first

    def confirm(self, question: str, flag: str) -> str:
        """A typed confirmation from the terminal; scripts pass ``flag`` instead."""
        if not sys.stdin.isatty() and self.ask is input:
            raise InvalidInput(f"Run the command in a terminal to confirm, or pass {flag}.")
        return self.ask(question)

    def access(self, workspace: Path) -> KeyAccess:
        return key_access_from_env(
            workspace, environ=self.environ, prompt=self.prompt, backend=self.keyring_backend
        )

    def open_gui(self, path: Path, access: KeyAccess, lang: str) -> int:
        if self.gui is None:
            raise WorkbenchError(
                "The desktop app is not available in this command; run `workbench`."
            )
        return self.gui(path, access, lang)

    def language(self, chosen: str | None) -> str:
        """--lang, else the WORKBENCH_LANG setting, else Japanese."""
        return chosen or (self.environ.get("WORKBENCH_LANG") or "ja").lower()[:2]

    def print(self, text: str = "") -> None:
        print(text, file=self.out)

    def open_workspace(self, workspace: str) -> Workspace:
        path = Path(workspace)
        return Workspace.open(
            path, access=self.access(path), clock=self.clock, scrypt_n=self.scrypt_n
        )

    def password_of(self, user: str) -> str:
        return self.secret("WORKBENCH_PASSWORD", f"Password for {user}: ")

    def new_password(self, question: str) -> str:
        return self.secret("WORKBENCH_NEW_PASSWORD", question, confirm=True)

    def backup_passphrase(self, *, confirm: bool = False) -> str:
        return self.secret("WORKBENCH_BACKUP_PASSPHRASE", "Backup passphrase: ", confirm=confirm)

    def progress(self) -> Callable[[str, float], None]:
        """Progress on a terminal only: scripts get stderr for the one-line error alone."""
        if not self.err_is_terminal():
            return lambda step, fraction: None

        def report(step: str, fraction: float) -> None:
            print(f"\r  {fraction:5.0%}  {step:<40}", end="", file=self.err, flush=True)
            if fraction >= 1.0:
                print(file=self.err)

        return report

    def err_is_terminal(self) -> bool:
        isatty = getattr(self.err, "isatty", None)
        return bool(callable(isatty) and isatty())


# -- the session around a command ------------------------------------------------------------
def acting_user(args: argparse.Namespace, ctx: Context) -> str:
    user = args.user or ctx.environ.get("WORKBENCH_USER")
    if not user:
        raise InvalidInput("Say who is acting: --user NAME or WORKBENCH_USER.")
    return str(user)


@contextmanager
def session_for(args: argparse.Namespace, ctx: Context) -> Iterator[Session]:
    """Open the workspace, log the acting user in, and log out and close after the command."""
    ws = ctx.open_workspace(args.workspace)
    done = False
    try:
        user = acting_user(args, ctx)
        session = login(ws, user, ctx.password_of(user))
        try:
            yield session
            done = True
        finally:
            _end(lambda: logout(session), done=done)
    finally:
        _end(ws.close, done=done)


def _end(step: Callable[[], None], *, done: bool) -> None:
    """Log out or close after a command. When the command was done, a failure here (a full
    disk at the logout event or the checkpoint) must not read as if it was not; when it
    failed, its own error is the one to report."""
    try:
        step()
    except (WorkbenchError, sqlite3.Error, OSError) as exc:
        if done:
            raise DoneButNotLogged(
                "The command was done, but its end could not be logged (the logout event or "
                "the log checkpoint)."
            ) from exc


SessionCommand = Callable[[argparse.Namespace, Context, Session], "int | None"]


def in_session(command: SessionCommand) -> Command:
    """A subcommand run inside a login session; it returns EXIT_OK unless it says otherwise."""

    @wraps(command)
    def run(args: argparse.Namespace, ctx: Context) -> int:
        with session_for(args, ctx) as session:
            code = command(args, ctx, session)
        return EXIT_OK if code is None else code

    return run


# -- argparse helpers ------------------------------------------------------------------------
def add_command(
    sub: Any, name: str, func: Command, *, user: bool = True, **kwargs: Any
) -> argparse.ArgumentParser:
    """A subcommand whose first argument is the workspace; ``user`` adds --user."""
    parser: argparse.ArgumentParser = sub.add_parser(name, **kwargs)
    if user:
        parser.add_argument("--user", help="acting user (default: WORKBENCH_USER)")
    parser.add_argument("workspace")
    parser.set_defaults(func=func)
    return parser


def add_force(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--force", action="store_true", help="replace the output file(s) if they already exist"
    )


def add_lang(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--lang", choices=list(LANGUAGES), default=None, help="default: WORKBENCH_LANG or ja"
    )


def parse_date(text: str, *, end: bool) -> datetime:
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date; use YYYY-MM-DD.") from None
    return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)
