"""The kiosk's side of a call (docs/calls.md 2.1): queue, poll, end.

The kiosk API key goes in `X-Api-Key`, as for lookups; the call's own token, returned once
when the call is queued, goes in each later body, never in the URL. A wrong token and an
unknown call are the same 404, so a call id alone tells nobody anything. One log line per
call queued or ended: the call id (the hub's own) and the reason; never a token.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from hub.calls.api_common import UNKNOWN_CALL, CallRefused, answer, guarded, read_body
from hub.calls.desk import calls_desk
from hub.calls.queue import KioskReason, NewCall, Status
from hub.lookups import PREFIX, LookupFailed, check_key
from hub.state import hub_state

LANGUAGE = r"^[a-z]{2,3}$"
log = logging.getLogger("hub.calls")


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class NewCallBody(_Body):
    terminal: str = Field(min_length=1, max_length=64)
    site: str = Field(min_length=1, max_length=64)
    service: str | None = Field(default=None, min_length=1, max_length=100)
    language: str = Field(pattern=LANGUAGE)
    interpreter: str | None = Field(default=None, pattern=LANGUAGE)


class TokenBody(_Body):
    token: str = Field(min_length=1, max_length=100)


class EndBody(TokenBody):
    reason: KioskReason


def _status_doc(status: Status) -> dict[str, object]:
    return {"state": status.state, "position": status.position,
            "wait_seconds": status.wait_seconds, "end_reason": status.end_reason,
            "advisors_available": status.advisors_available}


def _checked(request: Request) -> None:
    try:
        check_key(request, hub_state(request).settings.api_keys)
    except LookupFailed as failed:
        raise CallRefused(failed.status, failed.code, failed.message) from None


async def _queue_call(request: Request) -> Response:
    _checked(request)
    body = await read_body(request, NewCallBody)
    created = await run_in_threadpool(calls_desk(request.app).queue.create, NewCall(
        body.terminal, body.site, body.service, body.language, body.interpreter))
    log.info("call queued call=%s position=%s", created.call_id, created.status.position)
    return answer({"call_id": created.call_id, "token": created.token,
                   **_status_doc(created.status)}, 201)


async def _status(request: Request) -> Response:
    _checked(request)
    body = await read_body(request, TokenBody)
    status = await run_in_threadpool(calls_desk(request.app).queue.status,
                                     request.path_params["call_id"], body.token)
    if status is None:
        raise UNKNOWN_CALL
    return answer(_status_doc(status))


async def _end(request: Request) -> Response:
    _checked(request)
    body = await read_body(request, EndBody)
    desk = calls_desk(request.app)
    call_id = request.path_params["call_id"]
    if not await run_in_threadpool(desk.queue.kiosk_owns, call_id, body.token):
        raise UNKNOWN_CALL
    ending = await desk.signalling.end(call_id, body.reason, "kiosk")
    if ending is None:
        raise UNKNOWN_CALL
    return answer({"state": "ended", "end_reason": ending.reason, "ended_by": ending.by})


def kiosk_calls_router() -> APIRouter:
    router = APIRouter(prefix=PREFIX + "/calls")
    router.add_api_route("", guarded(_queue_call), methods=["POST"])
    router.add_api_route("/{call_id}/status", guarded(_status), methods=["POST"])
    router.add_api_route("/{call_id}/end", guarded(_end), methods=["POST"])
    return router
