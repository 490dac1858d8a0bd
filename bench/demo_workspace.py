"""A synthetic workspace with imported extracts and a reconciliation run, for looking at
the desktop app; optionally screenshots of every page in Japanese and English.

    .venv/bin/python bench/demo_workspace.py WORKSPACE_DIR [--persons 400]
    DISPLAY=:99 .venv/bin/python bench/demo_workspace.py /tmp/ws --screenshots docs/screenshots

The access log gets two weeks of synthetic history (reveals on working days, one late
session, one burst, a denied attempt, exports), so the auditor's pages have something to
show; the auditor's and the administrator's pages are photographed after the clerk's.

Only synthetic data (fixtures.generate). The master key goes to the OS keyring where
one works, else to the passphrase store (workbench.demo.demo_access says which).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rlwb.fixtures import generate, write_csv
from rlwb.workbench.demo import DEMO_ACCOUNTS, demo_access
from rlwb.workbench.errors import AccessDenied
from rlwb.workbench.keyaccess import KeyAccess
from rlwb.workbench.services import views
from rlwb.workbench.services.export import export_run
from rlwb.workbench.services.findings import set_status
from rlwb.workbench.services.imports import import_extract
from rlwb.workbench.services.keys import rotate_keys
from rlwb.workbench.services.reconcile import reconcile_datasets
from rlwb.workbench.services.session import login, logout, set_purpose
from rlwb.workbench.services.users import add_user, disable_user
from rlwb.workbench.session import Session
from rlwb.workbench.workspace import Workspace

JST = timedelta(hours=9)


class DemoClock:
    """Real time, unless the script set a moment (to write a history into the log)."""

    def __init__(self) -> None:
        self.moment: datetime | None = None

    def __call__(self) -> datetime:
        return self.moment if self.moment is not None else datetime.now(UTC)

    def advance(self, **kwargs: float) -> None:
        assert self.moment is not None
        self.moment += timedelta(**kwargs)


CLOCK = DemoClock()


def working_days(today: datetime, days: int) -> list[datetime]:
    """09:00 in Tokyo (as UTC) of each weekday in the last ``days`` days, oldest first."""
    out = []
    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        if day.weekday() < 5:
            out.append(day + timedelta(hours=9) - JST)
    return out


def history(ws: Workspace, run_id: str, out: Path, days: int = 14) -> None:
    """Two weeks of clerk work in the log, with a few things the analysis should catch."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    clerk_password = DEMO_ACCOUNTS["clerk"][0]
    first = login(ws, "clerk", clerk_password)
    links = views.links_table(first, run_id)
    findings = views.findings_table(first, run_id)
    logout(first)
    pairs = [
        (row["tax_record_id"], row["si_record_id"])
        for row in links.iter_rows(named=True)
        if row["tax_record_id"] and row["si_record_id"]
    ]
    worked = [
        row
        for row in findings.iter_rows(named=True)
        if row["tax_record_id"] and row["si_record_id"]
    ]
    k = 0

    def reveal(clerk: Session, step: timedelta) -> None:
        nonlocal k
        tax, si = pairs[k % len(pairs)]
        k += 1
        CLOCK.advance(seconds=step.total_seconds())
        views.reveal_pair(clerk, run_id, tax, si)

    days_worked = working_days(today, days)
    for n, start in enumerate(days_worked):
        CLOCK.moment = start + timedelta(minutes=7 * (n % 5))
        clerk = login(ws, "clerk", clerk_password)
        set_purpose(clerk, ("国保税算定", "扶養認定確認", "適用調査")[n % 3])
        for _ in range(6 + 3 * (n % 4)):
            reveal(clerk, timedelta(minutes=11))
        if n < len(worked):  # a finding looked at and worked on
            row = worked[n]
            CLOCK.advance(minutes=4)
            views.reveal_pair(clerk, run_id, row["tax_record_id"], row["si_record_id"])
            CLOCK.advance(minutes=6)
            set_status(
                clerk, run_id, row["code"], row["tax_record_id"], row["si_record_id"],
                "confirmed", "担当者に確認済み",
            )  # fmt: skip
        if n == len(days_worked) - 4:  # a burst: many persons in a few minutes
            CLOCK.moment = start + timedelta(hours=5)
            for _ in range(36):
                reveal(clerk, timedelta(seconds=9))
        if n == len(days_worked) - 3:  # a late evening session
            CLOCK.moment = start + timedelta(hours=12, minutes=40)
            for _ in range(5):
                reveal(clerk, timedelta(minutes=3))
        if n == len(days_worked) - 2:
            CLOCK.advance(minutes=5)
            export_run(clerk, run_id, "findings", out / f"findings-{n}.xlsx")
        logout(clerk)
        if n == len(days_worked) // 2:  # the administrator's yearly key rotation
            CLOCK.advance(hours=1)
            admin = login(ws, "admin", DEMO_ACCOUNTS["admin"][0])
            rotate_keys(admin, "年次の定期更新")
            logout(admin)
    CLOCK.advance(minutes=30)
    auditor = login(ws, "auditor", DEMO_ACCOUNTS["auditor"][0])
    with contextlib.suppress(AccessDenied):  # asked for personal data: refused and logged
        views.findings_table(auditor, run_id)
    logout(auditor)
    CLOCK.moment = None


def build(path: Path, persons: int, seed: int) -> tuple[Workspace, KeyAccess]:
    access = demo_access(path, print)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    CLOCK.moment = working_days(today, 21)[0] - timedelta(minutes=30)
    ws = Workspace.create(
        path,
        access=access,
        admin_name="admin",
        admin_password=DEMO_ACCOUNTS["admin"][0],
        clock=CLOCK,
    )
    admin = login(ws, "admin", DEMO_ACCOUNTS["admin"][0])
    for name, (password, roles) in DEMO_ACCOUNTS.items():
        if name != "admin":
            add_user(admin, name, password, roles)
            ws.users.set_password(name, password, must_change=False)
    add_user(admin, "tanaka", "tanaka-temp-pass-1", ["clerk", "auditor"])  # shows the warning
    add_user(admin, "suzuki", "suzuki-temp-pass-1", ["clerk"])
    disable_user(admin, "suzuki")
    logout(admin)
    pair = generate(persons, seed=seed)
    files = Path(tempfile.mkdtemp(prefix="extracts-"))
    tax = write_csv(pair.tax, files / "給与支払報告書_2024.csv", "cp932")
    si = write_csv(pair.si, files / "被保険者一覧_2024.csv", "utf-8-sig")
    clerk = login(ws, "clerk", DEMO_ACCOUNTS["clerk"][0])
    import_extract(clerk, tax, "tax")
    import_extract(clerk, si, "si")
    run = reconcile_datasets(clerk)
    logout(clerk)
    history(ws, run.id, files)
    print(f"workspace {path}: run {run.id} {run.summary}")
    print(f"extract files for the import page: {tax} {si}")
    return ws, access


def screenshots(ws: Workspace, out: Path, extract: Path) -> None:
    """Drive the clerk pages and save PNGs of the window (QWidget.grab)."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from rlwb.ui.fonts import apply_cjk_font
    from rlwb.ui.i18n import set_language
    from rlwb.ui.main_window import MainWindow
    from rlwb.ui.pages.import_page import ImportPage
    from rlwb.ui.pages.reconcile_page import ReconcilePage
    from rlwb.ui.pages.review_page import ReviewPage
    from rlwb.ui.reveal import RevealDialog, fetch_pair

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    print("font:", apply_cjk_font(app))
    out.mkdir(parents=True, exist_ok=True)

    def settle(ms: int = 300) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def wait_idle(window: MainWindow) -> None:
        for _ in range(600):
            settle(50)
            if not window.state.busy:
                return

    for lang in ("ja", "en"):
        set_language(lang)
        session = login(ws, "clerk", DEMO_ACCOUNTS["clerk"][0])
        session.purpose = "扶養認定確認"
        window = MainWindow(session)
        window.resize(1360, 860)
        window.show()
        settle()
        page = window.show_page("import")
        assert isinstance(page, ImportPage)
        page.load_file(extract)
        wait_idle(window)
        page.start_import()
        wait_idle(window)
        settle()
        window.grab().save(str(out / f"import_{lang}.png"))
        recon = window.show_page("reconcile")
        assert isinstance(recon, ReconcilePage)
        wait_idle(window)
        settle()
        window.grab().save(str(out / f"dashboard_{lang}.png"))
        recon.tabs.setCurrentIndex(1)
        settle()
        window.grab().save(str(out / f"findings_{lang}.png"))
        review = window.show_page("review")
        assert isinstance(review, ReviewPage)
        settle()
        window.grab().save(str(out / f"review_{lang}.png"))
        panel = recon.findings
        frame = panel.model.frame
        for row in frame.iter_rows(named=True):
            if row["tax_record_id"] and row["si_record_id"]:
                dialog = RevealDialog()
                view = fetch_pair(
                    window.state,
                    recon.run.id if recon.run else "latest",
                    row["tax_record_id"],
                    row["si_record_id"],
                )
                dialog.show_pair(view, session.purpose or "")
                dialog.show()
                settle()
                dialog.grab().save(str(out / f"reveal_{lang}.png"))
                dialog.close()
                break
        window.logout()
        window.deleteLater()
        settle()
        audit_and_admin_screenshots(ws, out, lang, settle, wait_idle)
    print(f"screenshots in {out}")


def audit_and_admin_screenshots(
    ws: Workspace,
    out: Path,
    lang: str,
    settle: Callable[..., None],
    wait_idle: Callable[[Any], None],
) -> None:
    from PySide6.QtGui import QColor, QPainter

    from rlwb.ui.main_window import MainWindow
    from rlwb.ui.pages.analysis_page import AnalysisPage
    from rlwb.ui.pages.audit_log_page import AuditLogPage
    from rlwb.ui.pages.keys_page import KeysPage, RotateDialog
    from rlwb.ui.pages.users_page import UsersPage

    auditor = login(ws, "auditor", DEMO_ACCOUNTS["auditor"][0])
    window = MainWindow(auditor)
    window.resize(1360, 860)
    window.show()
    wait_idle(window)
    page = window.pages["audit"]
    assert isinstance(page, AuditLogPage)
    page.verify_button.click()
    wait_idle(window)
    model = page.browser.model
    reveal_row = next(
        row for row in range(model.rowCount()) if str(model.event_at(row).event_type) == "reveal"
    )
    page.browser.show_row(reveal_row)
    settle()
    window.grab().save(str(out / f"audit_log_{lang}.png"))
    report = window.show_page("audit_report")
    assert isinstance(report, AnalysisPage)
    report.run_button.click()
    wait_idle(window)
    report.tabs.setCurrentIndex(2)
    settle()
    window.grab().save(str(out / f"audit_report_{lang}.png"))
    window.logout()
    window.deleteLater()
    settle()

    admin = login(ws, "admin", DEMO_ACCOUNTS["admin"][0])
    window = MainWindow(admin)
    window.resize(1360, 860)
    window.show()
    wait_idle(window)
    users = window.pages["admin"]
    assert isinstance(users, UsersPage)
    users.select("tanaka")
    settle()
    window.grab().save(str(out / f"admin_users_{lang}.png"))
    keys = window.show_page("admin_keys")
    assert isinstance(keys, KeysPage)
    settle()
    window.grab().save(str(out / f"admin_keys_{lang}.png"))
    dialog = RotateDialog(max(k.version for k in keys.keys), keys.dataset_count, keys)
    dialog.reason.setText("年次の定期更新" if lang == "ja" else "yearly scheduled rotation")
    dialog.show()
    settle()
    shot = window.grab()  # the page with the dialog over it, as the administrator sees it
    painter = QPainter(shot)
    where = dialog.frameGeometry().topLeft() - window.geometry().topLeft()
    painter.fillRect(shot.rect(), QColor(0, 0, 0, 60))
    painter.drawPixmap(where, dialog.grab())
    painter.setPen(QColor("#666666"))
    painter.drawRect(where.x() - 1, where.y() - 1, dialog.width() + 1, dialog.height() + 1)
    painter.end()
    shot.save(str(out / f"admin_rotate_{lang}.png"))
    dialog.close()
    window.show_page("admin_settings")
    settle()
    window.grab().save(str(out / f"admin_settings_{lang}.png"))
    window.logout()
    window.deleteLater()
    settle()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("workspace", type=Path)
    parser.add_argument("--persons", type=int, default=400)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--screenshots", type=Path)
    args = parser.parse_args()
    ws, _ = build(args.workspace, args.persons, args.seed)
    if args.screenshots:
        extract = (
            Path(__file__).resolve().parents[1] / "fixtures" / "samples" / "tax_sample_cp932.csv"
        )
        screenshots(ws, args.screenshots, extract)
    ws.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
