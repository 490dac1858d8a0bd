"""The mapping the import will use: a saved profile plus the user's changes on screen.

No Qt here, so the merge is tested without a window (tests/ui/test_import_profile.py).
"""

from __future__ import annotations

from collections.abc import Mapping

#: The unsaved profile built from the mapping the user fixed on screen.
SCREEN_PROFILE = "on-screen mapping"


def merged_columns(
    saved: Mapping[str, str],
    detected: Mapping[str, str],
    overrides: Mapping[str, str],
) -> dict[str, str]:
    """File header → canonical column: the saved profile's, then what the preview
    detected, then the user's choices. A column the user maps a header to is taken away
    from any other header (one file column per canonical column)."""
    columns = dict(saved)
    columns.update(detected)
    for header, alias in overrides.items():
        columns = {h: a for h, a in columns.items() if a != alias or h == header}
        columns[header] = alias
    return columns
