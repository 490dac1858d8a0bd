"""The catalogue is complete: both languages for every key, and every key the UI uses."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from rlwb.ui import errors
from rlwb.ui.i18n import (
    LANGUAGES,
    MESSAGES,
    set_language,
    tr,
    tr_field,
    tr_step,
    tr_value,
    value_labels,
)
from rlwb.ui.pages.registry import registered_pages

UI_DIR = Path(__file__).resolve().parents[2] / "ui"
TR_CALL = re.compile(r"\btr\(\s*f?\"([a-z][a-z_]*\.[^\"]+)\"", re.DOTALL)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_has_both_languages_with_the_same_placeholders() -> None:
    assert len(MESSAGES) > 200
    for key, entry in MESSAGES.items():
        assert set(entry) == set(LANGUAGES), key
        assert all(entry[lang].strip() for lang in LANGUAGES), key
        assert _placeholders(entry["ja"]) == _placeholders(entry["en"]), key


def test_every_key_used_in_ui_exists() -> None:
    used: set[str] = set()
    for source in UI_DIR.rglob("*.py"):
        for key in TR_CALL.findall(source.read_text(encoding="utf-8")):
            if "{" in key:  # tr(f"export.what.{what}")
                prefix = key.split("{", 1)[0]
                assert any(k.startswith(prefix) for k in MESSAGES), key
                continue
            used.add(key)
    used |= {spec.title_key for spec in registered_pages()}
    used |= {key for _, key in errors._HEADLINES}
    assert len(used) > 150
    missing = sorted(k for k in used if k not in MESSAGES)
    assert missing == []
    for what in ("findings", "links", "summary"):
        assert f"export.what.{what}" in MESSAGES


def test_codes_shown_to_users_are_translated() -> None:
    from rlwb.workbench.permissions import Role
    from rlwb.workbench.services.findings import STATUSES
    from rlwb.workbench.services.review import DECISIONS

    for status in STATUSES:
        assert f"status.{status}" in MESSAGES
    for decision in DECISIONS:
        assert f"decision.{decision}" in MESSAGES
    for role in Role:
        assert f"role.{role.value}" in MESSAGES
    for code in range(1, 10):
        assert f"rule.R0{code}" in MESSAGES
    from rlwb.workbench.import_screen import ACTIONS

    for action in ACTIONS:
        assert f"import.screen.{action}" in MESSAGES


def test_switching_language() -> None:
    set_language("en")
    assert tr("page.import") == "Import"
    assert tr("import.report.quarantined", count=3) == "Quarantined rows (cannot be identified): 3"
    assert tr_value("status", "dismissed") == "dismissed"
    assert tr_field("birth_date") == "Birth date"
    set_language("ja")
    assert tr("page.import") == "取込"
    assert tr_value("status", "dismissed") == "対象外"
    assert value_labels("severity") == {"high": "高", "review": "要確認", "info": "参考"}
    assert tr_field("extra:社員コード") == "社員コード"
    assert tr_step("Rule R04") == "ルール R04 の判定"
    assert tr_step("something new") == "something new"
    assert tr_value("status", "unheard-of") == "unheard-of"
    with pytest.raises(ValueError, match="Unknown language"):
        set_language("fr")
