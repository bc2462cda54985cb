"""Server-side sessions for signed-in staff, kept in the database every hub process shares.

The cookie holds a random token; the table holds only its SHA-256, the account, the session's
CSRF token and its times. A session ends after `IDLE` without a request, after `LIFETIME`
in any case, at sign-out, and when its account is disabled or its password reset.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, sessionmaker

from hub.accounts import Role, as_role
from hub.db import StaffAccount, StaffSession

IDLE = timedelta(minutes=30)
LIFETIME = timedelta(hours=10)  # a working day, so nobody signs in twice a shift
TOUCH_EVERY = timedelta(minutes=1)  # how stale last_seen may get, to spare a write per request


@dataclass(frozen=True)
class SignedIn:
    """Who is signed in on this request: what `require_role` hands a route."""

    account_id: int
    name: str
    role: Role
    csrf_token: str
    token_digest: str

    def __repr__(self) -> str:  # the tokens never reach a log through a repr
        return f"SignedIn(name={self.name!r}, role={self.role!r})"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def start_session(session: Session, account: StaffAccount, now: datetime) -> str:
    """Add a session for `account` to `session` (the caller commits); the cookie's token."""
    token = secrets.token_urlsafe(32)
    session.add(StaffSession(token_digest=token_digest(token), account_id=account.id,
                             csrf_token=secrets.token_urlsafe(32), created_at=now,
                             last_seen_at=now, expires_at=now + LIFETIME))
    return token


def _expired(row: StaffSession, now: datetime) -> bool:
    return now >= row.expires_at or now >= row.last_seen_at + IDLE


def signed_in(sessions: sessionmaker[Session], token: str, now: datetime) -> SignedIn | None:
    """The account behind a cookie's token, or None if it is unknown, expired or disabled."""
    if not token or len(token) > 200:
        return None
    digest = token_digest(token)
    with sessions() as session:
        found = session.execute(
            select(StaffSession, StaffAccount)
            .join(StaffAccount, StaffAccount.id == StaffSession.account_id)
            .where(StaffSession.token_digest == digest)).first()
        if found is None:
            return None
        row, account = found
        if _expired(row, now) or account.disabled:
            session.delete(row)
            session.commit()
            return None
        if now - row.last_seen_at >= TOUCH_EVERY:
            row.last_seen_at = now
            session.commit()
        return SignedIn(account.id, account.name, as_role(account.role), row.csrf_token, digest)


def end_session(sessions: sessionmaker[Session], digest: str) -> None:
    with sessions() as session:
        session.execute(delete(StaffSession).where(StaffSession.token_digest == digest))
        session.commit()


def prune_expired(session: Session, now: datetime) -> None:
    """Forget sessions past their lifetime or left idle (closed browsers never sign out)."""
    session.execute(delete(StaffSession).where(
        or_(StaffSession.expires_at <= now, StaffSession.last_seen_at <= now - IDLE)))
