"""Who is connected to a call's signalling, on any hub process: the `call_peers` rows.

Joining checks the hello's token against the call and the role, lists the peers already
there and adds the newcomer, in one transaction that holds the call's row (PostgreSQL: `FOR
UPDATE`; SQLite: `BEGIN IMMEDIATE`), so two peers joining at once are put in an order: the
second sees the first and makes the offer, never neither.

A process renews the rows of the sockets it holds (`renew`); a row nobody has renewed for
`STALE` belonged to a process that died, and `sweep` takes it away so the others hear that
peer disconnected.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, insert, select, update

from hub.appointments.transactions import writing
from hub.calls.invites import invited_call, mark_used
from hub.calls.tables import Call, CallPeer
from hub.calls.tokens import matches

ROLES = ("kiosk", "advisor", "interpreter")
RENEW_EVERY = timedelta(seconds=10)
STALE = timedelta(seconds=45)


@dataclass(frozen=True)
class Peer:
    peer_id: str
    role: str


@dataclass(frozen=True)
class Joined:
    peers: tuple[Peer, ...]  # the others already there


@dataclass(frozen=True)
class AlreadyEnded:
    reason: str
    by: str


@dataclass(frozen=True)
class Gone:
    peer_id: str
    call_id: str
    role: str


def join(engine: Engine, call_id: str, token: str, role: str, peer_id: str, now: datetime
         ) -> Joined | AlreadyEnded | None:
    """None when the token is not this call's for this role (or there is no such call)."""
    with writing(engine) as connection:
        call = connection.execute(select(Call).where(Call.id == call_id).with_for_update()).first()
        if call is None:
            return None
        if role == "kiosk":
            allowed = matches(token, call.kiosk_token_digest)
        elif role == "advisor":
            allowed = matches(token, call.advisor_token_digest)
        elif role == "interpreter":
            invited = invited_call(connection, token) if call.state == "answered" else None
            allowed = invited is not None and invited.call_id == call_id
        else:
            allowed = False
        if not allowed:
            return None
        if call.state == "ended":
            return AlreadyEnded(str(call.end_reason), str(call.ended_by))
        if role == "interpreter":
            mark_used(connection, token, now)
        others = connection.execute(
            select(CallPeer.peer_id, CallPeer.role).where(CallPeer.call_id == call_id)
            .order_by(CallPeer.joined_at, CallPeer.peer_id)).all()
        connection.execute(insert(CallPeer).values(
            peer_id=peer_id, call_id=call_id, role=role, joined_at=now, seen_at=now))
    return Joined(tuple(Peer(str(row.peer_id), str(row.role)) for row in others))


def leave(engine: Engine, peer_id: str) -> bool:
    """Whether the peer was still listed (False once its call has ended)."""
    with engine.begin() as connection:
        return connection.execute(delete(CallPeer).where(CallPeer.peer_id == peer_id)
                                  ).rowcount == 1


def renew(engine: Engine, peer_ids: Iterable[str], now: datetime) -> None:
    ids = list(peer_ids)
    if not ids:
        return
    with engine.begin() as connection:
        connection.execute(update(CallPeer).where(CallPeer.peer_id.in_(ids)).values(seen_at=now))


def sweep(engine: Engine, now: datetime) -> list[Gone]:
    """Take away the rows no process renews any more, and say whose they were."""
    cutoff = now - STALE
    gone = []
    with engine.begin() as connection:
        rows = connection.execute(select(CallPeer.peer_id, CallPeer.call_id, CallPeer.role)
                                  .where(CallPeer.seen_at < cutoff)).all()
        for row in rows:
            taken = connection.execute(delete(CallPeer).where(
                CallPeer.peer_id == row.peer_id, CallPeer.seen_at < cutoff)).rowcount
            if taken:
                gone.append(Gone(str(row.peer_id), str(row.call_id), str(row.role)))
    return gone
