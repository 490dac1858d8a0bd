"""Clerical review: one uncertain pair at a time, side by side, decided with a key.

Each pair opened is a logged reveal (services.views.reveal_pair). Decisions and the undo
of the last one go through services.review, which keeps them append-only.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rlwb.ui.errors import describe_error
from rlwb.ui.i18n import tr, tr_value
from rlwb.ui.reveal import PairWidget, ensure_purpose, fetch_pair
from rlwb.ui.state import AppState
from rlwb.ui.widgets import MessageBar, RunPicker
from rlwb.workbench.services import review as review_service
from rlwb.workbench.services.types import WorkbenchError
from rlwb.workbench.services.views import PairView

DECISION_KEYS = (
    (review_service.ReviewDecision.MATCH, "M"),
    (review_service.ReviewDecision.NON_MATCH, "N"),
    (review_service.ReviewDecision.UNSURE, "U"),
)


def first_open(queue: pl.DataFrame) -> int:
    """The first pair without a decision (0 when all are decided)."""
    if queue.height == 0 or "decision" not in queue.columns:
        return 0
    open_rows = queue.with_row_index("_i").filter(pl.col("decision").is_null())["_i"]
    return int(open_rows[0]) if open_rows.len() else 0


class ReviewPage(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.run_id: str | None = None
        self.queue = pl.DataFrame()
        self.position = 0
        self.view: PairView | None = None
        self._dirty = True
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # so M / N / U reach the page
        self._build()
        state.run_changed.connect(self._run_changed)
        state.runs_changed.connect(self._mark_dirty)
        state.taskman.busy_changed.connect(lambda _b: self._sync_buttons())
        self._sync_buttons()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        title = QLabel(tr("review.title"))
        title.setStyleSheet("font-size: 14pt; font-weight: 600;")
        layout.addWidget(title)
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("reconcile.show_run")))
        self.runs = RunPicker(self.state)
        top.addWidget(self.runs, 1)
        layout.addLayout(top)

        nav = QHBoxLayout()
        self.prev_button = QPushButton(tr("review.previous"))
        self.prev_button.clicked.connect(lambda: self.go(self.position - 1))
        self.next_button = QPushButton(tr("review.next"))
        self.next_button.clicked.connect(lambda: self.go(self.position + 1))
        self.position_label = QLabel()
        self.position_label.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.score_label = QLabel()
        self.decision_label = QLabel()
        nav.addWidget(self.prev_button)
        nav.addWidget(self.position_label)
        nav.addWidget(self.next_button)
        nav.addSpacing(16)
        nav.addWidget(self.score_label)
        nav.addStretch(1)
        nav.addWidget(self.decision_label)
        layout.addLayout(nav)

        self.pair = PairWidget()
        layout.addWidget(self.pair, 1)
        legend = QLabel(tr("review.legend"))
        legend.setStyleSheet("color: #555;")
        layout.addWidget(legend)

        decide = QHBoxLayout()
        self.note = QLineEdit()
        self.note.setPlaceholderText(tr("review.note"))
        decide.addWidget(self.note, 1)
        self.decision_buttons: dict[str, QPushButton] = {}
        for decision, key in DECISION_KEYS:
            button = QPushButton(
                tr("review.decide", decision=tr_value("decision", decision), key=key)
            )
            button.clicked.connect(lambda _c=False, d=decision: self.decide(d))
            self.decision_buttons[decision] = button
            decide.addWidget(button)
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda d=decision: self.decide(d))
        self.undo_button = QPushButton(tr("review.undo"))
        self.undo_button.clicked.connect(self.undo)
        decide.addWidget(self.undo_button)
        undo = QShortcut(QKeySequence(QKeySequence.StandardKey.Undo), self)
        undo.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        undo.activated.connect(self.undo)
        layout.addLayout(decide)
        self.message = MessageBar()
        layout.addWidget(self.message)

    # -- state -----------------------------------------------------------------------------------
    def _mark_dirty(self) -> None:
        self._dirty = True

    def _run_changed(self, run_id: str) -> None:
        if self.isVisible() and run_id and not self.state.busy:
            self.load_queue(run_id)
        else:
            self._dirty = True

    def activate(self) -> None:
        if self.state.busy or not self._dirty:
            return
        self._dirty = False
        error = self.runs.refresh()
        if error:
            self.message.show_error(error)
        elif self.state.run_id:
            self.load_queue(self.state.run_id)

    def _sync_buttons(self) -> None:
        busy = self.state.busy
        has_pair = self.view is not None
        for button in self.decision_buttons.values():
            button.setEnabled(not busy and has_pair)
        self.undo_button.setEnabled(not busy and self.run_id is not None)
        self.prev_button.setEnabled(not busy and self.position > 0)
        self.next_button.setEnabled(not busy and self.position + 1 < self.queue.height)

    def load_queue(self, run_id: str) -> None:
        self.run_id = run_id
        self.message.clear_message()
        try:
            self.queue = self.state.call(review_service.review_queue, self.state.session, run_id)
        except WorkbenchError as exc:
            self.queue = pl.DataFrame()
            self.message.show_error(describe_error(exc))
        self.view = None
        self.pair.clear_pair()
        if self.queue.height == 0:
            self.position = 0
            self.position_label.setText(tr("review.empty"))
            self.score_label.setText("")
            self.decision_label.setText("")
            self._sync_buttons()
            return
        self.go(first_open(self.queue))

    def current_row(self) -> dict[str, Any]:
        return self.queue.row(self.position, named=True)

    def go(self, position: int) -> None:
        """Open the pair at ``position`` (a logged reveal)."""
        if not 0 <= position < self.queue.height or self.run_id is None:
            return
        self.position = position
        row = self.current_row()
        self.position_label.setText(f"{position + 1:,} / {self.queue.height:,}")
        weight, probability = row.get("match_weight"), row.get("match_probability")
        score = tr(
            "review.score",
            weight="—" if weight is None else f"{weight:.2f}",
            probability="—" if probability is None else f"{probability:.1%}",
        )
        if row.get("token_match") is not None:
            same = tr("value.yes") if row["token_match"] else tr("value.no")
            score += tr("review.token_match", same=same)
        self.score_label.setText(score)
        self._show_decision(row.get("decision"))
        self.view = None
        self.pair.clear_pair()
        if not ensure_purpose(self.state, self):
            self.message.show_info(tr("review.purpose_needed"))
            self._sync_buttons()
            return
        try:
            self.view = fetch_pair(
                self.state, self.run_id, row.get("tax_record_id"), row.get("si_record_id")
            )
        except Exception as exc:
            self.message.show_error(describe_error(exc))
        else:
            self.message.clear_message()
            self.pair.show_pair(self.view)
        self._sync_buttons()

    def _show_decision(self, decision: object) -> None:
        text = tr("review.undecided") if decision is None else tr_value("decision", str(decision))
        self.decision_label.setText(tr("review.current", decision=text))

    def _set_decision(self, tax_id: str, si_id: str, decision: str | None) -> int:
        pair = (pl.col("tax_record_id") == tax_id) & (pl.col("si_record_id") == si_id)
        value = pl.lit(decision, dtype=pl.String)
        self.queue = self.queue.with_columns(
            pl.when(pair).then(value).otherwise(pl.col("decision")).alias("decision")
        )
        found = self.queue.with_row_index("_i").filter(pair)["_i"]
        return int(found[0]) if found.len() else self.position

    # -- actions ---------------------------------------------------------------------------------
    def decide(self, decision: str) -> None:
        if self.view is None or self.run_id is None or self.state.busy:
            return
        row = self.current_row()
        try:
            self.state.call(
                review_service.decide,
                self.state.session,
                self.run_id,
                str(row["tax_record_id"]),
                str(row["si_record_id"]),
                decision,
                self.note.text().strip(),
            )
        except WorkbenchError as exc:
            self.message.show_error(describe_error(exc))
            return
        self._set_decision(str(row["tax_record_id"]), str(row["si_record_id"]), decision)
        self.note.clear()
        if self.position + 1 < self.queue.height:
            self.go(self.position + 1)
        else:
            self._show_decision(decision)
            self.message.show_success(tr("review.all_done"))

    def undo(self) -> None:
        if self.run_id is None or self.state.busy:
            return
        try:
            undone = self.state.call(review_service.undo_last, self.state.session, self.run_id)
        except WorkbenchError as exc:
            self.message.show_error(describe_error(exc))
            return
        decision = None if undone.decision == "withdrawn" else undone.decision
        position = self._set_decision(undone.tax_record_id, undone.si_record_id, decision)
        self.go(position)
        self.message.show_info(tr("review.undone"))
