"""A lazy Qt table model over a polars DataFrame, smooth at millions of rows.

Like Anki's browser table model, the model fetches rows only when the view asks for them
and keeps them in a cache; ``flags()`` and ``rowCount()`` fetch nothing. Rows are
converted in blocks of :data:`BLOCK_ROWS` (``frame.slice(...).select(text).rows()``, one
polars call per block) into tuples of display strings, so ``data()`` for a painted cell
is two dictionary look-ups and never touches polars. Sorting and filtering happen in
polars on the whole frame; the result replaces the frame and the model resets.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor

BLOCK_ROWS = 512
MAX_BLOCKS = 64  # 32,768 rows of text at most

Index = QModelIndex | QPersistentModelIndex
#: (frame column, descending) or None for the frame's own order.
SortKey = tuple[str, bool] | None
_NUMERIC = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)


def _as_text(name: str, dtype: pl.DataType, labels: Mapping[str, str] | None = None) -> pl.Expr:
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


class FrameTableModel(QAbstractTableModel):
    """Shows the ``columns`` of a frame; filter and sort replace the frame it shows."""

    def __init__(
        self,
        columns: Sequence[tuple[str, str]] = (),
        *,
        value_labels: Mapping[str, Mapping[str, str]] | None = None,
        cell_colours: Mapping[str, Mapping[str, QColor]] | None = None,
        parent: Any = None,
    ) -> None:
        """``value_labels``: column -> {stored value: shown text} (codes shown translated);
        ``cell_colours``: column -> {stored value: background}."""
        super().__init__(parent)
        self._columns: list[tuple[str, str]] = list(columns)
        self._labels_of = {k: dict(v) for k, v in (value_labels or {}).items()}
        self._colours = {
            column: {self._labels_of.get(column, {}).get(k, k): c for k, c in colours.items()}
            for column, colours in (cell_colours or {}).items()
        }
        self._base = pl.DataFrame()
        self._frame = pl.DataFrame()
        self._filter: pl.Expr | None = None
        self._sort: SortKey = None
        self._sorted: pl.DataFrame | None = None
        self._shown: list[str] = []
        self._labels: dict[str, str] = {}
        self._text_exprs: list[pl.Expr] = []
        self._right_aligned: set[int] = set()
        self._colour_by_index: dict[int, dict[str, QColor]] = {}
        self._blocks: OrderedDict[int, list[tuple[str, ...]]] = OrderedDict()
        #: How many blocks were converted from the frame (tests and the benchmark read it).
        self.block_loads = 0

    # -- what is shown ---------------------------------------------------------------------
    def set_columns(self, columns: Sequence[tuple[str, str]]) -> None:
        """(frame column, header label) pairs; columns the frame lacks are skipped."""
        self._columns = list(columns)
        self._apply()

    def set_base(self, frame: pl.DataFrame, *, arrange: bool = True) -> None:
        """New data. ``arrange``: sort and filter it now as before; False shows it as it
        is, for the caller to arrange (perhaps on a worker) right after."""
        self._base = frame
        self._sorted = None
        if arrange:
            self._apply()
        else:
            self._show(frame)

    def update_values(self, *exprs: pl.Expr) -> None:
        """Change values in place (``with_columns``) without sorting or filtering again,
        so an edited row stays where the user is looking."""
        self._base = self._base.with_columns(*exprs)
        if self._sorted is not None:
            self._sorted = self._sorted.with_columns(*exprs)
        self._show(self._frame.with_columns(*exprs))

    def set_filter(self, expr: pl.Expr | None) -> None:
        self.arrange(self._sort, expr)

    @property
    def base(self) -> pl.DataFrame:
        return self._base

    @property
    def frame(self) -> pl.DataFrame:
        """The frame as shown (filtered and sorted)."""
        return self._frame

    def column_name(self, section: int) -> str:
        return self._shown[section]

    def row_dict(self, row: int) -> dict[str, Any]:
        """Every column of one shown row (for the selection, not for painting)."""
        return self._frame.row(row, named=True)

    @property
    def sort_key(self) -> SortKey:
        return self._sort

    @property
    def filter_expr(self) -> pl.Expr | None:
        return self._filter

    def sort_section(self, name: str) -> int:
        """The shown section of a frame column (-1 when not shown)."""
        return self._shown.index(name) if name in self._shown else -1

    def arranged(self, sort: SortKey, expr: pl.Expr | None) -> tuple[pl.DataFrame, pl.DataFrame]:
        """(sorted base, shown frame) for a sort and a filter. Reads the model, changes
        nothing, touches no Qt object: a worker may call it for a big frame."""
        if sort == self._sort and self._sorted is not None:
            sorted_base = self._sorted  # a filter keeps the order it filters
        else:
            sorted_base = self._base
            if sort is not None and sort[0] in sorted_base.columns:
                name, descending = sort
                sorted_base = sorted_base.sort(
                    name, descending=descending, nulls_last=True, maintain_order=True
                )
        shown = sorted_base
        if expr is not None and sorted_base.width:
            shown = sorted_base.filter(expr)
        return sorted_base, shown

    def show_arranged(
        self,
        sort: SortKey,
        expr: pl.Expr | None,
        sorted_base: pl.DataFrame,
        shown: pl.DataFrame,
    ) -> None:
        """Show what :meth:`arranged` computed (on the GUI thread)."""
        self._sort, self._filter, self._sorted = sort, expr, sorted_base
        self._show(shown)

    def arrange(self, sort: SortKey, expr: pl.Expr | None) -> None:
        self.show_arranged(sort, expr, *self.arranged(sort, expr))

    def _apply(self) -> None:
        self.arrange(self._sort, self._filter)

    def _show(self, frame: pl.DataFrame) -> None:
        self.beginResetModel()
        self._frame = frame
        schema = frame.schema
        self._shown = [name for name, _ in self._columns if name in schema]
        self._labels = {name: label for name, label in self._columns}
        self._right_aligned = {
            i
            for i, name in enumerate(self._shown)
            if schema[name].is_float() or isinstance(schema[name], _NUMERIC)
        }
        self._colour_by_index = {
            i: self._colours[name] for i, name in enumerate(self._shown) if name in self._colours
        }
        self._text_exprs = [
            _as_text(name, schema[name], self._labels_of.get(name)) for name in self._shown
        ]
        self._blocks.clear()
        self.endResetModel()

    # -- the lazy cache ----------------------------------------------------------------------
    def _block(self, number: int) -> list[tuple[str, ...]]:
        block = self._blocks.get(number)
        if block is not None:
            self._blocks.move_to_end(number)
            return block
        part = self._frame.slice(number * BLOCK_ROWS, BLOCK_ROWS)
        block = part.select(self._text_exprs).rows()
        self.block_loads += 1
        self._blocks[number] = block
        if len(self._blocks) > MAX_BLOCKS:
            self._blocks.popitem(last=False)
        return block

    def cell_text(self, row: int, column: int) -> str:
        return self._block(row // BLOCK_ROWS)[row % BLOCK_ROWS][column]

    # -- QAbstractTableModel -----------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._frame.height

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._shown)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole or role == Qt.ItemDataRole.ToolTipRole:
            return self.cell_text(index.row(), index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if index.column() in self._right_aligned:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            colours = self._colour_by_index.get(index.column())
            if colours is not None:
                return colours.get(self.cell_text(index.row(), index.column()))
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self._shown):
                name = self._shown[section]
                return self._labels.get(name, name)
            return None
        return str(section + 1)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if 0 <= column < len(self._shown):
            self.arrange(self.sort_for(column, order), self._filter)

    def sort_for(self, column: int, order: Qt.SortOrder) -> SortKey:
        return (self._shown[column], order == Qt.SortOrder.DescendingOrder)
