"""User accounts: password hashes, roles, lockout, disable.

This module stores and checks; it does not decide who may change whom (that is
workbench.services.users, through the permission table) and it writes no events.

Every row carries ``record_mac``: an HMAC-SHA256, under a key derived from the sealed
keyset, of all the row's other fields (name, password hash, roles, disabled, lockout
counters, must-change flag, creation). Every write here recomputes it in the same
transaction; a row whose MAC does not verify was changed outside the app (someone who can
write the database put in a password hash, roles or a cleared lock of their own) and opens
nothing: :meth:`UserStore.authenticate` refuses it and :meth:`UserStore.get_verified`
raises :class:`RecordTampered`. Only a new password set through the app
(:meth:`UserStore.set_password`, an administrator's reset) makes such a row valid again,
and it leaves the account disabled until an administrator has checked its roles and
enables it.
"""

from __future__ import annotations

import hmac
import re
import secrets
import sqlite3
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from rlwb.crypto.params import SCRYPT_N
from rlwb.crypto.passwords import (
    dummy_hash,
    hash_password,
    keyed_name,
    needs_rehash,
    record_mac,
    verify_password,
)
from rlwb.workbench.clock import from_iso, to_iso
from rlwb.workbench.db import transaction
from rlwb.workbench.errors import (
    InvalidInput,
    LoginReason,
    LoginRefused,
    NotFound,
    RefusalKind,
    WorkbenchError,
)
from rlwb.workbench.permissions import Role, parse_roles

MIN_PASSWORD_LENGTH = 10
_NAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
#: The fields a row's MAC covers, in this order (every column but the MAC itself).
_FIELDS = (
    "name, password_hash, roles, disabled, failed_logins, locked_until, "
    "must_change_password, created_at, created_by"
)
TAMPERED_MESSAGE = (
    "This account's record was changed outside the app; an administrator must reset it "
    "(set a new password for it) before it can be used."
)


class RecordTampered(WorkbenchError):
    """A users row whose MAC does not verify: changed outside the app."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"The record of account {name!r} was changed outside the app, so it allows "
            "nothing. An administrator must reset it: set a new password for it (that leaves "
            "it disabled until its roles are checked and it is enabled again)."
        )
        self.name = name


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 5
    lock_minutes: int = 15


@dataclass(frozen=True)
class LoginCheck:
    """The outcome of one password check. ``reason`` is for the access log; ``user`` is
    None for a name that is no user."""

    user: User | None
    reason: LoginReason
    locked_until: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.reason is LoginReason.OK and self.user is not None


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
    #: False if the row's MAC does not verify (changed outside the app): shown to
    #: administrators, so they know which account to reset.
    record_intact: bool = True

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
    """``name_key`` keys the HMAC under which failed logins for unknown names are counted,
    ``record_key`` the MAC of each row (both derived from the sealed keyset, so the tables
    mean nothing, and cannot be forged, without the keys)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        *,
        record_key: bytes,
        scrypt_n: int = SCRYPT_N,
        name_key: bytes | None = None,
    ) -> None:
        self._conn = conn
        self._record_key = record_key
        self._scrypt_n = scrypt_n
        self._name_key = name_key if name_key is not None else secrets.token_bytes(32)
        self._dummy_hash = dummy_hash(n=scrypt_n)

    # -- the row MAC ---------------------------------------------------------------------
    def _row(self, name: str) -> tuple[object, ...] | None:
        row: tuple[object, ...] | None = self._conn.execute(
            f"SELECT {_FIELDS}, record_mac FROM users WHERE name = ?", (name,)
        ).fetchone()
        return row

    def _intact(self, row: tuple[object, ...]) -> bool:
        stored = row[-1]
        expected = record_mac(self._record_key, _fields(row[:-1]))
        return isinstance(stored, bytes) and hmac.compare_digest(stored, expected)

    def _seal(self, name: str) -> None:
        """Write the row's MAC over what it holds now (inside the caller's transaction)."""
        row = self._conn.execute(f"SELECT {_FIELDS} FROM users WHERE name = ?", (name,)).fetchone()
        self._conn.execute(
            "UPDATE users SET record_mac = ? WHERE name = ?",
            (record_mac(self._record_key, _fields(row)), name),
        )

    def seal_all(self) -> int:
        """MAC every row as it is: only for the one-time upgrade of a workspace from before
        row MACs (inside the caller's transaction, with the keyset marker written in it)."""
        names = [str(r[0]) for r in self._conn.execute("SELECT name FROM users").fetchall()]
        for name in names:
            self._seal(name)
        return len(names)

    def _update(self, name: str, assignments: str, params: tuple[object, ...]) -> None:
        """Change a row and MAC it again, in one transaction; a row that does not verify
        is refused (only :meth:`set_password` may repair one)."""
        with transaction(self._conn):
            row = self._row(name)
            if row is None:
                raise NotFound(f"There is no user named {name!r}.")
            if not self._intact(row):
                raise RecordTampered(name)
            self._conn.execute(f"UPDATE users SET {assignments} WHERE name = ?", (*params, name))
            self._seal(name)

    # -- reading -------------------------------------------------------------------------
    def get_verified(self, name: str) -> User:
        """The account, if its row verifies; RecordTampered if it was changed outside the
        app (what authorize() reads on every action)."""
        row = self._row(name)
        if row is None:
            raise NotFound(f"There is no user named {name!r}.")
        if not self._intact(row):
            raise RecordTampered(name)
        return _user_from_row((row[0], *row[2:-1]))

    def is_intact(self, name: str) -> bool:
        """False for a row changed outside the app (for the administrator's list)."""
        row = self._row(name)
        return row is not None and self._intact(row)

    def get(self, name: str) -> User:
        """The account as stored, verified or not (for display; never to grant anything:
        ``record_intact`` says whether its row verifies)."""
        row = self._row(name)
        if row is None:
            raise NotFound(f"There is no user named {name!r}.")
        return self._shown(row)

    def exists(self, name: str) -> bool:
        return (
            self._conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone() is not None
        )

    def list(self) -> list[User]:
        rows = self._conn.execute(
            f"SELECT {_FIELDS}, record_mac FROM users ORDER BY name"
        ).fetchall()
        return [self._shown(r) for r in rows]

    def _shown(self, row: tuple[object, ...]) -> User:
        user = _user_from_row((row[0], *row[2:-1]))
        return user if self._intact(row) else replace(user, record_intact=False)

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
            self._seal(name)
        return self.get(name)

    def set_roles(self, name: str, roles: tuple[Role, ...]) -> User:
        roles = parse_roles(roles)
        self._update(name, "roles = ?", (",".join(roles),))
        return self.get(name)

    def set_disabled(self, name: str, disabled: bool) -> User:
        self._update(name, "disabled = ?", (int(disabled),))
        return self.get(name)

    def unlock(self, name: str) -> User:
        self._update(name, "failed_logins = 0, locked_until = NULL", ())
        return self.get(name)

    def set_password(self, name: str, password: str, *, must_change: bool) -> User:
        """Set a new password. This is also the reset of a row changed outside the app: it
        is MACed again, and disabled, since its roles cannot be trusted; an administrator
        checks them and enables the account."""
        check_password_strength(password)
        self.get(name)
        encoded = hash_password(password, n=self._scrypt_n)
        with transaction(self._conn):
            row = self._row(name)
            if row is None:
                raise NotFound(f"There is no user named {name!r}.")
            disable = ", disabled = 1" if not self._intact(row) else ""
            self._conn.execute(
                "UPDATE users SET password_hash = ?, must_change_password = ?, failed_logins = 0, "
                f"locked_until = NULL{disable} WHERE name = ?",
                (encoded, int(must_change), name),
            )
            self._seal(name)
        return self.get(name)

    # -- authentication ------------------------------------------------------------------
    def authenticate(
        self, name: str, password: str, *, now: datetime, policy: LockoutPolicy
    ) -> LoginCheck:
        """Check a login; the caller logs the attempt and raises :func:`refusal` if not ok.

        Every attempt costs exactly one scrypt with the current parameters, whether the
        name exists, is disabled or is locked (an unknown name is checked against a dummy
        hash), and an unknown name is counted and locked out like a known one: neither the
        time taken nor the answer tells whether a name exists. A disabled account is only
        said to be disabled to someone who gave its right password. A hash made with
        cheaper parameters than today's is replaced after a successful check.
        """
        row = self._row(name)
        if row is None:
            verify_password(password, self._dummy_hash)
            return self._unknown_name_failure(name, now, policy)
        encoded = str(row[1])
        matches = verify_password(password, encoded)
        if not self._intact(row):
            # Whatever the password: the row's hash, roles and lock are not the app's.
            return LoginCheck(_untrusted(name, now), LoginReason.TAMPERED)
        user = _user_from_row((row[0], *row[2:-1]))
        if user.is_locked(now):
            return LoginCheck(user, LoginReason.LOCKED, user.locked_until)
        if not matches:
            return self._count_failure(user, now, policy)
        if user.disabled:
            return LoginCheck(user, LoginReason.DISABLED)
        rehashed = (
            hash_password(password, n=self._scrypt_n)
            if needs_rehash(encoded, n=self._scrypt_n)
            else encoded
        )
        try:
            self._update(
                name, "failed_logins = 0, locked_until = NULL, password_hash = ?", (rehashed,)
            )
        except RecordTampered:  # changed outside the app since it was read above
            return LoginCheck(_untrusted(name, now), LoginReason.TAMPERED)
        return LoginCheck(self.get(name), LoginReason.OK)

    def password_cost(self, name: str) -> str:
        """The scheme and cost part of a stored hash (e.g. ``scrypt$ln=17,r=8,p=1``)."""
        row = self._conn.execute(
            "SELECT password_hash FROM users WHERE name = ?", (name,)
        ).fetchone()
        if row is None:
            raise NotFound(f"There is no user named {name!r}.")
        return "$".join(str(row[0]).split("$")[:2])

    def _count_failure(self, user: User, now: datetime, policy: LockoutPolicy) -> LoginCheck:
        failures, locked_until = _next_failure(user.failed_logins, now, policy)
        try:
            self._update(
                user.name,
                "failed_logins = ?, locked_until = ?",
                (failures, to_iso(locked_until) if locked_until else None),
            )
        except RecordTampered:  # changed outside the app since it was read above
            return LoginCheck(_untrusted(user.name, now), LoginReason.TAMPERED)
        if locked_until is not None:
            return LoginCheck(self.get(user.name), LoginReason.LOCKED_OUT, locked_until)
        return LoginCheck(self.get(user.name), LoginReason.WRONG_PASSWORD)

    def _unknown_name_failure(self, name: str, now: datetime, policy: LockoutPolicy) -> LoginCheck:
        """Count a failure for a name that is no user, keyed by an HMAC of the name."""
        key = keyed_name(self._name_key, name)
        row = self._conn.execute(
            "SELECT failed_logins, locked_until FROM login_failures WHERE name_hmac = ?", (key,)
        ).fetchone()
        failed = int(row[0]) if row else 0
        until = from_iso(str(row[1])) if row and row[1] else None
        if until is not None and now < until:
            return LoginCheck(None, LoginReason.LOCKED, until)
        failures, locked_until = _next_failure(failed, now, policy)
        with transaction(self._conn):
            self._conn.execute(
                "INSERT INTO login_failures (name_hmac, failed_logins, locked_until) "
                "VALUES (?, ?, ?) ON CONFLICT(name_hmac) DO UPDATE SET "
                "failed_logins = excluded.failed_logins, locked_until = excluded.locked_until",
                (key, failures, to_iso(locked_until) if locked_until else None),
            )
        if locked_until is not None:
            return LoginCheck(None, LoginReason.LOCKED_OUT, locked_until)
        return LoginCheck(None, LoginReason.UNKNOWN_USER)


def _next_failure(failed: int, now: datetime, policy: LockoutPolicy) -> tuple[int, datetime | None]:
    """The failure count after one more failure, and the lock it brings (or None)."""
    failures = failed + 1
    if failures >= policy.max_failures:
        return 0, now + timedelta(minutes=policy.lock_minutes)
    return failures, None


WRONG_LOGIN_MESSAGE = "Wrong user name or password."


def refusal(check: LoginCheck) -> LoginRefused:
    """The error for a failed check: the same words whether the name exists or not."""
    if check.reason is LoginReason.DISABLED:
        return LoginRefused("This account is disabled. Ask an administrator.", RefusalKind.DISABLED)
    if check.reason is LoginReason.TAMPERED:
        return LoginRefused(TAMPERED_MESSAGE, RefusalKind.TAMPERED)
    if (
        check.reason in (LoginReason.LOCKED, LoginReason.LOCKED_OUT)
        and check.locked_until is not None
    ):
        until = check.locked_until.strftime("%H:%M UTC")
        return LoginRefused(
            f"Too many failed logins: this account is locked until {until}, or until an "
            "administrator unlocks it.",
            RefusalKind.LOCKED,
            check.locked_until,
        )
    return LoginRefused(WRONG_LOGIN_MESSAGE, RefusalKind.WRONG)


def _fields(row: tuple[object, ...]) -> list[str | int | None]:
    """A row's fields as the MAC encodes them (a value of another type, which only an edit
    outside the app puts there, by its repr)."""
    return [v if isinstance(v, (str, int)) or v is None else repr(v) for v in row]


def _untrusted(name: str, now: datetime) -> User:
    """What a login check says of an account whose row does not verify: its name, and
    nothing the row claims (no roles, disabled), so nothing is granted or logged from it."""
    return User(
        name=name,
        roles=(),
        disabled=True,
        failed_logins=0,
        locked_until=None,
        must_change_password=False,
        created_at=now,
        created_by="",
    )


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
