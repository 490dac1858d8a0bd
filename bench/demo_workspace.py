"""A synthetic workspace with imported extracts and a reconciliation run, for looking at
the desktop app; optionally screenshots of every clerk page in Japanese and English.

    .venv/bin/python bench/demo_workspace.py WORKSPACE_DIR [--persons 400]
    DISPLAY=:99 .venv/bin/python bench/demo_workspace.py /tmp/ws --screenshots docs/screenshots

Only synthetic data (fixtures.generate). The master key goes to the OS keyring where
one works, else to the passphrase store (workbench.demo.demo_access says which).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fixtures import generate, write_csv
from workbench.demo import DEMO_ACCOUNTS, demo_access
from workbench.keyaccess import KeyAccess
from workbench.services.imports import import_extract
from workbench.services.reconcile import reconcile_datasets
from workbench.services.session import login, logout
from workbench.services.users import add_user
from workbench.workspace import Workspace


def build(path: Path, persons: int, seed: int) -> tuple[Workspace, KeyAccess]:
    access = demo_access(path, print)
    ws = Workspace.create(
        path, access=access, admin_name="admin", admin_password=DEMO_ACCOUNTS["admin"][0]
    )
    admin = login(ws, "admin", DEMO_ACCOUNTS["admin"][0])
    for name, (password, roles) in DEMO_ACCOUNTS.items():
        if name != "admin":
            add_user(admin, name, password, roles)
            ws.users.set_password(name, password, must_change=False)
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
    print(f"workspace {path}: run {run.id} {run.summary}")
    print(f"extract files for the import page: {tax} {si}")
    return ws, access


def screenshots(ws: Workspace, out: Path, extract: Path) -> None:
    """Drive the clerk pages and save PNGs of the window (QWidget.grab)."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from ui.fonts import apply_cjk_font
    from ui.i18n import set_language
    from ui.main_window import MainWindow
    from ui.pages.import_page import ImportPage
    from ui.pages.reconcile_page import ReconcilePage
    from ui.pages.review_page import ReviewPage
    from ui.reveal import RevealDialog, fetch_pair

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
    print(f"screenshots in {out}")


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
