"""What a table of a polars DataFrame shows, without Qt: the columns, the sort and the
filter, and the display strings of the rows, converted a block at a time and cached.

:class:`rlwb.ui.table_model.FrameTableModel` puts a Qt model around it; everything here is
tested without a window (tests/ui/test_frame_view.py), as napari tests its models apart
from its views. Rows are converted in blocks of :data:`BLOCK_ROWS`
(``frame.slice(...).select(text).rows()``, one polars call per block) into tuples of
display strings, so the text of a painted cell is two dictionary look-ups and never
touches polars. Sorting and filtering happen in polars on the whole frame.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar

import polars as pl

BLOCK_ROWS = 512
MAX_BLOCKS = 64  # 32,768 rows of text at most

#: (frame column, descending) or None for the frame's own order.
SortKey = tuple[str, bool] | None
#: Whatever the view paints a cell's background with (a QColor in the app).
Colour = TypeVar("Colour")
_NUMERIC = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)


def as_text(name: str, dtype: pl.DataType, labels: Mapping[str, str] | None = None) -> pl.Expr:
    """The display string of a column: labels for codes, floats to 3 places, ✓ for true,
    an ellipsis for bytes (tokens are never shown), "" for null."""
    column = pl.col(name)
    if labels:
        return column.cast(pl.String).replace(dict(labels)).fill_null("").alias(name)
    if dtype.is_float():
        text = column.round(3).cast(pl.String)
    elif dtype == pl.Binary:
        text = pl.lit("…", dtype=pl.String)  # bytes (tokens) are never shown
    elif dtype == pl.Boolean:
        text = pl.when(column).then(pl.lit("✓")).otherwise(pl.lit(""))
    else:
        text = column.cast(pl.String)
    return text.fill_null("").alias(name)


class FrameView(Generic[Colour]):
    """The ``columns`` of a frame as text; filter and sort replace the frame it shows."""

    def __init__(
        self,
        columns: Sequence[tuple[str, str]] = (),
        *,
        value_labels: Mapping[str, Mapping[str, str]] | None = None,
        cell_colours: Mapping[str, Mapping[str, Colour]] | None = None,
    ) -> None:
        """``columns``: (frame column, header label) pairs, columns the frame lacks are
        skipped; ``value_labels``: column -> {stored value: shown text};
        ``cell_colours``: column -> {stored value: background}."""
        self._columns: list[tuple[str, str]] = list(columns)
        self._labels_of = {k: dict(v) for k, v in (value_labels or {}).items()}
        self._colours = {
            column: {self._labels_of.get(column, {}).get(k, k): c for k, c in colours.items()}
            for column, colours in (cell_colours or {}).items()
        }
        self._labels = {name: label for name, label in self._columns}
        self.base = pl.DataFrame()
        #: The frame as shown (filtered and sorted).
        self.frame = pl.DataFrame()
        self.filter_expr: pl.Expr | None = None
        self.sort_key: SortKey = None
        self._sorted: pl.DataFrame | None = None
        self.shown: list[str] = []
        self._text_exprs: list[pl.Expr] = []
        self._right_aligned: set[int] = set()
        self._colour_by_index: dict[int, dict[str, Colour]] = {}
        self._blocks: OrderedDict[int, list[tuple[str, ...]]] = OrderedDict()
        #: How many blocks were converted from the frame (tests and the benchmark read it).
        self.block_loads = 0

    # -- the data ------------------------------------------------------------------------------
    def set_base(self, frame: pl.DataFrame) -> None:
        """New data; the caller arranges (or shows) it next."""
        self.base = frame
        self._sorted = None

    def update_values(self, *exprs: pl.Expr) -> pl.DataFrame:
        """Values changed in place (``with_columns``); returns the shown frame changed the
        same way, not sorted or filtered again (an edited row stays where it is)."""
        self.base = self.base.with_columns(*exprs)
        if self._sorted is not None:
            self._sorted = self._sorted.with_columns(*exprs)
        return self.frame.with_columns(*exprs)

    def arranged(self, sort: SortKey, expr: pl.Expr | None) -> tuple[pl.DataFrame, pl.DataFrame]:
        """(sorted base, shown frame) for a sort and a filter. Changes nothing: a worker
        may call it for a big frame."""
        if sort == self.sort_key and self._sorted is not None:
            sorted_base = self._sorted  # a filter keeps the order it filters
        else:
            sorted_base = self.base
            if sort is not None and sort[0] in sorted_base.columns:
                name, descending = sort
                sorted_base = sorted_base.sort(
                    name, descending=descending, nulls_last=True, maintain_order=True
                )
        shown = sorted_base
        if expr is not None and sorted_base.width:
            shown = sorted_base.filter(expr)
        return sorted_base, shown

    def accept(self, sort: SortKey, expr: pl.Expr | None, sorted_base: pl.DataFrame) -> None:
        """Remember the sort and filter :meth:`arranged` computed a frame for."""
        self.sort_key, self.filter_expr, self._sorted = sort, expr, sorted_base

    def show(self, frame: pl.DataFrame) -> None:
        """Show ``frame``: which columns, how each is written, an empty cache."""
        self.frame = frame
        schema = frame.schema
        self.shown = [name for name, _ in self._columns if name in schema]
        self._right_aligned = {
            i
            for i, name in enumerate(self.shown)
            if schema[name].is_float() or isinstance(schema[name], _NUMERIC)
        }
        self._colour_by_index = {
            i: self._colours[name] for i, name in enumerate(self.shown) if name in self._colours
        }
        self._text_exprs = [
            as_text(name, schema[name], self._labels_of.get(name)) for name in self.shown
        ]
        self._blocks.clear()

    # -- reading it ------------------------------------------------------------------------------
    @property
    def row_count(self) -> int:
        return self.frame.height

    def header(self, section: int) -> str | None:
        if 0 <= section < len(self.shown):
            name = self.shown[section]
            return self._labels.get(name, name)
        return None

    def sort_section(self, name: str) -> int:
        """The shown section of a frame column (-1 when not shown)."""
        return self.shown.index(name) if name in self.shown else -1

    def sort_for(self, column: int, descending: bool) -> SortKey:
        return (self.shown[column], descending)

    def row_dict(self, row: int) -> dict[str, Any]:
        """Every column of one shown row (for the selection, not for painting)."""
        return self.frame.row(row, named=True)

    def right_aligned(self, column: int) -> bool:
        """Numbers are right-aligned."""
        return column in self._right_aligned

    def colour(self, row: int, column: int) -> Colour | None:
        colours = self._colour_by_index.get(column)
        return None if colours is None else colours.get(self.cell_text(row, column))

    def _block(self, number: int) -> list[tuple[str, ...]]:
        block = self._blocks.get(number)
        if block is not None:
            self._blocks.move_to_end(number)
            return block
        part = self.frame.slice(number * BLOCK_ROWS, BLOCK_ROWS)
        block = part.select(self._text_exprs).rows()
        self.block_loads += 1
        self._blocks[number] = block
        if len(self._blocks) > MAX_BLOCKS:
            self._blocks.popitem(last=False)
        return block

    def cell_text(self, row: int, column: int) -> str:
        return self._block(row // BLOCK_ROWS)[row % BLOCK_ROWS][column]
