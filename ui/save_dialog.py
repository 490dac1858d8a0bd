"""The save dialog of the export pages: a name typed without a suffix gets the suffix of the
chosen file type *in the dialog* (its default suffix), so the dialog's own "replace?"
question covers the file really written. Where the suffix still has to be added afterwards
(a platform dialog that ignores the default suffix, or a name ending in another suffix) and
that file exists, the user is asked before it is replaced.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget

from rlwb.ui.i18n import tr

#: Asks whether an existing file may be replaced; replaced in tests.
Confirm = Callable[[QWidget | None, Path], bool]


def ask_replace(parent: QWidget | None, path: Path) -> bool:
    answer = QMessageBox.question(
        parent,
        tr("save.replace_title"),
        tr("save.replace", name=path.name, folder=str(path.parent)),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def save_dialog(
    parent: QWidget | None, title: str, suggested: str, filters: Sequence[tuple[str, str]]
) -> QFileDialog:
    """A save dialog whose default suffix follows the chosen filter.

    ``filters`` are (filter text, suffix without the dot); the first is selected.
    """
    suffixes = dict(filters)
    default = filters[0][1]
    dialog = QFileDialog(parent, title, suggested, ";;".join(text for text, _ in filters))
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.setDefaultSuffix(default)
    dialog.filterSelected.connect(lambda text: dialog.setDefaultSuffix(suffixes.get(text, default)))
    return dialog


def choose_save_path(
    parent: QWidget | None,
    title: str,
    suggested: str,
    filters: Sequence[tuple[str, str]],
    *,
    confirm: Confirm = ask_replace,
) -> Path | None:
    """Run the save dialog; the path to write, or None if the user cancelled or did not want
    an existing file replaced."""
    dialog = save_dialog(parent, title, suggested, filters)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.selectedFiles():
            return None
        chosen = dialog.selectedFiles()[0]
        suffix = dict(filters).get(dialog.selectedNameFilter(), filters[0][1])
    finally:
        dialog.deleteLater()
    return with_suffix(parent, Path(chosen), suffix, {s for _, s in filters}, confirm=confirm)


def with_suffix(
    parent: QWidget | None,
    path: Path,
    suffix: str,
    allowed: set[str],
    *,
    confirm: Confirm = ask_replace,
) -> Path | None:
    """``path`` if its suffix is one of ``allowed``; else ``path`` + ``.suffix``, after asking
    whether to replace it if that file exists (None when the answer is no)."""
    if path.suffix.lower().lstrip(".") in allowed:
        return path
    final = path.with_name(f"{path.name}.{suffix}")
    if (final.exists() or final.is_symlink()) and not confirm(parent, final):
        return None
    return final
