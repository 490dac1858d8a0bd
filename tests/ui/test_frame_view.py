"""What a table shows, without Qt (an import contract keeps Qt out of frame_view): formats, labels, colours, sort, filter, in-place edits
and the block cache (the Qt model around it is tested in test_table_model.py)."""

from __future__ import annotations

import polars as pl

from rlwb.ui.frame_view import BLOCK_ROWS, FrameView

COLUMNS = [(c, c.upper()) for c in ("code", "severity", "status", "detail", "weight", "n")]


def frame_of(rows: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "code": [f"R0{i % 9 + 1}" for i in range(rows)],
            "severity": [("high", "review", "info")[i % 3] for i in range(rows)],
            "status": ["open"] * rows,
            "detail": [f"detail {i}" for i in range(rows)],
            "weight": [i / 7 for i in range(rows)],
            "n": list(range(rows)),
            "token": [b"\x00" * 4] * rows,
        }
    )


def _view(rows: int, columns: list[tuple[str, str]] = COLUMNS) -> FrameView[str]:
    view: FrameView[str] = FrameView(columns)
    view.set_base(frame_of(rows))
    view.show(frame_of(rows))
    return view


def _arrange(view: FrameView[str], sort: tuple[str, bool] | None, expr: pl.Expr | None) -> None:
    sorted_base, shown = view.arranged(sort, expr)
    view.accept(sort, expr, sorted_base)
    view.show(shown)


def test_columns_formats_and_hidden_bytes() -> None:
    view: FrameView[str] = FrameView([*COLUMNS, ("token", "TOKEN"), ("missing", "MISSING")])
    view.show(frame_of(10).with_columns(pl.lit(None, dtype=pl.String).alias("detail")))
    assert len(view.shown) == 7  # "missing" is not in the frame
    assert view.header(0) == "CODE" and view.header(7) is None
    assert view.cell_text(1, 4) == "0.143"
    assert view.cell_text(1, 3) == ""
    assert view.cell_text(1, 6) == "…"  # bytes are never shown
    assert view.right_aligned(5) and view.right_aligned(4) and not view.right_aligned(0)


def test_value_labels_and_colours_come_from_the_cache() -> None:
    view: FrameView[str] = FrameView(
        COLUMNS,
        value_labels={"severity": {"high": "高"}},
        cell_colours={"severity": {"high": "red"}},
    )
    view.show(frame_of(6))
    assert view.cell_text(0, 1) == "高"
    assert view.colour(0, 1) == "red"
    assert view.colour(1, 1) is None and view.colour(0, 0) is None


def test_a_block_is_converted_once() -> None:
    view = _view(10_000)
    texts = [view.cell_text(r, 5) for r in range(600, 640)]
    assert texts[0] == "600" and view.block_loads == 1
    view.cell_text(600, 0)
    assert view.block_loads == 1
    view.cell_text(600 + BLOCK_ROWS, 0)
    assert view.block_loads == 2


def test_sort_and_filter_swap_the_frame_and_keep_each_other() -> None:
    view = _view(1000)
    _arrange(view, ("n", True), None)
    assert view.cell_text(0, 5) == "999"
    # rows 99, 990..999 contain "detail 99"; of those, i % 3 == 0 are "high"
    high_99 = (pl.col("severity") == "high") & pl.col("detail").str.contains("detail 99")
    _arrange(view, view.sort_key, high_99)
    assert view.frame["n"].to_list() == [999, 996, 993, 990, 99]
    view.set_base(frame_of(1000).with_columns(pl.lit("confirmed").alias("status")))
    _arrange(view, view.sort_key, view.filter_expr)
    assert view.row_count == 5 and view.cell_text(0, 2) == "confirmed"
    _arrange(view, view.sort_key, None)
    assert view.row_count == 1000 and view.cell_text(0, 5) == "999"
    assert view.sort_section("n") == 5 and view.sort_section("token") == -1


def test_update_values_keeps_rows_in_place() -> None:
    view = _view(100)
    _arrange(view, ("n", True), pl.col("status") == "open")
    view.show(
        view.update_values(
            pl.when(pl.col("n") == 98)
            .then(pl.lit("confirmed"))
            .otherwise(pl.col("status"))
            .alias("status")
        )
    )
    assert view.row_count == 100  # still shown where it was, though the filter says open
    assert view.cell_text(1, 2) == "confirmed"
    assert view.base.filter(pl.col("n") == 98)["status"][0] == "confirmed"
    _arrange(view, view.sort_key, pl.col("status") == "open")
    assert view.row_count == 99
