"""The one exception hierarchy of the crypto package.

Messages say what is wrong and what to do next. None of them ever carries an identifier
value, a key, a token or a passphrase: only versions, file names and fixed text.
"""

from __future__ import annotations

KEYSTORE_OPTIONS = (
    "To keep the master key in the OS keyring, install and unlock one (Secret Service, "
    "e.g. gnome-keyring or KWallet, on Linux; Credential Manager on Windows; Keychain on "
    "macOS). On a machine without one, opt in to the passphrase store: set "
    "WORKBENCH_KEYSTORE=passphrase and either set WORKBENCH_KEYSTORE_PASSPHRASE or answer "
    "the passphrase prompt."
)


class CryptoError(Exception):
    """Base class of every error raised by the crypto package."""


class TokenVersionMismatch(CryptoError):
    """Two tokens (or two datasets) of different key versions were compared."""

    def __init__(self, left_version: int, right_version: int) -> None:
        self.left_version = left_version
        self.right_version = right_version
        older, newer = sorted((left_version, right_version))
        super().__init__(
            f"Tokens of key version {left_version} and key version {right_version} cannot be "
            "compared: a token only matches tokens of the same key version. Rotate (migrate) "
            f"the data still on version {older} to version {newer} first, then compare again."
        )


class TokenChainMismatch(TokenVersionMismatch):
    """Two tokens of different key chains were compared: a compromise response separates them."""

    def __init__(self, left_chain: int, right_chain: int) -> None:
        self.left_version = left_chain
        self.right_version = right_chain
        self.left_chain = left_chain
        self.right_chain = right_chain
        CryptoError.__init__(
            self,
            f"Tokens of key chain {left_chain} and key chain {right_chain} cannot be compared: "
            "a compromise response started a new, unrelated chain and the data of the old one "
            "is retired. Import the source files again to use them with new data.",
        )


class UnknownKeyVersion(CryptoError):
    """A key version was asked for that the keyset does not hold."""

    def __init__(self, version: int, latest_version: int, first_version: int = 1) -> None:
        self.version = version
        self.latest_version = latest_version
        self.first_version = first_version
        destroyed = (
            f" Versions before {first_version} were destroyed after a compromise response."
            if first_version > 1 and version < first_version
            else ""
        )
        super().__init__(
            f"Key version {version} is not in this keyset (it holds versions {first_version} to "
            f"{latest_version}).{destroyed} The data was tokenised with keys from another keyset "
            "or a newer backup: restore the matching key backup."
        )


class DecryptionFailed(CryptoError):
    """Authenticated decryption failed. Deliberately opaque: wrong key or damaged data."""

    def __init__(self) -> None:
        super().__init__(
            "Decryption failed: the key is wrong or the data is damaged. Check that the file "
            "belongs to this workspace; otherwise restore it from a backup."
        )


class KeysetInvalid(CryptoError):
    """A keyset decrypted but its content is not a keyset this version understands."""


class KeystoreUnavailable(CryptoError):
    """No safe place for the master key: the OS keyring is missing, locked or unsafe."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"{reason} {KEYSTORE_OPTIONS}")


class KeystoreConfigInvalid(KeystoreUnavailable):
    """WORKBENCH_KEYSTORE holds a value that names no key store."""


class MasterKeyMissing(CryptoError):
    """The key store holds no master key for the workspace."""


class MasterKeyInvalid(CryptoError):
    """The key store holds something for the workspace that is not a 32-byte master key."""


class PassphraseRequired(CryptoError):
    """An empty passphrase was given where one protects a key."""

    def __init__(self) -> None:
        super().__init__("An empty passphrase cannot protect a key: enter a passphrase.")


class PassphraseTooShort(PassphraseRequired):
    """A new passphrase for the master key is shorter than the minimum."""

    def __init__(self, minimum: int) -> None:
        CryptoError.__init__(
            self,
            f"A passphrase protecting the master key needs at least {minimum} characters: "
            "choose a longer one (a few words are easy to type and hard to guess).",
        )


class PassphraseIncorrect(CryptoError):
    """The passphrase does not open the passphrase-protected master key."""

    def __init__(self) -> None:
        super().__init__(
            "The passphrase does not open this workspace's master key. Check it (and the "
            "keyboard layout) and try again; if it is lost, restore a key backup."
        )


class BackupError(CryptoError):
    """A key backup could not be written or read."""


class BackupWrongPassphrase(BackupError):
    """The backup file is intact but the passphrase does not open it."""

    def __init__(self) -> None:
        super().__init__(
            "The passphrase does not open this key backup (the file itself is intact). Check "
            "the passphrase and try again."
        )


class BackupDamaged(BackupError):
    """The backup file is not a key backup, or it was truncated or altered."""

    def __init__(self) -> None:
        super().__init__(
            "The key backup file is damaged or is not a key backup of this app (it was "
            "truncated, altered or is another file). Use another copy of the backup."
        )
