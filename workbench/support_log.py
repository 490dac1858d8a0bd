"""The support log: a rotating text file for tracebacks and diagnostics, never for data.

It lives in the platform's user log directory (platformdirs; ``WORKBENCH_LOG_DIR``
overrides it) and is what a user sends to support after an unexpected error. It is not the
access log (that one is in the workspace database and is evidence); this one is for fixing
bugs. What goes in: our own log lines and the tracebacks of unexpected exceptions. Every
line passes :class:`PersonalNumberFilter`, which masks every 個人番号 with the one screen
of the application (workbench.number_screen), as the access log and the imports do. Callers log record ids at most, never a name or an
address.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import unicodedata
from collections.abc import Mapping
from logging.handlers import RotatingFileHandler
from pathlib import Path

import platformdirs

from rlwb.workbench.keyaccess import APP_NAME
from rlwb.workbench.number_screen import mask_text
from rlwb.workbench.version import APP_VERSION

#: What a 個人番号 becomes in the support log.
MASKED_MY_NUMBER = "[個人番号]"
LOG_FILE_NAME = "workbench.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5  # workbench.log.1 … .5: at most ~6 MB in all
_FORMAT = "%(asctime)s %(levelname)s %(name)s [pid %(process)d] %(message)s"

_log = logging.getLogger(__name__)


def log_dir(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    configured = env.get("WORKBENCH_LOG_DIR")
    return Path(configured) if configured else Path(platformdirs.user_log_dir(APP_NAME))


def log_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the support log is (or will be) written."""
    return log_dir(environ) / LOG_FILE_NAME


def mask_my_numbers(text: str) -> str:
    """``text`` with every 個人番号 (number_screen's rule) replaced by MASKED_MY_NUMBER."""
    return mask_text(text, MASKED_MY_NUMBER)


# A traceback shows text as repr(): a space, dash or invisible character between the digits
# of a number may be written as an escape (``1234\u30005678\u30009018``).
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|([tnr]))")
_ESCAPED = {"t": "\t", "n": "\n", "r": "\r"}


def _unescape_separator(match: re.Match[str]) -> str:
    code = match.group(1) or match.group(2)
    char = chr(int(code, 16)) if code else _ESCAPED[match.group(3)]
    kind = unicodedata.category(char)
    return char if char.isspace() or kind in ("Pd", "Cf") else match.group(0)


def mask_numbers_in_log(text: str) -> str:
    """``text`` with every 個人番号 masked: first the plain runs (``[個人番号]``), then
    whatever the import's screen finds (numbers in groups, next to letters, split by
    invisible characters), also when repr() wrote the characters between the digits as
    escapes. Text without a number comes back unchanged."""
    text = mask_my_numbers(text)
    if mask_text(text) != text:
        return mask_text(text)
    unescaped = _ESCAPE.sub(_unescape_separator, text)
    if unescaped != text and mask_text(unescaped) != unescaped:
        return mask_text(unescaped)
    return text


class PersonalNumberFilter(logging.Filter):
    """Masks 個人番号 in the message, its arguments and the traceback text of a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_numbers_in_log(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_numbers_in_log(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_numbers_in_log(record.stack_info)
        return True


class _SupportHandler(RotatingFileHandler):
    """Marks the handler this module installed, so installing again replaces it."""


def install(environ: Mapping[str, str] | None = None) -> Path:
    """Send this process's log records (INFO and up) to the support log; returns its path.

    Idempotent: calling it again with the same location does nothing; with another one
    (tests) it moves the file. If the directory cannot be created the app still runs, with
    the records going nowhere rather than failing the user's command.
    """
    path = log_path(environ)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _SupportHandler):
            if Path(handler.baseFilename) == path.absolute():
                return path
            root.removeHandler(handler)
            handler.close()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.close(fd)
        handler = _SupportHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
        )
    except OSError as exc:
        print(f"workbench: cannot write the support log {path}: {exc.strerror}", file=sys.stderr)
        return path
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.addFilter(PersonalNumberFilter())
    handler.setLevel(logging.INFO)
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    return path


def log_unexpected(exc: BaseException, where: str) -> Path:
    """Write ``exc`` with its traceback to the support log; returns the log's path."""
    path = install()
    _log.error(
        "unexpected %s in %s (version %s)",
        type(exc).__name__,
        where,
        APP_VERSION,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return path
