"""Self-inspection of a workspace: where, if anywhere, does a 個人番号 rest?

Decrypts every stored frame (datasets, run results, import reports, caches: every
``*.parquet.enc`` under the workspace), reads every column of every table of the
workspace database, and reads every other plain file of the workspace, counting per
place how many values hold a number (workbench.number_screen: twelve digits in any
width, whole or split by spaces or dashes, passing the check digit). Only places and
counts come out, never a value. Binary columns (tokens) and sealed files (the keyset)
are not text and are skipped; hexadecimal words of 16 or more characters (tokens, hashes
in the log) are opaque to the screen.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from rlwb.workbench.errors import WorkspaceError
from rlwb.workbench.number_screen import count_numbers
from rlwb.workbench.store import FrameStore
from rlwb.workbench.workspace import Workspace

_FRAME_SUFFIX = ".parquet.enc"
_BATCH = 100_000
_PLAIN_LIMIT = 64 * 1024 * 1024
#: Files that are not text: the database (read through SQLite instead) and sealed keys.
_NOT_TEXT = (".sqlite3", ".sqlite3-wal", ".sqlite3-shm", ".sqlite3-journal", ".bin", ".enc", ".tmp")


@dataclass(frozen=True)
class Place:
    """``file:column`` for a frame, ``table.column`` for the database, a path for a file."""

    place: str
    values: int  # how many values hold a number


@dataclass
class ScanReport:
    frames: int = 0
    tables: int = 0
    files: int = 0
    values: int = 0
    found: list[Place] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)

    @property
    def numbers(self) -> int:
        return sum(p.values for p in self.found)

    @property
    def clean(self) -> bool:
        return not self.found and not self.unreadable

    def lines(self) -> list[str]:
        out = [
            f"Scanned {self.frames} stored frames, {self.tables} database tables and "
            f"{self.files} other files ({self.values:,} values) for 個人番号."
        ]
        for place in self.found:
            out.append(f"  {place.place}: {place.values} values hold a 個人番号")
        for name in self.unreadable:
            out.append(f"  {name}: could not be read, so it was not checked")
        if self.clean:
            out.append("No 個人番号 found.")
        else:
            out.append(
                f"{self.numbers} values hold a 個人番号. Find out how they got there, remove "
                "them (re-import the dataset, or delete the run) and scan again."
                if self.found
                else "Some places could not be checked: restore them from a backup."
            )
        return out


def scan_workspace(ws: Workspace) -> ScanReport:
    report = ScanReport()
    _scan_frames(ws, report)
    _scan_database(ws.conn, report)
    _scan_plain_files(ws.path, report)
    report.found.sort(key=lambda p: p.place)
    return report


def _text_columns(frame: pl.DataFrame) -> Iterator[tuple[str, pl.Series]]:
    """Every value of ``frame`` that can be text, one series per (nested) column."""
    for column in frame.columns:
        series = frame[column]
        while isinstance(series.dtype, pl.List | pl.Array):
            series = series.explode() if isinstance(series.dtype, pl.List) else series.arr.explode()
        if isinstance(series.dtype, pl.Struct):
            fields = series.struct.unnest()
            yield from _text_columns(fields.rename({c: f"{column}.{c}" for c in fields.columns}))
            continue
        if series.dtype == pl.String or series.dtype.is_integer():
            yield column, series.cast(pl.String, strict=False)
        elif isinstance(series.dtype, pl.Categorical | pl.Enum):
            yield column, series.cast(pl.String)


def _scan_frames(ws: Workspace, report: ScanReport) -> None:
    for path in sorted(ws.path.rglob(f"*{_FRAME_SUFFIX}")):
        relative = path.relative_to(ws.path).as_posix()
        store = FrameStore(path.parent, workspace_id=ws.id, data_key=ws.keyset.data_key)
        try:
            frame = store.read(path.name[: -len(_FRAME_SUFFIX)])
        except WorkspaceError:
            report.unreadable.append(relative)
            continue
        report.frames += 1
        for column, values in _text_columns(frame):
            report.values += values.len()
            _count(report, f"{relative}:{column}", values)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _as_text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None  # floats and nulls hold no 12-digit text


def _scan_database(conn: sqlite3.Connection, report: ScanReport) -> None:
    tables = [
        str(r[0])
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    for table in tables:
        report.tables += 1
        columns = [str(r[1]) for r in conn.execute(f"PRAGMA table_xinfo({_quoted(table)})")]
        for column in columns:
            cursor = conn.execute(f"SELECT {_quoted(column)} FROM {_quoted(table)}")
            found = 0
            while batch := cursor.fetchmany(_BATCH):
                values = pl.Series([_as_text(r[0]) for r in batch], dtype=pl.String)
                report.values += values.len()
                found += count_numbers(values)
            if found:
                report.found.append(Place(f"{table}.{column}", found))


def _scan_plain_files(root: Path, report: ScanReport) -> None:
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.name.endswith(_NOT_TEXT):
            continue
        relative = path.relative_to(root).as_posix()
        try:
            if path.stat().st_size > _PLAIN_LIMIT:
                report.unreadable.append(relative)
                continue
            text = path.read_bytes().decode("utf-8", errors="replace")
        except OSError:
            report.unreadable.append(relative)
            continue
        report.files += 1
        lines = pl.Series(text.splitlines(), dtype=pl.String)
        report.values += lines.len()
        _count(report, relative, lines)


def _count(report: ScanReport, place: str, values: pl.Series) -> None:
    found = count_numbers(values)
    if found:
        report.found.append(Place(place, found))
