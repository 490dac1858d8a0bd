"""The mapping an import uses, without Qt: saved profile, then detection, then the user."""

from __future__ import annotations

from rlwb.ui.pages.import_parts.profile import merged_columns


def test_the_users_choice_wins_and_takes_the_column_from_any_other_header() -> None:
    saved = {"社員番号": "record_id", "氏名": "name"}
    detected = {"整理番号": "record_id", "フリガナ": "name_kana"}
    columns = merged_columns(saved, detected, {"社員番号": "record_id"})
    assert columns == {"社員番号": "record_id", "氏名": "name", "フリガナ": "name_kana"}


def test_without_changes_detection_overrides_the_saved_profile() -> None:
    columns = merged_columns({"A": "record_id"}, {"A": "name", "B": "record_id"}, {})
    assert columns == {"A": "name", "B": "record_id"}
