"""Progress and cancel for long-running services, as the UI sees them.

The engine defines them (linkage.progress); the UI may only import workbench, so this
module re-exports them under the application core's name. Nothing here knows about Qt.
"""

from __future__ import annotations

from rlwb.linkage.progress import Cancelled, CancelToken, ProgressCallback, no_progress

__all__ = ["CancelToken", "Cancelled", "ProgressCallback", "no_progress"]
