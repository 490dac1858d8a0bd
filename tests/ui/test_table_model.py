"""The lazy table model: painted cells never reach into polars; sort and filter in polars."""

from __future__ import annotations

import polars as pl
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from rlwb.ui.pages.findings_panel import findings_filter
from rlwb.ui.table_model import BLOCK_ROWS, FrameTableModel
from rlwb.ui.widgets import big_table_view
from tests.ui.test_frame_view import COLUMNS, frame_of


class FrameSpy:
    """Counts calls into polars frames while the model answers data()."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: dict[str, int] = {"slice": 0, "__getitem__": 0, "row": 0, "item": 0}
        for name in self.calls:
            original = getattr(pl.DataFrame, name)

            def spy(frame: pl.DataFrame, *args: object, _o=original, _n=name, **kw: object):
                self.calls[_n] += 1
                return _o(frame, *args, **kw)

            monkeypatch.setattr(pl.DataFrame, name, spy)


def test_painting_a_viewport_converts_one_block_and_then_hits_the_cache(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = FrameTableModel(COLUMNS)
    model.set_base(frame_of(100_000))
    spy = FrameSpy(monkeypatch)
    viewport = [model.index(r, c) for r in range(600, 640) for c in range(model.columnCount())]
    texts = [model.data(i) for i in viewport]
    assert texts[0] == "R07" and texts[5] == "600"
    assert spy.calls["slice"] == 1 and model.block_loads == 1
    for _ in range(3):  # repainting the same rows touches nothing
        for i in viewport:
            model.data(i)
            model.data(i, Qt.ItemDataRole.TextAlignmentRole)
            model.flags(i)
    assert spy.calls == {"slice": 1, "__getitem__": 0, "row": 0, "item": 0}
    model.data(model.index(600 + BLOCK_ROWS, 0))
    assert spy.calls["slice"] == 2


def test_the_model_answers_qt_from_the_view() -> None:
    """Headers, text, alignment (test_frame_view.py checks what the view computes)."""
    model = FrameTableModel([*COLUMNS, ("token", "TOKEN"), ("missing", "MISSING")])
    model.set_base(frame_of(10).with_columns(pl.lit(None, dtype=pl.String).alias("detail")))
    assert model.columnCount() == 7  # "missing" is not in the frame
    assert model.headerData(0, Qt.Orientation.Horizontal) == "CODE"
    assert model.headerData(2, Qt.Orientation.Vertical) == "3"
    assert model.data(model.index(1, 4)) == "0.143"
    assert model.data(model.index(1, 6), Qt.ItemDataRole.ToolTipRole) == "…"
    right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    left = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    assert model.data(model.index(1, 5), Qt.ItemDataRole.TextAlignmentRole) == right
    assert model.data(model.index(1, 0), Qt.ItemDataRole.TextAlignmentRole) == left


def test_sorting_by_a_header_resets_the_model(qtbot: QtBot) -> None:
    model = FrameTableModel(COLUMNS)
    model.set_base(frame_of(1000))
    with qtbot.waitSignal(model.modelReset, timeout=1000):
        model.sort(5, Qt.SortOrder.DescendingOrder)
    assert model.data(model.index(0, 5)) == "999"
    model.set_filter(findings_filter(severity="high", text="DETAIL 99", columns=("detail",)))
    assert model.rowCount() == 5


def test_value_labels_and_colours_come_from_the_cache() -> None:
    from PySide6.QtGui import QColor

    red = QColor("#ff0000")
    model = FrameTableModel(
        COLUMNS,
        value_labels={"severity": {"high": "高"}},
        cell_colours={"severity": {"high": red}},
    )
    model.set_base(frame_of(6))
    assert model.data(model.index(0, 1)) == "高"
    assert model.data(model.index(0, 1), Qt.ItemDataRole.BackgroundRole) == red
    assert model.data(model.index(1, 1), Qt.ItemDataRole.BackgroundRole) is None


def test_findings_filter_combines_every_condition() -> None:
    frame = frame_of(30)
    assert findings_filter() is None
    expr = findings_filter(rule="R01", severity="high", status="open", columns=("detail",))
    assert expr is not None
    assert frame.filter(expr)["n"].to_list() == [0, 9, 18, 27]


def test_a_view_over_a_million_rows_stays_lazy(qtbot: QtBot) -> None:
    model = FrameTableModel(COLUMNS)
    model.set_base(frame_of(1_000_000))
    view = big_table_view()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    view.scrollToBottom()
    qtbot.wait(10)
    assert model.rowCount() == 1_000_000
    assert model.block_loads <= 4  # the first rows and the last ones, never the million


def test_big_tables_sort_and_filter_on_a_worker(
    qtbot: QtBot, clerk: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rlwb.ui.pages import findings_panel
    from rlwb.ui.state import AppState

    monkeypatch.setattr(findings_panel, "BACKGROUND_ROWS", 0)
    frame = frame_of(3000).with_columns(
        pl.col("n").cast(pl.String).alias("tax_record_id"),
        pl.lit("S1").alias("si_record_id"),
        (pl.col("code") + "|" + pl.col("n").cast(pl.String)).alias("finding_key"),
    )
    state = AppState(clerk)  # type: ignore[arg-type]
    panel = findings_panel.FindingsPanel(state)
    qtbot.addWidget(panel)
    panel.set_findings(frame)
    qtbot.waitUntil(lambda: not state.busy)
    assert panel.model.rowCount() == 3000
    section = panel.model.sort_section("tax_record_id")
    panel.view.horizontalHeader().setSortIndicator(section, Qt.SortOrder.DescendingOrder)
    assert state.busy and panel.count.text() == "並べ替え中…"
    qtbot.waitUntil(lambda: not state.busy)
    assert panel.model.frame["tax_record_id"][0] == "999"
    panel.severity.setCurrentIndex(panel.severity.findData("info"))
    panel.text.setText("detail 99")  # asked while the severity filter runs: done after it
    panel.apply_filter()
    qtbot.waitUntil(lambda: not state.busy and panel.model.rowCount() < 1000)
    assert set(panel.model.frame["severity"]) == {"info"}
    assert panel.count.text().endswith("3,000 件")
