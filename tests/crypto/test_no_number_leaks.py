"""A raw 個人番号 never reaches an exception message, not even in part.

Each error path below is driven with a valid synthetic number (in several written
forms); the message, the repr and the whole formatted traceback chain are searched for
the number and for every 4-digit window of it."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path

import pytest

from rlwb.crypto.backup import KeyBackup, read_backup, write_backup
from rlwb.crypto.encryption import decrypt_bytes, encrypt_bytes
from rlwb.crypto.identifiers import corporate_check_digit, my_number_check_digit
from rlwb.crypto.keyset import Keyset, open_keyset, seal_keyset
from rlwb.crypto.keystore import PassphraseMasterKeyStore, master_key_store_from_env
from rlwb.crypto.passwords import hash_password, verify_password
from rlwb.crypto.tokens import Token, Tokenizer
from tests.crypto._helpers import NOW

# Built at run time so no source line shown in a traceback contains the digits.
NUMBERS = ["".join(["6214", "9832", "0257"]), "".join(["9832", "0567", "3214"])]
KEYS = {1: bytes(32), 2: bytes([1]) * 32}
MASTER = bytes([7]) * 32


def forms(number: str) -> list[str]:
    full_width = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    hyphenated = f"{number[:4]}-{number[4:8]}-{number[8:]}"
    spaced = f"{number[:4]} {number[4:8]} {number[8:]}"
    return [full_width, hyphenated, spaced]


def error_paths(number: str, tmp_path: Path) -> list[Callable[[], object]]:
    tokenizer = Tokenizer(KEYS)
    raw = number.encode()
    keyset = Keyset.new("ws", "admin", NOW)
    backup_path = tmp_path / "backup"
    write_backup(backup_path, KeyBackup("ws", MASTER, seal_keyset(keyset, MASTER)), "pw", 2**10)
    store = PassphraseMasterKeyStore(tmp_path, lambda: "pw-twelve-chars", scrypt_n=2**10)
    store.save("ws", MASTER)
    wrong_store = PassphraseMasterKeyStore(tmp_path, lambda: number, scrypt_n=2**10)
    paths: list[Callable[[], object]] = []
    for written in forms(number):
        paths.append(lambda w=written: tokenizer.tokenize(w))  # type: ignore[misc]
        paths.append(lambda w=written: tokenizer.tokenize_many([number, w]))  # type: ignore[misc]
        paths.append(lambda w=written: tokenizer.all_versions(w))  # type: ignore[misc]
    paths += [
        lambda: tokenizer.tokenize(number[:11]),
        lambda: tokenizer.tokenize(number + "0"),
        lambda: tokenizer.tokenize(raw),  # type: ignore[arg-type]
        lambda: tokenizer.tokenize_many([number, int(number)]),  # type: ignore[list-item]
        lambda: tokenizer.tokenize_many([number[:6], number[6:] + number]),
        lambda: tokenizer.tokenize(number, version=int(number[:2])),
        lambda: tokenizer.tokenize(number, 1) == tokenizer.tokenize(number, 2),
        lambda: Token(1, raw),
        lambda: tokenizer.migrate_many([raw], 1, 2),
        lambda: tokenizer.migrate_many([number], 1, 2),  # type: ignore[list-item]
        lambda: Tokenizer({1: raw}),
        lambda: my_number_check_digit(number),
        lambda: corporate_check_digit(number[:11]),
        lambda: encrypt_bytes(raw, raw, raw),
        lambda: decrypt_bytes(raw * 10, bytes(32), raw),
        lambda: open_keyset(raw * 10, MASTER, number),
        lambda: Keyset.from_bytes(raw),
        lambda: Keyset.new(number, number, NOW).with_new_version(number, NOW.replace(tzinfo=None)),
        lambda: seal_keyset(keyset, raw),
        lambda: read_backup(backup_path, number),
        lambda: write_backup(backup_path, KeyBackup(number, raw, raw), number, 2**10),
        lambda: wrong_store.load("ws"),
        lambda: PassphraseMasterKeyStore(tmp_path, lambda: number).load("other-workspace"),
        lambda: master_key_store_from_env(tmp_path, environ={"WORKBENCH_KEYSTORE": number}),
        lambda: hash_password(number, n=int(number[:4])),
    ]
    return paths


def leaked(number: str, text: str) -> bool:
    windows = {number[i : i + 4] for i in range(len(number) - 3)}
    return any(w in text for w in windows)


@pytest.mark.parametrize("number", NUMBERS)
def test_no_error_message_contains_the_number(number: str, tmp_path: Path) -> None:
    raised = 0
    for path in error_paths(number, tmp_path):
        with pytest.raises(Exception) as caught:
            path()
        raised += 1
        exc = caught.value
        assert not leaked(number, str(exc)), type(exc)
        assert not leaked(number, repr(exc)), type(exc)
        chain = "".join(traceback.format_exception(exc))
        assert number not in chain and not any(number[i : i + 6] in chain for i in range(7)), type(
            exc
        )
    assert raised >= 30


def test_password_functions_do_not_raise_on_a_number(tmp_path: Path) -> None:
    number = NUMBERS[0]
    assert verify_password(number, number) is False
    assert verify_password(number, hash_password(number, n=2**10)) is True
