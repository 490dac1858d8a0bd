"""Sizes and costs the crypto package uses in several places, defined once.

Every symmetric key (token HMAC keys, the data key for AES-256-GCM, the log MAC key and the
master key that wraps them) is 256 bits. scrypt costs 128 MiB and ~0.3-0.5 s at these
parameters: the price of one password check, one passphrase-store open, one key backup.
"""

from __future__ import annotations

from typing import Final

#: Bytes of every symmetric key: token keys, the data key, the log MAC key.
KEY_SIZE: Final = 32
#: Bytes of the master key that wraps the key set.
MASTER_KEY_SIZE: Final = 32
#: scrypt cost of password hashes, the passphrase store and key backups.
SCRYPT_N: Final = 2**17
SCRYPT_R: Final = 8
SCRYPT_P: Final = 1
