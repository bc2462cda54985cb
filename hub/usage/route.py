"""`POST /kiosk/v1/events`: a terminal's signed batch of usage events (`hub.usage.intake`).

Answers 200 `{"accepted": n, "duplicate": false}`, or `{"accepted": 0, "duplicate": true}`
for a batch id already stored (so a retry after a lost answer is harmless); 401 for an
unsigned batch, an unknown device or a wrong signature, 403 for a revoked device, 413 for
one too large, 422 naming the event and field that is wrong; 503 if the database cannot be
written (the terminal keeps the batch and tries again).
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from hub.db import utcnow
from hub.heartbeat_writer import read_capped
from hub.state import hub_state
from hub.usage.intake import Answer, ingest_events
from kiosk.usage_events import MAX_ENVELOPE_BYTES

log = logging.getLogger(__name__)

PATH = "/kiosk/v1/events"
_HEADERS = {"Cache-Control": "no-store"}


def events_router() -> APIRouter:
    async def events(request: Request) -> Response:
        hub = hub_state(request)
        raw = await read_capped(request, MAX_ENVELOPE_BYTES)
        if raw is None:
            answer = Answer.refused("too_large")
        else:
            try:
                answer = await run_in_threadpool(ingest_events, hub.engine, raw, utcnow(),
                                                 ZoneInfo(hub.settings.timezone))
            except SQLAlchemyError as exc:
                log.error("usage batch not stored: %s", type(exc).__name__)
                return JSONResponse({"error": {"code": "unavailable",
                                               "message": "The hub cannot store events now"}},
                                    status_code=503, headers=_HEADERS)
        if answer.status != 200:
            log.info("usage batch refused: %s", answer.document["error"]["code"])
        return JSONResponse(answer.document, status_code=answer.status, headers=_HEADERS)

    router = APIRouter()
    router.add_api_route(PATH, events, methods=["POST"])
    return router
