"""The one exception hierarchy of the application core.

Every message is written for the person at the desk: what is wrong and what to do next.
No message ever carries a 個人番号, a name, an address or an amount.
"""

from __future__ import annotations


class WorkbenchError(Exception):
    """Base of every expected error of the core; the CLI prints its message, no traceback."""


class WorkspaceError(WorkbenchError):
    """The workspace cannot be created, opened or used as asked."""


class AuthenticationError(WorkbenchError):
    """Login failed: unknown user, wrong password, locked or disabled account."""


class AccessDenied(WorkbenchError):
    """The acting user's roles do not allow the action. Always logged with outcome denied."""


class AuditError(WorkbenchError):
    """The access log cannot be written or read. Fail closed: nothing is shown."""


class AuditWriteFailed(AuditError):
    """An event could not be committed, so the action it records must not happen."""


class NotFound(WorkbenchError):
    """A user, dataset, run or record named by the caller does not exist."""


class InvalidInput(WorkbenchError):
    """The caller's input (a file, a name, a password) cannot be used as given."""
