"""Identifier validation, keyed tokens (HMAC chain), keysets, the master-key store,
at-rest encryption, key backups and password hashes.

Depends only on the standard library, ``cryptography`` and ``keyring``; never on
linkage/, workbench/ or ui/.
"""
