"""Deterministic stand-ins for injected randomness and time."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime

NOW = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)
LATER = datetime(2025, 10, 1, 9, 0, tzinfo=UTC)


def counting_bytes(start: int = 1) -> Callable[[int], bytes]:
    """random_bytes stand-in: call k returns bytes([start + k]) * n, so keys differ."""
    counter = itertools.count(start)
    return lambda n: bytes([next(counter) % 256]) * n
