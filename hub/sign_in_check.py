"""Checking a sign-in: lock-out, password, a new session, and the audit row for each outcome.

Lock-out counts failures in the audit table, so every hub process sharing the database
counts the same ones. Limits: `ACCOUNT_LIMIT` failures for one account, or `CLIENT_LIMIT`
from one address, within `WINDOW`. The address limit is higher because a council office
signs in from behind one address: five typos among its staff must not lock them all out.
An account's count starts again after it signs in, is enabled or has its password reset;
an address's does not (signing in to one's own account must not reset an attack on others).
Two processes checking at the same moment can each allow one more guess: a bound, not a
leak.

Every refusal costs about one password verification, whether the name has an account, the
account is locked or the password is wrong, so timing does not say which names exist.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hub.accounts import (
    ACCOUNT_ENABLED,
    PASSWORD_RESET,
    SIGN_IN_FAILED,
    SIGN_IN_LOCKED,
    SIGNED_IN,
    find_account,
    record,
)
from hub.db import AccountEvent
from hub.passwords import MAX_LENGTH, Passwords
from hub.staff_sessions import prune_expired, start_session

ACCOUNT_LIMIT = 5
CLIENT_LIMIT = 20
WINDOW = timedelta(minutes=15)


class Outcome(enum.Enum):
    SIGNED_IN = "signed_in"
    REFUSED = "refused"
    LOCKED = "locked"


@dataclass(frozen=True)
class Attempt:
    outcome: Outcome
    token: str = ""  # the new session's, when signed in

    def __repr__(self) -> str:
        return f"Attempt({self.outcome.value})"


def _failures(session: Session, since: datetime, *, account_name: str | None = None,
              client: str | None = None) -> int:
    statement = select(func.count()).select_from(AccountEvent).where(
        AccountEvent.event == SIGN_IN_FAILED, AccountEvent.at > since)
    if account_name is not None:
        statement = statement.where(AccountEvent.account_name == account_name)
    if client is not None:
        statement = statement.where(AccountEvent.client == client)
    return session.scalar(statement) or 0


def account_locked(session: Session, name: str, now: datetime) -> bool:
    since = now - WINDOW
    fresh_start = session.scalar(select(func.max(AccountEvent.at)).where(
        AccountEvent.account_name == name,
        AccountEvent.event.in_((SIGNED_IN, PASSWORD_RESET, ACCOUNT_ENABLED))))
    if fresh_start is not None and fresh_start > since:
        since = fresh_start
    return _failures(session, since, account_name=name) >= ACCOUNT_LIMIT


def client_locked(session: Session, client: str, now: datetime) -> bool:
    return _failures(session, now - WINDOW, client=client) >= CLIENT_LIMIT


def try_sign_in(sessions: sessionmaker[Session], passwords: Passwords, name: str,
                password: str, client: str, now: datetime) -> Attempt:
    """Sign in `name` from address `client`, or say why not; the audit records either."""
    password = password[:MAX_LENGTH + 1]  # longer is wrong anyway; never hash a megabyte
    with sessions() as session:
        account = find_account(session, name) if len(name) <= 64 else None
        known = account.name if account is not None else ""  # a typed name may be a password
        if client_locked(session, client, now) or (
                account is not None and account_locked(session, account.name, now)):
            passwords.waste_time(password)
            record(session, SIGN_IN_LOCKED, account_name=known, client=client, at=now)
            session.commit()
            return Attempt(Outcome.LOCKED)
        if account is None:
            passwords.waste_time(password)
            right = False
        else:
            right = passwords.verify(account.password_hash, password)
        if account is None or not right or account.disabled:
            detail = "account disabled" if account is not None and account.disabled else ""
            record(session, SIGN_IN_FAILED, account_name=known, client=client, detail=detail,
                   at=now)
            session.commit()
            return Attempt(Outcome.REFUSED)
        if passwords.needs_rehash(account.password_hash):
            account.password_hash = passwords.hash(password)
        prune_expired(session, now)
        token = start_session(session, account, now)
        record(session, SIGNED_IN, account_name=account.name, client=client, at=now)
        session.commit()
        return Attempt(Outcome.SIGNED_IN, token)
