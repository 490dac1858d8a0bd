"""Access history of a person: the auditor types a 個人番号 and sees every event about them.

The number lives only in the masked field and in the one service call: the field is
cleared before the call, the number is never kept in an attribute, logged or shown. The
service tokenises it under every key version and logs the search by token.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rlwb.ui.errors import describe_error
from rlwb.ui.event_browser import EventBrowser
from rlwb.ui.event_pager import list_pager
from rlwb.ui.i18n import tr
from rlwb.ui.state import AppState
from rlwb.ui.widgets import MessageBar
from rlwb.workbench.services import audit as audit_service
from rlwb.workbench.services import compromise as compromise_service
from rlwb.workbench.services.types import AuditEvent, WorkbenchError


def masked_number_field() -> QLineEdit:
    """A field that never shows, copies or remembers what is typed."""
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMaxLength(24)  # 12 digits plus the separators people type
    field.setPlaceholderText(tr("person_history.number_hint"))
    field.setMaximumWidth(280)
    field.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
    return field


class PersonHistoryPage(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.events: list[AuditEvent] = []
        layout = QVBoxLayout(self)
        title = QLabel(tr("person_history.title"))
        title.setStyleSheet("font-size: 14pt; font-weight: 600;")
        layout.addWidget(title)
        intro = QLabel(tr("person_history.intro"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        row.addWidget(QLabel(tr("person_history.number")))
        self.number = masked_number_field()
        self.number.returnPressed.connect(self.search)
        self.search_button = QPushButton(tr("person_history.search"))
        self.search_button.clicked.connect(self.search)
        row.addWidget(self.number, 1)
        row.addWidget(self.search_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.message = MessageBar()
        layout.addWidget(self.message)
        self.summary = QLabel()
        layout.addWidget(self.summary)
        #: Which period can no longer be searched (keys destroyed after a compromise response).
        self.unsearchable = QLabel()
        self.unsearchable.setWordWrap(True)
        self.unsearchable.hide()
        layout.addWidget(self.unsearchable)
        self.browser = EventBrowser()
        layout.addWidget(self.browser, 1)
        state.taskman.busy_changed.connect(lambda busy: self.search_button.setEnabled(not busy))

    def search(self) -> None:
        if not self.number.text().strip():
            self.message.show_error(tr("person_history.enter_number"))
            return
        self.message.clear_message()
        try:
            events = self.state.call(
                audit_service.person_history, self.state.session, self._take_number()
            )
            gaps = self.state.call(compromise_service.unsearchable_periods, self.state.session)
        except WorkbenchError as exc:
            self.message.show_error(describe_error(exc))
            return
        self.show_events(events)
        self.unsearchable.setText(
            "\n".join(
                tr(
                    "person_history.unsearchable",
                    until=f"{gap.until.astimezone():%Y-%m-%d %H:%M}",
                    first=gap.first_version,
                    last=gap.last_version,
                )
                for gap in gaps
            )
        )
        self.unsearchable.setVisible(bool(gaps))

    def _take_number(self) -> str:
        """The typed number, once; the field is empty again before the service runs."""
        text = self.number.text()
        self.number.clear()
        return text

    def show_events(self, events: list[AuditEvent]) -> None:
        self.events = events
        self.browser.set_pager(list_pager(events))
        users = sorted({e.actor_user for e in events if e.actor_user})
        if events:
            self.summary.setText(
                tr(
                    "person_history.found",
                    count=f"{len(events):,}",
                    users=tr("list.separator").join(users) or tr("value.none"),
                )
            )
        else:
            self.summary.setText(tr("person_history.none_found"))
