"""Keyed tokens of the 個人番号: the HMAC-SHA256 chain of docs/tokens.md.

    T_1(x) = HMAC-SHA256(K_1, DOMAIN || x)      x = the 12 canonical ASCII digits
    T_v(x) = HMAC-SHA256(K_v, T_{v-1}(x))       v > 1

Chaining lets stored data move to a new key version without the raw numbers: migrating
is one more HMAC over the stored token. It also means every earlier key stays needed to
tokenise new data.

Batches go through a keyed HMAC object prepared once per key (for version 1 it has
already absorbed DOMAIN) and copied per value: the key schedule and the domain prefix are
not recomputed a million times. The primitive is `cryptography`'s HMAC; tests check the
output byte for byte against the stdlib ``hmac.new``. See bench/bench_tokenise.py for the
alternatives that were measured.

A compromise response starts a new, unrelated chain (docs/tokens.md "Compromise response"):
its first key version is a new root, T_r(x) = HMAC-SHA256(K_r, DOMAIN || x), derived from no
earlier key. Version numbers keep counting across chains, so a version names one key of one
chain; tokens (and migrations) of different chains are refused like different versions.

Nothing here ever puts an input value, a key or a token into an exception message.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import partial

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.hmac import HMAC

from rlwb.crypto.errors import TokenChainMismatch, TokenVersionMismatch, UnknownKeyVersion
from rlwb.crypto.params import KEY_SIZE

DOMAIN = b"jp-mynumber\x00"
DIGEST_SIZE = 32
CANONICAL_LENGTH = 12

_is_present = partial(operator.is_not, None)


def require_same_version(a: int, b: int) -> None:
    """Raise TokenVersionMismatch unless both key versions are equal."""
    if a != b:
        raise TokenVersionMismatch(a, b)


def require_same_chain(a: int, b: int) -> None:
    """Raise TokenChainMismatch unless both key chains are equal."""
    if a != b:
        raise TokenChainMismatch(a, b)


@dataclass(frozen=True)
class Token:
    """A token with its key chain and version. Tokens of different chains or versions
    never compare."""

    version: int
    digest: bytes
    #: The key chain (1 until a compromise response starts a new, unrelated one).
    chain: int = 1

    def __post_init__(self) -> None:
        if isinstance(self.version, bool) or not isinstance(self.version, int) or self.version < 1:
            raise ValueError("a token's key version is an integer >= 1")
        if not isinstance(self.digest, bytes) or len(self.digest) != DIGEST_SIZE:
            raise ValueError(f"a token digest is exactly {DIGEST_SIZE} bytes")
        if isinstance(self.chain, bool) or not isinstance(self.chain, int) or self.chain < 1:
            raise ValueError("a token's key chain is an integer >= 1")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Token):
            return NotImplemented
        require_same_chain(self.chain, other.chain)
        require_same_version(self.version, other.version)
        return self.digest == other.digest

    def __hash__(self) -> int:
        return hash((self.chain, self.version, self.digest))

    @property
    def hex(self) -> str:
        return self.digest.hex()

    def __repr__(self) -> str:
        chain = f"c{self.chain} " if self.chain != 1 else ""
        return f"Token({chain}v{self.version}, {self.digest[:4].hex()}…)"


class Tokenizer:
    """Tokenises canonical 個人番号 strings under key versions first..n.

    ``chains`` maps each version to its key chain (default: every version in chain 1, and
    then the versions must be exactly 1..n). The first version of each chain is a root:
    it hashes DOMAIN || x; every other version chains over the previous version's token.
    """

    def __init__(self, keys: Mapping[int, bytes], chains: Mapping[int, int] | None = None) -> None:
        if not keys:
            raise ValueError("a tokenizer needs at least one key version")
        versions = sorted(keys)
        first = versions[0]
        if chains is None:
            if first != 1:
                raise ValueError("key versions must be exactly 1..n without gaps")
            chains = dict.fromkeys(versions, 1)
        if first < 1 or versions != list(range(first, first + len(versions))):
            raise ValueError("key versions must be consecutive without gaps")
        if sorted(chains) != versions:
            raise ValueError("every key version needs its chain, and only those")
        ordered = [chains[v] for v in versions]
        if ordered != sorted(ordered) or ordered[0] < 1:
            raise ValueError(
                "key chains never go back: a later version is in the same or a newer chain"
            )
        for key in keys.values():
            if not isinstance(key, bytes) or len(key) != KEY_SIZE:
                raise ValueError(f"every token key is exactly {KEY_SIZE} bytes")
        self._first_version = first
        self._latest = versions[-1]
        self._chain_of = {v: chains[v] for v in versions}
        #: The root version (first version) of the chain each version belongs to.
        self._root_of: dict[int, int] = {}
        # The prepared HMAC of each K_v, only ever copied; a chain's root has absorbed DOMAIN.
        self._prepared: dict[int, HMAC] = {}
        for version in versions:
            is_root = version == first or chains[version - 1] != chains[version]
            self._root_of[version] = version if is_root else self._root_of[version - 1]
            mac = HMAC(keys[version], hashes.SHA256())
            if is_root:
                mac.update(DOMAIN)
            self._prepared[version] = mac

    def __repr__(self) -> str:
        return f"Tokenizer(versions={self._first_version}..{self._latest})"

    @property
    def latest_version(self) -> int:
        return self._latest

    def chain_of(self, version: int) -> int:
        """The key chain of ``version`` (UnknownKeyVersion if this tokenizer lacks it)."""
        return self._chain_of[self._resolve(version)]

    def tokenize(self, canonical: str, version: int | None = None) -> Token:
        """The token of one canonical 12-digit number under ``version`` (None = latest)."""
        target = self._resolve(version)
        _check_canonical([canonical])
        root = self._root_of[target]
        digest = self._first(root, canonical.encode("ascii"))
        for v in range(root + 1, target + 1):
            digest = self._step(v, digest)
        return Token(target, digest, self._chain_of[target])

    def all_versions(self, canonical: str) -> list[Token]:
        """The token under every version held, chain by chain: to search data (e.g. the
        access log) across rotations and across a compromise response."""
        _check_canonical([canonical])
        message = canonical.encode("ascii")
        tokens: list[Token] = []
        digest = b""
        for v in range(self._first_version, self._latest + 1):
            root = self._root_of[v] == v
            digest = self._first(v, message) if root else self._step(v, digest)
            tokens.append(Token(v, digest, self._chain_of[v]))
        return tokens

    def tokenize_many(
        self, canonical: Iterable[str | None], version: int | None = None
    ) -> list[bytes | None]:
        """Digests of many canonical numbers under ``version`` (None = latest), in order.

        ``None`` in gives ``None`` out (a record without a valid number gets no token).
        """
        target = self._resolve(version)
        root = self._root_of[target]
        values = canonical if isinstance(canonical, list) else list(canonical)
        present = _check_canonical(values)
        copy = self._prepared[root].copy
        out: list[bytes | None] = []
        append = out.append
        if present == len(values):  # no None: the hot loop without a branch
            for value in values:
                mac = copy()
                mac.update(value.encode())  # type: ignore[union-attr]  # ASCII was checked
                append(mac.finalize())
        else:
            for value in values:
                if value is None:
                    append(None)
                    continue
                mac = copy()
                mac.update(value.encode())
                append(mac.finalize())
        if target > root:
            return self._chain(out, root, target)
        return out

    def migrate_many(
        self, digests: Iterable[bytes | None], from_version: int, to_version: int
    ) -> list[bytes | None]:
        """Move digests of ``from_version`` to ``to_version`` by chaining (None stays None)."""
        self._resolve(from_version)
        self._resolve(to_version)
        require_same_chain(self._chain_of[from_version], self._chain_of[to_version])
        if to_version < from_version:
            raise ValueError("tokens only move forward to a newer key version")
        values = list(digests)
        present: list[bytes] = list(filter(_is_present, values))  # type: ignore[arg-type]
        if not set(map(type, present)) <= {bytes}:
            raise TypeError("migrate_many takes token digests (bytes) or None")
        if present and set(map(len, present)) != {DIGEST_SIZE}:
            raise ValueError(f"every token digest is exactly {DIGEST_SIZE} bytes")
        return self._chain(values, from_version, to_version)

    def _chain(
        self, digests: list[bytes | None], from_version: int, to_version: int
    ) -> list[bytes | None]:
        current = digests
        for version in range(from_version + 1, to_version + 1):
            copy = self._prepared[version].copy
            step: list[bytes | None] = []
            append = step.append
            for digest in current:
                if digest is None:
                    append(None)
                    continue
                mac = copy()
                mac.update(digest)
                append(mac.finalize())
            current = step
        return current

    def _first(self, root: int, message: bytes) -> bytes:
        mac = self._prepared[root].copy()
        mac.update(message)
        return mac.finalize()

    def _step(self, version: int, digest: bytes) -> bytes:
        mac = self._prepared[version].copy()
        mac.update(digest)
        return mac.finalize()

    def _resolve(self, version: int | None) -> int:
        if version is None:
            return self._latest
        if isinstance(version, bool) or not isinstance(version, int):
            raise TypeError("a key version is an int")
        if not self._first_version <= version <= self._latest:
            raise UnknownKeyVersion(version, self._latest, self._first_version)
        return version


def _check_canonical(values: list[str | None]) -> int:
    """Check that every value that is not None is a str of exactly 12 ASCII digits, and
    return how many there are. The message never quotes a value.

    Runs at C speed over the whole batch (about 5% of the tokenising time): the present
    values are joined with "\n"; the result must be 13n - 1 characters long, hold exactly
    n - 1 newlines, all of them at positions 12, 25, 38, ..., and otherwise ASCII digits.
    That is exactly "n blocks of 12 digits", so each value is 12 digits.
    """
    present = len(values) - values.count(None)
    if not present:
        return 0
    items = values if present == len(values) else list(filter(_is_present, values))
    try:
        joined = "\n".join(items)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError("tokenize takes canonical 個人番号 strings (or None)") from None
    block = CANONICAL_LENGTH + 1
    if (
        len(joined) != block * present - 1
        or joined.count("\n") != present - 1
        or joined[CANONICAL_LENGTH::block] != "\n" * (present - 1)
        or not joined.isascii()
        or joined.encode("ascii").translate(None, b"0123456789\n")
    ):
        raise ValueError(
            "tokenize takes canonical 個人番号 only (12 ASCII digits): "
            "canonicalise each value with crypto.identifiers.canonical_my_number first"
        )
    return present
