"""Advisors answer calls, and record how each ended.

One answer wins: `UPDATE calls SET state='answered' ... WHERE id=? AND state='queued'` is
decided by the database, so two advisors pressing Answer together (on one hub process or
two) get one call and one `taken`. `answer_next` takes the oldest waiting call the same way,
moving on to the next if another advisor won that one: asking for "next" never skips the
queue. An advisor already in a call cannot answer another (the kiosk would wait for ever).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select, update

from hub.calls.tables import Call
from hub.calls.tokens import digest, new_token

OUTCOMES = ("resolved", "callback_booked", "referred")
NOTE_LIMIT = 500
ADVISOR_ENDED = "advisor_ended"


@dataclass(frozen=True)
class Answered:
    call_id: str
    token: str  # the advisor's secret for this call's signalling; only its digest is kept


class AnswerRefused(Exception):
    """Why an advisor cannot answer: `unknown_call` (404), `taken` or `in_call` (409),
    `queue_empty` (404, for "next")."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
        self.status = 404 if code in ("unknown_call", "queue_empty") else 409


def current_call(engine: Engine, advisor: str) -> str | None:
    """The call this advisor has answered and not yet ended."""
    with engine.connect() as connection:
        found = connection.execute(
            select(Call.id).where(Call.advisor == advisor, Call.state == "answered")
            .order_by(Call.answered_at.desc()).limit(1)).scalar()
    return None if found is None else str(found)


def answer(engine: Engine, call_id: str, advisor: str, now: datetime) -> Answered:
    if current_call(engine, advisor) is not None:
        raise AnswerRefused("in_call")
    token = new_token()
    with engine.begin() as connection:
        won = connection.execute(
            update(Call).where(Call.id == call_id, Call.state == "queued")
            .values(state="answered", answered_at=now, advisor=advisor,
                    advisor_token_digest=digest(token))).rowcount
        if won == 1:
            return Answered(call_id, token)
        exists = connection.execute(select(Call.id).where(Call.id == call_id)).first()
    raise AnswerRefused("taken" if exists is not None else "unknown_call")


def answer_next(engine: Engine, advisor: str, now: datetime) -> Answered:
    """The oldest waiting call, whatever other advisors take meanwhile."""
    while True:
        with engine.connect() as connection:
            oldest = connection.execute(
                select(Call.id).where(Call.state == "queued")
                .order_by(Call.queued_at, Call.id).limit(1)).scalar()
        if oldest is None:
            raise AnswerRefused("queue_empty")
        try:
            return answer(engine, str(oldest), advisor, now)
        except AnswerRefused as refused:
            if refused.code != "taken":
                raise


def record_outcome(engine: Engine, call_id: str, advisor: str, outcome: str, note: str | None
                   ) -> bool:
    """The advisor's outcome for a call they answered, ended or not; False if not theirs.
    Ending it (and telling the peers) is the caller's next step."""
    with engine.begin() as connection:
        return connection.execute(
            update(Call).where(Call.id == call_id, Call.advisor == advisor)
            .values(outcome=outcome, note=note)).rowcount == 1
