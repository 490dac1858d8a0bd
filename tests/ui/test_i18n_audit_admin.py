"""The auditor's and administrator's strings: every code shown has both languages."""

from __future__ import annotations

from rlwb.ui import log_model, passphrase
from rlwb.ui.i18n import LANGUAGES, MESSAGES, set_language, tr, tr_step, tr_value
from rlwb.ui.i18n_audit_admin import ROWS
from rlwb.ui.pages import analysis_page, keys_page, users_page
from rlwb.ui.pages.settings_page import SETTING_CHECKPOINT_FILE, SETTING_IDLE_MINUTES
from rlwb.workbench.audit.analysis import SECTIONS
from rlwb.workbench.audit.events import EventType, Outcome
from rlwb.workbench.audit.verify import BreakReason
from rlwb.workbench.errors import SessionEndReason
from rlwb.workbench.services.keys import CHAINING_NOTE
from rlwb.workbench.services.reconcile import SETTING_RULES_FILE


def test_keys_built_from_codes_and_constants_exist_in_both_languages() -> None:
    keys = {f"event.{t.value}" for t in EventType}
    keys |= {f"event_outcome.{o.value}" for o in Outcome}
    keys |= {f"break_reason.{r.value}" for r in BreakReason}
    keys |= {f"key_state.{s}" for s in ("primary", "active", "retired")}
    keys |= {key for _, key in log_model.COLUMNS}
    keys |= set(users_page.COLUMNS) | set(keys_page.COLUMNS) | set(passphrase.STRENGTH_KEYS)
    keys |= {f"users.state.{s}" for s in ("active", "disabled", "locked", "tampered")}
    keys |= {f"analysis.section.{s}" for s in SECTIONS}
    keys |= {f"analysis.explain.{s}" for s in SECTIONS}
    keys |= {f"analysis.summary.{s}" for s in analysis_page.SUMMARY_ITEMS}
    keys |= {f"analysis.col.{c}" for cols in analysis_page.SECTION_COLUMNS.values() for c in cols}
    keys |= {
        f"settings.name.{k}"
        for k in (SETTING_IDLE_MINUTES, SETTING_CHECKPOINT_FILE, SETTING_RULES_FILE)
    }
    keys |= {f"log.filter.subject.{k}" for k in ("dataset", "run", "user")}
    keys |= {f"session.ended.{r.value}" for r in SessionEndReason}
    keys.add("login.record_tampered")
    missing = sorted(k for k in keys if k not in MESSAGES)
    assert missing == []
    for key in keys:
        assert set(MESSAGES[key]) == set(LANGUAGES)
    assert set(analysis_page.SECTION_COLUMNS) == set(SECTIONS)
    assert all(key in MESSAGES for key in ROWS)


def test_the_chaining_note_says_what_the_core_says() -> None:
    set_language("en")
    assert tr("keys.chaining_note") == CHAINING_NOTE
    assert tr_value("event", "access.denied") == "access denied"
    assert tr_step("dataset tax-20261102-1 migrated") == "Dataset tax-20261102-1 migrated"
    set_language("ja")
    assert tr_value("event", "reveal") == "本人情報の表示"
    assert tr("verify.broken", seq="3", reason="内容") == "✖ シーケンス 3 で破損: 内容"
    assert tr_step("migrating datasets") == "データセットの移行"


def test_passphrase_strength_scores() -> None:
    score = passphrase.passphrase_strength
    assert score("") == 0 and score("Ab1!") == 0
    assert score("aaaaaaaaaaaaaaaa") <= 1  # long but one repeated letter
    assert score("abcdefghijkl") < score("Abcdefgh1jk!")
    assert score("Kagi-no-Hozon 2026!") >= 3
    assert score("かぎのほぞんはたいせつです2026") >= 2  # kana count as a class
    assert passphrase.character_classes("aA1!か") == 5
