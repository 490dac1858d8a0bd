"""A small passphrase-sealed container (scrypt + AES-256-GCM) for the passphrase
master-key store and for key backups.

Layout::

    MAGIC (8) | log2 n (1) | r (1) | p (1) | salt (16) | nonce (12)
    | context length (2) | context (UTF-8, e.g. the workspace id) | body length (4)
    | SHA-256(everything above + body) (32) | body (AES-256-GCM ciphertext + tag)

The plain SHA-256 tells damage apart from a wrong passphrase *before* the key is derived:
if the digest does not match, the file was altered or truncated; if it matches and GCM
still fails, the passphrase is wrong. (The digest is not a MAC, only a checksum: GCM, with
everything before the digest as associated data, is what authenticates.)

Passphrases are NFKC-normalised, so a passphrase typed with full-width or half-width
characters on another machine (another IME setting) opens the same file.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import struct
import unicodedata

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from rlwb.crypto.errors import CryptoError, PassphraseRequired
from rlwb.crypto.params import KEY_SIZE

_FIXED = struct.Struct(">8sBBB16s12sH")
_BODY_LENGTH = struct.Struct(">I")
_DIGEST_SIZE = 32
_SALT_SIZE = 16
_NONCE_SIZE = 12
MIN_LOG2_N = 4
MAX_LOG2_N = 20
MAX_R = 16
MAX_P = 4
MAX_SCRYPT_MEMORY = 1 << 30  # 128 * n * r * p bytes; refuse files asking for more


class BoxDamaged(CryptoError):
    """Internal: the container is not intact. Callers turn it into their own error."""


class BoxWrongPassphrase(CryptoError):
    """Internal: the container is intact but the passphrase does not open it."""


def check_scrypt_params(n: int, r: int, p: int) -> int:
    """Return log2(n); raise ValueError for parameters this module will not use."""
    if n < 2 or n & (n - 1):
        raise ValueError("scrypt n must be a power of two")
    log2_n = n.bit_length() - 1
    if not MIN_LOG2_N <= log2_n <= MAX_LOG2_N or not 1 <= r <= MAX_R or not 1 <= p <= MAX_P:
        raise ValueError(
            f"scrypt parameters out of range (n 2**{MIN_LOG2_N}..2**{MAX_LOG2_N}, "
            f"r 1..{MAX_R}, p 1..{MAX_P})"
        )
    if 128 * n * r * p > MAX_SCRYPT_MEMORY:
        raise ValueError("scrypt parameters need more than 1 GiB of memory")
    return log2_n


def normalise_passphrase(passphrase: str) -> bytes:
    if not passphrase:
        raise PassphraseRequired()
    return unicodedata.normalize("NFKC", passphrase).encode("utf-8")


def seal(
    magic: bytes, context: str, plaintext: bytes, passphrase: str, *, n: int, r: int = 8, p: int = 1
) -> bytes:
    secret = normalise_passphrase(passphrase)
    log2_n = check_scrypt_params(n, r, p)
    context_bytes = context.encode("utf-8")
    if len(magic) != 8 or len(context_bytes) > 0xFFFF:
        raise ValueError("magic is 8 bytes and the context at most 65535")
    salt = secrets.token_bytes(_SALT_SIZE)
    nonce = secrets.token_bytes(_NONCE_SIZE)
    head = (
        _FIXED.pack(magic, log2_n, r, p, salt, nonce, len(context_bytes))
        + context_bytes
        + _BODY_LENGTH.pack(len(plaintext) + 16)
    )
    key = _derive(secret, salt, n, r, p)
    body = AESGCM(key).encrypt(nonce, plaintext, head)
    return head + hashlib.sha256(head + body).digest() + body


def peek_context(magic: bytes, blob: bytes) -> str:
    """The context (workspace id) of an intact container, without the passphrase."""
    return _parse(magic, blob)[0]


def peek_cost(magic: bytes, blob: bytes) -> tuple[int, int, int]:
    """The scrypt ``(n, r, p)`` an intact container was sealed with."""
    _, _, log2_n, r, p, _, _, _ = _parse(magic, blob)
    return 1 << log2_n, r, p


def open_sealed(magic: bytes, blob: bytes, passphrase: str) -> tuple[str, bytes]:
    """Return ``(context, plaintext)``; BoxDamaged or BoxWrongPassphrase otherwise."""
    context, head, log2_n, r, p, salt, nonce, body = _parse(magic, blob)
    if not passphrase:  # seal() never accepts an empty one, so it cannot be right
        raise BoxWrongPassphrase()
    secret = normalise_passphrase(passphrase)
    key = _derive(secret, salt, 1 << log2_n, r, p)
    try:
        return context, AESGCM(key).decrypt(nonce, body, head)
    except InvalidTag:
        raise BoxWrongPassphrase() from None


def _parse(magic: bytes, blob: bytes) -> tuple[str, bytes, int, int, int, bytes, bytes, bytes]:
    if len(blob) < _FIXED.size:
        raise BoxDamaged()
    found, log2_n, r, p, salt, nonce, context_length = _FIXED.unpack_from(blob)
    if found != magic:
        raise BoxDamaged()
    context_end = _FIXED.size + context_length
    body_start = context_end + _BODY_LENGTH.size + _DIGEST_SIZE
    if len(blob) < body_start:
        raise BoxDamaged()
    (body_length,) = _BODY_LENGTH.unpack_from(blob, context_end)
    head = blob[: context_end + _BODY_LENGTH.size]
    digest = blob[len(head) : body_start]
    body = blob[body_start:]
    if len(body) != body_length or not hmac.compare_digest(
        hashlib.sha256(head + body).digest(), digest
    ):
        raise BoxDamaged()
    try:
        check_scrypt_params(1 << log2_n, r, p)
        context = blob[_FIXED.size : context_end].decode("utf-8")
    except ValueError:  # includes UnicodeDecodeError; only a forged file gets here
        raise BoxDamaged() from None
    return context, head, log2_n, r, p, salt, nonce, body


def _derive(secret: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=KEY_SIZE, n=n, r=r, p=p).derive(secret)
