"""Interpreter invites: a link the call's advisor makes, good while the call is answered.

The link is `/join/<token>`: an invitation by design (docs/calls.md), so the token is in a
URL, but it is good only for that call and only until it ends. Each invite is a new link.
The interpreter's page (`GET /join/{token}`, hub/calls/console_page.py) asks
`call_for_invite` which call a link is for; the interpreter then joins the call's
signalling with role `interpreter` and the same token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, insert, select, update

from hub.calls.tables import Call, InterpreterInvite
from hub.calls.tokens import digest, new_token

JOIN_PATH = "/join/"


@dataclass(frozen=True)
class InvitedCall:
    call_id: str
    language: str  # the resident's
    interpreter: str | None  # the language the resident asked an interpreter for


class InviteRefused(Exception):
    """`unknown_call` (404: no such call, or not this advisor's) or `call_ended` (409)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
        self.status = 404 if code == "unknown_call" else 409


def invite(engine: Engine, call_id: str, advisor: str, now: datetime) -> str:
    """A new interpreter link for a call this advisor is in."""
    token = new_token()
    with engine.begin() as connection:
        state = connection.execute(select(Call.state).where(
            Call.id == call_id, Call.advisor == advisor)).scalar()
        if state is None:
            raise InviteRefused("unknown_call")
        if state != "answered":
            raise InviteRefused("call_ended")
        connection.execute(insert(InterpreterInvite).values(
            token_digest=digest(token), call_id=call_id, created_at=now))
    return JOIN_PATH + token


def invited_call(connection: Connection, token: str) -> InvitedCall | None:
    row = connection.execute(
        select(Call.id, Call.language, Call.interpreter)
        .join(InterpreterInvite, InterpreterInvite.call_id == Call.id)
        .where(InterpreterInvite.token_digest == digest(token), Call.state == "answered")
    ).first()
    return None if row is None else InvitedCall(str(row.id), row.language, row.interpreter)


def call_for_invite(engine: Engine, token: str) -> InvitedCall | None:
    """The call an interpreter's link is for, while it is answered; else None (unknown
    link, or the call has ended: the link has expired)."""
    if not token or len(token) > 100:
        return None
    with engine.connect() as connection:
        return invited_call(connection, token)


def mark_used(connection: Connection, token: str, now: datetime) -> None:
    connection.execute(update(InterpreterInvite).where(
        InterpreterInvite.token_digest == digest(token), InterpreterInvite.used_at.is_(None))
        .values(used_at=now))
