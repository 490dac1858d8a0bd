"""The one permission table: which role may do which action.

Checked in the service layer (workbench.access.authorize) for every user action, from the
GUI and the CLI alike. A role is never checked anywhere else.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Role(StrEnum):
    CLERK = "clerk"
    AUDITOR = "auditor"
    ADMIN = "admin"


class Action(StrEnum):
    # clerk: personal data and the reconciliation workflow
    DATASET_IMPORT = "dataset.import"
    DATASET_LIST = "dataset.list"
    RUN_RECONCILE = "run.reconcile"
    RUN_VIEW = "run.view"
    PERSON_REVEAL = "person.reveal"
    PERSON_SEARCH = "person.search"
    REVIEW_DECIDE = "review.decide"
    FINDING_UPDATE = "finding.update"
    RESULT_EXPORT = "result.export"
    # auditor: the access log, never personal data
    AUDIT_QUERY = "audit.query"
    AUDIT_VERIFY = "audit.verify"
    AUDIT_EXPORT = "audit.export"
    AUDIT_PERSON_HISTORY = "audit.person_history"
    AUDIT_REPORT = "audit.report"
    # administrator: users, keys, settings, never personal data
    USERS_MANAGE = "users.manage"
    USERS_LIST = "users.list"
    KEYS_LIST = "keys.list"
    KEYS_ROTATE = "keys.rotate"
    KEYS_BACKUP = "keys.backup"
    KEYS_RESTORE = "keys.restore"
    KEYS_COMPROMISE = "keys.compromise"
    SETTINGS_MANAGE = "settings.manage"
    WORKSPACE_SCAN_NUMBERS = "workspace.scan_numbers"


PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.CLERK: frozenset(
        {
            Action.DATASET_IMPORT,
            Action.DATASET_LIST,
            Action.RUN_RECONCILE,
            Action.RUN_VIEW,
            Action.PERSON_REVEAL,
            Action.PERSON_SEARCH,
            Action.REVIEW_DECIDE,
            Action.FINDING_UPDATE,
            Action.RESULT_EXPORT,
        }
    ),
    Role.AUDITOR: frozenset(
        {
            Action.AUDIT_QUERY,
            Action.AUDIT_VERIFY,
            Action.AUDIT_EXPORT,
            Action.AUDIT_PERSON_HISTORY,
            Action.AUDIT_REPORT,
        }
    ),
    Role.ADMIN: frozenset(
        {
            Action.USERS_MANAGE,
            Action.USERS_LIST,
            Action.KEYS_LIST,
            Action.KEYS_ROTATE,
            Action.KEYS_BACKUP,
            Action.KEYS_RESTORE,
            Action.KEYS_COMPROMISE,
            Action.SETTINGS_MANAGE,
            Action.WORKSPACE_SCAN_NUMBERS,  # counts per place, never a value
            Action.DATASET_LIST,  # to see which datasets a key version still covers
        }
    ),
}


def is_allowed(roles: Iterable[Role], action: Action) -> bool:
    return any(action in PERMISSIONS[role] for role in roles)


def parse_roles(names: Iterable[str]) -> tuple[Role, ...]:
    """Roles from user input; unknown names raise ValueError naming the valid ones."""
    roles: set[Role] = set()
    for name in names:
        try:
            roles.add(Role(name.strip().lower()))
        except ValueError:
            valid = ", ".join(r.value for r in Role)
            raise ValueError(f"Unknown role {name!r}. Valid roles: {valid}.") from None
    if not roles:
        raise ValueError("A user needs at least one role.")
    return tuple(sorted(roles))
