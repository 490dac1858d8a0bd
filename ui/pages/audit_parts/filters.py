"""The access log's filter bar: who, what, outcome, period, subject, free text."""

from __future__ import annotations

from datetime import date, datetime, time

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from rlwb.ui.i18n import tr, tr_value
from rlwb.workbench.services.types import EventFilter, EventType, Outcome

SUBJECTS = ("dataset", "run", "user")


def day_of(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def local_day_start(day: date) -> datetime:
    return datetime.combine(day, time.min).astimezone()


def local_day_end(day: date) -> datetime:
    return datetime.combine(day, time.max).astimezone()


class FilterBar(QWidget):
    #: Apply (the button, or Return in a text field) or Clear was pressed.
    applied = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.user = QLineEdit()
        self.user.setPlaceholderText(tr("log.filter.user_hint"))
        self.event_type = QComboBox()
        self.event_type.addItem(tr("log.filter.all"), "")
        for event_type in sorted(EventType, key=lambda t: tr_value("event", t.value)):
            self.event_type.addItem(tr_value("event", event_type.value), event_type.value)
        self.outcome = QComboBox()
        self.outcome.addItem(tr("log.filter.all"), "")
        for outcome in Outcome:
            self.outcome.addItem(tr_value("event_outcome", outcome.value), outcome.value)
        today = QDate.currentDate()
        self.use_since = QCheckBox(tr("log.filter.since"))
        self.since = QDateEdit(today.addDays(-30))
        self.use_until = QCheckBox(tr("log.filter.until"))
        self.until = QDateEdit(today)
        for check, edit in ((self.use_since, self.since), (self.use_until, self.until)):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
            check.toggled.connect(edit.setEnabled)
        self.subject_kind = QComboBox()
        for kind in SUBJECTS:
            self.subject_kind.addItem(tr(f"log.filter.subject.{kind}"), kind)
        self.subject = QLineEdit()
        self.subject.setPlaceholderText(tr("log.filter.subject_hint"))
        self.text = QLineEdit()
        self.text.setPlaceholderText(tr("log.filter.text_hint"))
        self.apply_button = QPushButton(tr("log.filter.apply"))
        self.apply_button.clicked.connect(self.applied)
        self.clear_button = QPushButton(tr("log.filter.clear"))
        self.clear_button.clicked.connect(self.clear)
        for line in (self.user, self.subject, self.text):
            line.setClearButtonEnabled(True)
            line.returnPressed.connect(self.applied)
        self._lay_out()

    def _lay_out(self) -> None:
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        first_row: list[tuple[QWidget, int]] = [
            (QLabel(tr("log.filter.user")), 0),
            (self.user, 1),
            (QLabel(tr("log.filter.type")), 2),
            (self.event_type, 3),
            (QLabel(tr("log.filter.outcome")), 4),
            (self.outcome, 5),
            (self.use_since, 6),
            (self.since, 7),
            (self.use_until, 8),
            (self.until, 9),
        ]
        for widget, column in first_row:
            grid.addWidget(widget, 0, column)
        grid.addWidget(QLabel(tr("log.filter.subject")), 1, 0)
        grid.addWidget(self.subject_kind, 1, 1)
        grid.addWidget(self.subject, 1, 2, 1, 2)
        grid.addWidget(QLabel(tr("log.filter.text")), 1, 4)
        grid.addWidget(self.text, 1, 5, 1, 3)
        grid.addWidget(self.apply_button, 1, 8)
        grid.addWidget(self.clear_button, 1, 9)
        for column in (1, 3, 5):
            grid.setColumnStretch(column, 1)

    def current_filter(self) -> EventFilter:
        users = tuple(u.strip() for u in self.user.text().split(",") if u.strip())
        event_type = str(self.event_type.currentData() or "")
        outcome = str(self.outcome.currentData() or "")
        subject = self.subject.text().strip() or None
        kind = str(self.subject_kind.currentData())
        since = local_day_start(day_of(self.since.date())) if self.use_since.isChecked() else None
        until = local_day_end(day_of(self.until.date())) if self.use_until.isChecked() else None
        return EventFilter(
            users=users,
            event_types=(EventType(event_type),) if event_type else (),
            outcomes=(Outcome(outcome),) if outcome else (),
            since=since,
            until=until,
            dataset_id=subject if kind == "dataset" else None,
            run_id=subject if kind == "run" else None,
            subject_user=subject if kind == "user" else None,
            text=self.text.text().strip() or None,
        )

    def clear(self) -> None:
        """Every field back to "all", then apply."""
        for edit in (self.user, self.subject, self.text):
            edit.clear()
        for combo in (self.event_type, self.outcome, self.subject_kind):
            combo.setCurrentIndex(0)
        self.use_since.setChecked(False)
        self.use_until.setChecked(False)
        self.applied.emit()

    def set_busy(self, busy: bool) -> None:
        self.apply_button.setEnabled(not busy)
        self.clear_button.setEnabled(not busy)
