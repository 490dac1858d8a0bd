"""The page registry: which pages exist and which action a role needs to see each.

The main window shows a page only when the user's roles allow its action
(workbench.permissions.is_allowed); the services check the role again on every call.
The auditor's pages are "audit", "audit_person" and "audit_report", the administrator's
"admin" (users), "admin_keys" and "admin_settings"; :func:`register_page` replaces a page
under the same key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from rlwb.ui.state import AppState
from rlwb.workbench.services.types import Action, Role, is_allowed

PageFactory = Callable[[AppState], QWidget]


@dataclass(frozen=True)
class PageSpec:
    key: str
    title_key: str
    action: Action
    factory: PageFactory


_PAGES: dict[str, PageSpec] = {}


def register_page(spec: PageSpec) -> None:
    """Add a page, or replace the page registered under the same key (order is kept)."""
    _PAGES[spec.key] = spec


def registered_pages() -> list[PageSpec]:
    return list(_PAGES.values())


def pages_for(roles: Iterable[Role]) -> list[PageSpec]:
    held = tuple(roles)
    return [spec for spec in _PAGES.values() if is_allowed(held, spec.action)]


def _register_defaults() -> None:
    from rlwb.ui.pages.analysis_page import AnalysisPage
    from rlwb.ui.pages.audit_log_page import AuditLogPage
    from rlwb.ui.pages.export_page import ExportPage
    from rlwb.ui.pages.import_page import ImportPage
    from rlwb.ui.pages.keys_page import KeysPage
    from rlwb.ui.pages.person_history_page import PersonHistoryPage
    from rlwb.ui.pages.reconcile_page import ReconcilePage
    from rlwb.ui.pages.review_page import ReviewPage
    from rlwb.ui.pages.settings_page import SettingsPage
    from rlwb.ui.pages.users_page import UsersPage

    register_page(PageSpec("import", "page.import", Action.DATASET_IMPORT, ImportPage))
    register_page(PageSpec("reconcile", "page.reconcile", Action.RUN_RECONCILE, ReconcilePage))
    register_page(PageSpec("review", "page.review", Action.REVIEW_DECIDE, ReviewPage))
    register_page(PageSpec("export", "page.export", Action.RESULT_EXPORT, ExportPage))
    # the auditor: the log, a person's history, the analysis report
    register_page(PageSpec("audit", "page.audit", Action.AUDIT_QUERY, AuditLogPage))
    register_page(
        PageSpec(
            "audit_person", "page.audit_person", Action.AUDIT_PERSON_HISTORY, PersonHistoryPage
        )
    )
    register_page(PageSpec("audit_report", "page.audit_report", Action.AUDIT_REPORT, AnalysisPage))
    # the administrator: users, keys, settings
    register_page(PageSpec("admin", "page.admin", Action.USERS_LIST, UsersPage))
    register_page(PageSpec("admin_keys", "page.admin_keys", Action.KEYS_LIST, KeysPage))
    register_page(
        PageSpec("admin_settings", "page.admin_settings", Action.SETTINGS_MANAGE, SettingsPage)
    )


_register_defaults()
