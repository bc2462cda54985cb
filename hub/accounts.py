"""Staff accounts: who may sign in to the hub's pages, with which role, and the audit of it.

Accounts are made and changed only from the command line (`kiosk-hub account ...`), by
whoever runs the hub's service: there is no page that creates accounts, so a stolen session
cannot make itself another one. Every change, sign-in, failure and sign-out is recorded in
`account_events`; passwords never are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hub.db import AccountEvent, StaffAccount, StaffSession, utcnow
from hub.passwords import Passwords, password_problem

Role = Literal["staff", "advisor", "manager", "it"]
ROLES: tuple[Role, ...] = ("staff", "advisor", "manager", "it")
ROLE_DESCRIPTIONS: dict[Role, str] = {
    "staff": "council staff at a kiosk site: device status, residents' requests",
    "advisor": "answers residents' video calls from the advisor console",
    "manager": "reports and bookings across sites",
    "it": "the fleet of kiosks and the hub itself",
}
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")

# What account_events.event may say.
SIGNED_IN = "signed_in"
SIGN_IN_FAILED = "sign_in_failed"
SIGN_IN_LOCKED = "sign_in_locked"
SIGNED_OUT = "signed_out"
ACCOUNT_ADDED = "account_added"
ACCOUNT_DISABLED = "account_disabled"
ACCOUNT_ENABLED = "account_enabled"
PASSWORD_RESET = "password_reset"


class AccountError(Exception):
    """A refusal to show whoever ran the command, as one line."""


@dataclass(frozen=True)
class AccountInfo:
    name: str
    role: Role
    disabled: bool
    created_at: datetime
    password_changed_at: datetime
    last_signed_in: datetime | None


@dataclass(frozen=True)
class Event:
    at: datetime
    event: str
    account_name: str
    client: str
    detail: str


def as_role(text: str) -> Role:
    for role in ROLES:
        if text == role:
            return role
    raise AccountError(f"role must be one of {', '.join(ROLES)}, not {text!r}")


def normalise_name(name: str) -> str:
    """Names are typed on a sign-in page and in a terminal: case must not matter."""
    return name.strip().lower()


def check_name(name: str) -> str:
    """The name as stored, or AccountError saying what a name may contain."""
    normal = normalise_name(name)
    if not _NAME.match(normal):
        raise AccountError(f"account name {name!r} cannot be used: use 1 to 64 letters, digits, "
                           "dots, hyphens or underscores, starting with a letter or digit")
    return normal


def check_password(password: str) -> None:
    problem = password_problem(password)
    if problem is not None:
        raise AccountError(problem)


def record(session: Session, event: str, *, account_name: str = "", client: str = "",
           detail: str = "", at: datetime | None = None) -> None:
    """Add one audit row to `session` (the caller commits, with the change it records)."""
    session.add(AccountEvent(at=at or utcnow(), event=event, account_name=account_name,
                             client=client[:64], detail=detail[:200]))


def find_account(session: Session, name: str) -> StaffAccount | None:
    return session.scalar(select(StaffAccount).where(StaffAccount.name == normalise_name(name)))


def _existing(session: Session, name: str) -> StaffAccount:
    account = find_account(session, name)
    if account is None:
        raise AccountError(f"there is no account called {normalise_name(name)!r}")
    return account


def add_account(sessions: sessionmaker[Session], passwords: Passwords, name: str, role: Role,
                password: str, *, by: str) -> None:
    """Create an account; `by` says who did it, for the audit."""
    stored = check_name(name)
    check_password(password)
    now = utcnow()
    with sessions() as session:
        if find_account(session, stored) is not None:
            raise AccountError(f"there is already an account called {stored!r}")
        session.add(StaffAccount(name=stored, role=as_role(role), disabled=False,
                                 password_hash=passwords.hash(password), created_at=now,
                                 password_changed_at=now))
        record(session, ACCOUNT_ADDED, account_name=stored, detail=f"role {role}, by {by}", at=now)
        try:
            session.commit()
        except IntegrityError:
            raise AccountError(f"there is already an account called {stored!r}") from None


def end_all_sessions(session: Session, account_id: int) -> None:
    session.execute(delete(StaffSession).where(StaffSession.account_id == account_id))


def set_disabled(sessions: sessionmaker[Session], name: str, disabled: bool, *, by: str) -> None:
    """Disable (signing the account out everywhere at once) or enable an account."""
    with sessions() as session:
        account = _existing(session, name)
        account.disabled = disabled
        if disabled:
            end_all_sessions(session, account.id)
        record(session, ACCOUNT_DISABLED if disabled else ACCOUNT_ENABLED,
               account_name=account.name, detail=f"by {by}")
        session.commit()


def reset_password(sessions: sessionmaker[Session], passwords: Passwords, name: str,
                   password: str, *, by: str) -> None:
    """A new password; every session of the account ends, so whoever had the old one is out."""
    check_password(password)
    with sessions() as session:
        account = _existing(session, name)
        account.password_hash = passwords.hash(password)
        account.password_changed_at = utcnow()
        end_all_sessions(session, account.id)
        record(session, PASSWORD_RESET, account_name=account.name, detail=f"by {by}")
        session.commit()


def list_accounts(sessions: sessionmaker[Session]) -> list[AccountInfo]:
    last = (select(AccountEvent.account_name, func.max(AccountEvent.at).label("at"))
            .where(AccountEvent.event == SIGNED_IN).group_by(AccountEvent.account_name)
            .subquery())
    statement = (select(StaffAccount, last.c.at)
                 .outerjoin(last, last.c.account_name == StaffAccount.name)
                 .order_by(StaffAccount.name))
    with sessions() as session:
        rows = session.execute(statement).all()
    # max() keeps the column's type, so `last_at` comes back as an aware UTC datetime.
    return [AccountInfo(account.name, as_role(account.role), account.disabled,
                        account.created_at, account.password_changed_at, last_at)
            for account, last_at in rows]


def recent_events(sessions: sessionmaker[Session], limit: int,
                  account_name: str | None = None) -> Sequence[Event]:
    """The newest `limit` audit rows, newest first."""
    statement = select(AccountEvent).order_by(AccountEvent.at.desc(), AccountEvent.id.desc())
    if account_name is not None:
        statement = statement.where(AccountEvent.account_name == normalise_name(account_name))
    with sessions() as session:
        rows = session.scalars(statement.limit(limit)).all()
    return [Event(r.at, r.event, r.account_name, r.client, r.detail) for r in rows]
