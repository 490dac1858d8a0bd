from __future__ import annotations

import hashlib
import hmac
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rlwb.crypto.errors import TokenVersionMismatch, UnknownKeyVersion
from rlwb.crypto.identifiers import my_number_check_digit
from rlwb.crypto.tokens import DOMAIN, Token, Tokenizer, require_same_version

KEYS = {1: bytes(range(32)), 2: bytes(range(32, 64)), 3: bytes(range(64, 96))}
NUMBERS = ["123456789018", "621498320257", "983205673214"]


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def t1(number: str) -> bytes:
    return hmac_sha256(KEYS[1], DOMAIN + number.encode("ascii"))


def synthetic_numbers(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    first = [f"{rng.randrange(10**11):011d}" for _ in range(count)]
    return [f + my_number_check_digit(f) for f in first]


@pytest.fixture
def tokenizer() -> Tokenizer:
    return Tokenizer(KEYS)


def test_domain_is_the_spec_prefix() -> None:
    assert DOMAIN == b"jp-mynumber\x00"


@pytest.mark.parametrize("number", NUMBERS)
def test_version_1_is_hmac_of_domain_and_digits(tokenizer: Tokenizer, number: str) -> None:
    token = tokenizer.tokenize(number, 1)
    assert token == Token(1, t1(number))
    assert token.digest == hmac_sha256(KEYS[1], b"jp-mynumber\x00" + number.encode())


@pytest.mark.parametrize("number", NUMBERS)
def test_later_versions_chain_hmac_over_the_previous_token(
    tokenizer: Tokenizer, number: str
) -> None:
    expected_v2 = hmac_sha256(KEYS[2], t1(number))
    expected_v3 = hmac_sha256(KEYS[3], expected_v2)
    assert tokenizer.tokenize(number, 2).digest == expected_v2
    assert tokenizer.tokenize(number, 3).digest == expected_v3
    assert tokenizer.tokenize(number) == Token(3, expected_v3)  # None means the latest


def test_tokenising_under_v3_equals_migrating_the_v1_token_twice(tokenizer: Tokenizer) -> None:
    numbers = synthetic_numbers(200, seed=7)
    v1 = tokenizer.tokenize_many(numbers, version=1)
    twice = tokenizer.migrate_many(tokenizer.migrate_many(v1, 1, 2), 2, 3)
    assert twice == tokenizer.tokenize_many(numbers, version=3)
    assert tokenizer.migrate_many(v1, 1, 3) == twice
    assert [tokenizer.tokenize(n, 3).digest for n in numbers] == twice


def test_all_versions_lists_t1_to_tn(tokenizer: Tokenizer) -> None:
    tokens = tokenizer.all_versions(NUMBERS[0])
    assert [t.version for t in tokens] == [1, 2, 3]
    assert tokens == [tokenizer.tokenize(NUMBERS[0], v) for v in (1, 2, 3)]


def test_tokenize_many_equals_hmac_new_per_value(tokenizer: Tokenizer) -> None:
    numbers: list[str | None] = list(synthetic_numbers(3000, seed=1))
    for index in range(0, len(numbers), 7):
        numbers[index] = None
    digests = tokenizer.tokenize_many(numbers, version=1)
    assert len(digests) == len(numbers)
    for number, digest in zip(numbers, digests, strict=True):
        if number is None:
            assert digest is None
        else:
            assert digest == t1(number)


@given(st.lists(st.text(alphabet="0123456789", min_size=11, max_size=11) | st.none()))
def test_tokenize_many_property(firsts: list[str | None]) -> None:
    tokenizer = Tokenizer(KEYS)
    numbers = [None if f is None else f + my_number_check_digit(f) for f in firsts]
    expected = [None if n is None else hmac_sha256(KEYS[2], t1(n)) for n in numbers]
    assert tokenizer.tokenize_many(numbers, version=2) == expected


def test_tokenize_many_accepts_any_iterable_and_empty(tokenizer: Tokenizer) -> None:
    assert tokenizer.tokenize_many(iter(NUMBERS), 1) == [t1(n) for n in NUMBERS]
    assert tokenizer.tokenize_many([]) == []
    assert tokenizer.tokenize_many([None, None]) == [None, None]


def test_migrate_many_keeps_none_and_same_version_is_identity(tokenizer: Tokenizer) -> None:
    v1 = [t1(NUMBERS[0]), None]
    assert tokenizer.migrate_many(v1, 1, 2) == [hmac_sha256(KEYS[2], v1[0]), None]  # type: ignore[arg-type]
    assert tokenizer.migrate_many(v1, 2, 2) == v1


def test_migrate_many_refuses_going_back_and_bad_digests(tokenizer: Tokenizer) -> None:
    with pytest.raises(ValueError, match="forward"):
        tokenizer.migrate_many([t1(NUMBERS[0])], 2, 1)
    with pytest.raises(ValueError, match="32 bytes"):
        tokenizer.migrate_many([b"short"], 1, 2)
    with pytest.raises(TypeError):
        tokenizer.migrate_many(["not bytes" * 4], 1, 2)  # type: ignore[list-item]
    with pytest.raises(UnknownKeyVersion):
        tokenizer.migrate_many([t1(NUMBERS[0])], 1, 4)


@pytest.mark.parametrize(
    "values",
    [
        ["1234-5678-9018"],
        ["１２３４５６７８９０１８"],
        ["12345678901"],
        [""],
        ["12345678901", "1234567890189"],  # total length right, each length wrong
        ["123456789018", "", "1234567890189012345678901"],
        ["12345678901a"],
        ["123456789018", "12345678901٣"],
        ["123456789018\n621498320257", ""],  # a separator smuggled into one value
        [None, "123456789018\n621498320257", None, ""],
        ["123456789018\n", "21498320257"],
        ["123456789018", "\n21498320257"],
    ],
)
def test_tokenize_many_rejects_non_canonical_input(
    tokenizer: Tokenizer, values: list[str | None]
) -> None:
    with pytest.raises(ValueError, match="canonical") as caught:
        tokenizer.tokenize_many(values)
    assert all(v not in str(caught.value) for v in values if v)


def test_tokenize_rejects_non_canonical_and_non_str(tokenizer: Tokenizer) -> None:
    with pytest.raises(ValueError, match="canonical"):
        tokenizer.tokenize("1234 5678 9018")
    with pytest.raises(TypeError):
        tokenizer.tokenize(b"123456789018")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        tokenizer.tokenize_many([123456789018])  # type: ignore[list-item]


@pytest.mark.parametrize("version", [0, 4, -1])
def test_unknown_versions(tokenizer: Tokenizer, version: int) -> None:
    with pytest.raises(UnknownKeyVersion, match="1 to 3"):
        tokenizer.tokenize(NUMBERS[0], version)
    with pytest.raises(UnknownKeyVersion):
        tokenizer.tokenize_many(NUMBERS, version)


@pytest.mark.parametrize(
    "keys",
    [
        {},
        {1: bytes(32), 3: bytes(32)},
        {0: bytes(32)},
        {2: bytes(32)},
        {1: bytes(31)},
        {1: "k" * 32},
    ],
)
def test_tokenizer_needs_contiguous_32_byte_keys(keys: dict[int, bytes]) -> None:
    with pytest.raises(ValueError):
        Tokenizer(keys)


def test_latest_version_and_repr_hide_keys(tokenizer: Tokenizer) -> None:
    assert tokenizer.latest_version == 3
    assert repr(tokenizer) == "Tokenizer(versions=1..3)"


# --- Token -------------------------------------------------------------------------------


def test_tokens_of_one_version_compare_by_digest() -> None:
    a = Token(2, bytes(32))
    assert a == Token(2, bytes(32))
    assert a != Token(2, b"\x01" * 32)
    assert hash(a) == hash(Token(2, bytes(32)))
    assert len({a, Token(2, bytes(32))}) == 1
    assert a != "not a token"


def test_comparing_tokens_of_different_versions_raises() -> None:
    old, new = Token(1, bytes(32)), Token(2, bytes(32))
    with pytest.raises(TokenVersionMismatch) as caught:
        _ = old == new
    message = str(caught.value)
    assert "version 1" in message and "version 2" in message
    assert "Rotate" in message and "migrate" in message
    assert caught.value.left_version == 1 and caught.value.right_version == 2
    with pytest.raises(TokenVersionMismatch):
        _ = old != new
    with pytest.raises(TokenVersionMismatch):
        _ = old in [new]


def test_require_same_version() -> None:
    require_same_version(3, 3)
    with pytest.raises(
        TokenVersionMismatch, match=r"version 2 and key version 1 .* version 1 to version 2 first"
    ):
        require_same_version(2, 1)


def test_token_hex_repr_and_validation() -> None:
    token = Token(1, bytes(range(32)))
    assert token.hex == bytes(range(32)).hex()
    assert repr(token) == "Token(v1, 00010203…)"
    assert token.hex not in repr(token)
    with pytest.raises(ValueError):
        Token(1, bytes(31))
    with pytest.raises(ValueError):
        Token(0, bytes(32))


def test_a_new_chain_starts_from_a_fresh_root_unrelated_to_the_old_chain() -> None:
    keys = {**KEYS, 4: bytes(range(96, 128))}
    chains = {1: 1, 2: 1, 3: 1, 4: 2}
    tokenizer = Tokenizer(keys, chains)
    number = NUMBERS[0]
    root = tokenizer.tokenize(number)
    assert root == Token(4, hmac_sha256(keys[4], DOMAIN + number.encode()), 2)
    assert tokenizer.tokenize_many([number, None]) == [root.digest, None]
    old = tokenizer.tokenize(number, 3)
    assert old.chain == 1 and old.digest == Tokenizer(KEYS).tokenize(number).digest
    assert [t.version for t in tokenizer.all_versions(number)] == [1, 2, 3, 4]
    assert tokenizer.all_versions(number)[-1] == root
    with pytest.raises(TokenVersionMismatch, match="chain 1 and key chain 2"):
        _ = Token(4, root.digest, 1) == root
    with pytest.raises(TokenVersionMismatch, match="chain"):
        tokenizer.migrate_many([old.digest], 3, 4)


def test_a_tokenizer_without_the_destroyed_versions() -> None:
    tokenizer = Tokenizer({4: bytes(range(96, 128)), 5: KEYS[1]}, {4: 2, 5: 2})
    assert tokenizer.latest_version == 5
    assert repr(tokenizer) == "Tokenizer(versions=4..5)"
    with pytest.raises(UnknownKeyVersion, match="destroyed after a compromise response"):
        tokenizer.tokenize(NUMBERS[0], 2)
    with pytest.raises(ValueError, match="chains never go back"):
        Tokenizer({1: KEYS[1], 2: KEYS[2]}, {1: 2, 2: 1})
    with pytest.raises(ValueError, match=r"1\.\.n"):
        Tokenizer({2: KEYS[2]})
