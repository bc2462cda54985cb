"""The call queue: kiosks join it, poll their place in it and leave it; calls end here.

Fair order is the order calls were queued (`queued_at`, then id), and the position a kiosk
is told is its place in that order. The wait a kiosk is told is docs/calls.md's estimate:
position x (mean length of the last 20 answered calls, else 300 s) / max(1, advisors
available). Ending is one conditional update (`state != 'ended'`), so a call ends once
whoever races to end it, and only the winner tells the peers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, get_args

from sqlalchemy import ColumnElement, Connection, Engine, Row, and_, delete, func, insert, or_, select, update

from hub.calls import availability
from hub.calls.tables import Call, CallPeer
from hub.calls.tokens import digest, matches, new_call_id, new_token

DEFAULT_CALL_SECONDS = 300
MEAN_OF_LAST = 20
# A kiosk polls its status about once a second while queued; silent this long, it has gone.
KIOSK_QUIET = timedelta(seconds=60)
# An answered call with no advisor connected to its signalling this long after the answer
# has nobody to talk to the resident: the console that answered never joined (its tab went,
# or its WebSocket was blocked), or its advisor left with `bye` without ending the call.
ADVISOR_ABSENT = timedelta(seconds=30)
KioskReason = Literal["resident_left_queue", "resident_ended", "session_ended", "no_answer",
                      "kiosk_error"]
KIOSK_REASONS: tuple[str, ...] = get_args(KioskReason)


@dataclass(frozen=True)
class NewCall:
    terminal: str
    site: str
    service: str | None
    language: str
    interpreter: str | None


@dataclass(frozen=True)
class Status:
    state: str
    position: int | None
    wait_seconds: int | None
    end_reason: str | None
    advisors_available: int


@dataclass(frozen=True)
class Created:
    call_id: str
    token: str
    status: Status


@dataclass(frozen=True)
class Ending:
    """How a call ended, and whether this request was the one that ended it."""

    reason: str
    by: str
    ended_now: bool


@dataclass(frozen=True)
class Waiting:
    """A queued call as the advisors' queue shows it."""

    call_id: str
    site: str
    service: str | None
    language: str
    interpreter: str | None
    queued_at: datetime


_LISTED = (Call.id, Call.site, Call.service_code, Call.language, Call.interpreter, Call.queued_at)


def _ahead_of(call: Row[Any]) -> ColumnElement[bool]:
    """Calls queued before `call`, in the fair order."""
    return and_(Call.state == "queued",
                or_(Call.queued_at < call.queued_at,
                    and_(Call.queued_at == call.queued_at, Call.id < call.id)))


def mean_call_seconds(connection: Connection) -> float:
    rows = connection.execute(
        select(Call.answered_at, Call.ended_at)
        .where(Call.answered_at.is_not(None), Call.ended_at.is_not(None))
        .order_by(Call.ended_at.desc()).limit(MEAN_OF_LAST)).all()
    lengths = [(row.ended_at - row.answered_at).total_seconds() for row in rows]
    return sum(lengths) / len(lengths) if lengths else float(DEFAULT_CALL_SECONDS)


def _status(connection: Connection, call: Row[Any], now: datetime) -> Status:
    advisors = availability.available_count(connection, now)
    state = str(call.state)
    if state != "queued":
        return Status(state, None, None, call.end_reason, advisors)
    position = 1 + int(connection.execute(
        select(func.count()).select_from(Call).where(_ahead_of(call))).scalar_one())
    wait = position * mean_call_seconds(connection) / max(1, advisors)
    return Status(state, position, round(wait), None, advisors)


class CallQueue:
    """The queue of one hub's database, on the hub's clock (aware UTC `clock()`)."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.clock = clock

    def create(self, new: NewCall) -> Created:
        now = self.clock()
        token = new_token()
        call_id = new_call_id()
        with self.engine.begin() as connection:
            connection.execute(insert(Call).values(
                id=call_id, terminal=new.terminal, site=new.site, service_code=new.service,
                language=new.language, interpreter=new.interpreter, state="queued",
                queued_at=now, kiosk_seen_at=now, kiosk_token_digest=digest(token)))
            row = connection.execute(select(Call).where(Call.id == call_id)).one()
            return Created(call_id, token, _status(connection, row, now))

    def _kiosk_call(self, connection: Connection, call_id: str, token: str) -> Row[Any] | None:
        row = connection.execute(select(Call).where(Call.id == call_id)).first()
        if row is None or not matches(token, row.kiosk_token_digest):
            return None
        return row

    def status(self, call_id: str, token: str) -> Status | None:
        """None for an unknown call or a wrong token (the kiosk cannot tell which)."""
        now = self.clock()
        with self.engine.begin() as connection:
            row = self._kiosk_call(connection, call_id, token)
            if row is None:
                return None
            if row.state == "queued":
                connection.execute(update(Call).where(Call.id == call_id)
                                   .values(kiosk_seen_at=now))
            return _status(connection, row, now)

    def kiosk_owns(self, call_id: str, token: str) -> bool:
        """Whether `token` is this call's kiosk token (there being such a call)."""
        with self.engine.connect() as connection:
            return self._kiosk_call(connection, call_id, token) is not None

    def end(self, call_id: str, reason: str, by: str) -> Ending | None:
        """End the call if it is not over; None if there is no such call."""
        now = self.clock()
        with self.engine.begin() as connection:
            ended = connection.execute(
                update(Call).where(Call.id == call_id, Call.state != "ended")
                .values(state="ended", ended_at=now, end_reason=reason, ended_by=by)).rowcount
            connection.execute(delete(CallPeer).where(CallPeer.call_id == call_id))
            row = connection.execute(select(Call.end_reason, Call.ended_by)
                                     .where(Call.id == call_id)).first()
        if row is None:
            return None
        return Ending(str(row.end_reason), str(row.ended_by), ended == 1)

    def waiting(self, limit: int = 100) -> list[Waiting]:
        """Queued calls, oldest first."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(*_LISTED).where(Call.state == "queued")
                .order_by(Call.queued_at, Call.id).limit(limit))
            return [Waiting(*row) for row in rows]

    def listed(self, call_id: str) -> Waiting | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(*_LISTED).where(Call.id == call_id)).first()
        return None if row is None else Waiting(*row)

    def unattended(self) -> list[str]:
        """Answered calls with no advisor connected, answered over ADVISOR_ABSENT ago: to be
        ended as `advisor_disconnected`."""
        since = self.clock() - ADVISOR_ABSENT
        advisor_here = select(CallPeer.peer_id).where(
            CallPeer.call_id == Call.id, CallPeer.role == "advisor").exists()
        with self.engine.connect() as connection:
            return list(connection.execute(
                select(Call.id).where(Call.state == "answered", Call.answered_at < since,
                                      ~advisor_here)).scalars())

    def quiet_kiosks(self) -> list[str]:
        """Queued calls whose kiosk stopped asking: to be ended as `kiosk_gone`."""
        since = self.clock() - KIOSK_QUIET
        with self.engine.connect() as connection:
            return list(connection.execute(
                select(Call.id).where(Call.state == "queued", Call.kiosk_seen_at < since)
            ).scalars())
