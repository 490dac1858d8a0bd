"""Ids for datasets and runs: readable, sortable by time, never a run of twelve digits.

The access log refuses any text holding twelve digits that pass the 個人番号 check, so
an id like ``tax-20261102-090000-327149`` (digits only around the dashes) would, about
once in 170 imports, make its own event unloggable. The ``T`` in the timestamp and a
suffix of letters keep every digit run short.
"""

from __future__ import annotations

import secrets
from datetime import datetime

_LETTERS = "abcdefghjkmnpqrstuvwxyz"


def new_id(prefix: str, now: datetime) -> str:
    suffix = "".join(secrets.choice(_LETTERS) for _ in range(6))
    return f"{prefix}-{now.strftime('%Y%m%dT%H%M%S')}-{suffix}"
