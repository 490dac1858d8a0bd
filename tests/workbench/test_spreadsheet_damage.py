"""Issue 10: 個人番号 that passed through a spreadsheet.

Lost leading zeros are restored when the zero-padded form passes the check digit (and
reported as restored); exponent forms (8.51791E+10) are never guessed: the row gets an
issue saying what happened and how to export the column as text. Neither the damaged
nor the restored number is written anywhere.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from rlwb.crypto.identifiers import my_number_check_digit
from rlwb.fixtures.generate import generate
from rlwb.workbench.datasets import list_datasets, read_dataset
from rlwb.workbench.identifier_columns import with_my_number_repair
from rlwb.workbench.services.imports import (
    EXPONENT_ADVICE,
    RESTORED_REASON,
    dataset_issues,
    import_extract,
)
from rlwb.workbench.workspace import Workspace
from tests.workbench.conftest import Team, workspace_bytes


def _zero_led(first10: str) -> str:
    first11 = "0" + first10
    return first11 + my_number_check_digit(first11)


def test_repair_column_semantics() -> None:
    number = _zero_led("8517913952")
    two_zeros = "00" + number[2:11]
    two_zeros += my_number_check_digit(two_zeros)
    wrong = number[:11] + str((int(number[11]) + 1) % 10)
    intact = "123456789018"
    frame = pl.DataFrame(
        {"m": [intact, number[1:], two_zeros.lstrip("0"), "8.51791E+10", wrong[1:], None]}
    )
    out = with_my_number_repair(frame, "m", canonical="c", problem="p", restored="r")
    assert out["c"].to_list() == [intact, number, two_zeros, None, None, None]
    assert out["r"].to_list() == [False, True, True, False, False, False]
    assert out["p"].to_list() == [None, None, None, "exponent_form", "malformed", "missing"]


def test_no_repair_when_the_column_kept_its_zeros() -> None:
    # 0-led numbers intact: the column was not stripped, so an 11-digit value is a
    # truncated number (it may pass when padded, by chance) and stays malformed.
    number = _zero_led("8517913952")
    frame = pl.DataFrame({"m": [number, number[1:], "8.51791E+10"]})
    out = with_my_number_repair(frame, "m", canonical="c", problem="p", restored="r")
    assert out["c"].to_list() == [number, None, None]
    assert out["r"].to_list() == [False, False, False]
    assert out["p"].to_list() == [None, "malformed", "exponent_form"]


def test_import_restores_zeros_and_flags_exponent_form(
    workspace: Workspace, team: Team, tmp_path: Path
) -> None:
    tax = generate(20, seed=3).tax
    number = _zero_led("8517913952")
    # As a spreadsheet leaves the column: every number that started with 0 lost it.
    others = [
        cell.lstrip("0") if cell and cell.isdigit() else cell
        for cell in tax["個人番号"].to_list()[2:]
    ]
    damaged = tax.with_columns(
        pl.Series("個人番号", [number[1:], "8.51791E+10", *others]),
        # 060-0001 as a spreadsheet writes it, with an address that confirms the zero
        pl.Series("郵便番号", ["600001", *tax["郵便番号"].to_list()[1:]]),
        pl.Series("住所", ["北海道札幌市中央区北一条西2丁目", *tax["住所"].to_list()[1:]]),
    )
    path = tmp_path / "tax.csv"
    damaged.write_csv(path)
    report = import_extract(team.clerk, path, "tax")
    path.unlink()

    stripped = sum(1 for c in tax["個人番号"].to_list()[2:] if c and c.isdigit() and c[0] == "0")
    assert report.repairs == {RESTORED_REASON: 1 + stripped, "postal_code_zeros_restored": 1}
    assert report.invalid_identifiers.get("exponent_form") == 1
    lines = "\n".join(report.lines())
    assert EXPONENT_ADVICE in lines
    assert f"Restored after spreadsheet damage ({RESTORED_REASON}): " in lines
    issues, _ = dataset_issues(team.clerk, report.dataset.id)
    by_row = dict(
        issues.filter(pl.col("column") == "my_number").select("row_number", "reason").iter_rows()
    )
    assert {r: by_row.get(r) for r in (2, 3)} == {2: RESTORED_REASON, 3: "identifier_exponent_form"}
    assert list(by_row.values()).count(RESTORED_REASON) == 1 + stripped

    stored = read_dataset(workspace, list_datasets(workspace.conn)[0])
    tokenizer = workspace.keyset.tokenizer()
    version = workspace.keyset.latest_version
    assert stored["token"][0] == tokenizer.tokenize_many([number], version)[0]
    assert stored["token"][1] is None
    assert stored["postal_code"][0] == "0600001"
    blob = workspace_bytes(workspace.path)
    assert number.encode() not in blob
    assert number[1:].encode() not in blob
