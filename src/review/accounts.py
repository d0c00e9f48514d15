"""People who may sign in to the review desk: argon2id password hashes and roles."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from dossier.errors import Refused
from dossier.records.warehouse import User
from dossier.store.session import Session, WriteSession

# Each role may do what the ones before it may.
ROLES = ("viewer", "reviewer", "admin")
_USERNAME = re.compile(r"^[A-Za-z0-9._-]{2,64}$")
MIN_PASSWORD = 8


class AccountError(Refused, ValueError):
    """A user that cannot be added or changed, with the reason."""


def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id with the library's current recommended parameters


def role_allows(role: str, needed: str) -> bool:
    """Whether `role` may do what `needed` may."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def add_account(session: WriteSession, username: str, password: str, role: str) -> None:
    """Create a user with an argon2id hash of the password."""
    if not _USERNAME.match(username):
        raise AccountError(f"{username!r}: a username is 2–64 letters, digits, dots, dashes or underscores")
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    if session.accounts.get_user(username) is not None:
        raise AccountError(f"user {username!r} exists (disabled users keep their name)")
    session.accounts.add_user(username, _hasher().hash(password), role)
    session.reviews.append_event(username, "user_add", None, None, None, {"username": username, "role": role}, None)


def disable_account(session: WriteSession, username: str, by: str) -> None:
    """Disable a user (kept for the audit trail); their sessions end at once."""
    if not session.accounts.disable_user(username):
        raise AccountError(f"no active user {username!r}")
    session.reviews.append_event(by, "user_disable", None, None, {"username": username, "active": True},
                                 {"username": username, "active": False}, None)


def check_reviewer(session: Session, username: str) -> None:
    """Refuse a review action in the name of `username` unless it names an active user with the
    reviewer or admin role. A warehouse with no users at all (a fresh demo) takes any name, as
    the audit log's only record of who acted; once a user exists, the log must name one."""
    if not session.accounts.has_users():
        if not username.strip():
            raise AccountError("--reviewer (or DOSSIER_REVIEWER) is required")
        return
    hint = "`dossier users list` shows the users"
    if not username.strip():
        raise AccountError(f"--reviewer (or DOSSIER_REVIEWER) must name an active reviewer or admin; {hint}")
    user = session.accounts.get_user(username)
    if user is None:
        raise AccountError(f"no user {username!r}; --reviewer must name an active reviewer or admin ({hint})")
    if not user.active:
        raise AccountError(f"user {username!r} is disabled; --reviewer must name an active reviewer or admin")
    if not role_allows(user.role, "reviewer"):
        raise AccountError(f"user {username!r} has the role {user.role}; reviewing needs the reviewer or admin role")


@dataclass(frozen=True)
class PasswordCheck:
    """The outcome of checking a password against a user row: whether it matched, and a new hash
    to store when the stored one uses older parameters."""

    ok: bool
    rehash: str | None = None


def check_password(user: User | None, password: str) -> PasswordCheck:
    """Check `password` against `user` (a users row, or None) without touching the warehouse, so
    the desk can hash outside its connection lock: a flood of sign-ins then never holds up the
    pages of signed-in reviewers. A missing or disabled user costs the same hashing effort."""
    hasher = _hasher()
    if user is None or not user.active:
        # Spend the same effort as a real check, so timing does not reveal which names exist.
        try:
            hasher.verify(_dummy_hash(), password)
        except (VerificationError, InvalidHashError):
            pass
        return PasswordCheck(False)
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return PasswordCheck(False)
    return PasswordCheck(True, hasher.hash(password) if hasher.check_needs_rehash(user.password_hash) else None)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash made once per process on first use (nothing is computed at import time)."""
    return _hasher().hash("not a password anyone has")
