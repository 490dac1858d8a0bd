"""The auditor's workspace: filter and read the log, verify it, export and check, a person's
history, the analysis report — and never a dataset."""

from __future__ import annotations

import csv
import sqlite3
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot

from rlwb.crypto.identifiers import canonical_my_number
from rlwb.ui.main_window import MainWindow
from rlwb.ui.pages.analysis_page import AnalysisPage
from rlwb.ui.pages.audit_log_page import AuditLogPage
from rlwb.ui.pages.person_history_page import PersonHistoryPage
from rlwb.workbench.audit.events import Actor, EventDraft, EventType, Outcome
from rlwb.workbench.audit.log import EventFilter
from rlwb.workbench.errors import AccessDenied
from rlwb.workbench.services import audit as audit_service
from rlwb.workbench.services import keys as keys_service
from rlwb.workbench.services import views
from rlwb.workbench.services.session import set_purpose
from rlwb.workbench.session import Session
from rlwb.workbench.store import FrameStore
from rlwb.workbench.workspace import Workspace
from tests.ui.conftest import make_user
from tests.workbench.conftest import workspace_bytes


def _events(ws: Workspace, event_type: EventType) -> list:
    return ws.audit.query(EventFilter(event_types=(event_type,)), newest_first=False)


def _idle(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.state.busy, timeout=20_000)


def _auditor_window(qtbot: QtBot, ws: Workspace) -> tuple[MainWindow, AuditLogPage]:
    session = make_user(ws, "auditor1", ["auditor"])
    window = MainWindow(session)
    qtbot.addWidget(window)
    _idle(qtbot, window)
    page = window.pages["audit"]
    assert isinstance(page, AuditLogPage)
    return window, page


def _token_link(clerk: Session, run_id: str) -> dict[str, str]:
    links = views.links_table(clerk, run_id)
    return links.filter(pl.col("outcome") == "token").row(0, named=True)


def _number_of(tax_file: Path, record_id: str) -> str:
    with tax_file.open(encoding="cp932", newline="") as f:
        for row in csv.DictReader(f):
            if row["整理番号"] == record_id:
                digits, _ = canonical_my_number(row["個人番号"])
                assert digits is not None
                return digits
    raise AssertionError(record_id)


def _reveal(clerk: Session, run_id: str) -> dict[str, str]:
    set_purpose(clerk, "扶養認定確認")
    link = _token_link(clerk, run_id)
    views.reveal_pair(clerk, run_id, link["tax_record_id"], link["si_record_id"])
    return link


def test_the_log_filters_by_user_type_outcome_time_subject_and_text(
    qtbot: QtBot, workspace: Workspace, clerk: Session, run_id: str
) -> None:
    _reveal(clerk, run_id)
    window, page = _auditor_window(qtbot, workspace)
    with pytest.raises(AccessDenied):  # one denial to find again
        views.findings_table(window.session, run_id)
    model = page.browser.model

    def apply(**changes: object) -> int:
        page.clear_filter()
        _idle(qtbot, window)
        for name, value in changes.items():
            widget = getattr(page.filters, name)
            if isinstance(value, str) and hasattr(widget, "setText"):
                widget.setText(value)
            elif isinstance(value, bool):
                widget.setChecked(value)
            elif isinstance(value, QDate):
                widget.setDate(value)
            else:
                widget.setCurrentIndex(widget.findData(value))
        page.filters.apply_button.click()
        _idle(qtbot, window)
        return model.rowCount()

    log = workspace.audit
    assert apply() == log.count(EventFilter())
    assert "件" in page.count.text()
    reveals = apply(user="clerk1", event_type="reveal")
    assert reveals == 1
    event = page.browser.show_row(0)
    assert event is not None and event.event_type == EventType.REVEAL
    detail = page.browser.detail.toPlainText()
    person = event.persons[0]
    assert f"{person.token_hex[:12]}… (v1)" in detail
    assert person.token_hex not in detail  # a prefix only
    assert "扶養認定確認" in detail and event.hash in detail

    assert apply(outcome="denied") == 1
    denied = page.browser.show_row(0)
    assert denied is not None and denied.event_type == EventType.ACCESS_DENIED
    assert "run.view" in page.browser.detail.toPlainText()
    assert "拒否" in model.cell_text(0, 3)

    tax_dataset = views.runs(clerk)[0].tax_dataset
    assert apply(subject_kind="dataset", subject=tax_dataset) == log.count(
        EventFilter(dataset_id=tax_dataset)
    )
    assert apply(subject_kind="user", subject="clerk1") == log.count(
        EventFilter(subject_user="clerk1")
    )
    assert apply(text="扶養認定確認") == log.count(EventFilter(text="扶養認定確認")) > 1
    assert apply(use_since=True, since=QDate(2026, 11, 4)) == 0
    everything = log.count(EventFilter())
    assert (
        apply(use_since=True, since=QDate(2026, 11, 1), use_until=True, until=QDate(2026, 11, 3))
        == everything
    )
    window.logout()


def test_verify_shows_a_green_banner_and_logs_the_check(
    qtbot: QtBot, workspace: Workspace, clerk: Session
) -> None:
    window, page = _auditor_window(qtbot, workspace)
    assert page.banner.kind == "unknown"
    rows_before = page.browser.model.rowCount()
    page.verify_button.click()
    _idle(qtbot, window)
    assert page.banner.kind == "intact"
    result = page.result
    assert result is not None and result.intact
    assert f"シーケンス {result.checked_up_to:,} まで完全" in page.banner.text()
    (verified,) = _events(workspace, EventType.LOG_VERIFIED)
    assert verified.actor_user == "auditor1" and verified.details["intact"] is True
    assert page.browser.model.rowCount() == rows_before + 1  # reloaded with its own event
    window.logout()


def test_a_tampered_log_shows_a_red_banner_naming_the_broken_sequence(
    qtbot: QtBot, workspace: Workspace, clerk: Session
) -> None:
    window, page = _auditor_window(qtbot, workspace)
    raw = sqlite3.connect(workspace.path / "workbench.sqlite3")
    for (name,) in raw.execute("SELECT name FROM sqlite_master WHERE type='trigger'").fetchall():
        raw.execute(f"DROP TRIGGER {name}")
    raw.execute("UPDATE audit_events SET body = json_set(body, '$.actor_user', 'x') WHERE seq = 3")
    raw.commit()
    raw.close()
    page.verify_button.click()
    _idle(qtbot, window)
    assert page.banner.kind == "broken"
    assert "シーケンス 3 で破損" in page.banner.text()
    assert "内容が変更されています" in page.banner.text()
    assert "#d0414f" in page.banner.styleSheet()  # red
    (verified,) = _events(workspace, EventType.LOG_VERIFIED)
    assert verified.outcome == Outcome.FAILED and verified.details["broken_seq"] == 3
    window.logout()


def test_dropped_triggers_show_a_red_banner_listing_each_one(
    qtbot: QtBot, workspace: Workspace, clerk: Session
) -> None:
    window, page = _auditor_window(qtbot, workspace)
    raw = sqlite3.connect(workspace.path / "workbench.sqlite3")
    for (name,) in raw.execute(
        "SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name LIKE 'audit%'"
    ).fetchall():
        raw.execute(f"DROP TRIGGER {name}")
    raw.commit()
    raw.close()
    page.verify_button.click()
    _idle(qtbot, window)
    assert page.banner.kind == "broken"
    assert "改ざんされた兆候" in page.banner.text()
    assert "audit_events_no_delete" in page.banner.toolTip()
    assert "• The trigger " in page.banner.text()
    (verified,) = _events(workspace, EventType.LOG_VERIFIED)
    assert verified.outcome == Outcome.FAILED and verified.details["tampering"] == 9
    window.logout()


def test_export_the_filtered_events_with_a_signature_and_check_it(
    qtbot: QtBot, workspace: Workspace, clerk: Session, tmp_path: Path
) -> None:
    window, page = _auditor_window(qtbot, workspace)
    page.filters.event_type.setCurrentIndex(page.filters.event_type.findData("login.ok"))
    page.apply_filter()
    _idle(qtbot, window)
    logins = page.browser.model.rowCount()
    out = tmp_path / "logins.csv"
    page.ask_save_path = lambda parent, suggested: out
    page.export_button.click()
    _idle(qtbot, window)
    assert out.is_file() and (tmp_path / "logins.csv.sig").is_file()
    assert page.exported is not None and page.exported.rows == logins
    assert page.message.kind == "success" and "logins.csv.sig" in page.message.text()
    (exported,) = _events(workspace, EventType.LOG_EXPORTED)
    assert exported.details["rows"] == logins

    page.ask_check_path = lambda parent: out
    page.check_button.click()
    assert page.message.kind == "success" and "改ざんされていません" in page.message.text()
    with out.open("a", encoding="utf-8") as f:
        f.write("999,forged\n")
    page.check_button.click()
    assert page.message.kind == "error" and "信頼できません" in page.message.text()
    window.logout()


def test_person_history_finds_who_saw_a_person_and_forgets_the_number(
    qtbot: QtBot,
    workspace: Workspace,
    clerk: Session,
    run_id: str,
    sample_files: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    link = _reveal(clerk, run_id)
    number = _number_of(sample_files[0], link["tax_record_id"])
    window, _ = _auditor_window(qtbot, workspace)

    def no_dataset_reads(*args: object, **kwargs: object) -> None:
        raise AssertionError("an auditor page read a dataset")

    monkeypatch.setattr(FrameStore, "read", no_dataset_reads)
    page = window.show_page("audit_person")
    assert isinstance(page, PersonHistoryPage)
    assert page.number.echoMode() == page.number.EchoMode.Password

    page.number.setText("123456789010")  # wrong check digit
    page.search_button.click()
    assert page.message.kind == "error" and page.number.text() == ""

    page.number.setText(f"{number[:4]}-{number[4:8]}-{number[8:]}")
    page.search_button.click()
    assert page.number.text() == ""
    assert page.message.kind == ""
    reveals = [e for e in page.events if e.event_type == EventType.REVEAL]
    assert [e.actor_user for e in reveals] == ["clerk1"]
    assert reveals[0].purpose == "扶養認定確認"
    assert page.browser.model.rowCount() == len(page.events)
    assert "clerk1" in page.summary.text()
    (search,) = _events(workspace, EventType.AUDIT_PERSON_HISTORY)
    assert search.actor_user == "auditor1" and search.persons
    assert search.details["events_found"] == len(page.events)

    # the auditor's other pages do not read datasets either
    for key in ("audit_report", "audit"):
        window.show_page(key)
        _idle(qtbot, window)
    report = window.pages["audit_report"]
    assert isinstance(report, AnalysisPage)
    report.first.setDate(QDate(2026, 11, 1))
    report.last.setDate(QDate(2026, 11, 3))
    report.run_button.click()
    _idle(qtbot, window)
    assert report.report is not None
    window.logout()

    # the number is nowhere: not in the page, not in the workspace, not beside it
    assert number not in repr(vars(page)) and number not in page.summary.text()
    blob = workspace_bytes(workspace.path)
    state = tmp_path / "state"
    if state.exists():
        blob += workspace_bytes(state)
    assert number.encode() not in blob
    assert number.encode("utf-16-le") not in blob


def test_the_analysis_report_shows_chart_tables_and_exports(
    qtbot: QtBot, workspace: Workspace, clerk: Session, run_id: str, tmp_path: Path
) -> None:
    _reveal(clerk, run_id)
    session = make_user(workspace, "auditor1", ["auditor"])
    window = MainWindow(session)
    qtbot.addWidget(window)
    _idle(qtbot, window)
    page = window.show_page("audit_report")
    assert isinstance(page, AnalysisPage)
    assert not page.export_button.isEnabled()
    page.first.setDate(QDate(2026, 11, 3))
    page.last.setDate(QDate(2026, 11, 1))
    page.run_button.click()
    assert page.message.kind == "error" and page.report is None
    page.first.setDate(QDate(2026, 11, 1))
    page.last.setDate(QDate(2026, 11, 3))
    page.run_button.click()
    _idle(qtbot, window)
    report = page.report
    assert report is not None
    assert report.since.date() == date(2026, 11, 1) and report.until.date() == date(2026, 11, 3)
    assert page.summary_values["reveals"].text() == "1"
    assert page.chart.items and page.chart.items[0][0].startswith("clerk1")
    assert page.chart.items[0][1] == 1
    per_day = page.sections["reveals_per_user_day"].model
    assert per_day.rowCount() == report.reveals_per_user_day.height == 1
    assert page.sections["reveals_without_work"].model.rowCount() == 1
    assert "（1）" in page.tabs.tabText(0)
    (logged,) = _events(workspace, EventType.LOG_REPORT)
    assert logged.actor_user == "auditor1"

    out = tmp_path / "report.xlsx"
    page.ask_path = lambda parent, suggested: out
    assert page.export_button.isEnabled()
    page.export_button.click()
    _idle(qtbot, window)
    assert out.is_file() and page.exported == out and page.message.kind == "success"
    assert _events(workspace, EventType.LOG_EXPORTED)[-1].details["what"] == "analysis report"
    window.logout()


def test_a_clerk_is_refused_the_log_and_the_keys_and_never_sees_their_pages(
    qtbot: QtBot, workspace: Workspace, clerk: Session
) -> None:
    window = MainWindow(clerk)
    qtbot.addWidget(window)
    assert not {"audit", "audit_person", "audit_report", "admin", "admin_keys"} & set(
        window.page_keys()
    )
    with pytest.raises(AccessDenied):
        audit_service.query_events(clerk, EventFilter(), limit=10)
    with pytest.raises(AccessDenied):
        keys_service.rotate_keys(clerk, "curious")
    with pytest.raises(AccessDenied):
        audit_service.person_history(clerk, "123456789018")
    denied = [e for e in _events(workspace, EventType.ACCESS_DENIED) if e.actor_user == "clerk1"]
    assert [e.details["action"] for e in denied] == [
        "audit.query",
        "keys.rotate",
        "audit.person_history",
    ]
    assert all(e.outcome == Outcome.DENIED for e in denied)
    assert _events(workspace, EventType.KEYS_ROTATION_STARTED) == []
    window.logout()


def test_the_log_page_reads_pages_never_the_whole_log(
    qtbot: QtBot, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor = Actor("clerk9", ("clerk",))
    drafts = [
        EventDraft(EventType.SEARCH, Outcome.OK, actor, purpose="適用調査", details={"hits": i})
        for i in range(3_000)
    ]
    for first in range(0, len(drafts), 1_000):
        workspace.audit.append_many(drafts[first : first + 1_000])
    asked: list[int | None] = []
    original = audit_service.query_events

    def spy(session: Session, flt: EventFilter, **kwargs: object) -> list:
        asked.append(kwargs.get("limit"))  # type: ignore[arg-type]
        return original(session, flt, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(audit_service, "query_events", spy)
    window, page = _auditor_window(qtbot, workspace)
    model = page.browser.model
    total = workspace.audit.count(EventFilter())
    assert model.rowCount() == total > 3_000
    pager = model.pager
    assert pager is not None and pager.page_loads == 1
    oldest = model.event_at(total - 1)
    assert oldest is not None and oldest.seq == 1
    assert pager.page_loads == 2
    assert all(limit is not None and limit <= pager.page_size for limit in asked)

    # events logged after the page was loaded do not shift its rows
    workspace.audit.append(EventDraft(EventType.SEARCH, Outcome.OK, actor, details={"hits": -1}))
    pager._pages.clear()
    assert model.event_at(total - 1) == oldest
    assert model.event_at(0) is not None and model.event_at(0).seq == total  # type: ignore[union-attr]
    page._update_count()
    assert pager.newer_events and "「更新」で表示" in page.count.text()

    # a free-text view reads its pages on a worker
    page.filters.text.setText("適用調査")
    page.apply_filter()
    _idle(qtbot, window)
    assert pager is not model.pager and model.pager is not None and model.pager.slow
    texted = model.rowCount()
    assert texted == workspace.audit.count(EventFilter(text="適用調査")) >= 3_000
    assert model.cell_text(texted - 1, 0) == "…"
    qtbot.waitUntil(lambda: model.cell_text(texted - 1, 0) != "…", timeout=10_000)
    _idle(qtbot, window)
    assert model.event_at(texted - 1) is not None
    window.logout()
