"""The administrator's workspace settings: idle lock, checkpoint file, rules file.

Each value is checked by workbench.services.settings before it is stored, and each change
is written to the access log.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from rlwb.ui.errors import describe_error
from rlwb.ui.i18n import tr
from rlwb.ui.state import AppState
from rlwb.ui.widgets import MessageBar
from rlwb.workbench.services import settings as settings_service
from rlwb.workbench.services.reconcile import SETTING_RULES_FILE
from rlwb.workbench.services.settings import (
    MAX_IDLE_MINUTES,
    SETTING_CHECKPOINT_FILE,
    SETTING_IDLE_MINUTES,
    Settings,
)
from rlwb.workbench.services.types import WorkbenchError


def choose_checkpoint_file(parent: QWidget, current: str) -> str | None:
    name, _ = QFileDialog.getSaveFileName(
        parent,
        tr("settings.checkpoint_title"),
        current,
        tr("settings.checkpoint_filter"),
        options=QFileDialog.Option.DontConfirmOverwrite,
    )
    return name or None


def choose_rules_file(parent: QWidget, current: str) -> str | None:
    name, _ = QFileDialog.getOpenFileName(
        parent, tr("settings.rules_title"), current, tr("settings.rules_filter")
    )
    return name or None


def _path_row(edit: QLineEdit, choose: QPushButton) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(edit, 1)
    layout.addWidget(choose)
    return row


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #555555;")
    return label


class SettingsPage(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.settings: Settings | None = None
        #: Replaced in tests; the defaults open the platform's file dialogs.
        self.ask_checkpoint_file: Callable[[QWidget, str], str | None] = choose_checkpoint_file
        self.ask_rules_file: Callable[[QWidget, str], str | None] = choose_rules_file
        layout = QVBoxLayout(self)
        title = QLabel(tr("settings.title"))
        title.setStyleSheet("font-size: 14pt; font-weight: 600;")
        layout.addWidget(title)
        form = QFormLayout()

        self.idle = QSpinBox()
        self.idle.setRange(1, MAX_IDLE_MINUTES)
        self.idle.setSuffix(tr("settings.minutes_suffix"))
        self.idle.setMaximumWidth(120)
        form.addRow(tr("settings.idle"), self.idle)
        form.addRow("", _note(tr("settings.idle_note")))

        self.checkpoint = QLineEdit()
        self.checkpoint.setPlaceholderText(tr("settings.checkpoint_default"))
        self.checkpoint.setClearButtonEnabled(True)
        choose_checkpoint = QPushButton(tr("settings.choose"))
        choose_checkpoint.clicked.connect(self._choose_checkpoint)
        form.addRow(tr("settings.checkpoint"), _path_row(self.checkpoint, choose_checkpoint))
        form.addRow("", _note(tr("settings.checkpoint_note")))

        self.rules = QLineEdit()
        self.rules.setPlaceholderText(tr("settings.rules_default"))
        self.rules.setClearButtonEnabled(True)
        choose_rules = QPushButton(tr("settings.choose"))
        choose_rules.clicked.connect(self._choose_rules)
        form.addRow(tr("settings.rules"), _path_row(self.rules, choose_rules))
        self.rules_version = _note("")
        form.addRow("", self.rules_version)
        layout.addLayout(form)

        buttons = QHBoxLayout()
        self.save_button = QPushButton(tr("settings.save"))
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton(tr("settings.revert"))
        self.revert_button.clicked.connect(self.refresh)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.revert_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.message = MessageBar()
        layout.addWidget(self.message)
        layout.addStretch(1)

    def activate(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        if self.state.busy:
            return
        try:
            settings = self.state.call(settings_service.get_settings, self.state.session)
        except WorkbenchError as exc:
            self.message.show_error(describe_error(exc))
            return
        self.settings = settings
        self.idle.setValue(settings.idle_lock_minutes)
        self.checkpoint.setText(settings.checkpoint_file or "")
        self.rules.setText(settings.rules_file or "")
        self.rules_version.setText(
            tr("settings.rules_version", version=settings.rules_version or tr("value.unknown"))
        )

    def _choose_checkpoint(self) -> None:
        name = self.ask_checkpoint_file(self, self.checkpoint.text())
        if name:
            self.checkpoint.setText(name)

    def _choose_rules(self) -> None:
        name = self.ask_rules_file(self, self.rules.text())
        if name:
            self.rules.setText(name)

    def save(self) -> None:
        """Store what changed, one setting at a time; stop at the first refusal."""
        loaded = self.settings
        wanted = [
            (SETTING_IDLE_MINUTES, str(self.idle.value())),
            (SETTING_CHECKPOINT_FILE, self.checkpoint.text().strip()),
            (SETTING_RULES_FILE, self.rules.text().strip()),
        ]
        if loaded is not None:  # only what the administrator changed on this page
            shown = {
                SETTING_IDLE_MINUTES: str(loaded.idle_lock_minutes),
                SETTING_CHECKPOINT_FILE: loaded.checkpoint_file or "",
                SETTING_RULES_FILE: loaded.rules_file or "",
            }
            wanted = [(key, value) for key, value in wanted if value != shown[key]]
        changed: list[str] = []
        refusal: str | None = None
        for key, value in wanted:
            try:
                change = self.state.call(
                    settings_service.set_setting, self.state.session, key, value
                )
            except WorkbenchError as exc:
                refusal = (
                    tr("settings.refused", name=tr(f"settings.name.{key}"))
                    + "\n"
                    + describe_error(exc)
                )
                break
            if change.changed:
                changed.append(key)
        if SETTING_IDLE_MINUTES in changed:
            self.state.settings_changed.emit()
        saved = ""
        if changed:
            names = tr("list.separator").join(tr(f"settings.name.{key}") for key in changed)
            saved = tr("settings.saved", names=names)
            if SETTING_CHECKPOINT_FILE in changed:
                saved += "\n" + tr("settings.checkpoint_next_open")
        if refusal is not None:
            # keep what the administrator typed, so it can be corrected
            self.message.show_error(refusal + ("\n" + saved if saved else ""))
            return
        self.refresh()
        if saved:
            self.message.show_success(saved)
        else:
            self.message.show_info(tr("settings.unchanged"))
