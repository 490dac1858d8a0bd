"""The page registry: which pages exist and which action a role needs to see each.

The main window shows a page only when the user's roles allow its action
(workbench.permissions.is_allowed); the services check the role again on every call.
A later release registers the auditor's and the administrator's pages under the keys
"audit" and "admin" with :func:`register_page`, replacing the placeholders.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from ui.state import AppState
from workbench.permissions import Action, Role, is_allowed

PageFactory = Callable[[AppState], QWidget]


@dataclass(frozen=True)
class PageSpec:
    key: str
    title_key: str
    action: Action
    factory: PageFactory
    placeholder: bool = False


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
    from ui.pages.export_page import ExportPage
    from ui.pages.import_page import ImportPage
    from ui.pages.placeholder import PlaceholderPage
    from ui.pages.reconcile_page import ReconcilePage
    from ui.pages.review_page import ReviewPage

    register_page(PageSpec("import", "page.import", Action.DATASET_IMPORT, ImportPage))
    register_page(PageSpec("reconcile", "page.reconcile", Action.RUN_RECONCILE, ReconcilePage))
    register_page(PageSpec("review", "page.review", Action.REVIEW_DECIDE, ReviewPage))
    register_page(PageSpec("export", "page.export", Action.RESULT_EXPORT, ExportPage))
    register_page(
        PageSpec(
            "audit",
            "page.audit",
            Action.AUDIT_QUERY,
            lambda state: PlaceholderPage(state, "page.audit"),
            placeholder=True,
        )
    )
    register_page(
        PageSpec(
            "admin",
            "page.admin",
            Action.USERS_MANAGE,
            lambda state: PlaceholderPage(state, "page.admin"),
            placeholder=True,
        )
    )


_register_defaults()
