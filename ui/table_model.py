"""A lazy Qt table model over a polars DataFrame, smooth at millions of rows.

Like Anki's browser table model, the model fetches rows only when the view asks for them
and keeps them in a cache; ``flags()`` and ``rowCount()`` fetch nothing. What is shown and
the cache of display strings are :class:`rlwb.ui.frame_view.FrameView` (no Qt, tested
without a window); this module only answers Qt's questions and resets the view.
"""

from __future__ import annotations

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

from rlwb.ui.frame_view import BLOCK_ROWS, MAX_BLOCKS, FrameView, SortKey

__all__ = ["BLOCK_ROWS", "MAX_BLOCKS", "FrameTableModel", "SortKey"]

Index = QModelIndex | QPersistentModelIndex


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
        self.view: FrameView[QColor] = FrameView(
            columns, value_labels=value_labels, cell_colours=cell_colours
        )

    # -- what is shown ---------------------------------------------------------------------
    def set_base(self, frame: pl.DataFrame, *, arrange: bool = True) -> None:
        """New data. ``arrange``: sort and filter it now as before; False shows it as it
        is, for the caller to arrange (perhaps on a worker) right after."""
        self.view.set_base(frame)
        if arrange:
            self.arrange(self.view.sort_key, self.view.filter_expr)
        else:
            self._show(frame)

    def update_values(self, *exprs: pl.Expr) -> None:
        """Change values in place (``with_columns``) without sorting or filtering again,
        so an edited row stays where the user is looking."""
        self._show(self.view.update_values(*exprs))

    def set_filter(self, expr: pl.Expr | None) -> None:
        self.arrange(self.view.sort_key, expr)

    @property
    def base(self) -> pl.DataFrame:
        return self.view.base

    @property
    def frame(self) -> pl.DataFrame:
        """The frame as shown (filtered and sorted)."""
        return self.view.frame

    @property
    def block_loads(self) -> int:
        return self.view.block_loads

    def column_name(self, section: int) -> str:
        return self.view.shown[section]

    def row_dict(self, row: int) -> dict[str, Any]:
        return self.view.row_dict(row)

    @property
    def sort_key(self) -> SortKey:
        return self.view.sort_key

    @property
    def filter_expr(self) -> pl.Expr | None:
        return self.view.filter_expr

    def sort_section(self, name: str) -> int:
        return self.view.sort_section(name)

    def arranged(self, sort: SortKey, expr: pl.Expr | None) -> tuple[pl.DataFrame, pl.DataFrame]:
        """(sorted base, shown frame); touches no Qt object, so a worker may call it."""
        return self.view.arranged(sort, expr)

    def show_arranged(
        self,
        sort: SortKey,
        expr: pl.Expr | None,
        sorted_base: pl.DataFrame,
        shown: pl.DataFrame,
    ) -> None:
        """Show what :meth:`arranged` computed (on the GUI thread)."""
        self.view.accept(sort, expr, sorted_base)
        self._show(shown)

    def arrange(self, sort: SortKey, expr: pl.Expr | None) -> None:
        self.show_arranged(sort, expr, *self.view.arranged(sort, expr))

    def _show(self, frame: pl.DataFrame) -> None:
        self.beginResetModel()
        self.view.show(frame)
        self.endResetModel()

    def cell_text(self, row: int, column: int) -> str:
        return self.view.cell_text(row, column)

    # -- QAbstractTableModel -----------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.view.row_count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.view.shown)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole or role == Qt.ItemDataRole.ToolTipRole:
            return self.view.cell_text(index.row(), index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole:
            side = (
                Qt.AlignmentFlag.AlignRight
                if self.view.right_aligned(index.column())
                else Qt.AlignmentFlag.AlignLeft
            )
            return int(side | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            return self.view.colour(index.row(), index.column())
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
            return self.view.header(section)
        return str(section + 1)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if 0 <= column < len(self.view.shown):
            self.arrange(self.sort_for(column, order), self.view.filter_expr)

    def sort_for(self, column: int, order: Qt.SortOrder) -> SortKey:
        return self.view.sort_for(column, order == Qt.SortOrder.DescendingOrder)
