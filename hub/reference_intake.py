"""`POST /kiosk/v1/references`: a kiosk says where a request it delivered elsewhere went.

The body is exactly these fields, and any other is refused (422 `unexpected_field`), so a
resident's answers can never be stored here by mistake:

    {"reference": "ABCD2345", "destination": "county", "remote_id": "638344",
     "remote_token": null, "service_code": "MISSED_BIN",
     "delivered_at": "2026-04-03T09:30:00+00:00"}

Authenticated with the kiosk API key in `X-Api-Key`, as lookups are; idempotent (the same
record again answers `unchanged`). A reference the hub received itself, or that another
destination's request already holds, is a 409 `reference_taken`: the relay drops it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from hub.db import normalise_reference, utcnow
from hub.lookups import PREFIX, LookupFailed, check_key, read_json_body
from hub.state import hub_state
from hub.tracked import ReferenceTaken, Tracked, store

log = logging.getLogger("hub.references")

FIELDS = ("reference", "destination", "remote_id", "remote_token", "service_code",
          "delivered_at")
REQUIRED = ("reference", "destination", "delivered_at")
_REFERENCE = re.compile(r"^[A-Z0-9]{4,64}$")  # normalised; kiosks make 8 (kiosk.reference)
_DESTINATION = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_HANDLE = re.compile(r"^[\x21-\x7e]([\x20-\x7e]{0,253}[\x21-\x7e])?$")
_CODE = re.compile(r"^[\x20-\x7e]{0,100}$")


def _text(body: Mapping[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        if name in REQUIRED:
            raise LookupFailed(422, "missing_field", f"{name} is required", input_name=name)
        return None
    if not isinstance(value, str):
        raise LookupFailed(422, "invalid_field", f"{name} must be text", input_name=name)
    return value


def parse_record(body: Mapping[str, Any]) -> Tracked:
    """The record, checked field by field; messages name a field, never its value."""
    unexpected = sorted(str(k) for k in body if k not in FIELDS)
    if unexpected:
        raise LookupFailed(422, "unexpected_field", f"only {', '.join(FIELDS)} may be sent; "
                           f"refused: {unexpected[0][:40]}", input_name=unexpected[0][:40])
    reference = normalise_reference(_text(body, "reference") or "")
    if not _REFERENCE.match(reference):
        raise LookupFailed(422, "invalid_field", "reference must be a kiosk reference: 4 to 64 "
                           "letters and digits", input_name="reference")
    destination = _text(body, "destination") or ""
    if not _DESTINATION.match(destination):
        raise LookupFailed(422, "invalid_field", "destination must be a destination name "
                           "(letters, digits, . _ -)", input_name="destination")
    handles = {}
    for name in ("remote_id", "remote_token"):
        value = _text(body, name)
        if value is not None and not _HANDLE.match(value):
            raise LookupFailed(422, "invalid_field", f"{name} must be printable text of at most "
                               "255 characters", input_name=name)
        handles[name] = value
    code = _text(body, "service_code") or ""
    if not _CODE.match(code):
        raise LookupFailed(422, "invalid_field", "service_code must be printable text of at most "
                           "100 characters", input_name="service_code")
    try:
        delivered = datetime.fromisoformat(_text(body, "delivered_at") or "")
    except ValueError:
        delivered = None
    if delivered is None or delivered.tzinfo is None:
        raise LookupFailed(422, "invalid_field", "delivered_at must be an ISO 8601 time with "
                           "its offset, like 2026-04-03T09:30:00+00:00", input_name="delivered_at")
    return Tracked(reference, destination, handles["remote_id"], handles["remote_token"], code,
                   delivered)


async def _report(request: Request) -> Response:
    hub = hub_state(request)
    try:
        check_key(request, hub.settings.api_keys)
        record = parse_record(await read_json_body(request))
        try:
            result = await run_in_threadpool(store, hub.sessions, record, utcnow())
        except ReferenceTaken:
            raise LookupFailed(409, "reference_taken", "This reference belongs to another "
                               "request; nothing was stored") from None
    except LookupFailed as failed:
        log.info("reference report refused=%s", failed.code)
        return failed.response()
    log.info("reference report destination=%s result=%s", record.destination, result)
    return JSONResponse({"reference": record.reference, "result": result})


def references_router() -> APIRouter:
    router = APIRouter(prefix=PREFIX)
    router.add_api_route("/references", _report, methods=["POST"])
    return router
