"""Before an import: a masked preview of an extract, its column mapping, import profiles.

The preview reads the file the way the import will (linkage.tables.load_table and the
same header matching as linkage.read), and hands back only text: the first rows with
every 個人番号 cell replaced by ``●●●●●●●●●●●●``. Any cell of any column that reads as
12 digits is masked too, so a number in a column the mapping does not know never shows.
The raw cells live only inside this function.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rlwb.crypto.identifiers import SEPARATOR_CLASS
from rlwb.linkage.profiles import ImportProfile, list_profiles, save_profile
from rlwb.linkage.read import match_headers
from rlwb.linkage.schema import KINDS, ExtractKind, Required, columns_of
from rlwb.linkage.tables import load_table
from rlwb.workbench.access import authorize, record
from rlwb.workbench.audit.events import EventType
from rlwb.workbench.datasets import Kind
from rlwb.workbench.errors import InvalidInput
from rlwb.workbench.import_limits import import_limits
from rlwb.workbench.number_screen import (
    mask_numbers,
    mask_text,
    refuse_number,
    refuse_numbered_file_name,
)
from rlwb.workbench.permissions import Action
from rlwb.workbench.services.boundary import engine_errors
from rlwb.workbench.services.imports import find_profile, profiles_dir
from rlwb.workbench.session import Session

__all__ = [
    "MASK",
    "ColumnChoice",
    "ExtractPreview",
    "ImportProfile",
    "load_saved_profile",
    "make_profile",
    "preview_extract",
    "save_import_profile",
    "saved_profiles",
]

#: What a 個人番号 cell shows in a preview, whatever its length.
MASK = "●" * 12
MY_NUMBER = "my_number"
_DIGITS_ONLY = re.compile(r"^[0-9]{12}$")
_SEPARATORS = re.compile(SEPARATOR_CLASS)


@dataclass(frozen=True)
class ColumnChoice:
    """A canonical column of an extract kind, as the mapping combo offers it."""

    alias: str
    header: str
    required: bool

    @property
    def label(self) -> str:
        return f"{self.header} ({self.alias})"


@dataclass(frozen=True)
class ExtractPreview:
    file_name: str
    kind: Kind
    encoding: str
    #: The file's column headers as written (an unnamed column is ``column_N``).
    headers: tuple[str, ...]
    #: File header -> canonical alias; None: kept as an extra column.
    mapping: dict[str, str | None]
    #: Required aliases that no file column gives.
    missing_required: tuple[str, ...]
    #: Alias -> the file headers that all map to it (an import would stop).
    duplicate_targets: dict[str, tuple[str, ...]]
    #: The first data rows as text, one cell per header; 個人番号 masked entirely.
    rows: tuple[tuple[str, ...], ...]
    #: Data rows in the whole file.
    source_rows: int
    #: The canonical columns of the kind, in spec order.
    choices: tuple[ColumnChoice, ...]

    @property
    def ready(self) -> bool:
        """True when an import with this mapping would get past the header checks."""
        return not self.missing_required and not self.duplicate_targets

    def profile_columns(self) -> dict[str, str]:
        """The mapping as an import profile holds it (extras left out)."""
        return {h: a for h, a in self.mapping.items() if a is not None}


def _choices(kind: Kind) -> tuple[ColumnChoice, ...]:
    return tuple(
        ColumnChoice(spec.alias, spec.header, spec.required is Required.YES)
        for spec in columns_of(kind)
    )


def _looks_like_my_number(cell: str) -> bool:
    digits = _SEPARATORS.sub("", unicodedata.normalize("NFKC", cell))
    return bool(_DIGITS_ONLY.match(digits))


def _mask(cell: str | None, alias: str | None) -> str:
    if cell is None:
        return ""
    if alias == MY_NUMBER and cell.strip():
        return MASK
    return MASK if _looks_like_my_number(cell) else cell


def _check_kind(kind: str) -> Kind:
    if kind not in KINDS:
        raise InvalidInput("Choose the kind of extract: tax or si (social insurance).")
    return ExtractKind(kind)


def preview_extract(
    session: Session,
    path: Path,
    kind: Kind,
    profile: ImportProfile | None = None,
    rows: int = 20,
) -> ExtractPreview:
    """Detected encoding, header mapping, missing columns and the first rows, masked."""
    authorize(session, Action.DATASET_IMPORT)
    checked_kind = _check_kind(kind)
    refuse_numbered_file_name(Path(path).name)
    if profile is not None and profile.kind != checked_kind:
        raise InvalidInput(
            f"The import profile {profile.name!r} is for {profile.kind} extracts; "
            f"choose a {checked_kind} profile or none."
        )
    with engine_errors():
        raw = load_table(
            Path(path),
            encoding=profile.encoding if profile else None,
            limits=import_limits(session.workspace),
        )

    specs = columns_of(checked_kind)
    headers: list[str] = []
    indexes: list[int] = []
    mapping: dict[str, str | None] = {}
    targets: dict[str, list[str]] = {}
    for index, found, alias in match_headers(raw, checked_kind, profile):
        # A header row that is really a record may hold a number: never shown, never
        # kept in a profile.
        text = mask_text(found)
        headers.append(text)
        indexes.append(index)
        mapping[text] = alias
        if alias is not None:
            targets.setdefault(alias, []).append(text)

    missing = tuple(
        spec.alias for spec in specs if spec.required is Required.YES and spec.alias not in targets
    )
    duplicates = {a: tuple(hs) for a, hs in targets.items() if len(hs) > 1}
    body = raw.body.slice(0, max(rows, 0)).select([f"c{i}" for i in indexes])
    body = body.with_columns(mask_numbers(body[c]).values.alias(c) for c in body.columns)
    aliases = [mapping[h] for h in headers]
    shown = tuple(
        tuple(_mask(cell, alias) for cell, alias in zip(row, aliases, strict=True))
        for row in body.iter_rows()
    )
    source_rows, encoding = raw.body.height, raw.encoding
    del raw, body
    # The preview shows names from the file: that is a disclosure, so it is logged first.
    record(
        session,
        EventType.IMPORT_PREVIEW,
        details={"file": Path(path).name, "kind": checked_kind, "rows_shown": len(shown)},
    )
    return ExtractPreview(
        file_name=Path(path).name,
        kind=checked_kind,
        encoding=encoding,
        headers=tuple(headers),
        mapping=mapping,
        missing_required=missing,
        duplicate_targets=duplicates,
        rows=shown,
        source_rows=source_rows,
        choices=_choices(checked_kind),
    )


# -- import profiles ---------------------------------------------------------------------


def make_profile(
    name: str, kind: Kind, columns: Mapping[str, str], encoding: str | None = None
) -> ImportProfile:
    """A profile from a mapping the user fixed; InvalidInput if it cannot be applied."""
    profile = ImportProfile(
        name=name.strip(), kind=_check_kind(kind), columns=dict(columns), encoding=encoding
    )
    with engine_errors():
        profile.validate()
    return profile


def saved_profiles(session: Session) -> list[str]:
    authorize(session, Action.DATASET_IMPORT)
    return list_profiles(profiles_dir(session.workspace))


def load_saved_profile(session: Session, name: str) -> ImportProfile:
    authorize(session, Action.DATASET_IMPORT)
    return find_profile(session.workspace, name)


def save_import_profile(session: Session, profile: ImportProfile) -> Path:
    """Keep the profile in the workspace for the next import of the same layout.

    Its name (also the file's name) and the file headers it maps are stored as given, so
    neither may hold a 個人番号 (a header row that is really a record)."""
    authorize(session, Action.DATASET_IMPORT)
    refuse_number(profile.name, "profile name")
    for header, column in profile.columns.items():
        refuse_number(header, "file header in the profile")
        refuse_number(column, "column in the profile")
    try:
        with engine_errors():
            return save_profile(profiles_dir(session.workspace), profile)
    except OSError as exc:
        raise InvalidInput(
            f"The profile cannot be saved ({exc.strerror}); check that the workspace is writable."
        ) from None
