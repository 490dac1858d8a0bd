"""The auditor's access log: filter, read every field, verify the chain, export and check.

Nothing here reads datasets or runs: the log holds tokens, ids and counts, never a name,
an address or an amount, and the auditor's role may not read anything else.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rlwb.ui import save_dialog
from rlwb.ui.errors import describe_error
from rlwb.ui.event_browser import EventBrowser
from rlwb.ui.event_pager import EventPager
from rlwb.ui.i18n import tr, tr_value
from rlwb.ui.state import AppState
from rlwb.ui.tasks import Task
from rlwb.ui.widgets import MessageBar, ProgressPanel
from rlwb.workbench.audit.events import AuditEvent, EventType, Outcome
from rlwb.workbench.audit.log import EventFilter
from rlwb.workbench.audit.verify import VerificationResult
from rlwb.workbench.errors import WorkbenchError
from rlwb.workbench.services import audit as audit_service
from rlwb.workbench.services.audit import AuditExport
from rlwb.workbench.session import Session
from rlwb.workbench.tasks import CancelToken, ProgressCallback

SUBJECTS = ("dataset", "run", "user")
_BANNER_STYLES = {
    "intact": "background:#e3f4e6; color:#14532d; border:2px solid #3f9d5a;",
    "broken": "background:#fde2e4; color:#8a1020; border:2px solid #d0414f;",
    "unknown": "background:#f1f3f5; color:#333333; border:1px solid #c9ced4;",
}


def day_of(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def local_day_start(day: date) -> datetime:
    return datetime.combine(day, time.min).astimezone()


def local_day_end(day: date) -> datetime:
    return datetime.combine(day, time.max).astimezone()


def newest_seq(session: Session) -> int:
    events = audit_service.query_events(session, EventFilter(), limit=1)
    return events[0].seq if events else 0


def service_pager(session: Session, flt: EventFilter) -> EventPager:
    """A pager over the audit services. The page calls it only while no other task runs
    (on a worker for the snapshot and slow pages, else on the GUI thread)."""
    return EventPager(
        flt,
        lambda f, limit, offset: audit_service.query_events(session, f, limit=limit, offset=offset),
        lambda f: audit_service.count_events(session, f),
        lambda: newest_seq(session),
    )


_WARNINGS_SHOWN = 6


def verification_text(result: VerificationResult) -> tuple[str, str]:
    """(banner kind, banner text) of a verification result, in the user's language."""
    if result.intact and result.tampering:
        text = tr("verify.tampered", seq=f"{result.checked_up_to:,}")
        kind = "broken"
    elif result.intact:
        if result.checked_up_to == 0:
            text = tr("verify.empty")
        else:
            text = tr("verify.intact", seq=f"{result.checked_up_to:,}")
        kind = "intact"
    else:
        reason = tr_value("break_reason", str(result.reason)) if result.reason else ""
        text = tr("verify.broken", seq=f"{result.broken_seq:,}", reason=reason)
        if result.detail:
            text = tr("verify.with_detail", text=text, detail=result.detail)
        kind = "broken"
    facts = tr(
        "verify.facts",
        checkpoints=result.checkpoints_checked,
        external=tr("value.yes") if result.external_checked else tr("value.no"),
    )
    lines = [text, facts]
    if result.tampering:
        lines.append(tr("verify.warnings", count=len(result.tampering)))
    # Every warning as the core words it (the full list is also in the tooltip).
    shown = result.warnings[:_WARNINGS_SHOWN]
    lines += [f"• {w}" for w in shown]
    if len(result.warnings) > len(shown):
        lines.append("…")
    return kind, "\n".join(lines)


def choose_export_path(parent: QWidget, suggested: str) -> Path | None:
    filters = [(tr("log.csv_filter"), "csv")]
    return save_dialog.choose_save_path(parent, tr("log.export_title"), suggested, filters)


def choose_export_to_check(parent: QWidget) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, tr("log.check_title"), "", tr("log.csv_filter"))
    return Path(name) if name else None


class VerifyBanner(QLabel):
    """The one-line answer to "is the log whole?": green, red, or not yet checked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.kind = "unknown"
        self.show_unknown()

    def _set(self, kind: str, text: str) -> None:
        self.kind = kind
        self.setText(text)
        weight = "600" if kind != "unknown" else "400"
        self.setStyleSheet(
            f"QLabel {{ {_BANNER_STYLES[kind]} padding:8px; border-radius:4px; "
            f"font-size:12pt; font-weight:{weight}; }}"
        )

    def show_unknown(self) -> None:
        self._set("unknown", tr("verify.not_yet"))

    def show_result(self, result: VerificationResult) -> None:
        self._set(*verification_text(result))
        self.setToolTip("\n".join(result.warnings))

    def show_error(self, message: str) -> None:
        self._set("broken", tr("verify.failed", message=message))


class AuditLogPage(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.result: VerificationResult | None = None
        self.exported: AuditExport | None = None
        self.filter = EventFilter()
        self._loaded_newest = -1
        #: Replaced in tests; the defaults open the platform's file dialogs.
        self.ask_save_path: Callable[[QWidget, str], Path | None] = choose_export_path
        self.ask_check_path: Callable[[QWidget], Path | None] = choose_export_to_check
        layout = QVBoxLayout(self)
        title = QLabel(tr("log.title"))
        title.setStyleSheet("font-size: 14pt; font-weight: 600;")
        layout.addWidget(title)

        verify_row = QHBoxLayout()
        self.verify_button = QPushButton(tr("verify.run"))
        self.verify_button.setMinimumHeight(44)
        self.verify_button.setMinimumWidth(150)
        self.verify_button.setStyleSheet("QPushButton { font-size: 11pt; font-weight: 600; }")
        self.verify_button.clicked.connect(self.start_verify)
        self.banner = VerifyBanner()
        verify_row.addWidget(self.verify_button)
        verify_row.addWidget(self.banner, 1)
        layout.addLayout(verify_row)
        self.progress = ProgressPanel()
        self.progress.cancel_button.hide()  # the service verifies the whole log in one go
        layout.addWidget(self.progress)

        layout.addLayout(self._filters())
        self.browser = EventBrowser(ready=lambda: not state.busy, background=self._background)
        self.browser.model.failed.connect(self._page_failed)
        self.browser.model.pages_loaded.connect(self._update_count)
        layout.addWidget(self.browser, 1)

        actions = QHBoxLayout()
        self.count = QLabel()
        self.refresh_button = QPushButton(tr("log.refresh"))
        self.refresh_button.clicked.connect(self.reload)
        self.export_button = QPushButton(tr("log.export"))
        self.export_button.clicked.connect(self.start_export)
        self.check_button = QPushButton(tr("log.check"))
        self.check_button.clicked.connect(self.check_export)
        actions.addWidget(self.count, 1)
        for button in (self.refresh_button, self.export_button, self.check_button):
            actions.addWidget(button)
        layout.addLayout(actions)
        self.message = MessageBar()
        layout.addWidget(self.message)
        state.taskman.busy_changed.connect(self._sync)
        state.taskman.task_ended.connect(self.browser.model.retry)

    # -- filters -----------------------------------------------------------------------------
    def _filters(self) -> QGridLayout:
        grid = QGridLayout()
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
        self.apply_button.clicked.connect(self.apply_filter)
        self.clear_button = QPushButton(tr("log.filter.clear"))
        self.clear_button.clicked.connect(self.clear_filter)
        for line in (self.user, self.subject, self.text):
            line.setClearButtonEnabled(True)
            line.returnPressed.connect(self.apply_filter)

        grid.addWidget(QLabel(tr("log.filter.user")), 0, 0)
        grid.addWidget(self.user, 0, 1)
        grid.addWidget(QLabel(tr("log.filter.type")), 0, 2)
        grid.addWidget(self.event_type, 0, 3)
        grid.addWidget(QLabel(tr("log.filter.outcome")), 0, 4)
        grid.addWidget(self.outcome, 0, 5)
        grid.addWidget(self.use_since, 0, 6)
        grid.addWidget(self.since, 0, 7)
        grid.addWidget(self.use_until, 0, 8)
        grid.addWidget(self.until, 0, 9)
        grid.addWidget(QLabel(tr("log.filter.subject")), 1, 0)
        grid.addWidget(self.subject_kind, 1, 1)
        grid.addWidget(self.subject, 1, 2, 1, 2)
        grid.addWidget(QLabel(tr("log.filter.text")), 1, 4)
        grid.addWidget(self.text, 1, 5, 1, 3)
        grid.addWidget(self.apply_button, 1, 8)
        grid.addWidget(self.clear_button, 1, 9)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        grid.setColumnStretch(5, 1)
        return grid

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

    def clear_filter(self) -> None:
        for edit in (self.user, self.subject, self.text):
            edit.clear()
        for combo in (self.event_type, self.outcome, self.subject_kind):
            combo.setCurrentIndex(0)
        self.use_since.setChecked(False)
        self.use_until.setChecked(False)
        self.apply_filter()

    # -- loading -----------------------------------------------------------------------------
    def _sync(self, busy: bool) -> None:
        for widget in (
            self.verify_button,
            self.apply_button,
            self.clear_button,
            self.refresh_button,
            self.export_button,
            self.check_button,
        ):
            widget.setEnabled(not busy)

    def activate(self) -> None:
        """Shown: load the log, or load it again when events were added since."""
        if self.state.busy:
            return
        try:
            newest = self.state.call(newest_seq, self.state.session)
        except WorkbenchError as exc:
            self.message.show_error(describe_error(exc))
            return
        if newest != self._loaded_newest:
            self.reload()

    def apply_filter(self) -> None:
        self.filter = self.current_filter()
        self.message.clear_message()
        self.reload()

    def reload(self) -> None:
        """Count the matching events and read the first page, on a worker."""
        session, flt = self.state.session, self.filter

        def work(progress: ProgressCallback, cancel: CancelToken) -> EventPager:
            pager = service_pager(session, flt)
            pager.reset()
            return pager

        self.count.setText(tr("log.loading"))
        self.state.run_task(Task(work, self._loaded, self._load_failed))

    def _background(
        self,
        work: Callable[[], object],
        done: Callable[[object], None],
        failed: Callable[[str], None],
    ) -> bool:
        """Read slow pages on a worker (the model shows placeholders meanwhile)."""
        self.count.setText(tr("log.loading"))

        def finished(result: object) -> None:
            done(result)
            self._update_count()

        def refused(message: str) -> None:
            failed(message)
            self._update_count()

        return self.state.run_task(Task(lambda progress, cancel: work(), finished, refused))

    def _loaded(self, result: Any) -> None:
        pager: EventPager = result
        self._loaded_newest = pager.snapshot_newest
        self.browser.set_pager(pager)
        self._update_count()

    def _load_failed(self, message: str) -> None:
        self.count.setText("")
        self.message.show_error(message)

    def _page_failed(self, message: str) -> None:
        if not self.state.busy:  # while a task runs, the page is fetched right after it
            self.message.show_error(message)

    def _update_count(self) -> None:
        pager = self.browser.model.pager
        if pager is None:
            self.count.setText("")
            return
        text = tr("log.count", count=f"{pager.total:,}")
        if not self.state.busy:
            # the count line is a courtesy; reading a page reports errors
            with contextlib.suppress(WorkbenchError):
                pager.check_newer()
        if pager.newer_events:
            text += tr("log.new_events")
        self.count.setText(text)

    def selected_event(self) -> AuditEvent | None:
        return self.browser.selected_event()

    # -- verify --------------------------------------------------------------------------------
    def start_verify(self) -> None:
        session = self.state.session

        def work(progress: ProgressCallback, cancel: CancelToken) -> VerificationResult:
            return audit_service.verify(session, progress=progress)

        self.message.clear_message()
        self.progress.start()
        self.state.run_task(
            Task(
                work, self._verified, self._verify_failed, on_progress=self.progress.update_progress
            )
        )

    def _verified(self, result: Any) -> None:
        self.progress.finish()
        self.result = result
        self.banner.show_result(result)
        self.reload()  # the verification itself was logged

    def _verify_failed(self, message: str) -> None:
        self.progress.finish()
        self.result = None
        self.banner.show_error(message)

    # -- export and check ----------------------------------------------------------------------
    def start_export(self) -> None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M")
        path = self.ask_save_path(self, f"access-log-{stamp}.csv")
        if path is None:
            return
        session, flt = self.state.session, self.filter

        def work(progress: ProgressCallback, cancel: CancelToken) -> AuditExport:
            progress("export", 0.2)
            return audit_service.export_events(session, flt, path, replace=True)

        self.message.clear_message()
        self.progress.start()
        self.state.run_task(
            Task(
                work, self._exported, self._export_failed, on_progress=self.progress.update_progress
            )
        )

    def _exported(self, result: Any) -> None:
        self.progress.finish()
        self.exported = result
        path = Path(result.path)
        self.message.show_success(
            tr(
                "log.exported",
                rows=f"{result.rows:,}",
                path=str(path),
                sig=path.name + ".sig",
            )
        )
        self.reload()

    def _export_failed(self, message: str) -> None:
        self.progress.finish()
        self.message.show_error(message)

    def check_export(self) -> None:
        path = self.ask_check_path(self)
        if path is None:
            return
        try:
            check = self.state.call(audit_service.check_exported, path, self.state.session)
        except WorkbenchError as exc:
            self.message.show_error(describe_error(exc))
            return
        if check.ok:
            self.message.show_success(tr("log.check_ok", name=path.name) + "\n" + check.message)
        else:
            self.message.show_error(tr("log.check_bad", name=path.name) + "\n" + check.message)
