"""The support log, as the desktop app uses it: where it is, and writing an unexpected
error's (masked) traceback to it."""

from __future__ import annotations

from rlwb.workbench.support_log import log_path, log_unexpected

__all__ = ["log_path", "log_unexpected"]
