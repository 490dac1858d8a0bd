"""How each event is linked to the one before it: keyed (HMAC-SHA256) or, for old events, not.

``link_i = HMAC-SHA256(K_log, link_{i-1} || canonical_i)`` for every event from sequence
``keyed_from`` on, where ``K_log`` is the log-MAC key of the sealed keyset. Events written
before the workspace had that key (sequences below ``keyed_from``) keep their plain link
``SHA-256(link_{i-1} || canonical_i)``. The switch point is recorded in the sealed keyset
next to the key, not in the database, so someone who can write only the files can neither
compute a new link nor claim that a new event is an old, unkeyed one.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

__all__ = ["UNKEYED", "ChainKey"]


class ChainKey:
    """The link function of one log. ``key=None`` is a log that is not keyed at all."""

    def __init__(self, key: bytes | None, keyed_from: int = 1) -> None:
        if key is not None and len(key) != 32:
            raise ValueError("the log MAC key is 32 bytes")
        if keyed_from < 1:
            raise ValueError("keyed_from is a sequence number >= 1")
        self.keyed_from = keyed_from if key is not None else 1 << 62
        self._base = None if key is None else hmac.new(key, digestmod=hashlib.sha256)

    @property
    def keyed(self) -> bool:
        return self._base is not None

    def link(self, seq: int, prev: bytes, body: bytes) -> bytes:
        """The link of the event at ``seq`` with canonical bytes ``body``."""
        return self.link_function(seq)(prev + body)

    def link_function(self, seq: int) -> Callable[[bytes], bytes]:
        """The function of ``prev || body`` that gives the link at ``seq`` (for loops)."""
        if self._base is None or seq < self.keyed_from:
            return _sha256
        base = self._base

        def mac(data: bytes) -> bytes:
            h = base.copy()
            h.update(data)
            return h.digest()

        return mac


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


#: A log with no MAC key: every link is plain SHA-256 (a log from before keyed chains).
UNKEYED = ChainKey(None)
