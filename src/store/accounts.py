"""People who may sign in to the review desk (`users`) and their sign-in attempts
(`login_attempts`): the desk's secrets, kept apart from reviewers' decisions and never
copied into a snapshot or an export (dossier.store.snapshot.SECRET_TABLES)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from dossier.records.warehouse import User, UserSummary
from dossier.store.warehouse import fetch_dicts, utcnow

if TYPE_CHECKING:
    from dossier.store.session import Session

# --- users ------------------------------------------------------------------------------

def add_user(con: Session, username: str, password_hash: str, role: str) -> None:
    con.execute("INSERT INTO users (username, password_hash, role, active, created_at) VALUES (?, ?, ?, TRUE, ?)",
                [username, password_hash, role, utcnow()])


def get_user(con: Session, username: str) -> User | None:
    """A user with their password hash, for signing in; None when there is no such user."""
    rows = fetch_dicts(con, "SELECT * FROM users WHERE username = ?", [username])
    return User.model_validate(rows[0]) if rows else None


def list_users(con: Session) -> list[UserSummary]:
    """Every user, by name, without their password hash."""
    rows = fetch_dicts(con, "SELECT username, role, active, created_at, disabled_at FROM users ORDER BY username")
    return [UserSummary.model_validate(row) for row in rows]


def has_users(con: Session) -> bool:
    """Whether any user was ever added (disabled ones count: the desk was set up)."""
    return bool(con.execute("SELECT count(*) FROM users").fetchall()[0][0])


def disable_user(con: Session, username: str) -> bool:
    """Disable a user (kept for the audit trail); False when there is no such active user."""
    found = con.execute("SELECT 1 FROM users WHERE username = ? AND active", [username]).fetchone()
    if not found:
        return False
    con.execute("UPDATE users SET active = FALSE, disabled_at = ? WHERE username = ?", [utcnow(), username])
    return True


def set_password_hash(con: Session, username: str, password_hash: str) -> None:
    con.execute("UPDATE users SET password_hash = ? WHERE username = ?", [password_hash, username])


def bump_session_version(con: Session, username: str) -> None:
    """End every session of `username` issued so far (they carry the old version)."""
    con.execute("UPDATE users SET session_version = coalesce(session_version, 0) + 1 WHERE username = ?", [username])


# --- sign-in attempts (kept for the rate limit's window, then pruned) ------------------------

def record_login_attempt(con: Session, when: datetime, username: str, client: str, outcome: str) -> None:
    con.execute("INSERT INTO login_attempts VALUES (?, ?, ?, ?)", [when, username[:200], client[:200], outcome])


def prune_login_attempts(con: Session, before: datetime) -> int:
    """Delete sign-in attempts older than `before` (they no longer count towards any limit), so
    the table stays as small as its window; return how many went."""
    row = con.execute("DELETE FROM login_attempts WHERE attempted_at < ?", [before]).fetchone()
    return int(row[0]) if row else 0


def recent_failures(con: Session, column: str, value: str, since: datetime,
                    reset_by_success: bool) -> list[datetime]:
    """Times of failed sign-ins with `column` (username or client) = value since `since`, oldest
    first; with reset_by_success, only those after the latest successful sign-in."""
    assert column in ("username", "client")
    after_success = (f" AND attempted_at > coalesce((SELECT max(attempted_at) FROM login_attempts"
                     f" WHERE {column} = ? AND outcome = 'ok'), TIMESTAMPTZ '1970-01-01 00:00:00+00')"
                     if reset_by_success else "")
    params: list[Any] = [value[:200], since] + ([value[:200]] if reset_by_success else [])
    rows = con.execute(f"SELECT attempted_at FROM login_attempts WHERE {column} = ? AND outcome = 'failed'"
                       f" AND attempted_at >= ?{after_success} ORDER BY attempted_at", params).fetchall()
    return [r[0] for r in rows]
