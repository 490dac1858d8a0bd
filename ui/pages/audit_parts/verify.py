"""The verify banner: the one-line answer to "is the log whole?"."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from rlwb.ui.i18n import tr, tr_value
from rlwb.workbench.services.types import VerificationResult

_BANNER_STYLES = {
    "intact": "background:#e3f4e6; color:#14532d; border:2px solid #3f9d5a;",
    "broken": "background:#fde2e4; color:#8a1020; border:2px solid #d0414f;",
    "unknown": "background:#f1f3f5; color:#333333; border:1px solid #c9ced4;",
}
_WARNINGS_SHOWN = 6


def verification_text(result: VerificationResult) -> tuple[str, str]:
    """(banner kind, banner text) of a verification result, in the user's language."""
    if result.intact and result.tampering:
        text = tr("verify.tampered", seq=f"{result.checked_up_to:,}")
        kind = "broken"
    elif result.intact:
        if result.checked_up_to == 0:
            text = tr("verify.empty")
        else:
            text = tr("verify.intact", seq=f"{result.checked_up_to:,}")
        kind = "intact"
    else:
        reason = tr_value("break_reason", str(result.reason)) if result.reason else ""
        text = tr("verify.broken", seq=f"{result.broken_seq:,}", reason=reason)
        if result.detail:
            text = tr("verify.with_detail", text=text, detail=result.detail)
        kind = "broken"
    facts = tr(
        "verify.facts",
        checkpoints=result.checkpoints_checked,
        external=tr("value.yes") if result.external_checked else tr("value.no"),
    )
    lines = [text, facts]
    if result.tampering:
        lines.append(tr("verify.warnings", count=len(result.tampering)))
    # Every warning as the core words it (the full list is also in the tooltip).
    shown = result.warnings[:_WARNINGS_SHOWN]
    lines += [f"• {w}" for w in shown]
    if len(result.warnings) > len(shown):
        lines.append("…")
    return kind, "\n".join(lines)


class VerifyBanner(QLabel):
    """Green (intact), red (broken, tampered, or the check failed) or grey (not yet)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.kind = "unknown"
        self.show_unknown()

    def _set(self, kind: str, text: str) -> None:
        self.kind = kind
        self.setText(text)
        weight = "600" if kind != "unknown" else "400"
        self.setStyleSheet(
            f"QLabel {{ {_BANNER_STYLES[kind]} padding:8px; border-radius:4px; "
            f"font-size:12pt; font-weight:{weight}; }}"
        )

    def show_unknown(self) -> None:
        self._set("unknown", tr("verify.not_yet"))

    def show_result(self, result: VerificationResult) -> None:
        self._set(*verification_text(result))
        self.setToolTip("\n".join(result.warnings))

    def show_error(self, message: str) -> None:
        self._set("broken", tr("verify.failed", message=message))
