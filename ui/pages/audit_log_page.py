"""The auditor's access log: filter, read every field, verify the chain, export and check.

Nothing here reads datasets or runs: the log holds tokens, ids and counts, never a name,
an address or an amount, and the auditor's role may not read anything else.

The page runs the services and wires its parts (:mod:`rlwb.ui.pages.audit_parts`): the
filter bar, the verify banner, the event table with its detail pane (EventBrowser).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rlwb.ui import save_dialog
from rlwb.ui.errors import describe_error
from rlwb.ui.event_browser import EventBrowser
from rlwb.ui.event_pager import EventPager
from rlwb.ui.i18n import tr
from rlwb.ui.pages.audit_parts.filters import FilterBar
from rlwb.ui.pages.audit_parts.source import newest_seq, service_pager
from rlwb.ui.pages.audit_parts.verify import VerifyBanner
from rlwb.ui.state import AppState
from rlwb.ui.widgets import MessageBar, ProgressPanel
from rlwb.workbench.services import audit as audit_service
from rlwb.workbench.services.audit import AuditExport
from rlwb.workbench.services.types import (
    AuditEvent,
    CancelToken,
    EventFilter,
    ProgressCallback,
    VerificationResult,
    WorkbenchError,
)


def choose_export_path(parent: QWidget, suggested: str) -> Path | None:
    filters = [(tr("log.csv_filter"), "csv")]
    return save_dialog.choose_save_path(parent, tr("log.export_title"), suggested, filters)


def choose_export_to_check(parent: QWidget) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, tr("log.check_title"), "", tr("log.csv_filter"))
    return Path(name) if name else None


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
        layout.addWidget(self.progress)

        self.filters = FilterBar()
        self.filters.applied.connect(self.apply_filter)
        layout.addWidget(self.filters)
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

    def _sync(self, busy: bool) -> None:
        self.filters.set_busy(busy)
        for widget in (
            self.verify_button,
            self.refresh_button,
            self.export_button,
            self.check_button,
        ):
            widget.setEnabled(not busy)

    # -- loading -----------------------------------------------------------------------------
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
        self.filter = self.filters.current_filter()
        self.message.clear_message()
        self.reload()

    def clear_filter(self) -> None:
        self.filters.clear()

    def reload(self) -> None:
        """Count the matching events and read the first page, on a worker."""
        session, flt = self.state.session, self.filter

        def work(progress: ProgressCallback, cancel: CancelToken) -> EventPager:
            pager = service_pager(session, flt)
            pager.reset()
            return pager

        self.count.setText(tr("log.loading"))
        self.state.task(work).success(self._loaded).failure(self._load_failed).run_in_background()

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

        def read(progress: ProgressCallback, cancel: CancelToken) -> object:
            return work()

        return self.state.task(read).success(finished).failure(refused).run_in_background()

    def _loaded(self, pager: EventPager) -> None:
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

        # The service verifies the whole log in one go: no Cancel.
        (
            self.state.task(work)
            .success(self._verified)
            .failure(self._verify_failed)
            .with_progress(self.progress, cancellable=False)
            .with_messages(self.message)
            .run_in_background()
        )

    def _verified(self, result: VerificationResult) -> None:
        self.result = result
        self.banner.show_result(result)
        self.reload()  # the verification itself was logged

    def _verify_failed(self, message: str) -> None:
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

        (
            self.state.task(work)
            .success(self._exported)
            .with_progress(self.progress, cancellable=False)
            .with_messages(self.message)
            .run_in_background()
        )

    def _exported(self, result: AuditExport) -> None:
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
