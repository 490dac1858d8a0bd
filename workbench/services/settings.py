"""Workspace settings (administrator): idle lock, external checkpoint file, rules file.

Every value is checked before it is stored, and every change is written to the access log
with the value before and after (paths and minutes only: no personal data).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from rlwb.linkage.errors import RulesFileError
from rlwb.linkage.rules import load_rules
from rlwb.workbench.access import authorize, record
from rlwb.workbench.audit.events import EventType
from rlwb.workbench.db import get_setting
from rlwb.workbench.db import set_setting as store_setting
from rlwb.workbench.errors import InvalidInput
from rlwb.workbench.import_limits import (
    DEFAULT_IMPORT_MAX_MB,
    MAX_IMPORT_MAX_MB,
    SETTING_IMPORT_MAX_MB,
    import_max_mb,
)
from rlwb.workbench.number_screen import refuse_number
from rlwb.workbench.permissions import Action
from rlwb.workbench.private_dirs import unsafe_dir_problem
from rlwb.workbench.services.reconcile import SETTING_RULES_FILE
from rlwb.workbench.session import Session
from rlwb.workbench.workspace import SETTING_CHECKPOINT_FILE as SETTING_CHECKPOINT_FILE
from rlwb.workbench.workspace import SETTING_IDLE_MINUTES as SETTING_IDLE_MINUTES
from rlwb.workbench.workspace import Workspace

DEFAULT_IDLE_MINUTES = 15
MAX_IDLE_MINUTES = 24 * 60
SETTING_KEYS = (
    SETTING_IDLE_MINUTES,
    SETTING_CHECKPOINT_FILE,
    SETTING_RULES_FILE,
    SETTING_IMPORT_MAX_MB,
)

#: The log has no dedicated "settings changed" type yet; this neutral, otherwise unused
#: type is recorded with details {"setting", "before", "after"} until one is added.
SETTING_CHANGED_EVENT = EventType.SETTINGS_CHANGED


@dataclass(frozen=True)
class Settings:
    idle_lock_minutes: int
    #: None: the latest checkpoint goes to the OS keyring (or the app's state directory).
    checkpoint_file: str | None
    #: None: the rules shipped with the application.
    rules_file: str | None
    #: The rules version that the current rules file loads as.
    rules_version: str
    #: The largest extract an import accepts, in MB.
    import_max_mb: int


@dataclass(frozen=True)
class SettingChange:
    key: str
    before: str | None
    after: str | None
    #: False when the value was already set (nothing was stored or logged).
    changed: bool


def get_settings(session: Session) -> Settings:
    authorize(session, Action.SETTINGS_MANAGE)
    conn = session.workspace.conn
    rules_file = get_setting(conn, SETTING_RULES_FILE) or None
    try:
        version = load_rules(Path(rules_file) if rules_file else None).version
    except RulesFileError:
        version = ""
    return Settings(
        idle_lock_minutes=idle_minutes(session.workspace),
        checkpoint_file=get_setting(conn, SETTING_CHECKPOINT_FILE) or None,
        rules_file=rules_file,
        rules_version=version,
        import_max_mb=import_max_mb(session.workspace),
    )


def idle_minutes(ws: Workspace) -> int:
    """The idle-lock time in minutes (the default when unset or unreadable)."""
    text = get_setting(ws.conn, SETTING_IDLE_MINUTES)
    try:
        value = int(text) if text else DEFAULT_IDLE_MINUTES
    except ValueError:
        return DEFAULT_IDLE_MINUTES
    return value if 1 <= value <= MAX_IDLE_MINUTES else DEFAULT_IDLE_MINUTES


def session_idle_minutes(session: Session) -> int:
    """The idle-lock time the window of ``session`` uses (every role reads it)."""
    return idle_minutes(session.workspace)


def set_setting(session: Session, key: str, value: str | int | None) -> SettingChange:
    """Check and store one setting; an empty value or None resets it to the default."""
    authorize(session, Action.SETTINGS_MANAGE)
    if key not in SETTING_KEYS:
        raise InvalidInput(f"Unknown setting {key!r}. Settings: {', '.join(SETTING_KEYS)}.")
    ws = session.workspace
    text = "" if value is None else str(value).strip()
    # Settings and their change event are stored as typed: never a 個人番号 (say in a path).
    refuse_number(text, f"value of {key}")
    if key == SETTING_IDLE_MINUTES:
        new = str(_check_minutes(text))
    elif key == SETTING_CHECKPOINT_FILE:
        new = _check_checkpoint_file(ws, text) if text else ""
    elif key == SETTING_IMPORT_MAX_MB:
        new = str(_check_import_max_mb(text)) if text else ""
    else:
        new = _check_rules_file(text) if text else ""
    before = get_setting(ws.conn, key) or None
    after = new or None
    if before == after:
        return SettingChange(key, before, after, changed=False)
    store_setting(ws.conn, key, new)
    record(
        session,
        SETTING_CHANGED_EVENT,
        details={"setting": key, "before": before, "after": after},
    )
    return SettingChange(key, before, after, changed=True)


def _check_minutes(text: str) -> int:
    try:
        minutes = int(text)
    except ValueError:
        raise InvalidInput("The idle lock needs a whole number of minutes, e.g. 15.") from None
    if not 1 <= minutes <= MAX_IDLE_MINUTES:
        raise InvalidInput(f"The idle lock must be between 1 and {MAX_IDLE_MINUTES} minutes.")
    return minutes


def _check_checkpoint_file(ws: Workspace, text: str) -> str:
    path = Path(text).expanduser()
    if not path.is_absolute():
        raise InvalidInput(
            "Give the checkpoint file as a full path (for example on another drive or a "
            "write-once share)."
        )
    path = path.resolve()
    if path.is_relative_to(ws.path.resolve()):
        raise InvalidInput(
            "Keep the checkpoint file outside the workspace folder: whoever can change the "
            "log there could change the checkpoint too."
        )
    problem = unsafe_dir_problem(path.parent, "folder of the checkpoint file")
    if problem is not None:
        raise InvalidInput(problem)
    if path.exists():
        if not path.is_file():
            raise InvalidInput(f"{path} is not a file; choose a file for the checkpoints.")
        if not os.access(path, os.W_OK):
            raise InvalidInput(f"{path} cannot be written; choose a file you may write to.")
    else:
        folder = path.parent
        if not folder.is_dir():
            raise InvalidInput(f"The folder {folder} does not exist; create it first.")
        if not os.access(folder, os.W_OK):
            raise InvalidInput(f"The folder {folder} cannot be written; choose another one.")
    return str(path)


def _check_import_max_mb(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise InvalidInput(
            f"The import size limit is a whole number of megabytes, e.g. {DEFAULT_IMPORT_MAX_MB}."
        ) from None
    if not 1 <= value <= MAX_IMPORT_MAX_MB:
        raise InvalidInput(f"The import size limit must be between 1 and {MAX_IMPORT_MAX_MB} MB.")
    return value


def _check_rules_file(text: str) -> str:
    path = Path(text).expanduser()
    if not path.is_absolute():
        raise InvalidInput("Give the rules file as a full path.")
    try:
        load_rules(path)
    except RulesFileError as exc:
        raise InvalidInput(f"The rules file cannot be used: {exc}") from None
    return str(path.resolve())
