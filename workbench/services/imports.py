"""Import an extract: read, check identifiers, tokenise, drop the raw number, encrypt, store.

The raw 個人番号 exists only in memory between reading and tokenising; the stored frame
has ``token``, ``token_version`` and ``id_problem`` instead. A failed or cancelled import
stores nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from rlwb.crypto.tokens import Tokenizer
from rlwb.linkage.errors import LinkageError
from rlwb.linkage.profiles import ImportProfile, load_profile
from rlwb.linkage.progress import Cancelled, CancelToken, ProgressCallback, no_progress
from rlwb.linkage.read import read_extract
from rlwb.workbench.access import authorize, record
from rlwb.workbench.audit.events import EventType, Outcome
from rlwb.workbench.datasets import DatasetInfo, Kind, new_dataset_id, store_dataset
from rlwb.workbench.errors import InvalidInput
from rlwb.workbench.identifier_columns import (
    EXPONENT_FORM,
    with_corporate_number_check,
    with_my_number_repair,
)
from rlwb.workbench.import_limits import import_limits
from rlwb.workbench.import_screen import ColumnAction, screen_extract
from rlwb.workbench.number_screen import refuse_numbered_file_name
from rlwb.workbench.permissions import Action
from rlwb.workbench.services.boundary import engine_errors
from rlwb.workbench.session import Session
from rlwb.workbench.workspace import Workspace

REPORTS_AREA = "reports"
EXPONENT_ADVICE = (
    "exponent_form: a spreadsheet wrote these 個人番号 as numbers in exponent form "
    "(such as 8.51791E+10), which loses digits; they are not guessed. Format the 個人番号 "
    "column as Text in the spreadsheet (or export it from the source system again as CSV "
    "without opening it in a spreadsheet) and import the file again."
)
#: Issue reason of a 個人番号 whose leading zeros a spreadsheet dropped and the import
#: put back (its zero-padded form passes the check digit).
RESTORED_REASON = "identifier_leading_zeros_restored"
_REPAIR_REASONS = frozenset({RESTORED_REASON, "postal_code_zeros_restored"})
_CORPORATE_COLUMNS = ("payer_corporate_number", "employer_corporate_number")


@dataclass(frozen=True)
class ImportReport:
    dataset: DatasetInfo
    source_rows: int
    rows: int
    quarantined: int
    encoding: str
    issues_by_column: dict[str, dict[str, int]]
    invalid_identifiers: dict[str, int]
    #: What the 個人番号 screen did, per column (workbench.import_screen).
    number_screen: dict[str, ColumnAction]
    #: Spreadsheet repairs: reason -> rows (leading zeros restored, postal codes padded).
    repairs: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [
            f"Imported {self.rows} of {self.source_rows} rows as dataset {self.dataset.id} "
            f"({self.dataset.kind}, encoding {self.encoding}, key version {self.dataset.token_version}).",
            f"Quarantined rows (cannot be identified): {self.quarantined}",
        ]
        ids = ", ".join(f"{k} {v}" for k, v in sorted(self.invalid_identifiers.items())) or "none"
        out.append(f"個人番号 without a token: {ids}")
        if self.invalid_identifiers.get(EXPONENT_FORM):
            out.append(f"  {EXPONENT_ADVICE}")
        for reason, count in sorted(self.repairs.items()):
            out.append(f"Restored after spreadsheet damage ({reason}): {count}")
        if self.number_screen:
            out.append("個人番号 outside the 個人番号 column (column: what was done):")
            out.extend(f"  {c}: {a.describe()}" for c, a in sorted(self.number_screen.items()))
        else:
            out.append("個人番号 outside the 個人番号 column: none found in any column")
        if self.issues_by_column:
            out.append("Data-quality issues (column: reason count):")
            for column, reasons in sorted(self.issues_by_column.items()):
                for reason, count in sorted(reasons.items()):
                    out.append(f"  {column}: {reason} {count}")
        else:
            out.append("Data-quality issues: none")
        return out


def profiles_dir(ws: Workspace) -> Path:
    return ws.path / "profiles"


def find_profile(ws: Workspace, name: str) -> ImportProfile:
    with engine_errors():
        return load_profile(profiles_dir(ws), name)


def tokenise(
    frame: pl.DataFrame, tokenizer: Tokenizer, version: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Replace ``my_number`` by token columns; check corporate numbers. Returns the frame
    and the new issues (row, record id, column, reason — never a value)."""
    checked = with_my_number_repair(
        frame, "my_number", canonical="_canonical", problem="id_problem", restored="_restored"
    )
    digests = tokenizer.tokenize_many(checked["_canonical"].to_list(), version)
    checked = checked.with_columns(
        pl.Series("token", digests, dtype=pl.Binary),
        pl.lit(version, dtype=pl.Int32).alias("token_version"),
    ).drop("my_number", "_canonical")
    issues = [
        checked.filter(
            pl.col("id_problem").is_in(["malformed", "check_digit", EXPONENT_FORM])
        ).select(
            "row_number",
            "record_id",
            pl.lit("my_number").alias("column"),
            ("identifier_" + pl.col("id_problem")).alias("reason"),
        ),
        # Restored, not a problem: listed so the clerk can see which rows were padded.
        checked.filter(pl.col("_restored")).select(
            "row_number",
            "record_id",
            pl.lit("my_number").alias("column"),
            pl.lit(RESTORED_REASON).alias("reason"),
        ),
    ]
    checked = checked.drop("_restored")
    for column in _CORPORATE_COLUMNS:
        if column not in checked.columns:
            continue
        checked = with_corporate_number_check(
            checked, column, canonical="_valid", problem="_problem"
        )
        issues.append(
            checked.filter(pl.col("_problem").is_in(["malformed", "check_digit"])).select(
                "row_number",
                "record_id",
                pl.lit(column).alias("column"),
                ("corporate_number_" + pl.col("_problem")).alias("reason"),
            )
        )
        checked = checked.with_columns(pl.col("_valid").alias(column)).drop("_valid", "_problem")
    return checked, pl.concat(issues)


@engine_errors()
def import_extract(
    session: Session,
    path: Path,
    kind: Kind,
    *,
    profile: ImportProfile | None = None,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> ImportReport:
    authorize(session, Action.DATASET_IMPORT)
    ws = session.workspace
    refuse_numbered_file_name(Path(path).name)
    record(session, EventType.IMPORT_STARTED, details={"file": path.name, "kind": kind})
    try:
        parsed = read_extract(
            path,
            kind,
            profile=profile,
            progress=lambda step, f: progress(step, 0.7 * f),
            cancel=cancel,
            limits=import_limits(ws),
        )
        if cancel is not None:
            cancel.raise_if_cancelled()
        progress("screen and tokenise", 0.72)
        screened = screen_extract(parsed.frame)
        frame, id_issues = tokenise(screened.frame, ws.keyset.tokenizer(), ws.keyset.latest_version)
        issues = pl.concat([parsed.issues, screened.issues, id_issues.cast(parsed.issues.schema)])
        if cancel is not None:
            cancel.raise_if_cancelled()
        progress("encrypt and store", 0.85)
        report = _report_counts(
            parsed.source_rows, frame, parsed.quarantine, issues, parsed.encoding
        )
        report["number_screen"] = {
            column: {"action": a.action, "count": a.count} for column, a in screened.actions.items()
        }
        info = _store(session, kind, path, frame, report, issues, parsed.quarantine)
    except (LinkageError, Cancelled, InvalidInput) as exc:
        record(
            session,
            EventType.IMPORT_FAILED,
            outcome=Outcome.FAILED,
            details={"file": path.name, "kind": kind, "error": type(exc).__name__},
        )
        raise  # a LinkageError leaves as InvalidInput (engine_errors)
    progress("done", 1.0)
    return ImportReport(
        dataset=info,
        source_rows=parsed.source_rows,
        rows=frame.height,
        quarantined=parsed.quarantine.height,
        encoding=parsed.encoding,
        issues_by_column=report["issues_by_column"],  # type: ignore[arg-type]
        invalid_identifiers=report["invalid_identifiers"],  # type: ignore[arg-type]
        number_screen=dict(screened.actions),
        repairs=report["repairs"],  # type: ignore[arg-type]
    )


def _store(
    session: Session,
    kind: Kind,
    path: Path,
    frame: pl.DataFrame,
    report: dict[str, object],
    issues: pl.DataFrame,
    quarantine: pl.DataFrame,
) -> DatasetInfo:
    """The frame, its two reports and the ``import.finished`` event, committed together:
    the event joins the transaction that registers the dataset. On a failure nothing is
    left; after a crash only unreferenced files, which the next open removes."""
    ws = session.workspace
    dataset_id = new_dataset_id(kind, ws.clock())
    reports = ws.frames(REPORTS_AREA)
    names = (f"{dataset_id}.issues", f"{dataset_id}.quarantine")

    def finished(info: DatasetInfo) -> None:
        record(
            session,
            EventType.IMPORT_FINISHED,
            dataset_id=info.id,
            details={
                "file": path.name,
                "kind": kind,
                "rows": info.rows,
                "quarantined": report["quarantined"],
                "issues": report["issues"],
            },
        )

    try:
        reports.write(names[0], issues)
        reports.write(names[1], quarantine)
        return store_dataset(
            ws,
            kind=kind,
            frame=frame,
            file_name=path.name,
            imported_by=session.user,
            report=report,
            dataset_id=dataset_id,
            then=finished,
        )
    except BaseException:
        for name in names:
            reports.delete(name)
        raise


def _report_counts(
    source_rows: int,
    frame: pl.DataFrame,
    quarantine: pl.DataFrame,
    issues: pl.DataFrame,
    encoding: str,
) -> dict[str, object]:
    by_column: dict[str, dict[str, int]] = {}
    for row in issues.group_by("column", "reason").len("n").iter_rows(named=True):
        by_column.setdefault(str(row["column"]), {})[str(row["reason"])] = int(row["n"])
    invalid = {
        str(k): int(v)
        for k, v in frame.group_by("id_problem").len("n").drop_nulls("id_problem").iter_rows()
    }
    return {
        "source_rows": source_rows,
        "rows": frame.height,
        "quarantined": quarantine.height,
        "issues": issues.height,
        "encoding": encoding,
        "issues_by_column": by_column,
        "invalid_identifiers": invalid,
        "repairs": {
            reason: n
            for reason, n in by_column.get("my_number", {}).items()
            if reason in _REPAIR_REASONS
        }
        | {
            reason: n
            for reason, n in by_column.get("postal_code", {}).items()
            if reason in _REPAIR_REASONS
        },
    }


def dataset_issues(session: Session, dataset_id: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The issue list and the quarantine list of an import (positions and reasons only)."""
    authorize(session, Action.DATASET_LIST, dataset_id=dataset_id)
    reports = session.workspace.frames(REPORTS_AREA)
    return reports.read(f"{dataset_id}.issues"), reports.read(f"{dataset_id}.quarantine")
