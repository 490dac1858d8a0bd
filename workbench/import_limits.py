"""The limits of what an import reads, with the file size taken from the workspace setting.

``import_max_mb`` (whole megabytes) is changed with
``workbench settings set WORKSPACE import_max_mb N``; the other limits are fixed in
``linkage.limits``.
"""

from __future__ import annotations

import dataclasses

from rlwb.linkage.limits import DEFAULT_LIMITS, MIB, ReadLimits
from rlwb.workbench.db import get_setting
from rlwb.workbench.workspace import Workspace

SETTING_IMPORT_MAX_MB = "import_max_mb"
DEFAULT_IMPORT_MAX_MB = DEFAULT_LIMITS.max_file_bytes // MIB
MAX_IMPORT_MAX_MB = 1024 * 1024  # 1 TiB: a typing error, not a limit anyone needs


def import_max_mb(ws: Workspace) -> int:
    text = get_setting(ws.conn, SETTING_IMPORT_MAX_MB)
    try:
        value = int(text) if text else DEFAULT_IMPORT_MAX_MB
    except ValueError:
        return DEFAULT_IMPORT_MAX_MB
    return value if 1 <= value <= MAX_IMPORT_MAX_MB else DEFAULT_IMPORT_MAX_MB


def import_limits(ws: Workspace) -> ReadLimits:
    return dataclasses.replace(DEFAULT_LIMITS, max_file_bytes=import_max_mb(ws) * MIB)
