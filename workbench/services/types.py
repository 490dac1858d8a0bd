"""The types the desktop app gets from, and hands back to, the services.

``ui/`` may import ``rlwb.workbench.services`` and nothing else of ``workbench/`` (an
import-linter contract in pyproject.toml). What a service returns or raises, and the
handles the UI passes back to it (a :class:`Session`, a :class:`Workspace`), are
re-exported here, so the UI can name them without reaching into the core's modules.
Re-exporting a handle is not a licence to use its insides: ``tests/test_import_contracts.py``
also refuses ``ui/`` code that reads a session's workspace, the log or the user table.
"""

from __future__ import annotations

from rlwb.workbench.access import PurposeRequired, SessionLocked
from rlwb.workbench.audit.analysis import SECTIONS, AnalysisReport, AnalysisSettings
from rlwb.workbench.audit.events import AuditEvent, EventType, Outcome
from rlwb.workbench.audit.log import EventFilter
from rlwb.workbench.audit.verify import VerificationResult
from rlwb.workbench.clock import Clock, utc_now
from rlwb.workbench.datasets import DatasetInfo, Kind
from rlwb.workbench.errors import (
    AccessDenied,
    AccountRefused,
    AuditError,
    AuditWriteFailed,
    AuthenticationError,
    InvalidInput,
    LoginRefused,
    NotFound,
    PasswordChangeRequired,
    RefusalKind,
    WorkbenchError,
    WorkspaceError,
    is_expected,
)
from rlwb.workbench.keyaccess import KeyAccess
from rlwb.workbench.permissions import Action, Role, is_allowed
from rlwb.workbench.runs import RunInfo
from rlwb.workbench.session import STANDARD_PURPOSES, Session
from rlwb.workbench.storage_errors import describe_failure
from rlwb.workbench.tasks import Cancelled, CancelToken, ProgressCallback
from rlwb.workbench.users import MIN_PASSWORD_LENGTH, User
from rlwb.workbench.version import APP_VERSION
from rlwb.workbench.workspace import Workspace

__all__ = [
    "APP_VERSION",
    "MIN_PASSWORD_LENGTH",
    "SECTIONS",
    "STANDARD_PURPOSES",
    "AccessDenied",
    "AccountRefused",
    "Action",
    "AnalysisReport",
    "AnalysisSettings",
    "AuditError",
    "AuditEvent",
    "AuditWriteFailed",
    "AuthenticationError",
    "CancelToken",
    "Cancelled",
    "Clock",
    "DatasetInfo",
    "EventFilter",
    "EventType",
    "InvalidInput",
    "KeyAccess",
    "Kind",
    "LoginRefused",
    "NotFound",
    "Outcome",
    "PasswordChangeRequired",
    "ProgressCallback",
    "PurposeRequired",
    "RefusalKind",
    "Role",
    "RunInfo",
    "Session",
    "SessionLocked",
    "User",
    "VerificationResult",
    "WorkbenchError",
    "Workspace",
    "WorkspaceError",
    "describe_failure",
    "is_allowed",
    "is_expected",
    "utc_now",
]
