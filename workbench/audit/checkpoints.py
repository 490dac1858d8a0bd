"""Signed checkpoints of the log, and the places outside the database where they are kept.

A checkpoint says "in workspace W, the event with sequence S has hash H", signed with the
workspace's Ed25519 log-signing key. Anyone who can write the database can cut its tail
and re-chain what is left, but cannot sign: a checkpoint kept outside the database (the
OS keyring, or an append-only file chosen by the administrator) shows what was there.
"""

from __future__ import annotations

import errno
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import keyring
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError

from rlwb.workbench.audit.errors import CheckpointError
from rlwb.workbench.audit.events import canonical_json

KEYRING_SERVICE = "records-linkage-workbench-checkpoint"
_KIND = "records-linkage-workbench/audit-checkpoint/v1"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # not on Windows, where links need privileges


@dataclass(frozen=True)
class Checkpoint:
    workspace_id: str
    seq: int
    hash: str
    signature_hex: str
    time: str

    def to_json(self) -> str:
        return canonical_json(
            {
                "hash": self.hash,
                "seq": self.seq,
                "signature": self.signature_hex,
                "time": self.time,
                "workspace_id": self.workspace_id,
            }
        ).decode("utf-8")

    @classmethod
    def from_json(cls, text: str) -> Checkpoint:
        """Parse :meth:`to_json` output; raise ValueError if it is not a checkpoint."""
        try:
            d = json.loads(text)
            cp = cls(
                workspace_id=d["workspace_id"],
                seq=d["seq"],
                hash=d["hash"],
                signature_hex=d["signature"],
                time=d["time"],
            )
        except (KeyError, TypeError, json.JSONDecodeError):
            raise ValueError("not a checkpoint record") from None
        if not all(
            isinstance(v, str) for v in (cp.workspace_id, cp.hash, cp.signature_hex, cp.time)
        ):
            raise ValueError("not a checkpoint record")
        if type(cp.seq) is not int or cp.seq < 0:
            raise ValueError("not a checkpoint record")
        return cp


def checkpoint_message(workspace_id: str, seq: int, hash_hex: str) -> bytes:
    """The signed bytes: canonical JSON of (workspace id, seq, hash) and a fixed kind tag.

    The tag keeps a checkpoint signature from being mistaken for any other signature made
    with the same key (for instance an export's).
    """
    return canonical_json(
        {"hash": hash_hex, "kind": _KIND, "seq": seq, "workspace_id": workspace_id}
    )


def sign_checkpoint(
    signer: Ed25519PrivateKey, *, workspace_id: str, seq: int, hash_hex: str, time: str
) -> Checkpoint:
    signature = signer.sign(checkpoint_message(workspace_id, seq, hash_hex))
    return Checkpoint(workspace_id, seq, hash_hex, signature.hex(), time)


def checkpoint_signature_ok(
    cp: Checkpoint, public_key: Ed25519PublicKey, workspace_id: str
) -> bool:
    """True when ``cp`` belongs to ``workspace_id`` and carries a good signature by the key."""
    if cp.workspace_id != workspace_id:
        return False
    try:
        public_key.verify(
            bytes.fromhex(cp.signature_hex), checkpoint_message(workspace_id, cp.seq, cp.hash)
        )
    except (InvalidSignature, ValueError):
        return False
    return True


class CheckpointSink(Protocol):
    """Somewhere outside the database that keeps at least the latest checkpoint."""

    def write(self, cp: Checkpoint) -> None: ...

    def latest(self) -> Checkpoint | None: ...


class FileCheckpointSink:
    """Append-only JSON lines, one checkpoint per line, each write flushed to disk.

    Meant for a file the administrator has made append-only (``chattr +a``, or a share that
    only allows appends). :meth:`latest` returns the readable line with the highest sequence,
    so a line appended later that names an older sequence cannot roll the record back.
    A symbolic link in the file's place is refused (neither written through nor read).
    """

    def __init__(self, path: Path, workspace_id: str | None = None) -> None:
        self.path = path
        #: When set, lines of other workspaces (a shared file) are ignored by :meth:`latest`.
        self.workspace_id = workspace_id
        # What :meth:`latest` read so far: (file identity, bytes of whole lines, best line).
        # The log anchors after every disclosure, so the file grows by a line each time; only
        # the lines added since are read again. A file replaced or cut is read from the start.
        self._scanned: tuple[tuple[int, int], int, Checkpoint | None] = ((-1, -1), 0, None)

    def __repr__(self) -> str:
        return f"FileCheckpointSink({str(self.path)!r})"

    def write(self, cp: Checkpoint) -> None:
        """Append one line. The file is opened with ``O_NOFOLLOW``: a symbolic link put in
        its place (to send the checkpoints somewhere the attacker can rewrite, or to append
        to a file of someone else's) is refused, not followed."""
        line = (cp.to_json() + "\n").encode("utf-8")
        try:
            created = not self.path.exists()
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | _NOFOLLOW, 0o600)
            try:
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
            if created:
                _fsync_directory(self.path.parent)
        except OSError as exc:
            self._refuse_a_link(exc, "written")
            raise CheckpointError(
                f"The log checkpoint could not be written to {self.path} ({exc.strerror}). "
                "Check that the file is writable, or ask the administrator to choose another."
            ) from exc

    def _refuse_a_link(self, exc: OSError, done: str) -> None:
        """Raise the message for a symbolic link where the file should be, if that is why."""
        if exc.errno == errno.ELOOP or self.path.is_symlink():
            raise CheckpointError(
                f"The log checkpoint file {self.path} is a symbolic link, so it was not "
                f"{done}: the checkpoints must go to the file itself, not wherever a link "
                "points. Someone may have replaced the file: keep the workspace as it is, "
                "remove the link and ask the administrator to check the checkpoint file."
            ) from exc

    def latest(self) -> Checkpoint | None:
        try:
            with os.fdopen(os.open(self.path, os.O_RDONLY | _NOFOLLOW), "rb") as f:
                st = os.fstat(f.fileno())
                ident = (st.st_dev, st.st_ino)
                seen_ident, offset, best = self._scanned
                if ident != seen_ident or st.st_size < offset:
                    offset, best = 0, None
                f.seek(offset)
                data = f.read()
        except FileNotFoundError:
            self._scanned = ((-1, -1), 0, None)
            return None
        except OSError as exc:
            self._refuse_a_link(exc, "read")
            raise CheckpointError(
                f"The log checkpoint file {self.path} cannot be read ({exc.strerror}). "
                "Check its permissions."
            ) from exc
        whole = data.rfind(b"\n") + 1  # a last line without its newline may still grow
        best = self._best(data[:whole], best)
        self._scanned = (ident, offset + whole, best)
        return self._best(data[whole:], best)

    def _best(self, data: bytes, best: Checkpoint | None) -> Checkpoint | None:
        for line in data.decode("utf-8", errors="replace").splitlines():
            try:
                cp = Checkpoint.from_json(line)
            except ValueError:
                continue  # a line torn by a crash, or junk: the signed lines still count
            if self.workspace_id is not None and cp.workspace_id != self.workspace_id:
                continue
            if best is None or cp.seq >= best.seq:
                best = cp
        return best


def _fsync_directory(directory: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class CombinedCheckpointSink:
    """Several places at once: every checkpoint goes to each; the latest is the highest.

    The administrator's checkpoint file is named by a setting in the database, which whoever
    can write the database can point at a file of their own holding an older checkpoint.
    So the place the app keeps by itself (the OS keyring, or the state folder) is always
    written and read too, and a cut tail still shows against it.
    """

    def __init__(self, sinks: tuple[CheckpointSink, ...]) -> None:
        if not sinks:
            raise ValueError("at least one checkpoint sink")
        self.sinks = sinks

    def __repr__(self) -> str:
        return " and ".join(repr(s) for s in self.sinks)

    def write(self, cp: Checkpoint) -> None:
        failed: CheckpointError | None = None
        for sink in self.sinks:
            try:
                sink.write(cp)
            except CheckpointError as exc:
                failed = failed or exc  # still write the others
        if failed is not None:
            raise failed

    def latest(self) -> Checkpoint | None:
        found = [cp for sink in self.sinks if (cp := sink.latest()) is not None]
        return max(found, key=lambda cp: cp.seq, default=None)


class KeyringCheckpointSink:
    """The latest checkpoint in the OS keyring (user name = workspace id). Never goes back."""

    def __init__(self, workspace_id: str, backend: KeyringBackend | None = None) -> None:
        self.workspace_id = workspace_id
        self._backend = backend

    def __repr__(self) -> str:
        return f"KeyringCheckpointSink({self.workspace_id!r})"

    def _ring(self) -> KeyringBackend:
        return self._backend if self._backend is not None else keyring.get_keyring()

    def write(self, cp: Checkpoint) -> None:
        current = self.latest()
        if current is not None and current.seq > cp.seq:
            return  # another process already kept a later one
        try:
            self._ring().set_password(KEYRING_SERVICE, self.workspace_id, cp.to_json())
        except KeyringError as exc:
            raise CheckpointError(
                "The log checkpoint could not be saved in the OS keyring. Unlock the keyring "
                "and log out again, or ask the administrator to set a checkpoint file."
            ) from exc

    def latest(self) -> Checkpoint | None:
        try:
            text = self._ring().get_password(KEYRING_SERVICE, self.workspace_id)
        except KeyringError as exc:
            raise CheckpointError(
                "The log checkpoint cannot be read from the OS keyring. Unlock the keyring and "
                "try again."
            ) from exc
        if text is None:
            return None
        try:
            return Checkpoint.from_json(text)
        except ValueError:
            raise CheckpointError(
                "The log checkpoint kept in the OS keyring is damaged. Someone may have "
                "tampered with it: keep the workspace as it is and tell the administrator."
            ) from None
