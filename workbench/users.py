"""User accounts: password hashes, roles, lockout, disable.

This module stores and checks; it does not decide who may change whom (that is
workbench.services.users, through the permission table) and it writes no events.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from crypto.passwords import hash_password, verify_password
from workbench.clock import from_iso, to_iso
from workbench.db import transaction
from workbench.errors import InvalidInput, NotFound
from workbench.permissions import Role, parse_roles

MIN_PASSWORD_LENGTH = 10
_NAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 5
    lock_minutes: int = 15


@dataclass(frozen=True)
class User:
    name: str
    roles: tuple[Role, ...]
    disabled: bool
    failed_logins: int
    locked_until: datetime | None
    must_change_password: bool
    created_at: datetime
    created_by: str

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    if password.strip() != password or not password.isprintable():
        raise InvalidInput("A password cannot start or end with spaces or hold control characters.")


def check_user_name(name: str) -> None:
    if not _NAME.match(name):
        raise InvalidInput(
            "A user name is 1–64 characters of letters, digits, dot, dash or underscore."
        )


class UserStore:
    def __init__(self, conn: sqlite3.Connection, *, scrypt_n: int = 2**15) -> None:
        self._conn = conn
        self._scrypt_n = scrypt_n

    # -- reading -------------------------------------------------------------------------
    def get(self, name: str) -> User:
        row = self._conn.execute(
            "SELECT name, roles, disabled, failed_logins, locked_until, must_change_password, "
            "created_at, created_by FROM users WHERE name = ?",
            (name,),
        ).fetchone()
        if row is None:
            raise NotFound(f"There is no user named {name!r}.")
        return _user_from_row(row)

    def exists(self, name: str) -> bool:
        return (
            self._conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone() is not None
        )

    def list(self) -> list[User]:
        rows = self._conn.execute(
            "SELECT name, roles, disabled, failed_logins, locked_until, must_change_password, "
            "created_at, created_by FROM users ORDER BY name"
        ).fetchall()
        return [_user_from_row(r) for r in rows]

    # -- changing ------------------------------------------------------------------------
    def add(
        self,
        name: str,
        password: str,
        roles: tuple[Role, ...],
        *,
        created_by: str,
        now: datetime,
        must_change_password: bool = False,
    ) -> User:
        check_user_name(name)
        check_password_strength(password)
        roles = parse_roles(roles)
        if self.exists(name):
            raise InvalidInput(f"A user named {name!r} already exists.")
        encoded = hash_password(password, n=self._scrypt_n)
        with transaction(self._conn):
            self._conn.execute(
                "INSERT INTO users (name, password_hash, roles, must_change_password, "
                "created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    name,
                    encoded,
                    ",".join(roles),
                    int(must_change_password),
                    to_iso(now),
                    created_by,
                ),
            )
        return self.get(name)

    def set_roles(self, name: str, roles: tuple[Role, ...]) -> User:
        roles = parse_roles(roles)
        self.get(name)
        with transaction(self._conn):
            self._conn.execute("UPDATE users SET roles = ? WHERE name = ?", (",".join(roles), name))
        return self.get(name)

    def set_disabled(self, name: str, disabled: bool) -> User:
        self.get(name)
        with transaction(self._conn):
            self._conn.execute(
                "UPDATE users SET disabled = ? WHERE name = ?", (int(disabled), name)
            )
        return self.get(name)

    def unlock(self, name: str) -> User:
        self.get(name)
        with transaction(self._conn):
            self._conn.execute(
                "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE name = ?", (name,)
            )
        return self.get(name)

    def set_password(self, name: str, password: str, *, must_change: bool) -> User:
        check_password_strength(password)
        self.get(name)
        encoded = hash_password(password, n=self._scrypt_n)
        with transaction(self._conn):
            self._conn.execute(
                "UPDATE users SET password_hash = ?, must_change_password = ?, failed_logins = 0, "
                "locked_until = NULL WHERE name = ?",
                (encoded, int(must_change), name),
            )
        return self.get(name)

    # -- authentication ------------------------------------------------------------------
    def authenticate(
        self, name: str, password: str, *, now: datetime, policy: LockoutPolicy
    ) -> tuple[User | None, str]:
        """Check a login. Returns (user, "ok") or (user-or-None, reason) where reason is
        "unknown_user", "disabled", "locked", "wrong_password" or "locked_out" (this failure
        locked the account). The caller logs the attempt and raises."""
        row = self._conn.execute(
            "SELECT password_hash FROM users WHERE name = ?", (name,)
        ).fetchone()
        if row is None:
            # Spend the same time as a real check so names cannot be probed by timing.
            verify_password(password, hash_password("x" * MIN_PASSWORD_LENGTH, n=self._scrypt_n))
            return None, "unknown_user"
        user = self.get(name)
        if user.disabled:
            return user, "disabled"
        if user.is_locked(now):
            return user, "locked"
        if verify_password(password, str(row[0])):
            with transaction(self._conn):
                self._conn.execute(
                    "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE name = ?",
                    (name,),
                )
            return self.get(name), "ok"
        failures = user.failed_logins + 1
        locked_until = None
        if failures >= policy.max_failures:
            locked_until = to_iso(now + timedelta(minutes=policy.lock_minutes))
            failures = 0
        with transaction(self._conn):
            self._conn.execute(
                "UPDATE users SET failed_logins = ?, locked_until = ? WHERE name = ?",
                (failures, locked_until, name),
            )
        return self.get(name), ("locked_out" if locked_until else "wrong_password")


def login_failure_message(reason: str, user: User | None) -> str:
    if reason == "disabled":
        return "This account is disabled. Ask an administrator."
    if reason in ("locked", "locked_out") and user is not None and user.locked_until is not None:
        until = user.locked_until.strftime("%H:%M UTC")
        return f"Too many failed logins: this account is locked until {until}, or until an administrator unlocks it."
    return "Wrong user name or password."


def _user_from_row(row: tuple[object, ...]) -> User:
    name, roles, disabled, failed, locked_until, must_change, created_at, created_by = row
    return User(
        name=str(name),
        roles=tuple(Role(r) for r in str(roles).split(",") if r),
        disabled=bool(disabled),
        failed_logins=int(str(failed)),
        locked_until=from_iso(str(locked_until)) if locked_until else None,
        must_change_password=bool(must_change),
        created_at=from_iso(str(created_at)),
        created_by=str(created_by),
    )

