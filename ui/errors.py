"""Errors as the person at the desk reads them: a translated headline and the core's message.

Only expected errors (workbench.errors.is_expected: the same rule as the CLI's) show
their message;
anything else shows a generic sentence, because a foreign exception may quote data: its
traceback goes to the support log (workbench/support_log.py) and the sentence says where
that file is.
"""

from __future__ import annotations

from rlwb.ui.i18n import tr
from rlwb.workbench.services import support as support_log
from rlwb.workbench.services.types import (
    AccessDenied,
    AuditError,
    AuditWriteFailed,
    AuthenticationError,
    Cancelled,
    InvalidInput,
    NotFound,
    PurposeRequired,
    SessionLocked,
    WorkbenchError,
    WorkspaceError,
    describe_failure,
)
from rlwb.workbench.services.types import is_expected as core_is_expected

#: Most specific first: the first matching class gives the headline.
_HEADLINES: tuple[tuple[type[BaseException], str], ...] = (
    (PurposeRequired, "error.purpose_required"),
    (AuditWriteFailed, "error.audit_write"),
    (AuditError, "error.audit"),
    (SessionLocked, "error.locked"),
    (AccessDenied, "error.denied"),
    (AuthenticationError, "error.auth"),
    (NotFound, "error.not_found"),
    (InvalidInput, "error.invalid"),
    (WorkspaceError, "error.workspace"),
    (WorkbenchError, "error.generic"),
)


def is_expected(exc: BaseException) -> bool:
    return core_is_expected(exc)


def headline(exc: BaseException) -> str:
    if isinstance(exc, Cancelled):
        return tr("task.cancelled")
    for cls, key in _HEADLINES:
        if isinstance(exc, cls):
            return tr(key)
    return tr("error.generic")  # the full sentence for a foreign exception: unexpected_error


def unexpected_error(exc: BaseException, where: str = "the desktop app") -> str:
    """Write ``exc`` with its traceback to the support log; the sentence to show instead."""
    path = support_log.log_unexpected(exc, where)
    return tr("error.unexpected", log=str(path))


def describe_error(exc: BaseException) -> str:
    """One readable message; never a traceback, never the text of a foreign exception.

    An unexpected exception is written to the support log here, so every catch-all
    handler that shows this message also keeps the traceback.
    """
    if isinstance(exc, Cancelled):
        return tr("task.cancelled")
    if isinstance(exc, WorkbenchError):
        detail = str(exc).strip()
        return f"{headline(exc)}\n{detail}" if detail else headline(exc)
    if is_expected(exc):  # a storage failure, in words (as the CLI says it)
        return f"{headline(exc)}\n{describe_failure(exc)}"
    return unexpected_error(exc)
