"""A horizontal bar chart of counts: QtCharts when installed, else a small painted one."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

try:  # QtCharts ships in PySide6-Addons; a minimal install lacks it
    from PySide6.QtCharts import (
        QBarCategoryAxis,
        QBarSet,
        QChart,
        QChartView,
        QHorizontalBarSeries,
        QValueAxis,
    )

    HAVE_QTCHARTS = True
except ImportError:  # pragma: no cover - depends on the installation
    HAVE_QTCHARTS = False

BAR_COLOUR = QColor("#3d7ab8")


class _PaintedBars(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[tuple[str, int]] = []
        self.title = ""
        self.setMinimumHeight(120)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        metrics = painter.fontMetrics()
        line = metrics.height() + 6
        painter.drawText(4, line - 4, self.title)
        if not self.items:
            return
        label_width = max(metrics.horizontalAdvance(label) for label, _ in self.items) + 12
        count_width = max(metrics.horizontalAdvance(f"{n:,}") for _, n in self.items) + 12
        top = line + 4
        span = max(self.width() - label_width - count_width - 8, 10)
        biggest = max(n for _, n in self.items) or 1
        for i, (label, count) in enumerate(self.items):
            y = top + i * line
            painter.drawText(
                QRectF(4, y, label_width - 8, line), Qt.AlignmentFlag.AlignRight, label
            )
            width = span * count / biggest
            painter.fillRect(QRectF(label_width, y + 2, width, line - 6), BAR_COLOUR)
            painter.drawText(QRectF(label_width + width + 4, y, count_width, line), 0, f"{count:,}")
        painter.end()


class BarChart(QWidget):
    """``set_data(title, [(label, count), ...])``; ``items`` keeps what is shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[tuple[str, int]] = []
        self.title = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if HAVE_QTCHARTS:
            self._chart = QChart()
            self._chart.legend().hide()
            self._chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
            self._view: QWidget = QChartView(self._chart)
            self._view.setRenderHint(QPainter.RenderHint.Antialiasing)
        else:  # pragma: no cover - depends on the installation
            self._view = _PaintedBars()
        self._view.setMinimumHeight(220)
        layout.addWidget(self._view)

    def set_data(self, title: str, items: Sequence[tuple[str, int]]) -> None:
        self.title = title
        self.items = list(items)
        if not HAVE_QTCHARTS:  # pragma: no cover
            assert isinstance(self._view, _PaintedBars)
            self._view.title, self._view.items = title, self.items
            self._view.update()
            return
        chart = self._chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        chart.setTitle(title)
        bars = QBarSet(title)
        bars.setColor(BAR_COLOUR)
        bars.setLabelColor(QColor("#222222"))
        labels = []
        for label, count in reversed(self.items):  # the first item on top
            bars.append(count)
            labels.append(label)
        series = QHorizontalBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        series.setLabelsPosition(QHorizontalBarSeries.LabelsPosition.LabelsOutsideEnd)
        series.setLabelsFormat("@value")
        series.setLabelsPrecision(12)
        chart.addSeries(series)
        categories = QBarCategoryAxis()
        categories.append(labels)
        chart.addAxis(categories, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(categories)
        values = QValueAxis()
        values.setLabelFormat("%d")
        values.setRange(0, max([n for _, n in self.items] or [1]) * 1.15)
        values.applyNiceNumbers()
        chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(values)
        self._view.setMinimumHeight(max(160, 60 + 26 * len(self.items)))
