"""Import profiles: save/load/list round trip, validation, mapping a foreign layout."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from rlwb.linkage.errors import ProfileError
from rlwb.linkage.profiles import (
    ImportProfile,
    list_profiles,
    load_profile,
    save_profile,
)
from rlwb.linkage.read import read_extract
from tests.linkage._read_helpers import MY_NUMBER, write_csv

FOREIGN = {
    "社員コード": "record_id",
    "マイナンバー": "my_number",
    "従業員氏名": "name",
    "カナ氏名": "name_kana",
    "誕生日": "birth_date",
    "総支給額": "payment_amount",
    "対象年": "tax_year",
}


def test_round_trip(tmp_path: Path) -> None:
    profile = ImportProfile("給与システムA", "tax", dict(FOREIGN), encoding="cp932")
    path = save_profile(tmp_path, profile)
    assert path.parent == tmp_path and path.exists()
    assert load_profile(tmp_path, "給与システムA") == profile
    save_profile(tmp_path, ImportProfile("b-si", "si", {"番号": "record_id"}))
    assert list_profiles(tmp_path) == ["b-si", "給与システムA"]
    assert list_profiles(tmp_path / "none") == []


def test_saving_again_replaces(tmp_path: Path) -> None:
    save_profile(tmp_path, ImportProfile("p", "tax", {"A": "record_id"}))
    save_profile(tmp_path, ImportProfile("p", "tax", {"B": "record_id"}))
    assert load_profile(tmp_path, "p").columns == {"B": "record_id"}
    assert list_profiles(tmp_path) == ["p"]


def test_unknown_profile_lists_the_known_ones(tmp_path: Path) -> None:
    save_profile(tmp_path, ImportProfile("known", "tax", {}))
    with pytest.raises(ProfileError, match="known"):
        load_profile(tmp_path, "missing")


@pytest.mark.parametrize(
    "profile",
    [
        ImportProfile("p", "tax", {"X": "coverage_type"}),  # an SI column in a tax profile
        ImportProfile("p", "tax", {"X": "no_such_column"}),
        ImportProfile("p", "tax", {"X": "name", "Y": "name"}),
        ImportProfile("a/b", "tax", {}),
        ImportProfile("", "tax", {}),
        ImportProfile("p", "payroll", {}),  # type: ignore[arg-type]
    ],
)
def test_invalid_profiles_are_refused(tmp_path: Path, profile: ImportProfile) -> None:
    with pytest.raises(ProfileError):
        save_profile(tmp_path, profile)
    assert list_profiles(tmp_path) == []


@pytest.mark.parametrize(
    "content", ["not json", json.dumps([1, 2]), json.dumps({"format": 99}),
                json.dumps({"format": 1, "name": "p", "kind": "tax", "columns": {"a": 1}})],
)  # fmt: skip
def test_damaged_profile_files(tmp_path: Path, content: str) -> None:
    (tmp_path / "p.profile.json").write_text(content, encoding="utf-8")
    with pytest.raises(ProfileError, match="save the profile again"):
        load_profile(tmp_path, "p")


def test_foreign_layout_through_a_saved_profile(tmp_path: Path) -> None:
    header = [
        "対象年",
        "社員コード",
        "従業員氏名",
        "カナ氏名",
        "誕生日",
        "総支給額",
        "マイナンバー",
        "部署",
    ]
    row = ["R6", "E-1", "渡邉 健", "ワタナベ ケン", "H2.11.3", "5,000,000", MY_NUMBER, "総務"]
    source = write_csv(tmp_path / "foreign.csv", header, [row], "cp932")
    save_profile(tmp_path / "profiles", ImportProfile("A社", "tax", dict(FOREIGN), "cp932"))

    profile = load_profile(tmp_path / "profiles", "A社")
    parsed = read_extract(source, "tax", profile=profile)
    record = parsed.frame.row(0, named=True)
    assert record["record_id"] == "E-1"
    assert record["name"] == "渡邉 健"
    assert record["birth_date"] == dt.date(1990, 11, 3)
    assert record["payment_amount"] == 5_000_000
    assert record["tax_year"] == 2024
    assert record["my_number"] == MY_NUMBER
    assert record["extra:部署"] == "総務"
    assert parsed.header_mapping["社員コード"] == "record_id"
    assert parsed.encoding == "cp932"


def test_without_the_profile_the_foreign_layout_fails(tmp_path: Path) -> None:
    from rlwb.linkage.errors import ExtractError

    header = ["社員コード", "従業員氏名", "誕生日", "総支給額", "対象年"]
    source = write_csv(tmp_path / "foreign.csv", header, [["E-1", "a", "2000-01-01", "1", "2024"]])
    with pytest.raises(ExtractError, match="整理番号"):
        read_extract(source, "tax")
