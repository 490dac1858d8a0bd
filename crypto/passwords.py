"""User password hashes: scrypt with a per-password salt, in a self-describing string.

    scrypt$ln=15,r=8,p=1$<salt, base64 without padding>$<32-byte hash, same>

The cost parameters travel with the hash, so they can be raised later without breaking
stored hashes: :func:`needs_rehash` tells the caller, after a successful check, that the
stored hash is cheaper than today's parameters and should be replaced. Passwords are NFKC-normalised first (NIST SP 800-63B), so full-width and
half-width input from different IME settings verify alike.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Sequence

from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from rlwb.crypto._passphrase_box import check_scrypt_params
from rlwb.crypto.params import SCRYPT_N, SCRYPT_P, SCRYPT_R

SCHEME = "scrypt"
#: Production cost of a user password hash (crypto.params: 128 MiB, ~0.3-0.5 s per hash).
DEFAULT_N = SCRYPT_N
_SALT_SIZE = 16
_HASH_SIZE = 32
_ENCODED = re.compile(
    r"scrypt\$ln=(?P<ln>\d{1,2}),r=(?P<r>\d{1,2}),p=(?P<p>\d)"
    r"\$(?P<salt>[A-Za-z0-9+/]{1,64})\$(?P<hash>[A-Za-z0-9+/]{1,64})"
)


def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """Hash ``password`` with a fresh random salt."""
    if not isinstance(password, str) or not password:
        raise ValueError("an empty password cannot be hashed")
    log2_n = check_scrypt_params(n, r, p)
    salt = secrets.token_bytes(_SALT_SIZE)
    digest = _scrypt(password, salt, n, r, p)
    return f"{SCHEME}$ln={log2_n},r={r},p={p}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, encoded: str) -> bool:
    """True if ``password`` matches ``encoded``; False for a mismatch or a malformed hash."""
    if not isinstance(password, str) or not isinstance(encoded, str):
        return False
    match = _ENCODED.fullmatch(encoded)
    if match is None:
        return False
    try:
        n, r, p = 1 << int(match["ln"]), int(match["r"]), int(match["p"])
        check_scrypt_params(n, r, p)
        salt = _unb64(match["salt"])
        expected = _unb64(match["hash"])
    except (ValueError, binascii.Error):
        return False
    if len(expected) != _HASH_SIZE or not salt:
        return False
    return hmac.compare_digest(_scrypt(password, salt, n, r, p), expected)


def needs_rehash(encoded: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> bool:
    """True if ``encoded`` was made with a lower cost than (n, r, p), or is not ours."""
    match = _ENCODED.fullmatch(encoded) if isinstance(encoded, str) else None
    if match is None:
        return True
    old_n, old_r, old_p = 1 << int(match["ln"]), int(match["r"]), int(match["p"])
    return old_n < n or old_r < r or old_p < p


def dummy_hash(*, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """A well-formed hash that no password matches (random salt and digest, no scrypt run).

    Checking a password against it costs one scrypt with these parameters, exactly like a
    real check: a login for a name that does not exist takes as long as one that does.
    """
    log2_n = check_scrypt_params(n, r, p)
    salt, digest = secrets.token_bytes(_SALT_SIZE), secrets.token_bytes(_HASH_SIZE)
    return f"{SCHEME}$ln={log2_n},r={r},p={p}${_b64(salt)}${_b64(digest)}"


def name_key(secret: bytes) -> bytes:
    """The key for :func:`keyed_name`, derived from a workspace secret (HMAC as a PRF)."""
    return hmac.new(secret, b"records-linkage-workbench/login-names/v1", hashlib.sha256).digest()


def keyed_name(key: bytes, name: str) -> bytes:
    """HMAC-SHA256 of a typed login name: lets failed logins for a name that is no user be
    counted without ever storing what was typed (a typo, or a password). Raw bytes, so a
    scan for 12-digit runs never finds one in it."""
    return hmac.new(key, name.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()


def record_key(secret: bytes) -> bytes:
    """The key for :func:`record_mac`, derived from a workspace secret (HMAC as a PRF)."""
    return hmac.new(secret, b"records-linkage-workbench/user-records/v1", hashlib.sha256).digest()


def record_mac(key: bytes, fields: Sequence[str | int | None]) -> bytes:
    """HMAC-SHA256 over a canonical encoding of an account's fields: each field is a type
    tag (``n`` None, ``i`` integer, ``s`` text) and, for the last two, its length and bytes,
    so no two different field lists encode alike."""
    parts = [b"records-linkage-workbench/user-record/v1"]
    for value in fields:
        if value is None:
            parts.append(b"n")
            continue
        tag, data = (
            (b"i", str(value).encode()) if isinstance(value, int) else (b"s", value.encode())
        )
        parts.append(tag + len(data).to_bytes(4, "big") + data)
    return hmac.new(key, b"".join(parts), hashlib.sha256).digest()


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    secret = unicodedata.normalize("NFKC", password).encode("utf-8")
    return Scrypt(salt=salt, length=_HASH_SIZE, n=n, r=r, p=p).derive(secret)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
