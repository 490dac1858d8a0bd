"""The periodic analysis report of the access log (PPC: logs are analysed, not only kept).

:func:`analyse` reads the events of a period through :meth:`AuditLog.iter_events`, streams
them in batches into polars frames and computes six sections:

- **reveals per user and day**: how many reveal events and distinct persons each user saw;
- **out-of-hours access**: any event by a user outside working hours or on a weekend;
- **bursts**: stretches where one user's reveals reach a threshold within a short window;
- **reveals without work**: reveals of persons on whom the same user recorded no review
  decision or finding status change in the same working session;
- **denials**: every event with outcome ``denied``;
- **exports**: result exports and access-log exports.

Days and hours are those of the office (``AnalysisSettings.tz``, Asia/Tokyo by default).
The log holds no names, addresses or numbers, and neither does the report: persons are
counted, never listed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from rlwb.linkage.progress import CancelToken, ProgressCallback, no_progress
from rlwb.workbench.audit.events import AuditEvent, EventType, Outcome
from rlwb.workbench.audit.filters import EventFilter
from rlwb.workbench.audit.log import AuditLog
from rlwb.workbench.errors import InvalidInput

__all__ = [
    "SECTIONS",
    "AnalysisReport",
    "AnalysisSettings",
    "analyse",
]

#: The report's sections, in display order (the keys of :meth:`AnalysisReport.to_frames`
#: after ``"summary"``).
SECTIONS = (
    "reveals_per_user_day",
    "out_of_hours",
    "bursts",
    "reveals_without_work",
    "denials",
    "exports",
)

_TITLES = {
    "reveals_per_user_day": "Reveals per user and day",
    "out_of_hours": "Out-of-hours access",
    "bursts": "Bursts of reveals",
    "reveals_without_work": "Reveals without a review decision or finding in the same session",
    "denials": "Denied attempts",
    "exports": "Exports",
}

_READ_BATCH = 5000
_TICK_EVERY = 20_000  # events between progress reports and cancel checks
_FLUSH_EVERY = 100_000  # events between moves from Python lists into polars
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%.f%:z"
_WORK_TYPES = (EventType.REVIEW_DECISION, EventType.FINDING_STATUS)
_EXPORT_TYPES = (EventType.EXPORT, EventType.LOG_EXPORTED)


@dataclass(frozen=True)
class AnalysisSettings:
    """What counts as unusual. Times of day are the office's local time in ``tz``."""

    workday_start: time = time(8, 0)
    workday_end: time = time(19, 0)
    weekend_is_out_of_hours: bool = True
    #: A burst: ``burst_threshold`` or more reveal events by one user within ``burst_window``.
    burst_window: timedelta = timedelta(minutes=10)
    burst_threshold: int = 30
    #: A user-day with at least this many distinct persons revealed is counted in the summary.
    persons_per_day_threshold: int = 100
    #: The office's time zone (an IANA name): days, hours and weekends are read in it.
    tz: str = "Asia/Tokyo"

    def __post_init__(self) -> None:
        if not self.workday_start < self.workday_end:
            raise InvalidInput(
                "The working day must start before it ends (for example 08:00 to 19:00)."
            )
        if self.burst_window <= timedelta(0):
            raise InvalidInput("The burst window must be longer than zero.")
        if self.burst_threshold < 1 or self.persons_per_day_threshold < 1:
            raise InvalidInput("The burst and persons-per-day thresholds must be at least 1.")
        try:
            ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(
                f"{self.tz!r} is not a known time zone; use a name such as Asia/Tokyo."
            ) from None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)


@dataclass(frozen=True, eq=False)
class AnalysisReport:
    """The analysis of the events between ``since`` and ``until`` (both inclusive).

    Every ``time``, ``start`` and ``end`` column is ``Datetime("us", settings.tz)``: the
    office's local time. ``user`` is the acting user; for an event without one (a failed
    login under an unknown name) it is the user name the event concerns. Schemas:

    - ``reveals_per_user_day``: user String, day Date, reveals Int64 (reveal events),
      persons Int64 (distinct persons, by token and key version). Sorted by user, day.
    - ``out_of_hours``: seq Int64, time, user String, event_type String, outcome String —
      every event by a user before ``workday_start``, at or after ``workday_end``, or on a
      Saturday or Sunday (if ``weekend_is_out_of_hours``). Public holidays are not known.
      Sorted by seq.
    - ``bursts``: user String, start, end, reveals Int64 — the first and last reveal of a
      stretch in which every reveal lies in some window of length ``burst_window`` holding at
      least ``burst_threshold`` reveal events of that user (overlapping windows merged);
      ``reveals`` counts the reveal events from start to end. Sorted by start, user.
    - ``reveals_without_work``: seq Int64, time, user String, persons Int64 (persons named
      in the reveal), run_id String (null for a reveal from a dataset) — reveal events
      for which the same user, in the same working session, recorded no
      ``review.decision`` or ``finding.status`` about the same persons or records. A working
      session here is one user's office-local calendar day (a day may hold several logins;
      they count as one session). Work matches a reveal when it names one of the revealed
      persons (token and key version), or when it is in the same run and names the revealed
      tax or SI record id. Work before or after the reveal on that day counts, even if it
      falls outside the period. Sorted by seq.
    - ``denials``: seq Int64, time, user String, event_type String, action String — every
      event with outcome ``denied``; ``action`` is the refused action for ``access.denied``
      and the recorded reason otherwise (``bad_password``, ``locked_out``, ...). Sorted by seq.
    - ``exports``: seq Int64, time, user String, what String, rows Int64, persons Int64,
      file String — ``export`` and ``log.exported`` events; ``what`` is ``access log`` for a
      log export that names nothing else. Sorted by seq.

    ``summary`` counts: ``events`` (all events in the period), ``reveals`` (reveal events),
    ``user_days_over_threshold`` (user-days with at least ``persons_per_day_threshold``
    persons) and the rows of every section under the section's name.
    """

    since: datetime
    until: datetime
    settings: AnalysisSettings
    reveals_per_user_day: pl.DataFrame
    out_of_hours: pl.DataFrame
    bursts: pl.DataFrame
    reveals_without_work: pl.DataFrame
    denials: pl.DataFrame
    exports: pl.DataFrame
    summary: dict[str, int] = field(default_factory=dict)

    def to_frames(self) -> dict[str, pl.DataFrame]:
        """``{"summary": (item String, count Int64), <section>: frame, ...}`` in display order."""
        frames = {
            "summary": pl.DataFrame(
                {"item": list(self.summary), "count": list(self.summary.values())},
                schema={"item": pl.String, "count": pl.Int64},
            )
        }
        frames.update((name, self.section(name)) for name in SECTIONS)
        return frames

    def section(self, name: str) -> pl.DataFrame:
        if name not in SECTIONS:
            raise KeyError(name)
        frame: pl.DataFrame = getattr(self, name)
        return frame

    def lines(self, max_rows: int | None = 50) -> list[str]:
        """A plain-text rendering (English); at most ``max_rows`` rows per section."""
        s = self.settings
        zone = s.zone
        out = [
            "Access-log analysis report",
            f"Period: {_fmt(self.since.astimezone(zone))} to {_fmt(self.until.astimezone(zone))} "
            f"({s.tz})",
            f"Working hours {s.workday_start:%H:%M}-{s.workday_end:%H:%M}"
            + (", weekends out of hours" if s.weekend_is_out_of_hours else "")
            + f"; burst: {s.burst_threshold} reveals within {_duration(s.burst_window)}; "
            f"heavy day: {s.persons_per_day_threshold} persons",
            f"Events in the period: {self.summary.get('events', 0)}; reveal events: "
            f"{self.summary.get('reveals', 0)}",
        ]
        for name in SECTIONS:
            frame = self.section(name)
            heading = f"{_TITLES[name]}: {frame.height}"
            if name == "reveals_per_user_day":
                heading += (
                    f" user-days, {self.summary.get('user_days_over_threshold', 0)} with "
                    f"{s.persons_per_day_threshold} persons or more"
                )
            out.extend(("", heading))
            if frame.height == 0:
                out.append("  (none)")
                continue
            out.append("  " + "\t".join(frame.columns))
            shown = frame if max_rows is None else frame.head(max_rows)
            for row in shown.iter_rows():
                out.append("  " + "\t".join(_fmt(v) for v in row))
            if shown.height < frame.height:
                out.append(
                    f"  ... {frame.height - shown.height} more rows: export the report to see all."
                )
        return out


def _fmt(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _duration(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    if seconds % 60:
        return f"{seconds} s"
    return f"{seconds // 60} min"


# -- reading ----------------------------------------------------------------------------------
_EVENT_SCHEMA = {
    "seq": pl.Int64,
    "time": pl.String,
    "event_type": pl.String,
    "outcome": pl.String,
    "user": pl.String,
}
_FACT_SCHEMA = {
    "seq": pl.Int64,
    "run_id": pl.String,
    "tax_record_id": pl.String,
    "si_record_id": pl.String,
    "n_persons": pl.Int64,
    "action": pl.String,
    "what": pl.String,
    "rows": pl.Int64,
    "persons": pl.Int64,
    "file": pl.String,
}
_PERSON_SCHEMA = {"seq": pl.Int64, "token_hex": pl.String, "key_version": pl.Int64}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class _Frames:
    """Events streamed into polars frames, a batch at a time.

    ``events``: one row per event; ``facts``: the details the sections need, only for
    reveals, work, exports and denials; ``persons``: (seq, token, key version) for reveals
    and review decisions.
    """

    def __init__(self) -> None:
        self._events: list[pl.DataFrame] = []
        self._facts: list[pl.DataFrame] = []
        self._persons: list[pl.DataFrame] = []
        self._reset()

    def _reset(self) -> None:
        self.cols: tuple[list[object], ...] = ([], [], [], [], [])
        self.facts: list[tuple[object, ...]] = []
        self.persons: list[tuple[int, str, int]] = []

    def add(self, events: Iterable[AuditEvent], tick: Callable[[int], None]) -> None:
        seqs, times, types, outcomes, users = self.cols
        pending = 0
        reveal, review, finding = (
            EventType.REVEAL,
            EventType.REVIEW_DECISION,
            EventType.FINDING_STATUS,
        )
        denied = Outcome.DENIED
        for e in events:
            et = e.event_type
            seqs.append(e.seq)
            times.append(e.time)
            types.append(et)
            outcomes.append(e.outcome)
            users.append(e.actor_user if e.actor_user is not None else e.subject_user)
            if et is reveal or et is review or et is finding:
                self._work_facts(e)
            elif et in _EXPORT_TYPES:
                d = e.details
                what = _text(d.get("what")) or (
                    "access log" if et is EventType.LOG_EXPORTED else None
                )
                self.facts.append(
                    (e.seq, e.run_id, None, None, None, None, what,
                     _count(d.get("rows")), _count(d.get("persons")), _text(d.get("file")))
                )  # fmt: skip
            elif e.outcome is denied:
                d = e.details
                action = _text(d.get("action")) or _text(d.get("reason"))
                self.facts.append((e.seq, None, None, None, None, action, None, None, None, None))
            pending += 1
            if pending % _TICK_EVERY == 0:
                tick(_TICK_EVERY)
                if pending == _FLUSH_EVERY:
                    self.flush()
                    seqs, times, types, outcomes, users = self.cols
                    pending = 0
        self.flush()
        tick(pending % _TICK_EVERY)

    def _work_facts(self, e: AuditEvent) -> None:
        d = e.details
        if e.event_type is EventType.FINDING_STATUS:
            parts = str(d.get("finding", "")).split("|")
            tax = parts[1] if len(parts) == 3 and parts[1] else None
            si = parts[2] if len(parts) == 3 and parts[2] else None
        else:
            tax, si = _text(d.get("tax_record_id")), _text(d.get("si_record_id"))
        self.facts.append((e.seq, e.run_id, tax, si, len(e.persons), None, None, None, None, None))
        self.persons.extend((e.seq, p.token_hex, p.key_version) for p in e.persons)

    def flush(self) -> None:
        if self.cols[0]:
            self._events.append(
                pl.DataFrame(dict(zip(_EVENT_SCHEMA, self.cols, strict=True)), schema=_EVENT_SCHEMA)
            )
        if self.facts:
            self._facts.append(pl.DataFrame(self.facts, schema=_FACT_SCHEMA, orient="row"))
        if self.persons:
            self._persons.append(pl.DataFrame(self.persons, schema=_PERSON_SCHEMA, orient="row"))
        self._reset()

    def frames(self, zone: str) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        events = pl.concat(self._events) if self._events else pl.DataFrame(schema=_EVENT_SCHEMA)
        events = events.with_columns(
            pl.col("time")
            .str.to_datetime(_TIME_FORMAT, time_unit="us", time_zone="UTC")
            .dt.convert_time_zone(zone)
        )
        facts = pl.concat(self._facts) if self._facts else pl.DataFrame(schema=_FACT_SCHEMA)
        persons = pl.concat(self._persons) if self._persons else pl.DataFrame(schema=_PERSON_SCHEMA)
        return events, facts, persons


# -- the analysis -----------------------------------------------------------------------------
def analyse(
    log: AuditLog,
    since: datetime,
    until: datetime,
    settings: AnalysisSettings = AnalysisSettings(),  # frozen, so safe to share
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> AnalysisReport:
    """Analyse the events from ``since`` to ``until`` (inclusive, timezone-aware)."""
    for moment in (since, until):
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise InvalidInput("Give the period with a time zone (for example Asia/Tokyo).")
    if since > until:
        raise InvalidInput("The period ends before it starts; swap the two dates.")
    report = progress or no_progress
    flt = EventFilter(since=since, until=until)
    total = max(log.count(flt), 1)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if cancel is not None:
            cancel.raise_if_cancelled()
        report("read the access log", 0.85 * min(done / total, 1.0))

    report("read the access log", 0.0)
    main = _Frames()
    if cancel is not None:
        cancel.raise_if_cancelled()
    main.add(log.iter_events(flt, batch=_READ_BATCH), tick)
    events, facts, persons = main.frames(settings.tz)

    # Work done on the same office-local days but outside the period still counts.
    zone = settings.zone
    first_day = datetime.combine(since.astimezone(zone).date(), time.min, tzinfo=zone)
    last_day = datetime.combine(until.astimezone(zone).date(), time.max, tzinfo=zone)
    extra = _Frames()
    for lo, hi in (
        (first_day, since - timedelta(microseconds=1)),
        (until + timedelta(microseconds=1), last_day),
    ):
        if lo <= hi:
            edge = EventFilter(event_types=_WORK_TYPES, outcomes=(Outcome.OK,), since=lo, until=hi)
            extra.add(log.iter_events(edge, batch=_READ_BATCH), lambda _n: None)
    edge_events, edge_facts, edge_persons = extra.frames(settings.tz)
    if cancel is not None:
        cancel.raise_if_cancelled()

    report("analyse", 0.9)
    sections = _compute(
        events,
        facts,
        persons,
        edge=(edge_events, edge_facts, edge_persons),
        settings=settings,
    )
    per_day = sections["reveals_per_user_day"]
    summary = {
        "events": events.height,
        "reveals": int(
            events.filter(
                (pl.col("event_type") == EventType.REVEAL.value)
                & (pl.col("outcome") == Outcome.OK.value)
            ).height
        ),
        "user_days_over_threshold": per_day.filter(
            pl.col("persons") >= settings.persons_per_day_threshold
        ).height,
    }
    summary.update((name, frame.height) for name, frame in sections.items())
    report("done", 1.0)
    return AnalysisReport(since=since, until=until, settings=settings, summary=summary, **sections)


def _compute(
    events: pl.DataFrame,
    facts: pl.DataFrame,
    persons: pl.DataFrame,
    *,
    edge: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame],
    settings: AnalysisSettings,
) -> dict[str, pl.DataFrame]:
    ok = pl.col("outcome") == Outcome.OK.value
    reveals = (
        events.filter((pl.col("event_type") == EventType.REVEAL.value) & ok)
        .join(facts, on="seq", how="left")
        .with_columns(pl.col("time").dt.date().alias("day"))
    )
    work_types = [t.value for t in _WORK_TYPES]
    work = pl.concat(
        [
            events.filter(pl.col("event_type").is_in(work_types) & ok).join(
                facts, on="seq", how="left"
            ),
            edge[0]
            .filter(pl.col("event_type").is_in(work_types) & ok)
            .join(edge[1], on="seq", how="left"),
        ]
    ).with_columns(pl.col("time").dt.date().alias("day"))
    all_persons = pl.concat([persons, edge[2]])
    return {
        "reveals_per_user_day": _per_user_day(reveals, persons),
        "out_of_hours": _out_of_hours(events, settings),
        "bursts": _bursts(reveals, settings),
        "reveals_without_work": _without_work(reveals, work, all_persons),
        "denials": _denials(events, facts),
        "exports": _exports(events, facts),
    }


def _per_user_day(reveals: pl.DataFrame, persons: pl.DataFrame) -> pl.DataFrame:
    counts = reveals.group_by("user", "day").agg(pl.len().cast(pl.Int64).alias("reveals"))
    distinct = (
        persons.join(reveals.select("seq", "user", "day"), on="seq", how="inner")
        .unique(["user", "day", "token_hex", "key_version"])
        .group_by("user", "day")
        .agg(pl.len().cast(pl.Int64).alias("persons"))
    )
    return (
        counts.join(distinct, on=["user", "day"], how="left")
        .with_columns(pl.col("persons").fill_null(0))
        .select("user", "day", "reveals", "persons")
        .sort("user", "day")
    )


def _out_of_hours(events: pl.DataFrame, s: AnalysisSettings) -> pl.DataFrame:
    clock = pl.col("time").dt.time()
    out = (clock < pl.lit(s.workday_start)) | (clock >= pl.lit(s.workday_end))
    if s.weekend_is_out_of_hours:
        out = out | (pl.col("time").dt.weekday() >= 6)
    return (
        events.filter(pl.col("user").is_not_null() & out)
        .select("seq", "time", "user", "event_type", "outcome")
        .sort("seq")
    )


def _bursts(reveals: pl.DataFrame, s: AnalysisSettings) -> pl.DataFrame:
    schema: dict[str, pl.DataType] = {
        "user": pl.String(),
        "start": reveals.schema["time"],
        "end": reveals.schema["time"],
        "reveals": pl.Int64(),
    }
    if reveals.height < s.burst_threshold:
        return pl.DataFrame(schema=schema)
    timeline = reveals.select("user", "time").sort("user", "time")
    windows = (
        timeline.rolling(index_column="time", period=s.burst_window, group_by="user")
        .agg(pl.len().alias("n"), pl.col("time").min().alias("start"))
        .filter(pl.col("n") >= s.burst_threshold)
        .select("user", "start", pl.col("time").alias("end"))
        .unique()
        .sort("user", "start", "end")
    )
    if windows.height == 0:
        return pl.DataFrame(schema=schema)
    # Merge overlapping windows: a new burst starts after the furthest end seen so far.
    merged = (
        windows.with_columns(pl.col("end").cum_max().shift(1).over("user").alias("reach"))
        .with_columns(
            (pl.col("reach").is_null() | (pl.col("start") > pl.col("reach")))
            .cum_sum()
            .over("user")
            .alias("burst")
        )
        .group_by("user", "burst")
        .agg(pl.col("start").min(), pl.col("end").max())
        .sort("start")
    )
    counted = (
        timeline.sort("time")
        .join_asof(
            merged,
            left_on="time",
            right_on="start",
            by="user",
            strategy="backward",
            check_sortedness=False,
        )
        .filter(pl.col("end").is_not_null() & (pl.col("time") <= pl.col("end")))
        .group_by("user", "start", "end")
        .agg(pl.len().cast(pl.Int64).alias("reveals"))
    )
    return counted.select("user", "start", "end", "reveals").sort("start", "user")


def _without_work(reveals: pl.DataFrame, work: pl.DataFrame, persons: pl.DataFrame) -> pl.DataFrame:
    session = ["user", "day"]
    revealed = persons.join(reveals.select("seq", *session), on="seq", how="inner")
    worked = (
        persons.join(work.select("seq", *session), on="seq", how="inner")
        .select(*session, "token_hex", "key_version")
        .unique()
    )
    by_person = revealed.join(worked, on=[*session, "token_hex", "key_version"], how="semi")
    matched = [by_person.select("seq")]
    for column in ("tax_record_id", "si_record_id"):
        keys = [*session, "run_id", column]
        done = work.select(keys).drop_nulls().unique()
        matched.append(
            reveals.select("seq", *keys).drop_nulls().join(done, on=keys, how="semi").select("seq")
        )
    found = pl.concat(matched).unique()
    return (
        reveals.join(found, on="seq", how="anti")
        .select(
            "seq",
            "time",
            "user",
            pl.col("n_persons").fill_null(0).alias("persons"),
            "run_id",
        )
        .sort("seq")
    )


def _denials(events: pl.DataFrame, facts: pl.DataFrame) -> pl.DataFrame:
    return (
        events.filter(pl.col("outcome") == Outcome.DENIED.value)
        .join(facts.select("seq", "action"), on="seq", how="left")
        .select("seq", "time", "user", "event_type", "action")
        .sort("seq")
    )


def _exports(events: pl.DataFrame, facts: pl.DataFrame) -> pl.DataFrame:
    return (
        events.filter(pl.col("event_type").is_in([t.value for t in _EXPORT_TYPES]))
        .join(facts.select("seq", "what", "rows", "persons", "file"), on="seq", how="left")
        .select("seq", "time", "user", "what", "rows", "persons", "file")
        .sort("seq")
    )
