"""Import profiles: a user's own column layout, mapped once and reused.

A profile maps the headers of a foreign layout to the canonical aliases of one extract
kind (and may fix the encoding). Profiles are small JSON files, one per profile, in a
directory the caller chooses (the workspace keeps them; the CLI can point at any).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from rlwb.linkage.errors import ProfileError
from rlwb.linkage.schema import KINDS, ExtractKind, columns_of

_SUFFIX: Final = ".profile.json"
_FORMAT_VERSION: Final = 1
# Names become file names: keep them to something every OS accepts.
_NAME_PATTERN: Final = re.compile(r"^[^\\/:*?\"<>|\x00-\x1f]{1,80}$")


@dataclass
class ImportProfile:
    name: str
    kind: ExtractKind
    #: file header -> canonical alias (e.g. "社員コード" -> "record_id")
    columns: dict[str, str] = field(default_factory=dict)
    #: "utf-8", "utf-8-sig" or "cp932"; None = detect
    encoding: str | None = None

    def validate(self) -> None:
        """Raise ProfileError if the profile cannot be applied to its kind."""
        if not _NAME_PATTERN.match(self.name) or self.name.strip() != self.name:
            raise ProfileError(
                f"The profile name {self.name!r} cannot be used; choose a name of 1-80 "
                'characters without \\ / : * ? " < > | or leading/trailing spaces.'
            )
        if self.kind not in KINDS:
            raise ProfileError(
                f"The profile {self.name!r} has kind {self.kind!r}; use 'tax' or 'si'."
            )
        aliases = {spec.alias for spec in columns_of(self.kind)}
        targets: dict[str, str] = {}
        for header, alias in self.columns.items():
            if alias not in aliases:
                raise ProfileError(
                    f"The profile {self.name!r} maps {header!r} to {alias!r}, which is not a "
                    f"column of a {self.kind} extract. Use one of: {', '.join(sorted(aliases))}."
                )
            if alias in targets:
                raise ProfileError(
                    f"The profile {self.name!r} maps both {targets[alias]!r} and {header!r} "
                    f"to {alias!r}; map each column once."
                )
            targets[alias] = header


def _path_for(directory: Path, name: str) -> Path:
    return directory / f"{name}{_SUFFIX}"


def save_profile(directory: Path, profile: ImportProfile) -> Path:
    """Write (or replace) the profile; returns its file."""
    profile.validate()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)  # owner-only, like the workspace
    path = _path_for(directory, profile.name)
    document = {
        "format": _FORMAT_VERSION,
        "name": profile.name,
        "kind": profile.kind,
        "encoding": profile.encoding,
        "columns": dict(profile.columns),
    }
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)  # a leftover (or a link planted there) is never written through
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(json.dumps(document, ensure_ascii=False, indent=2))
    os.replace(tmp, path)
    return path


def load_profile(directory: Path, name: str) -> ImportProfile:
    path = _path_for(directory, name)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProfileError(
            f"There is no import profile named {name!r} in {directory}. "
            f"Known profiles: {', '.join(list_profiles(directory)) or 'none'}."
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise ProfileError(
            f"The import profile file {path.name} cannot be read; save the profile again."
        ) from None
    profile = _from_document(document, path)
    profile.validate()
    return profile


def _from_document(document: object, path: Path) -> ImportProfile:
    damaged = ProfileError(
        f"The import profile file {path.name} is not a valid profile; save the profile again."
    )
    if not isinstance(document, dict) or document.get("format") != _FORMAT_VERSION:
        raise damaged
    name, kind = document.get("name"), document.get("kind")
    columns, encoding = document.get("columns"), document.get("encoding")
    if not isinstance(name, str) or kind not in KINDS or not isinstance(columns, dict):
        raise damaged
    if encoding is not None and not isinstance(encoding, str):
        raise damaged
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in columns.items()):
        raise damaged
    return ImportProfile(
        name=name,
        kind=ExtractKind.TAX if kind == ExtractKind.TAX else ExtractKind.SI,
        columns=dict(columns),
        encoding=encoding,
    )


def list_profiles(directory: Path) -> list[str]:
    """Names of the saved profiles, sorted."""
    if not directory.is_dir():
        return []
    return sorted(p.name[: -len(_SUFFIX)] for p in directory.glob(f"*{_SUFFIX}"))
