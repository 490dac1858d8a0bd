"""Where the services meet the engine: its errors become the core's, converted once.

The engine (linkage/) raises LinkageError with a message written for the person at the
desk (a file, a row, a column, never a value). A service that calls the engine runs that
call under ``engine_errors``, as a decorator or a ``with`` block, so that the CLI and the
GUI see an InvalidInput with the same message and no traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rlwb.linkage.errors import LinkageError
from rlwb.workbench.errors import InvalidInput


@contextmanager
def engine_errors() -> Iterator[None]:
    """Turn a LinkageError raised inside into InvalidInput with the same message."""
    try:
        yield
    except LinkageError as exc:
        raise InvalidInput(str(exc)) from None
