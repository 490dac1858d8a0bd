"""Small widgets the pages share: an inline message bar, a progress panel, a run picker."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QWidget,
)

from rlwb.ui.errors import describe_error
from rlwb.ui.i18n import tr, tr_step
from rlwb.ui.state import AppState
from rlwb.workbench.services import compromise as compromise_service
from rlwb.workbench.services import views

_STYLES = {
    "error": "background:#fde7e9; color:#8a1020; border:1px solid #e8a1aa;",
    "info": "background:#eef4fb; color:#1f3d63; border:1px solid #b7cbe6;",
    "success": "background:#e9f6ec; color:#185c2b; border:1px solid #a6d8b2;",
    "warning": "background:#fdf1d4; color:#6b4a00; border:1px solid #e6c15a;",
}


def secret_field() -> QLineEdit:
    """A line edit that shows dots instead of what is typed (passwords, passphrases)."""
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


class MessageBar(QLabel):
    """Inline, non-blocking messages: errors stay on the page until the next action."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.kind = ""
        self.hide()

    def _show(self, kind: str, text: str) -> None:
        self.kind = kind
        self.setText(text)
        self.setStyleSheet(f"QLabel {{ {_STYLES[kind]} padding:6px; border-radius:3px; }}")
        self.show()

    def show_error(self, text: str) -> None:
        self._show("error", text)

    def show_info(self, text: str) -> None:
        self._show("info", text)

    def show_success(self, text: str) -> None:
        self._show("success", text)

    def show_warning(self, text: str) -> None:
        self._show("warning", text)

    def clear_message(self) -> None:
        self.kind = ""
        self.setText("")
        self.hide()


class ProgressPanel(QWidget):
    """A progress bar with the step name and a Cancel button."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.step = QLabel()
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton(tr("action.cancel"))
        self.cancel_button.clicked.connect(self._cancel)
        layout.addWidget(self.step, 1)
        layout.addWidget(self.bar, 3)
        layout.addWidget(self.cancel_button)
        self.hide()

    def start(self, cancellable: bool = True) -> None:
        """Show the panel; ``cancellable=False`` for work that cannot stop half-way."""
        self.bar.setValue(0)
        self.step.setText(tr("task.starting"))
        self.cancel_button.setEnabled(True)
        self.cancel_button.setVisible(cancellable)
        self.show()

    def update_progress(self, step: str, fraction: float) -> None:
        self.step.setText(tr_step(step))
        self.bar.setValue(int(max(0.0, min(1.0, fraction)) * 1000))

    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.step.setText(tr("task.cancelling"))
        self.cancel_requested.emit()

    def finish(self) -> None:
        self.hide()
        self.cancel_button.show()


class RunPicker(QComboBox):
    """The reconciliation runs of the workspace, newest first; follows AppState.run_id."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setMinimumContentsLength(28)
        self.currentIndexChanged.connect(self._chosen)
        state.run_changed.connect(self._follow)
        state.runs_changed.connect(self.refresh)

    def refresh(self) -> str | None:
        """Reload the list; returns an error message instead of raising."""
        if self.state.busy:
            return None
        try:
            runs = self.state.call(views.runs, self.state.session)
            retired = self.state.call(compromise_service.retired_run_ids, self.state.session)
        except Exception as exc:
            return describe_error(exc)
        self.blockSignals(True)
        self.clear()
        for run in reversed(runs):
            label = tr(
                "run.label",
                id=run.id,
                when=run.created_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                tax=run.tax_dataset,
                si=run.si_dataset,
            )
            if run.id in retired:
                label = tr("run.retired", label=label)
            self.addItem(label, run.id)
        self.blockSignals(False)
        if self.count() and self.state.run_id is None:
            self.state.set_run(str(self.itemData(0)))
        self._follow(self.state.run_id or "")
        return None

    def _follow(self, run_id: str) -> None:
        index = self.findData(run_id) if run_id else -1
        if index >= 0 and index != self.currentIndex():
            self.blockSignals(True)
            self.setCurrentIndex(index)
            self.blockSignals(False)

    def _chosen(self, index: int) -> None:
        if index >= 0:
            self.state.set_run(str(self.itemData(index)))


def big_table_view(parent: QWidget | None = None) -> QTableView:
    """A table view set up for very many rows: fixed row heights, no per-row sizing."""
    view = QTableView(parent)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    vertical = view.verticalHeader()
    vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vertical.setDefaultSectionSize(view.fontMetrics().height() + 8)
    vertical.hide()
    horizontal = view.horizontalHeader()
    horizontal.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    horizontal.setStretchLastSection(True)
    horizontal.setSortIndicatorShown(True)
    return view
