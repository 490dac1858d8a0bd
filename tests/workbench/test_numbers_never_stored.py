"""Issue 8 §1: a 個人番号 never reaches storage, whatever field it arrives in.

A tax extract as real 給与支払報告書 are (the spouse's and dependants' numbers in extra
columns, a remarks column naming a dependant's number) goes through the whole workflow;
then ``workbench audit scan-numbers`` and a byte scan of the workspace, the state
directory and every export find none of the fixture's numbers in any written form.
Numbers are built at run time so no source line holds one.
"""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import polars as pl
import pytest

from rlwb.fixtures.generate import generate
from rlwb.fixtures.samples import sample_paths
from rlwb.fixtures.write import write_csv
from rlwb.workbench.audit.events import EventType
from rlwb.workbench.audit.log import EventFilter
from rlwb.workbench.cli import Context, main
from rlwb.workbench.datasets import list_datasets, read_dataset
from rlwb.workbench.errors import AccessDenied, AuthenticationError, InvalidInput
from rlwb.workbench.number_scan import scan_workspace
from rlwb.workbench.number_screen import count_numbers
from rlwb.workbench.services import export as export_service
from rlwb.workbench.services import findings as findings_service
from rlwb.workbench.services import keys as key_service
from rlwb.workbench.services import review as review_service
from rlwb.workbench.services.imports import import_extract
from rlwb.workbench.services.reconcile import reconcile_datasets
from rlwb.workbench.services.scan import scan_numbers
from rlwb.workbench.services.session import login, set_purpose
from rlwb.workbench.services.views import reveal_pair
from rlwb.workbench.workspace import Workspace
from tests.memory_keyring import MemoryKeyring
from tests.workbench.conftest import ADMIN_PASSWORD, TEST_SCRYPT_N, Team, valid_numbers

_FULL = str.maketrans("0123456789", "０１２３４５６７８９")


def full_width(number: str) -> str:
    return number.translate(_FULL)


def hyphenated(number: str) -> str:
    return f"{number[:4]}-{number[4:8]}-{number[8:]}"


def spaced(number: str) -> str:
    return f"{number[:4]} {number[4:8]} {number[8:]}"


def written_forms(number: str) -> list[bytes]:
    """Every way the number could sit in a file: ASCII, full-width (UTF-8 and CP932),
    hyphenated, spaced, and as UTF-16 (what a stray str in a binary format would be)."""
    texts = [number, full_width(number), hyphenated(number), spaced(number)]
    out = [t.encode("utf-8") for t in texts]
    out.append(full_width(number).encode("cp932"))
    out.append(number.encode("utf-16-le"))
    return out


def leaked(numbers: list[str], blob: bytes) -> list[str]:
    return [n for n in numbers if any(form in blob for form in written_forms(n))]


def all_bytes(*roots: Path) -> bytes:
    parts: list[bytes] = []
    for root in roots:
        if root.is_file():
            parts.append(root.read_bytes())
        elif root.exists():
            parts.extend(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())
    return b"".join(parts)


def sample_numbers() -> list[str]:
    """Every 12-digit run of the committed sample extracts (valid or not)."""
    found: set[str] = set()
    for name, encoding in (("tax_cp932", "cp932"), ("si_utf8bom", "utf-8-sig")):
        text = unicodedata.normalize("NFKC", sample_paths()[name].read_bytes().decode(encoding))
        for match in re.findall(r"[0-9][0-9 \-‐‑‒–—―−ー－]{10,16}[0-9]", text):
            digits = re.sub(r"\D", "", match)
            if len(digits) == 12:
                found.add(digits)
    return sorted(found)


def extract_with_extra_numbers(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    """The committed CP932 tax sample plus the spouse's and dependants' numbers
    (hyphenated, full-width, spaced), an unlabelled column of numbers and a 摘要 remarks
    column; with the SI sample. Returns the files and every number in them."""
    paths = sample_paths()
    tax = pl.read_csv(paths["tax_cp932"].read_bytes().decode("cp932").encode(), infer_schema=False)
    n = tax.height
    extra = valid_numbers(5 * n, start=31_000_000_000)
    spouse, dependant, mine, reference, remark = (extra[i * n : (i + 1) * n] for i in range(5))
    remarks = [
        f"扶養親族 {full_width(x) if i % 3 == 0 else hyphenated(x) if i % 3 == 1 else x} 確認済"
        for i, x in enumerate(remark)
    ]
    tax = tax.with_columns(
        pl.Series("控除対象配偶者個人番号", [hyphenated(x) for x in spouse]),
        pl.Series("扶養親族個人番号", [full_width(x) for x in dependant]),
        pl.Series("マイナンバー", [spaced(x) for x in mine]),
        # Header says nothing; the cells are numbers (one in ten blank).
        pl.Series("参照", [x if i % 10 else "" for i, x in enumerate(reference)]),
        pl.Series("摘要", remarks),
    )
    tax_path = write_csv(tax, tmp_path / "tax_extra.csv", "cp932")
    return tax_path, paths["si_utf8bom"], extra + sample_numbers()


def test_extra_number_columns_and_remarks_are_dropped_or_masked(
    workspace: Workspace, team: Team, tmp_path: Path
) -> None:
    tax_path, si_path, numbers = extract_with_extra_numbers(tmp_path)
    report = import_extract(team.clerk, tax_path, "tax")
    actions = {c: (a.action, a.count) for c, a in report.number_screen.items()}
    assert actions == {
        "控除対象配偶者個人番号": ("dropped_by_header", 0),
        "扶養親族個人番号": ("dropped_by_header", 0),
        "マイナンバー": ("dropped_by_header", 0),
        "参照": ("dropped_by_content", 0),
        "摘要": ("masked", 26),
    }
    text = "\n".join(report.lines())
    assert "摘要" in text and "dropped" in text
    assert leaked(numbers, text.encode()) == []

    (info,) = list_datasets(workspace.conn)
    frame = read_dataset(workspace, info)
    assert not any(
        "個人番号" in c or "マイナンバー" in c or c == "extra:参照" for c in frame.columns
    )
    remarks = frame["extra:摘要"].to_list()
    assert all(r == "扶養親族 ************ 確認済" for r in remarks)
    assert sum(count_numbers(frame[c].cast(pl.String, strict=False)) for c in frame.columns
               if frame[c].dtype != pl.Binary) == 0  # fmt: skip
    assert info.report["number_screen"]["摘要"] == {"action": "masked", "count": 26}

    import_extract(team.clerk, si_path, "si")
    run = reconcile_datasets(team.clerk)
    set_purpose(team.clerk, "扶養控除の確認")
    shown = reveal_pair(team.clerk, run.id, str(frame["record_id"][0]), None).tax
    assert shown is not None and shown["extra:摘要"] == "扶養親族 ************ 確認済"
    assert leaked(numbers, repr(shown).encode()) == []


def test_xlsx_extract_is_screened_too(workspace: Workspace, team: Team, tmp_path: Path) -> None:
    pair = generate(20, seed=3)
    extra = valid_numbers(pair.tax.height, start=52_000_000_000)
    tax = pair.tax.with_columns(
        pl.Series("控除対象配偶者個人番号", extra),
        pl.Series("備考", [f"配偶者番号 {full_width(x)}" for x in extra]),
    )
    path = tmp_path / "tax.xlsx"
    tax.write_excel(path)
    report = import_extract(team.clerk, path, "tax")
    assert report.number_screen["控除対象配偶者個人番号"].action == "dropped_by_header"
    assert report.number_screen["備考"].describe() == f"{tax.height} cells held a 個人番号: masked"
    frame = read_dataset(workspace, list_datasets(workspace.conn)[0])
    assert frame["extra:備考"].to_list() == ["配偶者番号 ************"] * tax.height


def test_record_id_holding_numbers_stops_the_import(
    workspace: Workspace, team: Team, tmp_path: Path
) -> None:
    pair = generate(10, seed=4)
    ids = valid_numbers(pair.tax.height, start=61_000_000_000)
    path = write_csv(pair.tax.with_columns(pl.Series("整理番号", ids)), tmp_path / "t.csv")
    with pytest.raises(InvalidInput, match=r"整理番号 \(record_id\) holds a 個人番号") as err:
        import_extract(team.clerk, path, "tax")
    assert leaked(ids, str(err.value).encode()) == []
    assert list_datasets(workspace.conn) == []


def test_full_workflow_then_scan_numbers_finds_none(
    workspace: Workspace,
    team: Team,
    tmp_path: Path,
    keyring_backend: MemoryKeyring,
) -> None:
    tax_path, si_path, numbers = extract_with_extra_numbers(tmp_path)
    import_extract(team.clerk, tax_path, "tax")
    import_extract(team.clerk, si_path, "si")
    run = reconcile_datasets(team.clerk)
    queue = review_service.review_queue(team.clerk, run.id)
    pair = queue.row(0, named=True)
    review_service.decide(
        team.clerk, run.id, pair["tax_record_id"], pair["si_record_id"], "match", "同一人物"
    )
    finding = findings_service.list_findings(team.clerk, run.id).row(0, named=True)
    findings_service.set_status(
        team.clerk,
        run.id,
        finding["code"],
        finding["tax_record_id"],
        finding["si_record_id"],
        "confirmed",
        "確認済",
    )
    reconcile_datasets(team.clerk)
    exports = tmp_path / "exports"
    exports.mkdir()
    for what, suffix in (("links", ".csv"), ("findings", ".xlsx"), ("summary", ".csv")):
        export_service.export_run(team.clerk, "latest", what, exports / f"{what}{suffix}")  # type: ignore[arg-type]

    from rlwb.workbench.services.audit import export_events

    export_events(team.auditor, EventFilter(), exports / "log.csv")
    report = scan_numbers(team.admin)
    assert report.frames >= 4 and report.tables >= 5
    assert report.found == [] and report.unreadable == []
    assert report.clean

    # The same through the command line: exit 0, and the scan is logged.
    out = io.StringIO()
    ctx = Context(
        environ={"WORKBENCH_USER": "admin", "WORKBENCH_PASSWORD": ADMIN_PASSWORD},
        out=out,
        err=io.StringIO(),
        keyring_backend=keyring_backend,
        clock=workspace.clock,
        scrypt_n=TEST_SCRYPT_N,
    )
    assert main(["audit", "scan-numbers", str(workspace.path)], ctx) == 0
    assert "No 個人番号 found." in out.getvalue()
    scans = workspace.audit.query(
        EventFilter(event_types=(EventType.WORKSPACE_NUMBERS_SCANNED,)), newest_first=False
    )
    assert len(scans) == 2 and scans[0].details["values_with_numbers"] == 0

    blob = all_bytes(workspace.path, tmp_path / "state", exports)
    assert leaked(numbers, blob) == []
    assert leaked(numbers, " ".join(keyring_backend.entries.values()).encode()) == []


def test_scan_numbers_finds_a_planted_number_by_place(
    workspace: Workspace, team: Team, tmp_path: Path, keyring_backend: MemoryKeyring
) -> None:
    (number,) = valid_numbers(1, start=71_000_000_000)
    # What main used to store: a note holding a number, and a raw extra column in a frame.
    workspace.conn.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?)", ("planted", f"see {hyphenated(number)}")
    )
    workspace.conn.commit()
    workspace.frames("runs").write(
        "planted", pl.DataFrame({"x": ["a", full_width(number), "b"], "n": [1, int(number), 2]})
    )
    report = scan_numbers(team.admin)
    assert {(p.place, p.values) for p in report.found} == {
        ("settings.value", 1),
        ("runs/planted.parquet.enc:x", 1),
        ("runs/planted.parquet.enc:n", 1),
    }
    text = "\n".join(report.lines())
    assert "settings.value: 1 values hold a 個人番号" in text
    assert leaked([number], text.encode()) == []
    out = io.StringIO()
    ctx = Context(
        environ={"WORKBENCH_USER": "admin", "WORKBENCH_PASSWORD": ADMIN_PASSWORD},
        out=out,
        err=io.StringIO(),
        keyring_backend=keyring_backend,
        clock=workspace.clock,
        scrypt_n=TEST_SCRYPT_N,
    )
    assert main(["audit", "scan-numbers", str(workspace.path)], ctx) == 1
    assert leaked([number], out.getvalue().encode()) == []
    # Administrators only: a clerk is refused, and the refusal is logged.
    with pytest.raises(AccessDenied):
        scan_numbers(team.clerk)
    assert scan_workspace(workspace).numbers == 3


@pytest.mark.parametrize("form", [str, full_width, hyphenated, spaced])
def test_notes_with_a_number_are_refused_and_nothing_is_stored(
    workspace: Workspace, team: Team, tmp_path: Path, form: object
) -> None:
    (number,) = valid_numbers(1, start=81_000_000_000)
    written = form(number)  # type: ignore[operator]
    import_extract(team.clerk, sample_paths()["tax_cp932"], "tax")
    import_extract(team.clerk, sample_paths()["si_utf8bom"], "si")
    run = reconcile_datasets(team.clerk)
    pair_row = review_service.review_queue(team.clerk, run.id).row(0, named=True)
    with pytest.raises(InvalidInput, match="note holds what looks like a 個人番号") as err:
        review_service.decide(
            team.clerk,
            run.id,
            pair_row["tax_record_id"],
            pair_row["si_record_id"],
            "match",
            f"番号 {written} で確認",
        )
    assert number not in str(err.value)
    finding = findings_service.list_findings(team.clerk, run.id).row(0, named=True)
    with pytest.raises(InvalidInput, match="note holds what looks like a 個人番号"):
        findings_service.set_status(
            team.clerk,
            run.id,
            finding["code"],
            finding["tax_record_id"],
            finding["si_record_id"],
            "dismissed",
            f"本人確認 {written}",
        )
    with pytest.raises(InvalidInput, match="purpose of use holds"):
        set_purpose(team.clerk, f"照会 {written}")
    assert workspace.conn.execute("SELECT count(*) FROM review_decisions").fetchone()[0] == 0
    assert workspace.conn.execute("SELECT count(*) FROM finding_events").fetchone()[0] == 0
    assert scan_workspace(workspace).clean
    assert leaked([number], all_bytes(workspace.path, tmp_path / "state")) == []


def test_login_name_holding_a_number_is_logged_as_unknown(
    workspace: Workspace, team: Team, tmp_path: Path
) -> None:
    (number,) = valid_numbers(1, start=91_000_000_000)
    for typed in (number, full_width(number), hyphenated(number), "no-such-user"):
        with pytest.raises(AuthenticationError):
            login(workspace, typed, "whatever-password")
    failed = workspace.audit.query(
        EventFilter(event_types=(EventType.LOGIN_FAILED,)), newest_first=False
    )
    assert [e.subject_user for e in failed[-4:]] == ["unknown"] * 4
    # A known name with a wrong password is still named.
    with pytest.raises(AuthenticationError):
        login(workspace, "clerk1", "wrong-password-1")
    last = workspace.audit.query(EventFilter(event_types=(EventType.LOGIN_FAILED,)))[0]
    assert last.subject_user == "clerk1"
    # Nor can such a name be given to a new user.
    with pytest.raises(InvalidInput, match="user name holds"):
        from rlwb.workbench.services.users import add_user

        add_user(team.admin, number, "a-long-password-1", ["clerk"])
    exported = tmp_path / "log.csv"
    from rlwb.workbench.services.audit import export_events

    export_events(team.auditor, EventFilter(), exported)
    blob = all_bytes(workspace.path, tmp_path / "state", exported)
    assert leaked([number], blob) == []


def test_rotation_reason_with_a_number_is_refused_and_cannot_jam_rotation(
    workspace: Workspace, team: Team, tmp_path: Path
) -> None:
    (number,) = valid_numbers(1, start=12_300_000_000)
    import_extract(team.clerk, sample_paths()["tax_cp932"], "tax")
    import_extract(team.clerk, sample_paths()["si_utf8bom"], "si")
    with pytest.raises(InvalidInput, match="reason holds what looks like a 個人番号"):
        key_service.rotate_keys(team.admin, f"退職者 {hyphenated(number)} の鍵")
    assert workspace.keyset.latest_version == 1
    assert workspace.conn.execute("SELECT count(*) FROM key_rotations").fetchone()[0] == 0

    # A reason stored by an older version (before the screen) left an open rotation.
    workspace.conn.execute(
        "INSERT INTO key_rotations (target_version, reason, started_at, started_by) "
        "VALUES (2, ?, '2026-11-01T00:00:00+00:00', 'admin')",
        (f"退職者 {number}",),
    )
    workspace.conn.commit()
    workspace.save_keyset(workspace.keyset.with_new_version("admin", workspace.clock()))
    result = key_service.rotate_keys(team.admin, "年次更新")
    assert result.resumed and result.target_version == 2 and result.migrated == 2
    assert key_service.rotation_status(team.admin) is None
    run = reconcile_datasets(team.clerk)  # not blocked by datasets on an old version
    assert run.summary["token"] > 0
    reasons = [r[0] for r in workspace.conn.execute("SELECT reason FROM key_rotations")]
    assert reasons == ["退職者 ************"]
    again = key_service.rotate_keys(team.admin, "年次更新")
    assert again.target_version == 3
    assert scan_workspace(workspace).clean
    assert leaked([number], all_bytes(workspace.path, tmp_path / "state")) == []


def test_headerless_cp932_file_error_quotes_no_cell(
    workspace: Workspace, team: Team, tmp_path: Path
) -> None:
    pair = generate(10, seed=12)
    full = write_csv(pair.tax, tmp_path / "with_header.csv", "cp932").read_bytes()
    lines = full.split(b"\r\n") if b"\r\n" in full else full.split(b"\n")
    body = lines[1:]  # no header row: the first line is a person's record
    second = body[1].split(b",")
    second[1] = second[1] + b"\x81"  # a broken double-byte character in row 2
    bad = tmp_path / "headerless.csv"
    bad.write_bytes(b"\n".join([body[0], b",".join(second), *body[2:]]))
    with pytest.raises(InvalidInput) as err:
        import_extract(team.clerk, bad, "tax")
    message = str(err.value)
    assert "(row 2, column #2)" in message
    first_cells = body[0].decode("cp932").split(",")
    assert [c for c in first_cells if c and c in message] == []
    assert leaked(pair.my_numbers, message.encode()) == []
    # With a real header row the header is named, as before.
    second_line = lines[2].split(b",")
    second_line[1] = second_line[1] + b"\x81"
    bad.write_bytes(b"\n".join([lines[0], lines[1], b",".join(second_line), *lines[3:]]))
    with pytest.raises(InvalidInput, match=r"row 3, column 個人番号"):
        import_extract(team.clerk, bad, "tax")


def test_file_name_holding_a_number_is_refused(
    workspace: Workspace, team: Team, tmp_path: Path
) -> None:
    (number,) = valid_numbers(1, start=22_000_000_000)
    pair = generate(10, seed=1)
    path = write_csv(pair.tax, tmp_path / f"{number}.csv")
    with pytest.raises(InvalidInput, match="file name holds"):
        import_extract(team.clerk, path, "tax")
    assert leaked([number], all_bytes(workspace.path)) == []
    assert list_datasets(workspace.conn) == []


def test_preview_masks_numbers_inside_text_and_in_a_record_read_as_header(
    workspace: Workspace, team: Team, tmp_path: Path
) -> None:
    from rlwb.workbench.services.preview import preview_extract

    tax_path, _si, numbers = extract_with_extra_numbers(tmp_path)
    preview = preview_extract(team.clerk, tax_path, "tax")
    remarks = [row[preview.headers.index("摘要")] for row in preview.rows]
    assert remarks and all(r == "扶養親族 ************ 確認済" for r in remarks)
    assert leaked(numbers, repr(preview).encode()) == []
    # Without its header row the first record is read as the header: masked too.
    data = tax_path.read_bytes()
    headerless = tmp_path / "headerless.csv"
    headerless.write_bytes(data[data.index(b"\r\n") + 2 :])
    shown = preview_extract(team.clerk, headerless, "tax")
    assert "************" in shown.headers
    assert leaked(numbers, repr(shown).encode()) == []


def test_si_extract_is_screened_like_a_tax_extract(
    workspace: Workspace, team: Team, tmp_path: Path
) -> None:
    raw = sample_paths()["si_utf8bom"].read_bytes().decode("utf-8-sig").encode()
    si = pl.read_csv(raw, infer_schema=False)
    extra = valid_numbers(2 * si.height, start=33_000_000_000)
    si = si.with_columns(
        pl.Series("被保険者個人番号", [full_width(x) for x in extra[: si.height]]),
        pl.Series("備考", [f"旧番号 {spaced(x)}" for x in extra[si.height :]]),
    )
    path = write_csv(si, tmp_path / "si_extra.csv", "cp932")
    report = import_extract(team.clerk, path, "si")
    assert report.number_screen["被保険者個人番号"].action == "dropped_by_header"
    assert report.number_screen["備考"].action == "masked"
    assert scan_workspace(workspace).clean
    assert leaked(extra, all_bytes(workspace.path)) == []
