"""Export selected events to CSV with a signature file the auditor can check again later.

``events.csv`` (UTF-8 with BOM, so spreadsheet programs read the Japanese text) has one row
per event and a column for every field. Cells that a spreadsheet would run as a formula
(starting with ``= + - @``, a tab or a carriage return) get a leading single quote.

``events.csv.sig`` is JSON: workspace id, the CSV's SHA-256, row count, first and last
sequence, creation time, the Ed25519 public key and a signature over all of these.

The key inside the signature file proves nothing by itself: whoever changes the CSV can
re-sign it with a key of their own. An export is trusted only when it is checked against
the workspace's key, read from the sealed keyset or from a public-key file the auditor kept
(:func:`public_key_pem`, :func:`load_public_key`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_public_key,
)

from rlwb.workbench.audit.encoding import iso_utc
from rlwb.workbench.audit.events import AuditEvent, canonical_json
from rlwb.workbench.errors import AuditError, InvalidInput
from rlwb.workbench.outfiles import check_targets, write_private_file
from rlwb.workbench.spreadsheet import safe_cell as safe_cell  # the one formula guard, re-exported

COLUMNS = (
    "seq",
    "time",
    "event_type",
    "outcome",
    "actor_user",
    "actor_roles",
    "host",
    "os_user",
    "app_version",
    "workspace_id",
    "persons",
    "dataset_id",
    "run_id",
    "subject_user",
    "purpose",
    "details",
    "prev_hash",
    "hash",
)
_KIND = "records-linkage-workbench/audit-export/v1"
_SIG_FIELDS: dict[str, type | tuple[type, ...]] = {
    "kind": str,
    "workspace_id": str,
    "file": str,
    "sha256": str,
    "rows": int,
    "first_seq": (int, type(None)),
    "last_seq": (int, type(None)),
    "created": str,
    "public_key": str,
    "signature": str,
}


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    signature_path: Path
    rows: int
    first_seq: int | None
    last_seq: int | None
    sha256: str


@dataclass(frozen=True)
class ExportCheck:
    #: The file matches its signature file, and the signature is good.
    ok: bool
    message: str
    #: The signature was checked against the workspace's key (not only the key inside
    #: the signature file, which anyone can replace).
    trusted: bool = False


def public_key_pem(key: Ed25519PublicKey) -> str:
    """The workspace's log-signing public key as PEM, for the auditor to keep."""
    return key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def key_fingerprint(key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key, in groups of four hex digits (to compare by eye)."""
    digest = hashlib.sha256(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()
    return ":".join(digest[i : i + 4] for i in range(0, 32, 4))


def load_public_key(text: str) -> Ed25519PublicKey:
    """Read a key written by :func:`public_key_pem`, or 64 hex digits; ValueError if neither."""
    stripped = text.strip()
    if stripped.startswith("-----BEGIN"):
        try:
            key = load_pem_public_key(stripped.encode("ascii"))
        except (ValueError, UnicodeEncodeError, TypeError):
            raise ValueError("not a PEM public key") from None
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return key
    try:
        return Ed25519PublicKey.from_public_bytes(bytes.fromhex(stripped))
    except ValueError:
        raise ValueError("not an Ed25519 public key") from None


def signature_path(path: Path) -> Path:
    return path.with_name(path.name + ".sig")


def _row(e: AuditEvent) -> list[str]:
    def opt(v: str | None) -> str:
        return "" if v is None else v

    def js(v: object) -> str:
        return canonical_json(v).decode("utf-8")

    cells = [
        str(e.seq),
        e.time,
        str(e.event_type),
        str(e.outcome),
        opt(e.actor_user),
        js(list(e.actor_roles)),
        e.host,
        e.os_user,
        e.app_version,
        e.workspace_id,
        js([{"key_version": p.key_version, "token_hex": p.token_hex} for p in e.persons]),
        opt(e.dataset_id),
        opt(e.run_id),
        opt(e.subject_user),
        opt(e.purpose),
        js(e.details),
        e.prev_hash,
        e.hash,
    ]
    return [safe_cell(c) for c in cells]


def _public_hex(key: Ed25519PublicKey) -> str:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def _write_all(f: BinaryIO, data: bytes) -> None:
    f.write(data)


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def export_events_csv(
    events: Iterable[AuditEvent],
    path: Path,
    *,
    signer: Ed25519PrivateKey,
    workspace_id: str,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    replace: bool = False,
) -> ExportSummary:
    """Write ``events`` to ``path`` and the signature to ``path + ".sig"``: owner-only,
    never through a symlink, over existing files only when ``replace`` (InvalidInput).

    ``events`` may be a generator (e.g. AuditLog.iter_events): rows are streamed to disk.
    """
    first: int | None = None
    last: int | None = None
    rows = 0

    def write_csv(raw: BinaryIO) -> None:
        nonlocal rows, first, last
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for event in events:
            writer.writerow(_row(event))
            rows += 1
            first = event.seq if first is None else first
            last = event.seq
        text.flush()
        text.detach()  # leave the binary file open for the caller to sync and close

    sig_path = signature_path(path)
    check_targets([path, sig_path], replace=replace)
    written = False
    try:
        write_private_file(path, write_csv, replace=replace)
        written = True
        digest = _sha256_file(path)
        claims: dict[str, object] = {
            "kind": _KIND,
            "workspace_id": workspace_id,
            "file": path.name,
            "sha256": digest,
            "rows": rows,
            "first_seq": first,
            "last_seq": last,
            "created": iso_utc(clock()),
            "public_key": _public_hex(signer.public_key()),
        }
        claims["signature"] = signer.sign(canonical_json(claims)).hex()
        sig_bytes = json.dumps(claims, ensure_ascii=False, indent=2).encode("utf-8")
        write_private_file(sig_path, lambda f: _write_all(f, sig_bytes), replace=replace)
    except InvalidInput:
        if written:  # only what this export wrote; never a file that was there before
            path.unlink(missing_ok=True)
        raise
    except OSError as exc:
        if written:
            path.unlink(missing_ok=True)
        raise AuditError(
            f"The export could not be written to {path} ({exc.strerror}). Choose a folder you "
            "can write to and try again."
        ) from exc
    return ExportSummary(path, sig_path, rows, first, last, digest)


def check_export(path: Path, public_key: Ed25519PublicKey | None = None) -> ExportCheck:
    """Check an export against its signature file (and, if given, the workspace's key)."""
    sig_path = signature_path(path)
    try:
        data = path.read_bytes()
    except OSError:
        return ExportCheck(False, f"The export {path} cannot be read. Check the file name.")
    try:
        sig_text = sig_path.read_text(encoding="utf-8")
    except OSError:
        return ExportCheck(
            False,
            f"The signature file {sig_path.name} is missing, so {path.name} cannot be checked. "
            "Keep the two files together; ask for the export again if the signature is lost.",
        )
    damaged = ExportCheck(
        False,
        f"The signature file {sig_path.name} is damaged or was edited; {path.name} cannot be "
        "trusted. Ask for the export again.",
    )
    claims = _parse_claims(sig_text)
    if claims is None:
        return damaged
    try:
        embedded = Ed25519PublicKey.from_public_bytes(bytes.fromhex(str(claims["public_key"])))
        signature = bytes.fromhex(str(claims["signature"]))
    except ValueError:
        return damaged
    if public_key is not None and _public_hex(public_key) != _public_hex(embedded):
        return ExportCheck(
            False,
            f"{path.name} was signed with another key than this workspace's: it was not "
            "exported from this workspace, or its signature was replaced.",
        )
    signed = {k: v for k, v in claims.items() if k != "signature"}
    try:
        (public_key or embedded).verify(signature, canonical_json(signed))
    except InvalidSignature:
        return damaged
    if hashlib.sha256(data).hexdigest() != claims["sha256"]:
        return ExportCheck(
            False,
            f"{path.name} was changed after it was exported (its SHA-256 differs from the "
            "signed one). Do not rely on it; ask for the export again.",
        )
    span = (
        "no events"
        if claims["rows"] == 0
        else f"{claims['rows']} events, sequences {claims['first_seq']}–{claims['last_seq']}"
    )
    message = (
        f"{path.name} is intact: {span}, exported from workspace {claims['workspace_id']} "
        f"at {claims['created']}."
    )
    if public_key is None:
        return ExportCheck(
            True,
            f"{path.name} matches its signature file, but the signature was checked against "
            "nothing trusted: only against the key inside that file, which anyone who changed "
            "the export could have replaced. Check it with --workspace WORKSPACE or "
            "--public-key FILE.",
        )
    return ExportCheck(True, message, trusted=True)


def _parse_claims(text: str) -> dict[str, object] | None:
    try:
        claims = json.loads(text)
    except json.JSONDecodeError:
        return None
    if not isinstance(claims, dict) or set(claims) != set(_SIG_FIELDS):
        return None
    for name, kind in _SIG_FIELDS.items():
        value = claims[name]
        if isinstance(value, bool) or not isinstance(value, kind):
            return None
    if claims["kind"] != _KIND:
        return None
    return claims
