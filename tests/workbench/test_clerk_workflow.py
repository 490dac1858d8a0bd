"""Import, reconcile, review, findings and export through the services, on real files."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from rlwb.fixtures.generate import generate
from rlwb.fixtures.samples import sample_paths
from rlwb.fixtures.write import write_csv
from rlwb.workbench.audit.events import EventType
from rlwb.workbench.audit.log import EventFilter
from rlwb.workbench.datasets import list_datasets, read_dataset
from rlwb.workbench.errors import AccessDenied, InvalidInput, NotFound
from rlwb.workbench.services import export as export_service
from rlwb.workbench.services import findings as findings_service
from rlwb.workbench.services import review as review_service
from rlwb.workbench.services.imports import dataset_issues, import_extract
from rlwb.workbench.services.reconcile import reconcile_datasets
from rlwb.workbench.workspace import Workspace
from tests.workbench.conftest import Team, workspace_bytes


def _types(ws: Workspace) -> list[str]:
    return [e.event_type for e in ws.audit.query(EventFilter(), newest_first=False)]


@pytest.fixture
def imported(workspace: Workspace, team: Team) -> Workspace:
    paths = sample_paths()
    import_extract(team.clerk, paths["tax_cp932"], "tax")
    import_extract(team.clerk, paths["si_utf8bom"], "si")
    return workspace


def test_import_stores_tokens_never_numbers(imported: Workspace, team: Team) -> None:
    tax, _si = list_datasets(imported.conn)
    frame = read_dataset(imported, tax)
    assert "my_number" not in frame.columns
    assert {"token", "token_version", "id_problem"} <= set(frame.columns)
    assert frame["token"].null_count() == frame["id_problem"].is_not_null().sum()
    assert tax.report["invalid_identifiers"]
    issues, quarantine = dataset_issues(team.clerk, tax.id)
    assert set(issues.columns) == {"row_number", "record_id", "column", "reason"}
    assert "identifier_check_digit" in issues["reason"].to_list()
    assert quarantine.columns == ["row_number", "reason"]
    assert _types(imported).count(EventType.IMPORT_FINISHED) == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        ("整理番号,氏名,生年月日,支払金額,年分\n".encode(), "no data rows|header"),
        ("整理番号,氏名,生年月日,年分\nA1,山田 太郎,1980-01-01,2024\n".encode(), "支払金額"),
        (
            "整理番号,氏名,生年月日,支払金額,年分\nA1,山田,1980-01-01,1,2024\nA1,田中,1980-01-01,1,2024\n".encode(),
            "must be unique, but rows 2 and 3",
        ),
        (b"\x00\x01\x02\xff\xfe binary", "encoding|decode|binary|read"),
    ],
)
def test_bad_files_fail_cleanly_and_store_nothing(
    workspace: Workspace, team: Team, tmp_path: Path, content: bytes, message: str
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    with pytest.raises(InvalidInput, match=message):
        import_extract(team.clerk, bad, "tax")
    assert list_datasets(workspace.conn) == []
    assert not (workspace.path / "datasets").exists() or not any(
        (workspace.path / "datasets").iterdir()
    )
    assert _types(workspace)[-1] == EventType.IMPORT_FAILED


def test_truncated_xlsx_fails_cleanly(workspace: Workspace, team: Team, tmp_path: Path) -> None:
    data = sample_paths()["tax_xlsx"].read_bytes()
    bad = tmp_path / "truncated.xlsx"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(InvalidInput, match=r"truncated\.xlsx"):
        import_extract(team.clerk, bad, "tax")
    assert list_datasets(workspace.conn) == []


def test_auditor_cannot_import(workspace: Workspace, team: Team) -> None:
    with pytest.raises(AccessDenied):
        import_extract(team.auditor, sample_paths()["tax_cp932"], "tax")
    assert list_datasets(workspace.conn) == []


def test_reconcile_review_findings_export(imported: Workspace, team: Team, tmp_path: Path) -> None:
    run = reconcile_datasets(team.clerk)
    assert run.summary["token"] > 0 and run.summary["R06"] > 0
    queue = review_service.review_queue(team.clerk, run.id)
    assert queue.height > 0
    pair = queue.row(0, named=True)
    first = review_service.decide(
        team.clerk, run.id, pair["tax_record_id"], pair["si_record_id"], "match", "same person"
    )
    review_service.decide(
        team.clerk, run.id, pair["tax_record_id"], pair["si_record_id"], "non_match"
    )
    undone = review_service.undo_last(team.clerk, run.id)
    assert undone.decision == "match"
    history = imported.conn.execute(  # the stored decisions of the pair, oldest first
        "SELECT id, decision FROM review_decisions WHERE tax_record_id = ? AND si_record_id = ? "
        "ORDER BY id",
        (pair["tax_record_id"], pair["si_record_id"]),
    ).fetchall()
    assert [d for _id, d in history] == ["match", "non_match", "match"]
    assert first.id == history[0][0]
    with pytest.raises(NotFound):
        review_service.decide(team.clerk, run.id, "nope", "nope", "match")

    # A later run applies the decision and keeps finding statuses.
    findings = findings_service.list_findings(team.clerk, run.id)
    f = findings.row(0, named=True)
    with pytest.raises(InvalidInput, match="note"):
        findings_service.set_status(
            team.clerk, run.id, f["code"], f["tax_record_id"], f["si_record_id"], "dismissed"
        )
    findings_service.set_status(
        team.clerk, run.id, f["code"], f["tax_record_id"], f["si_record_id"], "confirmed", "checked"
    )
    rerun = reconcile_datasets(team.clerk)
    assert rerun.summary["reviewed_match"] == 1
    again = findings_service.list_findings(team.clerk, rerun.id)
    kept = again.filter(
        pl.col("finding_key")
        == findings_service.finding_key(f["code"], f["tax_record_id"], f["si_record_id"])
    )
    assert kept["status"].to_list() == ["confirmed"]
    history = findings_service.finding_history(team.clerk, rerun.id, kept["finding_key"][0])
    assert [(h.status, h.note) for h in history] == [("confirmed", "checked")]

    # Exports: formula-safe, no raw numbers, logged with rows and persons.
    for what, suffix in (("links", ".csv"), ("findings", ".xlsx"), ("summary", ".csv")):
        out = tmp_path / f"{what}{suffix}"
        result = export_service.export_run(team.clerk, "latest", what, out)  # type: ignore[arg-type]
        assert out.exists() and result.rows > 0
    with (tmp_path / "links.csv").open(encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh))
    assert header == export_service.LINK_COLUMNS
    sheet = openpyxl.load_workbook(tmp_path / "findings.xlsx").active
    assert [c.value for c in sheet[1]] == export_service.FINDING_COLUMNS
    exports = imported.audit.query(EventFilter(event_types=(EventType.EXPORT,)), newest_first=False)
    assert [e.details["what"] for e in exports] == ["links", "findings", "summary"]
    assert (
        exports[0].details["rows"] > 0
        and len(exports[0].persons) == exports[0].details["persons"] > 0
    )


def test_exports_neutralise_formulas(workspace: Workspace, team: Team, tmp_path: Path) -> None:
    pair = generate(30, seed=5)
    tax = pair.tax.with_columns(pl.lit('=HYPERLINK("http://x")').alias("支払者名称"))
    tax = tax.with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.lit("=1+1"))
        .otherwise(pl.col("整理番号"))
        .alias("整理番号")
    )
    write_csv(tax, tmp_path / "tax.csv", "utf-8")
    write_csv(pair.si, tmp_path / "si.csv", "cp932")
    import_extract(team.clerk, tmp_path / "tax.csv", "tax")
    import_extract(team.clerk, tmp_path / "si.csv", "si")
    run = reconcile_datasets(team.clerk)
    export_service.export_run(team.clerk, run.id, "links", tmp_path / "links.csv")
    export_service.export_run(team.clerk, run.id, "links", tmp_path / "links.xlsx")
    text = (tmp_path / "links.csv").read_text(encoding="utf-8-sig")
    assert "'=1+1" in text and "\n=1+1" not in text and ",=1+1" not in text
    cells = [
        c.value
        for row in openpyxl.load_workbook(tmp_path / "links.xlsx").active.iter_rows()
        for c in row
    ]
    assert "'=1+1" in cells and "=1+1" not in cells
    blob = (
        workspace_bytes(workspace.path)
        + (tmp_path / "links.csv").read_bytes()
        + (tmp_path / "links.xlsx").read_bytes()
    )
    leaked = [n for n in pair.my_numbers if n.encode() in blob]
    assert leaked == []


def test_no_raw_number_in_any_workspace_byte(
    imported: Workspace, team: Team, keyring_backend: object, tmp_path: Path
) -> None:
    from rlwb.fixtures.samples import sample_paths as paths

    numbers = _numbers_in(paths()["tax_cp932"], "cp932") | _numbers_in(
        paths()["si_utf8bom"], "utf-8-sig"
    )
    assert len(numbers) > 20
    reconcile_datasets(team.clerk)
    blob = (
        workspace_bytes(imported.path) + workspace_bytes(tmp_path / "state")
        if (tmp_path / "state").exists()
        else workspace_bytes(imported.path)
    )
    assert [n for n in numbers if n.encode() in blob] == []
    secrets = " ".join(getattr(keyring_backend, "entries", {}).values())
    assert [n for n in numbers if n in secrets] == []


def _numbers_in(path: Path, encoding: str) -> set[str]:
    import re
    import unicodedata

    text = unicodedata.normalize("NFKC", path.read_bytes().decode(encoding))
    found = set()
    for match in re.findall(r"[0-9][0-9 \-‐‑‒–—―−ー－]{10,16}[0-9]", text):
        digits = re.sub(r"\D", "", match)
        if len(digits) == 12:
            found.add(digits)
    return found


def test_workspace_files_are_owner_only(imported: Workspace, team: Team) -> None:
    reconcile_datasets(team.clerk)
    loose = [
        (str(p.relative_to(imported.path)), oct(p.stat().st_mode & 0o777))
        for p in [imported.path, *imported.path.rglob("*")]
        if p.stat().st_mode & 0o077
    ]
    assert loose == []
