"""The advisor console's JSON API (docs/calls.md 2.2), for roles `advisor` and `manager`.

The sign-in gate has checked the session, and for a POST its CSRF token (`X-CSRF-Token`),
before any of these runs; each then asks for the role itself. The console page
(`GET /advisor`) and the interpreter's page (`GET /join/{token}`) are not here: they are in
`hub/calls/console_page.py`.

| call | answer |
| --- | --- |
| `POST /advisor/availability` `{available}` | `{available}` |
| `GET /advisor/queue` (every 2 s; keeps availability alive) | `{available, calls, my_call}` |
| `POST /advisor/calls/{id}/answer` | `{call_id, token}`; 409 `taken` or `in_call`; 404 |
| `POST /advisor/next` | the oldest waiting call, as answer; 404 `queue_empty` |
| `POST /advisor/calls/{id}/invite` | `{link}`; 409 `call_ended`; 404 |
| `POST /advisor/calls/{id}/end` `{outcome, note}` | `{call_id, state, end_reason, outcome}`; 404 |
"""

from __future__ import annotations

import logging
from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from hub.auth import SignedIn, require_role
from hub.calls import answering, availability, invites
from hub.calls.api_common import UNKNOWN_CALL, CallRefused, answer, guarded, read_body
from hub.calls.desk import CallDesk, calls_desk
from hub.calls.queue import Waiting
from hub.state import hub_state

PREFIX = "/advisor"
ADVISORS = require_role("advisor", "manager")

log = logging.getLogger("hub.calls")


class AvailabilityBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    available: bool


class EndBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    outcome: Literal["resolved", "callback_booked", "referred"]
    note: str | None = Field(default=None, max_length=answering.NOTE_LIMIT)


def _call_doc(request: Request, call: Waiting, now_seconds: float) -> dict[str, object]:
    service = hub_state(request).catalogue.get(call.service) if call.service else None
    return {"call_id": call.call_id, "site": call.site, "service": call.service,
            "service_title": service.service_name if service else None,
            "language": call.language, "interpreter": call.interpreter,
            "waited_seconds": max(0, round(now_seconds - call.queued_at.timestamp()))}


def _refused(exc: answering.AnswerRefused | invites.InviteRefused) -> CallRefused:
    messages = {"unknown_call": "There is no such call, or it is not yours",
                "taken": "Another advisor answered this call first",
                "in_call": "End the call you are in before answering another",
                "queue_empty": "Nobody is waiting",
                "call_ended": "This call has ended"}
    return CallRefused(exc.status, exc.code, messages[exc.code])


async def _availability(request: Request) -> Response:
    account = await ADVISORS(request)
    body = await read_body(request, AvailabilityBody)
    desk = calls_desk(request.app)

    def store() -> None:
        with desk.queue.engine.begin() as connection:
            availability.set_available(connection, account.name, body.available, desk.clock())

    await run_in_threadpool(store)
    return answer({"available": body.available})


async def _queue(request: Request) -> Response:
    account = await ADVISORS(request)
    desk = calls_desk(request.app)

    def read() -> tuple[bool, list[Waiting], Waiting | None]:
        with desk.queue.engine.begin() as connection:
            available = availability.poll(connection, account.name, desk.clock())
        mine = answering.current_call(desk.queue.engine, account.name)
        return available, desk.queue.waiting(), desk.queue.listed(mine) if mine else None

    available, waiting, mine = await run_in_threadpool(read)
    now = desk.clock().timestamp()
    return answer({"available": available,
                   "calls": [_call_doc(request, call, now) for call in waiting],
                   "my_call": _call_doc(request, mine, now) if mine else None})


async def _answered(desk: CallDesk, account: SignedIn, call_id: str | None) -> Response:
    try:
        if call_id is None:
            answered = await run_in_threadpool(answering.answer_next, desk.queue.engine,
                                               account.name, desk.clock())
        else:
            answered = await run_in_threadpool(answering.answer, desk.queue.engine, call_id,
                                               account.name, desk.clock())
    except answering.AnswerRefused as refused:
        raise _refused(refused) from None
    log.info("call answered call=%s", answered.call_id)
    return answer({"call_id": answered.call_id, "token": answered.token})


async def _answer(request: Request) -> Response:
    account = await ADVISORS(request)
    return await _answered(calls_desk(request.app), account, request.path_params["call_id"])


async def _next(request: Request) -> Response:
    account = await ADVISORS(request)
    return await _answered(calls_desk(request.app), account, None)


async def _invite(request: Request) -> Response:
    account = await ADVISORS(request)
    desk = calls_desk(request.app)
    try:
        link = await run_in_threadpool(invites.invite, desk.queue.engine,
                                       request.path_params["call_id"], account.name, desk.clock())
    except invites.InviteRefused as refused:
        raise _refused(refused) from None
    return answer({"link": link})


async def _end(request: Request) -> Response:
    account = await ADVISORS(request)
    body = await read_body(request, EndBody)
    desk = calls_desk(request.app)
    call_id = request.path_params["call_id"]
    if not await run_in_threadpool(answering.record_outcome, desk.queue.engine, call_id,
                                   account.name, body.outcome, body.note or None):
        raise UNKNOWN_CALL
    ending = await desk.signalling.end(call_id, answering.ADVISOR_ENDED, "advisor")
    if ending is None:
        raise UNKNOWN_CALL
    log.info("call outcome call=%s outcome=%s", call_id, body.outcome)
    return answer({"call_id": call_id, "state": "ended", "end_reason": ending.reason,
                   "outcome": body.outcome})


def advisor_api_router() -> APIRouter:
    router = APIRouter(prefix=PREFIX)
    router.add_api_route("/availability", guarded(_availability), methods=["POST"])
    router.add_api_route("/queue", guarded(_queue), methods=["GET"])
    router.add_api_route("/calls/{call_id}/answer", guarded(_answer), methods=["POST"])
    router.add_api_route("/next", guarded(_next), methods=["POST"])
    router.add_api_route("/calls/{call_id}/invite", guarded(_invite), methods=["POST"])
    router.add_api_route("/calls/{call_id}/end", guarded(_end), methods=["POST"])
    return router
