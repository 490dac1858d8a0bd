"""The one exception hierarchy of the application core.

Every message is written for the person at the desk: what is wrong and what to do next.
No message ever carries a 個人番号, a name, an address or an amount.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from enum import StrEnum

from rlwb.crypto.errors import CryptoError
from rlwb.linkage.errors import LinkageError
from rlwb.linkage.progress import Cancelled


class LoginReason(StrEnum):
    """The outcome of one password check, as the access log keeps it."""

    OK = "ok"
    WRONG_PASSWORD = "wrong_password"  # noqa: S105 - a reason, not a password
    UNKNOWN_USER = "unknown_user"
    #: This failure locked the name.
    LOCKED_OUT = "locked_out"
    LOCKED = "locked"
    DISABLED = "disabled"
    #: The account's row does not carry a valid MAC: changed outside the app.
    TAMPERED = "record_tampered"


class RefusalKind(StrEnum):
    """What a refused login may tell the person (see LoginRefused)."""

    WRONG = "wrong"
    LOCKED = "locked"
    DISABLED = "disabled"
    TAMPERED = "record_tampered"


class SessionEndReason(StrEnum):
    """Why a session was ended under the user's feet (the account changed while logged in)."""

    DISABLED = "disabled"
    LOCKED = "locked"
    ROLES_CHANGED = "roles_changed"
    NO_SUCH_USER = "no_such_user"
    TAMPERED = "record_tampered"


class WorkbenchError(Exception):
    """Base of every expected error of the core; the CLI prints its message, no traceback."""


class WorkspaceError(WorkbenchError):
    """The workspace cannot be created, opened or used as asked."""


class AuthenticationError(WorkbenchError):
    """Login failed: unknown user, wrong password, locked or disabled account."""


class LoginRefused(AuthenticationError):
    """A login (or an unlock) was refused. ``kind`` is what the person may be told:
    "wrong" (wrong name or password: the two are never told apart), "locked" (until
    ``locked_until``, for a name that exists or not alike) or "disabled" (said only to
    someone who gave the right password)."""

    def __init__(
        self, message: str, kind: RefusalKind, locked_until: datetime | None = None
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.locked_until = locked_until


class AccessDenied(WorkbenchError):
    """The acting user's roles do not allow the action. Always logged with outcome denied."""


class AccountRefused(AccessDenied):
    """The account was disabled, locked or removed while logged in: the session ended."""


class PasswordChangeRequired(AccessDenied):
    """The user logged in with a temporary password: nothing but changing it is allowed."""


class AuditError(WorkbenchError):
    """The access log cannot be written or read. Fail closed: nothing is shown."""


class AuditWriteFailed(AuditError):
    """An event could not be committed, so the action it records must not happen."""


class NotFound(WorkbenchError):
    """A user, dataset, run or record named by the caller does not exist."""


class InvalidInput(WorkbenchError):
    """The caller's input (a file, a name, a password) cannot be used as given."""


# -- what the CLI and the GUI treat as expected ------------------------------------------
# An expected error shows its own message (none carries personal data: every hierarchy
# here is written so) and no traceback; anything else is a bug, whose traceback goes to
# the support log. Storage failures (sqlite3, OSError) are described in words by
# storage_errors.describe_failure. The engine's and crypto's errors are converted into
# WorkbenchError at the service boundary (services/boundary.py) where a service calls the
# engine; they stay listed here for the calls that reach them directly (opening a keystore).
EXPECTED_ERRORS: tuple[type[BaseException], ...] = (
    WorkbenchError,
    CryptoError,
    LinkageError,
    Cancelled,
    sqlite3.Error,
    OSError,
)


def is_expected(exc: BaseException) -> bool:
    """True for an error the person at the desk can act on from its message alone."""
    return isinstance(exc, EXPECTED_ERRORS)
