"""The administrator's users: add, roles, disable/enable, unlock, reset password.

A person holding both the clerk and the auditor role would audit their own access to
personal data; the page says so wherever that combination appears.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rlwb.ui.errors import describe_error
from rlwb.ui.i18n import tr, tr_value
from rlwb.ui.passphrase import SecretPair
from rlwb.ui.state import AppState
from rlwb.ui.widgets import MessageBar
from rlwb.workbench.services import session as session_service
from rlwb.workbench.services import users as user_service
from rlwb.workbench.services.types import MIN_PASSWORD_LENGTH, Role, User, WorkbenchError

ROLE_ORDER = (Role.CLERK, Role.AUDITOR, Role.ADMIN)
WARNING_COLOUR = QColor("#fdf1d4")
DISABLED_COLOUR = QColor("#8a8f96")
COLUMNS = (
    "users.col.name",
    "users.col.roles",
    "users.col.state",
    "users.col.must_change",
    "users.col.created",
    "users.col.warning",
)


@dataclass(frozen=True)
class NewUser:
    name: str
    roles: tuple[str, ...]
    password: str


def holds_both(roles: Sequence[Role | str]) -> bool:
    """Clerk and auditor in one person (services.users.role_warnings decides)."""
    return bool(user_service.role_warnings(Role(str(r)) for r in roles))


def user_state(user: User, now: datetime) -> str:
    if not user.record_intact:
        return "tampered"
    if user.disabled:
        return "disabled"
    if user.is_locked(now):
        return "locked"
    return "active"


def roles_text(roles: Sequence[Role | str]) -> str:
    held = {str(r) for r in roles}
    return tr("roles.separator").join(
        tr_value("role", r.value) for r in ROLE_ORDER if r.value in held
    )


class RoleChecks(QWidget):
    """One checkbox per role, and the separation-of-duties warning while it applies."""

    def __init__(self, roles: Sequence[Role] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[Role, QCheckBox] = {}
        for role in ROLE_ORDER:
            box = QCheckBox(
                f"{tr_value('role', role.value)} — {tr(f'users.role_help.{role.value}')}"
            )
            box.setChecked(role in roles)
            box.toggled.connect(self._update)
            layout.addWidget(box)
            self.boxes[role] = box
        self.warning = QLabel(tr("users.segregation"))
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(
            "QLabel { background:#fdf1d4; color:#6b4a00; border:1px solid #e6c15a; padding:6px; }"
        )
        layout.addWidget(self.warning)
        self._update()

    def roles(self) -> tuple[str, ...]:
        return tuple(r.value for r, box in self.boxes.items() if box.isChecked())

    def _update(self) -> None:
        self.warning.setVisible(holds_both(self.roles()))


def _buttons(dialog: QDialog) -> tuple[QDialogButtonBox, QPushButton]:
    buttons = QDialogButtonBox()
    ok = buttons.addButton(tr("action.ok"), QDialogButtonBox.ButtonRole.AcceptRole)
    buttons.addButton(tr("action.cancel"), QDialogButtonBox.ButtonRole.RejectRole)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons, ok


class AddUserDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("users.add_title"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setPlaceholderText(tr("users.name_hint"))
        form.addRow(tr("users.col.name"), self.name)
        layout.addLayout(form)
        layout.addWidget(QLabel(tr("users.col.roles")))
        self.roles = RoleChecks()
        layout.addWidget(self.roles)
        intro = QLabel(tr("users.first_password"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.password = SecretPair(
            tr("password.new"), tr("password.repeat"), min_length=MIN_PASSWORD_LENGTH
        )
        layout.addWidget(self.password)
        buttons, self.ok_button = _buttons(self)
        layout.addWidget(buttons)
        for box in self.roles.boxes.values():
            box.toggled.connect(self._update)
        self.name.textChanged.connect(self._update)
        self.password.changed.connect(self._update)
        self._update()

    def _update(self) -> None:
        self.ok_button.setEnabled(
            bool(self.name.text().strip())
            and bool(self.roles.roles())
            and self.password.value() is not None
        )

    def new_user(self) -> NewUser | None:
        password = self.password.value()
        if password is None or not self.name.text().strip() or not self.roles.roles():
            return None
        return NewUser(self.name.text().strip(), self.roles.roles(), password)


class RolesDialog(QDialog):
    def __init__(self, user: User, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("users.roles_title", name=user.name))
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        self.roles = RoleChecks(user.roles)
        layout.addWidget(self.roles)
        buttons, self.ok_button = _buttons(self)
        layout.addWidget(buttons)
        for box in self.roles.boxes.values():
            box.toggled.connect(lambda _on: self.ok_button.setEnabled(bool(self.roles.roles())))


class ResetPasswordDialog(QDialog):
    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("users.reset_title", name=name))
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        intro = QLabel(tr("users.reset_intro", name=name))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.password = SecretPair(
            tr("password.new"), tr("password.repeat"), min_length=MIN_PASSWORD_LENGTH
        )
        layout.addWidget(self.password)
        buttons, self.ok_button = _buttons(self)
        layout.addWidget(buttons)
        self.password.changed.connect(
            lambda: self.ok_button.setEnabled(self.password.value() is not None)
        )
        self.ok_button.setEnabled(False)


class UsersPage(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.users: list[User] = []
        #: Replaced in tests; the defaults open the dialogs.
        self.ask_new_user: Callable[[], NewUser | None] = self._ask_new_user
        self.ask_roles: Callable[[User], tuple[str, ...] | None] = self._ask_roles
        self.ask_password: Callable[[str], str | None] = self._ask_password
        self.confirm: Callable[[str], bool] = self._confirm
        layout = QVBoxLayout(self)
        title = QLabel(tr("users.title"))
        title.setStyleSheet("font-size: 14pt; font-weight: 600;")
        layout.addWidget(title)
        self.segregation = QLabel()
        self.segregation.setWordWrap(True)
        self.segregation.setStyleSheet(
            "QLabel { background:#fdf1d4; color:#6b4a00; border:1px solid #e6c15a; "
            "padding:6px; border-radius:3px; }"
        )
        self.segregation.hide()
        layout.addWidget(self.segregation)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([tr(key) for key in COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._sync_buttons)
        layout.addWidget(self.table, 1)

        actions = QHBoxLayout()
        self.add_button = QPushButton(tr("users.add"))
        self.roles_button = QPushButton(tr("users.roles"))
        self.disable_button = QPushButton(tr("users.disable"))
        self.unlock_button = QPushButton(tr("users.unlock"))
        self.reset_button = QPushButton(tr("users.reset"))
        self.add_button.clicked.connect(self.add_user)
        self.roles_button.clicked.connect(self.change_roles)
        self.disable_button.clicked.connect(self.toggle_disabled)
        self.unlock_button.clicked.connect(self.unlock)
        self.reset_button.clicked.connect(self.reset_password)
        for button in (
            self.add_button,
            self.roles_button,
            self.disable_button,
            self.unlock_button,
            self.reset_button,
        ):
            actions.addWidget(button)
        actions.addStretch(1)
        layout.addLayout(actions)
        self.message = MessageBar()
        layout.addWidget(self.message)
        self._sync_buttons()

    def activate(self) -> None:
        self.refresh()

    # -- the table ---------------------------------------------------------------------------
    def refresh(self, select: str | None = None) -> None:
        if self.state.busy:
            return
        chosen = self.selected()
        current = select or (chosen.name if chosen is not None else None)
        try:
            self.users = self.state.call(user_service.list_users, self.state.session)
        except WorkbenchError as exc:
            self.message.show_error(describe_error(exc))
            return
        now = session_service.now(self.state.session)
        self.table.setRowCount(len(self.users))
        for row, user in enumerate(self.users):
            both = holds_both(user.roles)
            cells = (
                user.name,
                roles_text(user.roles),
                tr(f"users.state.{user_state(user, now)}"),
                tr("value.yes") if user.must_change_password else "",
                tr(
                    "users.created_cell",
                    when=f"{user.created_at.astimezone():%Y-%m-%d %H:%M}",
                    who=user.created_by,
                ),
                tr("users.warning_cell") if both else "",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if both:
                    item.setBackground(WARNING_COLOUR)
                if user.disabled:
                    item.setForeground(DISABLED_COLOUR)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        for column in range(self.table.columnCount() - 1):
            self.table.setColumnWidth(column, self.table.columnWidth(column) + 16)
        both_users = [u.name for u in self.users if holds_both(u.roles)]
        if both_users:
            self.segregation.setText(
                tr("users.segregation_users", names=tr("list.separator").join(both_users))
            )
        self.segregation.setVisible(bool(both_users))
        if current:
            self.select(current)
        self._sync_buttons()

    def select(self, name: str) -> None:
        for row, user in enumerate(self.users):
            if user.name == name:
                self.table.selectRow(row)
                return

    def selected(self) -> User | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.users):
            return None
        return self.users[rows[0].row()]

    def _sync_buttons(self) -> None:
        user = self.selected()
        for button in (self.roles_button, self.disable_button, self.reset_button):
            button.setEnabled(user is not None)
        now = session_service.now(self.state.session)
        self.unlock_button.setEnabled(
            user is not None and (user.failed_logins > 0 or user_state(user, now) == "locked")
        )
        if user is not None and user.disabled:
            self.disable_button.setText(tr("users.enable"))
        else:
            self.disable_button.setText(tr("users.disable"))

    # -- dialogs -------------------------------------------------------------------------------
    def _ask_new_user(self) -> NewUser | None:
        dialog = AddUserDialog(self)
        try:
            return dialog.new_user() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.password.clear()
            dialog.deleteLater()

    def _ask_roles(self, user: User) -> tuple[str, ...] | None:
        dialog = RolesDialog(user, self)
        try:
            accepted = dialog.exec() == QDialog.DialogCode.Accepted
            return dialog.roles.roles() if accepted else None
        finally:
            dialog.deleteLater()

    def _ask_password(self, name: str) -> str | None:
        dialog = ResetPasswordDialog(name, self)
        try:
            accepted = dialog.exec() == QDialog.DialogCode.Accepted
            return dialog.password.value() if accepted else None
        finally:
            dialog.password.clear()
            dialog.deleteLater()

    def _confirm(self, text: str) -> bool:
        answer = QMessageBox.question(
            self,
            tr("users.confirm_title"),
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    # -- actions -------------------------------------------------------------------------------
    def _show_outcome(self, done: str, warnings: Sequence[str]) -> None:
        texts = [
            tr("users.self_clerk")
            if warning == user_service.SELF_CLERK_WARNING
            else tr("users.segregation")
            for warning in warnings
        ]
        if texts:
            self.message.show_warning("\n".join([done, *texts]))
        else:
            self.message.show_success(done)

    def add_user(self) -> None:
        new = self.ask_new_user()
        if new is None:
            return
        try:
            user, warnings = self.state.call(
                user_service.add_user, self.state.session, new.name, new.password, new.roles
            )
        except WorkbenchError as exc:
            self.message.show_error(describe_error(exc))
            return
        self.refresh(select=user.name)
        self._show_outcome(tr("users.added", name=user.name), warnings)

    def change_roles(self) -> None:
        user = self.selected()
        if user is None:
            return
        roles = self.ask_roles(user)
        if roles is None:
            return
        try:
            changed, warnings = self.state.call(
                user_service.set_roles, self.state.session, user.name, roles
            )
        except WorkbenchError as exc:
            self.message.show_error(describe_error(exc))
            return
        self.refresh(select=changed.name)
        self._show_outcome(
            tr("users.roles_changed", name=changed.name, roles=roles_text(changed.roles)), warnings
        )

    def toggle_disabled(self) -> None:
        user = self.selected()
        if user is None:
            return
        session = self.state.session
        try:
            if user.disabled:
                self.state.call(user_service.enable_user, session, user.name)
                done = tr("users.enabled", name=user.name)
            else:
                if not self.confirm(tr("users.confirm_disable", name=user.name)):
                    return
                self.state.call(user_service.disable_user, session, user.name)
                done = tr("users.disabled", name=user.name)
        except WorkbenchError as exc:
            self.message.show_error(describe_error(exc))
            return
        self.refresh(select=user.name)
        self.message.show_success(done)

    def unlock(self) -> None:
        user = self.selected()
        if user is None:
            return
        try:
            self.state.call(user_service.unlock_user, self.state.session, user.name)
        except WorkbenchError as exc:
            self.message.show_error(describe_error(exc))
            return
        self.refresh(select=user.name)
        self.message.show_success(tr("users.unlocked", name=user.name))

    def reset_password(self) -> None:
        user = self.selected()
        if user is None:
            return
        password = self.ask_password(user.name)
        if password is None:
            return
        try:
            self.state.call(user_service.reset_password, self.state.session, user.name, password)
        except WorkbenchError as exc:
            self.message.show_error(describe_error(exc))
            return
        self.refresh(select=user.name)
        self.message.show_success(tr("users.password_reset", name=user.name))
