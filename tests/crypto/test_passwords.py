from __future__ import annotations

import pytest

from rlwb.crypto.passwords import (
    hash_password,
    name_key,
    record_key,
    record_mac,
    verify_password,
)

N = 2**10  # low scrypt cost: tests only


def test_hash_and_verify() -> None:
    encoded = hash_password("correct horse battery", n=N)
    assert verify_password("correct horse battery", encoded)
    assert not verify_password("correct horse batterY", encoded)
    assert not verify_password("", encoded)


def test_encoding_describes_itself_and_salts_differ() -> None:
    first = hash_password("same password", n=N, r=4, p=2)
    second = hash_password("same password", n=N, r=4, p=2)
    assert first.startswith("scrypt$ln=10,r=4,p=2$")
    assert first != second
    assert verify_password("same password", first) and verify_password("same password", second)
    assert "same password" not in first


def test_passwords_are_nfkc_normalised() -> None:
    encoded = hash_password("Pass1234", n=N)
    assert verify_password("Ｐａｓｓ１２３４", encoded)  # full-width input from an IME


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "scrypt",
        "bcrypt$2b$12$abc",
        "scrypt$ln=10,r=8,p=1$c2FsdA$",
        "scrypt$ln=10,r=8,p=1$$aGFzaA",
        "scrypt$ln=99,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$" + "A" * 43,  # absurd cost
        "scrypt$ln=10,r=8,p=0$c2FsdHNhbHRzYWx0c2FsdA$" + "A" * 43,
        "scrypt$ln=10,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$" + "A" * 40,  # short hash
        "scrypt$ln=10,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$" + "A" * 42 + "!",
        "scrypt$ln=10,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$" + "A" * 43 + "\n",
        "scrypt$ln=10,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$" + "A" * 41,  # invalid base64 length
    ],
)
def test_malformed_encodings_verify_false(encoded: str) -> None:
    assert verify_password("anything", encoded) is False


def test_non_strings_verify_false() -> None:
    encoded = hash_password("pw", n=N)
    assert verify_password(None, encoded) is False  # type: ignore[arg-type]
    assert verify_password("pw", None) is False  # type: ignore[arg-type]


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError):
        hash_password("", n=N)
    with pytest.raises(ValueError):
        hash_password("pw", n=1000)
    with pytest.raises(ValueError):
        hash_password("pw", n=N, r=0)


def test_record_macs_tell_apart_every_split_and_type_of_the_fields() -> None:
    key = record_key(b"k" * 32)
    assert key != name_key(b"k" * 32)  # its own label: not the login-name key
    variants = [
        ["ab", "c"],
        ["a", "bc"],
        ["abc"],
        ["abc", None],
        ["abc", ""],
        ["abc", 0],
        ["abc", "0"],
    ]
    macs = {record_mac(key, v) for v in variants}
    assert len(macs) == len(variants)
    assert record_mac(key, ["ab", "c"]) == record_mac(key, ["ab", "c"])
    assert record_mac(record_key(b"j" * 32), ["ab", "c"]) != record_mac(key, ["ab", "c"])
