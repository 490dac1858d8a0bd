"""Errors of the access log, all within the core's one hierarchy (workbench.errors)."""

from __future__ import annotations

from rlwb.workbench.errors import AuditError, AuditWriteFailed


class AuditEventRejected(AuditWriteFailed):
    """The draft cannot be logged as given (a bad field, or what looks like a 個人番号).

    Nothing was written, so the action it describes must not happen either.
    """


class CheckpointError(AuditError):
    """A signed checkpoint could not be written to, or read from, where it is kept."""
