"""The periodic analysis report of the access log: its sections, the service, the CLI.

The first tests write synthetic events at chosen office-local times into a bare log; the
scenario tests drive the real services on imported sample extracts with the fake clock.
"""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import polars as pl
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from rlwb.fixtures.samples import sample_paths
from rlwb.linkage.progress import Cancelled, CancelToken
from rlwb.workbench.audit.analysis import SECTIONS, AnalysisReport, AnalysisSettings, analyse
from rlwb.workbench.audit.events import Actor, EventDraft, EventType, Outcome, PersonRef
from rlwb.workbench.audit.log import AuditLog, EventFilter
from rlwb.workbench.audit.schema import AUDIT_SCHEMA_SQL, install_authorizer
from rlwb.workbench.cli import Context, main
from rlwb.workbench.errors import AccessDenied, AuthenticationError, InvalidInput
from rlwb.workbench.runs import get_run, read_links
from rlwb.workbench.services import audit as audit_service
from rlwb.workbench.services import export as export_service
from rlwb.workbench.services import findings as findings_service
from rlwb.workbench.services import review as review_service
from rlwb.workbench.services.imports import import_extract
from rlwb.workbench.services.reconcile import reconcile_datasets
from rlwb.workbench.services.session import login, set_purpose
from rlwb.workbench.services.views import reveal_pair
from rlwb.workbench.workspace import Workspace
from tests.memory_keyring import MemoryKeyring
from tests.workbench.conftest import TEST_SCRYPT_N, USER_PASSWORD, FakeClock, Team
from tests.workbench.test_audit_support import STATION, WORKSPACE_ID, person

JST = ZoneInfo("Asia/Tokyo")
SATO = Actor("sato", ("clerk",))
TANAKA = Actor("tanaka", ("clerk",))


def jst(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JST)


def day_span(first: str, last: str) -> tuple[datetime, datetime]:
    return jst(f"{first} 00:00"), datetime.combine(date.fromisoformat(last), time.max, JST)


# -- a bare log with events at chosen times ----------------------------------------------------
class Timeline:
    def __init__(self, path: Path) -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.executescript(AUDIT_SCHEMA_SQL)
        install_authorizer(conn)
        self.now = jst("2026-11-02 09:00")
        self.log = AuditLog(
            conn,
            workspace_id=WORKSPACE_ID,
            signer=Ed25519PrivateKey.generate(),
            workstation=STATION,
            clock=lambda: self.now,
        )

    def put(self, when: str, draft: EventDraft) -> int:
        self.now = jst(when)
        return self.log.append(draft).seq


@pytest.fixture
def line(tmp_path: Path) -> Iterator[Timeline]:
    timeline = Timeline(tmp_path / "log.db")
    yield timeline
    timeline.log.conn.close()


def ev(
    event_type: EventType,
    actor: Actor | None = SATO,
    *,
    outcome: Outcome = Outcome.OK,
    persons: tuple[PersonRef, ...] = (),
    run_id: str | None = None,
    dataset_id: str | None = None,
    subject_user: str | None = None,
    **details: object,
) -> EventDraft:
    return EventDraft(
        event_type,
        outcome,
        actor,
        persons=persons,
        run_id=run_id,
        dataset_id=dataset_id,
        subject_user=subject_user,
        details=details,
    )


def reveal(run: str | None, tax: str | None, si: str | None, *refs: PersonRef) -> EventDraft:
    return ev(EventType.REVEAL, persons=refs, run_id=run, tax_record_id=tax, si_record_id=si)


def rows(frame: pl.DataFrame) -> list[tuple[object, ...]]:
    return list(frame.iter_rows())


def test_out_of_hours_boundaries_weekends_and_unknown_users(line: Timeline) -> None:
    e1 = line.put("2026-11-02 07:59:59.999999", ev(EventType.LOGIN_OK, subject_user="sato"))
    line.put("2026-11-02 08:00", ev(EventType.SEARCH))
    line.put("2026-11-02 18:59:59.999999", ev(EventType.SEARCH))
    e4 = line.put("2026-11-02 19:00", ev(EventType.LOGOUT, subject_user="sato"))
    e5 = line.put("2026-11-07 12:00", ev(EventType.SEARCH))  # Saturday
    e6 = line.put("2026-11-08 12:00", ev(EventType.SEARCH))  # Sunday
    line.put("2026-11-09 02:00", ev(EventType.WORKSPACE_OPENED, None))  # no user at all
    e8 = line.put(
        "2026-11-09 02:00",
        ev(
            EventType.LOGIN_FAILED,
            None,
            outcome=Outcome.DENIED,
            subject_user="nobody",
            reason="unknown_user",
        ),
    )
    since, until = day_span("2026-11-02", "2026-11-09")

    report = analyse(line.log, since, until)

    assert rows(report.out_of_hours) == [
        (e1, jst("2026-11-02 07:59:59.999999"), "sato", "login.ok", "ok"),
        (e4, jst("2026-11-02 19:00"), "sato", "logout", "ok"),
        (e5, jst("2026-11-07 12:00"), "sato", "search", "ok"),
        (e6, jst("2026-11-08 12:00"), "sato", "search", "ok"),
        (e8, jst("2026-11-09 02:00"), "nobody", "login.failed", "denied"),
    ]
    assert report.out_of_hours.schema["time"] == pl.Datetime("us", "Asia/Tokyo")
    assert rows(report.denials) == [
        (e8, jst("2026-11-09 02:00"), "nobody", "login.failed", "unknown_user")
    ]
    assert report.summary["events"] == 8

    weekdays_only = analyse(line.log, since, until, AnalysisSettings(weekend_is_out_of_hours=False))
    assert weekdays_only.out_of_hours["seq"].to_list() == [e1, e4, e8]
    # Office hours in UTC: Monday 08:00 in Tokyo is still Sunday 23:00 there.
    utc = analyse(line.log, since, until, AnalysisSettings(tz="UTC"))
    assert utc.out_of_hours["seq"].to_list() == [e1, 2, e5, e6, e8]


def test_bursts_merge_overlapping_windows_per_user(line: Timeline) -> None:
    for when in ("10:00", "10:04", "10:09", "10:15", "10:18", "11:00", "11:05"):
        line.put(f"2026-11-03 {when}", reveal("run-1", "T1", "S1", person(1)))
        if when == "10:04":  # tanaka is busy at the same time, but below the threshold alone
            line.log.append(ev(EventType.REVEAL, TANAKA, persons=(person(2),)))
    for when in ("12:00", "12:00:30", "12:01"):
        line.now = jst(f"2026-11-03 {when}")
        line.log.append(ev(EventType.REVEAL, TANAKA, persons=(person(2),)))
    # Three reveals spanning exactly the window length are not "within" it.
    for when in ("14:00", "14:05", "14:10"):
        line.put(f"2026-11-03 {when}", reveal("run-1", "T1", "S1", person(1)))
    since, until = day_span("2026-11-03", "2026-11-03")
    settings = AnalysisSettings(burst_threshold=3, burst_window=timedelta(minutes=10))

    report = analyse(line.log, since, until, settings)

    assert rows(report.bursts) == [
        ("sato", jst("2026-11-03 10:00"), jst("2026-11-03 10:18"), 5),
        ("tanaka", jst("2026-11-03 12:00"), jst("2026-11-03 12:01"), 3),
    ]
    assert report.summary["bursts"] == 2
    higher = analyse(line.log, since, until, AnalysisSettings(burst_threshold=6))
    assert higher.bursts.height == 0
    assert higher.bursts.schema == report.bursts.schema


def test_reveals_without_work_match_persons_or_records_in_the_session(line: Timeline) -> None:
    p = [person(i) for i in range(10)]
    put = line.put
    r1 = put("2026-11-04 10:00", reveal("run-1", "T1", "S1", p[1]))
    put("2026-11-04 10:05", ev(EventType.REVIEW_DECISION, persons=(p[1],), run_id="run-1",
                               tax_record_id="T1", si_record_id="S1", decision="match"))  # fmt: skip
    put("2026-11-04 10:10", reveal("run-1", "T2", "S2", p[2]))
    put("2026-11-04 10:15", ev(EventType.FINDING_STATUS, run_id="run-1", finding="R06|T2|"))
    r3 = put("2026-11-04 10:20", reveal("run-1", "T3", "S3", p[3]))
    put("2026-11-04 10:25", ev(EventType.FINDING_STATUS, run_id="run-2", finding="R06|T3|S3"))
    put("2026-11-04 10:30", ev(EventType.REVEAL, persons=(p[4],), dataset_id="ds-1"))
    put("2026-11-04 10:35", ev(EventType.REVIEW_DECISION, persons=(p[4],), run_id="run-2",
                               tax_record_id="T9", si_record_id="S9"))  # fmt: skip
    r5 = put("2026-11-04 10:40", reveal("run-1", "T5", "S5", p[5]))
    put("2026-11-04 10:45", ev(EventType.REVIEW_DECISION, TANAKA, persons=(p[5],),
                               run_id="run-1", tax_record_id="T5", si_record_id="S5"))  # fmt: skip
    r6 = put("2026-11-04 10:50", reveal("run-1", "T6", "S6", p[6]))
    r7 = put("2026-11-04 11:00", reveal("run-1", "T7", "S7", p[7]))
    r8 = put("2026-11-04 11:05", reveal(None, None, None))  # names nobody: nothing can match
    put("2026-11-04 11:10", reveal("run-1", "T1", "S1", p[1]))  # work came before: fine
    r9 = put("2026-11-04 11:15", reveal("run-1", "T8", None, p[8], p[9]))
    put("2026-11-04 11:20", ev(EventType.REVIEW_DECISION, outcome=Outcome.FAILED,
                               persons=(p[8],), run_id="run-1", tax_record_id="T8"))  # fmt: skip
    # After the period, the same day: still the same session. The next day: another one.
    put("2026-11-04 20:00", ev(EventType.REVIEW_DECISION, persons=(p[7],), run_id="run-1",
                               tax_record_id="T7", si_record_id="S7"))  # fmt: skip
    put("2026-11-05 09:00", ev(EventType.REVIEW_DECISION, persons=(p[6],), run_id="run-1",
                               tax_record_id="T6", si_record_id="S6"))  # fmt: skip
    since, until = jst("2026-11-04 00:00"), jst("2026-11-04 19:30")

    report = analyse(line.log, since, until, AnalysisSettings(persons_per_day_threshold=9))

    assert rows(report.reveals_without_work) == [
        (r3, jst("2026-11-04 10:20"), "sato", 1, "run-1"),
        (r5, jst("2026-11-04 10:40"), "sato", 1, "run-1"),
        (r6, jst("2026-11-04 10:50"), "sato", 1, "run-1"),
        (r8, jst("2026-11-04 11:05"), "sato", 0, None),
        (r9, jst("2026-11-04 11:15"), "sato", 2, "run-1"),  # failed work is no work
    ]
    assert r1 not in report.reveals_without_work["seq"].to_list()
    assert r7 not in report.reveals_without_work["seq"].to_list()
    assert rows(report.reveals_per_user_day) == [("sato", date(2026, 11, 4), 10, 9)]
    assert report.summary["user_days_over_threshold"] == 1
    assert report.summary["reveals"] == 10
    assert report.summary["events"] == 16  # the two events after 19:30 are not in the period


def test_an_empty_period_gives_empty_sections_with_their_schemas(line: Timeline) -> None:
    line.put("2026-11-02 10:00", reveal("run-1", "T1", "S1", person(1)))
    since, until = day_span("2026-12-01", "2026-12-31")

    report = analyse(line.log, since, until)

    frames = report.to_frames()
    assert list(frames) == ["summary", *SECTIONS]
    assert all(frames[name].height == 0 for name in SECTIONS)
    when = pl.Datetime("us", "Asia/Tokyo")
    assert {name: dict(frames[name].schema) for name in SECTIONS} == {
        "reveals_per_user_day": {
            "user": pl.String, "day": pl.Date, "reveals": pl.Int64, "persons": pl.Int64,
        },
        "out_of_hours": {
            "seq": pl.Int64, "time": when, "user": pl.String, "event_type": pl.String,
            "outcome": pl.String,
        },
        "bursts": {"user": pl.String, "start": when, "end": when, "reveals": pl.Int64},
        "reveals_without_work": {
            "seq": pl.Int64, "time": when, "user": pl.String, "persons": pl.Int64,
            "run_id": pl.String,
        },
        "denials": {
            "seq": pl.Int64, "time": when, "user": pl.String, "event_type": pl.String,
            "action": pl.String,
        },
        "exports": {
            "seq": pl.Int64, "time": when, "user": pl.String, "what": pl.String,
            "rows": pl.Int64, "persons": pl.Int64, "file": pl.String,
        },
    }  # fmt: skip
    assert set(report.summary.values()) == {0}
    assert frames["summary"]["item"].to_list() == list(report.summary)
    text = report.lines()
    assert text[0] == "Access-log analysis report"
    assert text[1] == "Period: 2026-12-01 00:00:00 to 2026-12-31 23:59:59 (Asia/Tokyo)"
    assert text.count("  (none)") == len(SECTIONS)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"workday_start": time(19), "workday_end": time(8)}, "start before it ends"),
        ({"burst_threshold": 0}, "at least 1"),
        ({"persons_per_day_threshold": 0}, "at least 1"),
        ({"burst_window": timedelta(0)}, "longer than zero"),
        ({"tz": "Mars/Olympus_Mons"}, "not a known time zone"),
    ],
)
def test_unusable_settings_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        AnalysisSettings(**kwargs)  # type: ignore[arg-type]


def test_unusable_periods_are_refused(line: Timeline) -> None:
    with pytest.raises(InvalidInput, match="time zone"):
        analyse(line.log, datetime(2026, 11, 1), jst("2026-11-02 00:00"))
    with pytest.raises(InvalidInput, match="ends before it starts"):
        analyse(line.log, jst("2026-11-03 00:00"), jst("2026-11-02 00:00"))


def test_progress_reaches_the_end_and_cancel_stops(line: Timeline) -> None:
    line.log.append_many([reveal("run-1", "T1", "S1", person(i)) for i in range(50)])
    since, until = day_span("2026-11-02", "2026-11-02")
    seen: list[tuple[str, float]] = []

    analyse(line.log, since, until, progress=lambda step, f: seen.append((step, f)))

    fractions = [f for _s, f in seen]
    assert fractions == sorted(fractions) and seen[-1] == ("done", 1.0)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        analyse(line.log, since, until, cancel=token)


def test_the_report_names_no_person(line: Timeline) -> None:
    refs = [person(i) for i in range(5)]
    for i, ref in enumerate(refs):
        line.put(f"2026-11-02 20:{10 * i:02d}", reveal("run-1", f"T{i}", None, ref))
    report = analyse(line.log, *day_span("2026-11-02", "2026-11-02"))
    text = "\n".join(report.lines()) + "".join(
        str(frame.rows()) for frame in report.to_frames().values()
    )
    assert report.summary["reveals_without_work"] == 5
    assert [r.token_hex for r in refs if r.token_hex in text] == []
    assert "T1" not in text  # record ids stay in the log, the report counts


# -- the services on a real workspace ------------------------------------------------------------
@pytest.fixture
def scenario(
    workspace: Workspace,
    team: Team,
    clock: FakeClock,
    tmp_path: Path,
) -> dict[str, object]:
    """A week of a clerk's work, Monday 2 to Saturday 7 November 2026, Tokyo time."""

    def at(when: str) -> None:
        moment = jst(when)
        assert moment >= clock.now
        clock.now = moment

    paths = sample_paths()
    import_extract(team.clerk, paths["tax_cp932"], "tax")
    import_extract(team.clerk, paths["si_utf8bom"], "si")
    run = reconcile_datasets(team.clerk)
    set_purpose(team.clerk, "国保税算定")
    finding = next(
        f
        for f in findings_service.list_findings(team.clerk, run.id).iter_rows(named=True)
        if f["tax_record_id"] and f["si_record_id"]
    )
    used = {finding["tax_record_id"], finding["si_record_id"]}
    pairs = []
    for link in read_links(workspace, get_run(workspace, run.id)).iter_rows(named=True):
        ids = {link["tax_record_id"], link["si_record_id"]}
        if None not in ids and not ids & used:
            pairs.append((link["tax_record_id"], link["si_record_id"]))
            used |= ids
        if len(pairs) == 3:
            break
    (a_tax, a_si), (b_tax, b_si), (d_tax, d_si) = pairs
    seq: dict[str, int] = {}

    def last() -> int:
        event = workspace.audit.last()
        assert event is not None
        return event.seq

    at("2026-11-02 18:10")  # Monday, in hours
    reveal_pair(team.clerk, run.id, a_tax, a_si)
    seq["A"] = last()
    at("2026-11-02 18:20")
    review_service.decide(team.clerk, run.id, a_tax, a_si, "match", "same person")
    at("2026-11-02 18:30")
    reveal_pair(team.clerk, run.id, b_tax, b_si)
    seq["B"] = last()
    at("2026-11-02 23:00")  # late in the evening
    reveal_pair(team.clerk, run.id, finding["tax_record_id"], finding["si_record_id"])
    seq["C"] = last()
    at("2026-11-02 23:05")
    findings_service.set_status(
        team.clerk, run.id, finding["code"], finding["tax_record_id"],
        finding["si_record_id"], "confirmed", "checked",
    )  # fmt: skip
    seq["C work"] = last()
    at("2026-11-03 07:00")  # Tuesday, early: a wrong password
    with pytest.raises(AuthenticationError):
        login(workspace, "clerk1", "not-the-password")
    seq["failed login"] = last()
    for minute in range(5):  # a burst of reveals of the same pair
        at(f"2026-11-03 10:0{minute}")
        reveal_pair(team.clerk, run.id, a_tax, a_si)
        seq[f"burst {minute}"] = last()
    at("2026-11-03 10:20")
    review_service.decide(team.clerk, run.id, a_tax, a_si, "match")
    at("2026-11-03 12:00")
    set_purpose(team.auditor, "監査対応")
    with pytest.raises(AccessDenied):
        reveal_pair(team.auditor, run.id, a_tax, a_si)
    seq["denied"] = last()
    at("2026-11-03 14:00")
    links_out = tmp_path / "links.csv"
    result = export_service.export_run(team.clerk, run.id, "links", links_out)
    seq["export"] = last()
    at("2026-11-03 15:00")
    log_export = audit_service.export_events(team.auditor, EventFilter(), tmp_path / "events.csv")
    seq["log export"] = last()
    at("2026-11-07 10:00")  # Saturday
    reveal_pair(team.clerk, run.id, d_tax, d_si)
    seq["D"] = last()
    at("2026-11-07 10:30")
    review_service.decide(team.clerk, run.id, d_tax, d_si, "non_match")
    seq["D work"] = last()
    at("2026-11-09 09:00")  # the auditor's Monday
    return {
        "run": run.id,
        "seq": seq,
        "links": (links_out, result.rows, result.persons),
        "log rows": log_export.rows,
    }


SETTINGS = AnalysisSettings(burst_threshold=5)
WEEK = day_span("2026-11-02", "2026-11-07")


def persons_of(ws: Workspace, *seqs: int) -> int:
    refs = set()
    for s in seqs:
        event = ws.audit.get(s)
        assert event is not None
        refs |= set(event.persons)
    return len(refs)


def test_the_week_analysed_section_by_section(
    workspace: Workspace, team: Team, scenario: dict[str, object]
) -> None:
    seq: dict[str, int] = scenario["seq"]  # type: ignore[assignment]
    links_out, link_rows, link_persons = scenario["links"]  # type: ignore[misc]
    ws = workspace
    events_before = ws.audit.count(EventFilter())

    report = audit_service.analysis_report(team.auditor, *WEEK, SETTINGS)

    assert rows(report.reveals_per_user_day) == [
        ("clerk1", date(2026, 11, 2), 3, persons_of(ws, seq["A"], seq["B"], seq["C"])),
        ("clerk1", date(2026, 11, 3), 5, persons_of(ws, seq["A"])),
        ("clerk1", date(2026, 11, 7), 1, persons_of(ws, seq["D"])),
    ]
    assert rows(report.out_of_hours) == [
        (seq["C"], jst("2026-11-02 23:00"), "clerk1", "reveal", "ok"),
        (seq["C work"], jst("2026-11-02 23:05"), "clerk1", "finding.status", "ok"),
        (seq["failed login"], jst("2026-11-03 07:00"), "clerk1", "login.failed", "denied"),
        (seq["D"], jst("2026-11-07 10:00"), "clerk1", "reveal", "ok"),
        (seq["D work"], jst("2026-11-07 10:30"), "clerk1", "review.decision", "ok"),
    ]
    assert rows(report.bursts) == [("clerk1", jst("2026-11-03 10:00"), jst("2026-11-03 10:04"), 5)]
    assert rows(report.reveals_without_work) == [
        (seq["B"], jst("2026-11-02 18:30"), "clerk1", persons_of(ws, seq["B"]), scenario["run"])
    ]
    assert rows(report.denials) == [
        (seq["failed login"], jst("2026-11-03 07:00"), "clerk1", "login.failed",
         "wrong_password"),
        (seq["denied"], jst("2026-11-03 12:00"), "auditor1", "access.denied", "person.reveal"),
    ]  # fmt: skip
    assert rows(report.exports) == [
        (seq["export"], jst("2026-11-03 14:00"), "clerk1", "links", link_rows, link_persons,
         str(links_out)),
        (seq["log export"], jst("2026-11-03 15:00"), "auditor1", "access log",
         scenario["log rows"], None, "events.csv"),
    ]  # fmt: skip
    assert report.summary == {
        "events": ws.audit.count(EventFilter(since=WEEK[0], until=WEEK[1])),
        "reveals": 9,
        "user_days_over_threshold": 0,
        "reveals_per_user_day": 3,
        "out_of_hours": 5,
        "bursts": 1,
        "reveals_without_work": 1,
        "denials": 2,
        "exports": 2,
    }
    # The report itself is logged, with its period and counts.
    (logged,) = ws.audit.query(EventFilter(event_types=(EventType.LOG_REPORT,)))
    assert logged.seq == events_before + 1
    assert logged.actor_user == "auditor1" and logged.outcome == Outcome.OK
    assert logged.details["counts"] == report.summary
    assert logged.details["period"] == {
        "since": WEEK[0].isoformat(), "until": WEEK[1].isoformat(), "tz": "Asia/Tokyo",
    }  # fmt: skip


def test_only_the_auditor_may_run_or_export_the_report(
    workspace: Workspace, team: Team, tmp_path: Path
) -> None:
    for session in (team.clerk, team.admin):
        with pytest.raises(AccessDenied, match=r"audit\.report"):
            audit_service.analysis_report(session, *WEEK)
    report = audit_service.analysis_report(team.auditor, *WEEK)
    with pytest.raises(AccessDenied):
        audit_service.export_analysis(team.clerk, report, tmp_path / "r.xlsx")
    assert not (tmp_path / "r.xlsx").exists()
    denied = workspace.audit.query(
        EventFilter(event_types=(EventType.ACCESS_DENIED,)), newest_first=False
    )
    assert [(e.actor_user, e.details["action"]) for e in denied] == [
        ("clerk1", "audit.report"),
        ("admin", "audit.report"),
        ("clerk1", "audit.report"),
    ]
    assert len(workspace.audit.query(EventFilter(event_types=(EventType.LOG_REPORT,)))) == 1
    with pytest.raises(InvalidInput, match=r"\.xlsx or \.csv"):
        audit_service.export_analysis(team.auditor, report, tmp_path / "r.pdf")


def test_export_to_xlsx_and_csv(
    workspace: Workspace, team: Team, scenario: dict[str, object], tmp_path: Path
) -> None:
    seq: dict[str, int] = scenario["seq"]  # type: ignore[assignment]
    report = audit_service.analysis_report(team.auditor, *WEEK, SETTINGS)
    out = audit_service.export_analysis(team.auditor, report, tmp_path / "week.xlsx")

    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["summary", *SECTIONS]
    summary = {r[0]: r[1] for r in book["summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["time zone"] == "Asia/Tokyo" and summary["denials"] == 2
    denials = list(book["denials"].iter_rows(values_only=True))
    assert denials == [
        ("seq", "time", "user", "event_type", "action"),
        (seq["failed login"], datetime(2026, 11, 3, 7), "clerk1", "login.failed",
         "wrong_password"),
        (seq["denied"], datetime(2026, 11, 3, 12), "auditor1", "access.denied", "person.reveal"),
    ]  # fmt: skip
    per_day = list(book["reveals_per_user_day"].iter_rows(values_only=True))
    assert [r[:3] for r in per_day[1:]] == [
        ("clerk1", datetime(2026, 11, 2), 3),
        ("clerk1", datetime(2026, 11, 3), 5),
        ("clerk1", datetime(2026, 11, 7), 1),
    ]
    assert book["bursts"].max_row == 2 and book["exports"].max_row == 3
    assert out.stat().st_mode & 0o077 == 0

    csv_out = audit_service.export_analysis(team.auditor, report, tmp_path / "week.csv")
    assert sorted(p.name for p in tmp_path.glob("week*.csv")) == sorted(
        ["week.csv", *(f"week.{name}.csv" for name in SECTIONS)]
    )
    assert "reveals_without_work,1" in csv_out.read_text(encoding="utf-8-sig")
    without = pl.read_csv(tmp_path / "week.reveals_without_work.csv")
    assert without["seq"].to_list() == [seq["B"]]

    exported = workspace.audit.query(
        EventFilter(event_types=(EventType.LOG_EXPORTED,)), newest_first=False
    )[-2:]
    assert [e.details["file"] for e in exported] == ["week.xlsx", "week.csv"]
    assert exported[0].details["sections"] == list(SECTIONS)
    assert exported[1].details["files"] == [
        "week.csv", *(f"week.{n}.csv" for n in SECTIONS)
    ]  # fmt: skip
    # The next report lists these exports like any other.
    again = audit_service.analysis_report(
        team.auditor, jst("2026-11-09 00:00"), jst("2026-11-09 23:59")
    )
    assert again.exports["what"].to_list() == ["analysis report", "analysis report"]
    assert again.exports["rows"].to_list() == [sum(report.summary[n] for n in SECTIONS)] * 2


def test_export_neutralises_formulas(workspace: Workspace, team: Team, tmp_path: Path) -> None:
    workspace.audit.append(
        ev(EventType.LOGIN_FAILED, None, outcome=Outcome.DENIED, subject_user="=cmd|' /C calc'!A0",
           reason="unknown_user")
    )  # fmt: skip
    report = audit_service.analysis_report(team.auditor, *day_span("2026-11-02", "2026-11-02"))
    assert report.denials["user"].to_list() == ["=cmd|' /C calc'!A0"]
    out = audit_service.export_analysis(team.auditor, report, tmp_path / "r.xlsx")
    cells = [
        c for r in openpyxl.load_workbook(out)["denials"].iter_rows(values_only=True) for c in r
    ]
    assert "'=cmd|' /C calc'!A0" in cells and "=cmd|' /C calc'!A0" not in cells
    audit_service.export_analysis(team.auditor, report, tmp_path / "r.csv")
    text = (tmp_path / "r.denials.csv").read_text(encoding="utf-8-sig")
    assert "'=cmd" in text and ",=cmd" not in text


# -- the command line ----------------------------------------------------------------------------
def run_cli(
    tmp_path: Path, ring: MemoryKeyring, clock: FakeClock, *argv: str, user: str
) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    ctx = Context(
        environ={
            "WORKBENCH_STATE_DIR": str(tmp_path / "state"),
            "WORKBENCH_USER": user,
            "WORKBENCH_PASSWORD": USER_PASSWORD,
        },
        out=out,
        err=err,
        keyring_backend=ring,
        prompt=lambda q: pytest.fail(f"unexpected prompt: {q}"),
        clock=clock,
        scrypt_n=TEST_SCRYPT_N,
    )
    code = main(list(argv), ctx)
    return code, out.getvalue(), err.getvalue()


def test_cli_prints_the_report_and_writes_the_workbook(
    workspace: Workspace,
    team: Team,
    scenario: dict[str, object],
    keyring_backend: MemoryKeyring,
    clock: FakeClock,
    tmp_path: Path,
) -> None:
    seq: dict[str, int] = scenario["seq"]  # type: ignore[assignment]
    ws = str(workspace.path)
    out = tmp_path / "report.xlsx"
    week = ("--from", "2026-11-02", "--to", "2026-11-07")

    code, text, err = run_cli(
        tmp_path, keyring_backend, clock, "audit", "report", ws, *week, "--out", str(out),
        user="auditor1",
    )  # fmt: skip

    assert code == 0, err
    lines = text.splitlines()
    assert lines[:2] == [
        "Access-log analysis report",
        "Period: 2026-11-02 00:00:00 to 2026-11-07 23:59:59 (Asia/Tokyo)",
    ]
    assert "Bursts of reveals: 0" in lines  # the default threshold is 30 reveals
    assert "Denied attempts: 2" in lines
    assert f"  {seq['B']}\t2026-11-02 18:30:00\tclerk1\t" in "\n".join(lines)
    assert lines[-1] == f"Report written to {out}"
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["summary", *SECTIONS]
    assert [r[0] for r in book["reveals_without_work"].iter_rows(min_row=2, values_only=True)] == [
        seq["B"]
    ]
    report_events = workspace.audit.query(EventFilter(event_types=(EventType.LOG_REPORT,)))
    assert len(report_events) == 1 and report_events[0].actor_user == "auditor1"

    code, text, err = run_cli(
        tmp_path, keyring_backend, clock, "audit", "report", ws, *week, user="clerk1"
    )
    assert code == 2 and text == ""
    assert "does not allow audit.report" in err and err[-1] == "\n" and err.count("\n") == 1
    (denied,) = workspace.audit.query(
        EventFilter(event_types=(EventType.ACCESS_DENIED,), users=("clerk1",))
    )
    assert denied.details["action"] == "audit.report"

    code, _text, err = run_cli(
        tmp_path, keyring_backend, clock, "audit", "report", ws, "--from", "2026-11-31",
        "--to", "2026-12-01", user="auditor1",
    )  # fmt: skip
    assert code == 2 and "use YYYY-MM-DD" in err


def test_cli_report_needs_the_period() -> None:
    with pytest.raises(SystemExit):
        main(["audit", "report", "ws", "--from", "2026-11-01"], Context(err=io.StringIO()))


def test_report_is_frozen_and_settings_are_shared_safely() -> None:
    settings = AnalysisSettings()
    assert settings.zone == JST
    assert (settings.workday_start, settings.workday_end) == (time(8), time(19))
    assert settings.burst_window == timedelta(minutes=10) and settings.burst_threshold == 30
    assert AnalysisReport.__dataclass_params__.frozen  # type: ignore[attr-defined]
