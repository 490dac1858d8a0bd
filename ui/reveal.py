"""The logged reveal: purpose of use, then both records of a pair side by side.

The data comes only from services.views.reveal_pair, which checks the role, needs the
declared purpose and commits the access-log event before it returns anything. If it
raises (denied, no purpose, the log cannot be written) nothing is shown but the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rlwb.ui.errors import describe_error
from rlwb.ui.i18n import tr, tr_field, tr_value
from rlwb.ui.state import AppState
from rlwb.ui.widgets import MessageBar
from rlwb.workbench.services import session as session_service
from rlwb.workbench.services import views
from rlwb.workbench.services.types import STANDARD_PURPOSES, WorkbenchError
from rlwb.workbench.services.views import PairView

AGREE = QColor("#dff3e3")
DISAGREE = QColor("#f9d9dc")
UNKNOWN = QColor("#ececec")

#: Which link agreement column speaks for which displayed field.
AGREEMENT_OF = {
    "name": "agree_name",
    "name_kana": "agree_name",
    "birth_date": "agree_birth_date",
    "sex": "agree_sex",
    "address": "agree_address",
    "postal_code": "agree_address",
}
_NOT_SHOWN = ("row_number",)


def display_value(field: str, value: object) -> str:
    if value is None or value == "":
        return tr("value.unknown")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool):
        return tr("value.yes") if value else tr("value.no")
    if isinstance(value, int) and field not in ("tax_year",):
        return f"{value:,}"
    return tr_value(field, str(value))


def pair_fields(view: PairView) -> list[str]:
    """record_id, the compared person fields, then every other field either side has."""
    ordered = ["record_id", *views.PERSON_FIELDS]
    for side in (view.tax, view.si):
        for name in side or {}:
            if name not in ordered and name not in _NOT_SHOWN:
                ordered.append(name)
    return [
        f for f in ordered if any(side is not None and f in side for side in (view.tax, view.si))
    ]


def field_colour(field: str, view: PairView, link: Mapping[str, object] | None) -> QColor | None:
    """Green/red/grey by the link's agreement of the item; else red where the sides differ."""
    column = AGREEMENT_OF.get(field)
    if link is not None and column is not None and column in link:
        agreement = link[column]
        if agreement is None:
            return UNKNOWN
        return AGREE if int(str(agreement)) == 1 else DISAGREE
    if field in view.differing:
        return DISAGREE
    return None


class PairWidget(QTableWidget):
    """Three columns: field, tax record, social-insurance record."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 3, parent)
        self.setHorizontalHeaderLabels([tr("pair.field"), tr("pair.tax"), tr("pair.si")])
        self.verticalHeader().hide()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.view: PairView | None = None
        #: field -> colour name shown (tests read it)
        self.colours: dict[str, str] = {}

    def show_pair(self, view: PairView) -> None:
        self.view = view
        link = view.link
        fields = pair_fields(view)
        self.setRowCount(len(fields))
        self.colours = {}
        for row, field in enumerate(fields):
            label = QTableWidgetItem(tr_field(field))
            self.setItem(row, 0, label)
            colour = field_colour(field, view, link)
            for col, side in ((1, view.tax), (2, view.si)):
                text = (
                    tr("pair.no_record") if side is None else display_value(field, side.get(field))
                )
                item = QTableWidgetItem(text)
                if colour is not None:
                    item.setBackground(QBrush(colour))
                self.setItem(row, col, item)
            if colour is not None:
                self.colours[field] = colour.name()
        self.resizeRowsToContents()

    def clear_pair(self) -> None:
        self.view = None
        self.colours = {}
        self.setRowCount(0)


class PurposeDialog(QDialog):
    """Asks for the purpose of use once per working session (a list plus free text)."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setWindowTitle(tr("purpose.title"))
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        intro = QLabel(tr("purpose.text"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.choice = QComboBox()
        for purpose in STANDARD_PURPOSES:
            self.choice.addItem(purpose, purpose)
        self.choice.addItem(tr("purpose.other"), "")
        layout.addWidget(self.choice)
        self.free_text = QLineEdit()
        self.free_text.setPlaceholderText(tr("purpose.free_text"))
        self.free_text.setMaxLength(200)
        layout.addWidget(self.free_text)
        self.message = MessageBar()
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(tr("action.ok"), QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton(tr("action.cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        self.ok_button.clicked.connect(self.try_accept)
        cancel.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self.choice.currentIndexChanged.connect(self._sync)
        self._sync()

    def _sync(self) -> None:
        self.free_text.setEnabled(not self.choice.currentData())

    def purpose(self) -> str:
        chosen = str(self.choice.currentData() or "")
        return chosen or self.free_text.text()

    def try_accept(self) -> None:
        try:
            self.state.call(session_service.set_purpose, self.state.session, self.purpose())
        except WorkbenchError as exc:
            self.message.show_error(describe_error(exc))
            return
        self.accept()


def ensure_purpose(state: AppState, parent: QWidget | None) -> bool:
    """True once the session has a purpose; asks for it the first time."""
    if state.session.purpose:
        return True
    dialog = PurposeDialog(state, parent)
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted and bool(state.session.purpose)
    finally:
        dialog.deleteLater()


def fetch_pair(
    state: AppState, run_id: str, tax_record_id: str | None, si_record_id: str | None
) -> PairView:
    """The logged reveal itself (raises what the service raises)."""
    return state.call(views.reveal_pair, state.session, run_id, tax_record_id, si_record_id)


class RevealDialog(QDialog):
    """Both records of a pair, or only the reason why they cannot be shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("reveal.title"))
        self.resize(760, 520)
        layout = QVBoxLayout(self)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        layout.addWidget(self.notice)
        self.message = MessageBar()
        layout.addWidget(self.message)
        self.pair = PairWidget()
        layout.addWidget(self.pair, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("action.close"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def show_pair(self, view: PairView, purpose: str) -> None:
        self.notice.setText(tr("reveal.logged", purpose=purpose))
        self.message.clear_message()
        self.pair.show_pair(view)
        self.pair.show()

    def show_error(self, text: str) -> None:
        self.notice.setText("")
        self.pair.clear_pair()
        self.pair.hide()
        self.message.show_error(text)


def open_reveal(
    state: AppState,
    parent: QWidget | None,
    run_id: str,
    tax_record_id: str | None,
    si_record_id: str | None,
) -> RevealDialog | None:
    """Purpose (first time), then the logged reveal in a dialog; None if the user declined."""
    if not ensure_purpose(state, parent):
        return None
    dialog = RevealDialog(parent)
    try:
        view = fetch_pair(state, run_id, tax_record_id, si_record_id)
    except Exception as exc:
        dialog.show_error(describe_error(exc))
    else:
        dialog.show_pair(view, state.session.purpose or "")
    dialog.show()
    return dialog
