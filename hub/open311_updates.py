"""`GET /open311/v2/servicerequestupdates.{xml,json}`: mySociety's update feed.

FixMyStreet and open311-adapter poll this for what changed on requests: one entry per
status update staff made on the hub, with `update_id`, `service_request_id`, `status`
(mySociety's extended status: open, in_progress, closed), the public `description`,
`updated_datetime` and an empty `media_url`. The staff member's name is never published.
Public like every GeoReport read; bounded by `start_date`/`end_date` (at most 90 days apart,
the last 90 days when neither is given, the hub's first 1,000 updates of the window).
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from hub.formats import Open311Error, Value, parse_format, render
from hub.open311 import MAX_SPAN, PREFIX, _moment, w3c
from hub.state import hub_state
from hub.updates import Update, updates_between

ROOT = "service_requests_updates"


def window(request: Request, now: datetime) -> tuple[datetime, datetime]:
    """The [start, end] asked for, as `GET requests` reads its dates."""
    start_text = request.query_params.get("start_date", "").strip()
    end_text = request.query_params.get("end_date", "").strip()
    start = _moment("start_date", start_text, end=False) if start_text else None
    end = _moment("end_date", end_text, end=True) if end_text else None
    if start is None:
        start = (end or now) - MAX_SPAN
    if end is None:
        end = start + MAX_SPAN if start_text else now
    if end < start:
        raise Open311Error(400, "end_date is before start_date", "invalid_date_range")
    if end - start > MAX_SPAN:
        raise Open311Error(400, "start_date and end_date may be at most 90 days apart",
                           "date_range_too_long")
    return start, end


def update_doc(update: Update) -> dict[str, Value]:
    return {
        "update_id": str(update.update_id),
        "service_request_id": update.service_request_id,
        "status": update.status,
        "description": update.description,
        "updated_datetime": w3c(update.updated_datetime),
        "media_url": "",
    }


def _updates(request: Request, fmt: str) -> Response:
    output = parse_format(fmt)
    start, end = window(request, datetime.now(UTC))
    found = updates_between(hub_state(request).sessions, start, end)
    docs: Value = [update_doc(u) for u in found]
    return render(ROOT, docs, output)


async def _get_updates(request: Request, fmt: str) -> Response:
    return await run_in_threadpool(_updates, request, fmt)


def updates_router() -> APIRouter:
    router = APIRouter(prefix=PREFIX)
    router.add_api_route("/servicerequestupdates.{fmt}", _get_updates, methods=["GET"])
    return router
