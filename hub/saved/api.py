"""The kiosk API for saved applications: three POSTs under /kiosk/v1/saved, JSON in and out.

    POST /kiosk/v1/saved          {"snapshot": {...}, "word": "..."}
        201 {"reference": "AB2CD3EF", "expires_at": "...+00:00", "come_back_by": "2026-12-13"}
    POST /kiosk/v1/saved/resume   {"reference": "...", "word": "..."}
        200 {"snapshot": {...}, "token": "...", "expires_at": "..."}
        403 {"error": {"code": "wrong_word", "tries_left": 3, ...}}
        404 {"error": {"code": "not_found" | "locked", ...}}   (locked: the fifth wrong word)
    POST /kiosk/v1/saved/delete   {"reference": "...", "token": "..."}
        204, or 404 not_found

As the lookups: the kiosk API key in `X-Api-Key`, errors as `{"error": {"code", "message"}}`.
Nothing a resident typed goes in a URL or a log line (one line per call: the action, the
outcome, the time taken); a database failure is 503 `unavailable`, logged by its class.
`come_back_by` is the last whole day in the hub's time zone before the row expires.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from hub.lookups import PREFIX, LookupFailed, check_key
from hub.saved.store import (
    MAX_SNAPSHOT_BYTES,
    WORD_MAX,
    WORD_MIN,
    Gone,
    Opened,
    SavedStore,
    WrongWord,
    word_ok,
)
from hub.state import hub_state

log = logging.getLogger("hub.saved")
MAX_BODY = MAX_SNAPSHOT_BYTES + 4096
_NO_STORE = {"Cache-Control": "no-store"}


async def _body(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise LookupFailed(415, "unsupported_content_type", "Send the body as application/json")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise LookupFailed(413, "body_too_large", f"The body may be at most {MAX_BODY} bytes")
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise LookupFailed(400, "invalid_json", "The body is not JSON") from None
    if not isinstance(document, dict):
        raise LookupFailed(400, "invalid_body", "The body must be a JSON object")
    return document


def _text(document: dict[str, Any], name: str, limit: int) -> str:
    value = document.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise LookupFailed(422, "invalid_input", f"{name} must be text of at most {limit} "
                           "characters", input_name=name)
    return value


def _word(document: dict[str, Any]) -> str:
    word = _text(document, "word", 200)
    if not word_ok(word):
        raise LookupFailed(422, "invalid_input", f"word must be {WORD_MIN} to {WORD_MAX} "
                           "characters", input_name="word")
    return word


def saved_store(request: Request) -> SavedStore:
    store: SavedStore | None = request.app.state.saved
    if store is None:
        raise LookupFailed(503, "not_configured", "This hub keeps no saved applications: "
                           "it has no saved applications key file (docs/hub.md)")
    return store


def _save(store: SavedStore, document: dict[str, Any], zone: ZoneInfo) -> Response:
    snapshot = document.get("snapshot")
    if not isinstance(snapshot, dict):
        raise LookupFailed(422, "invalid_input", "snapshot must be an object",
                           input_name="snapshot")
    word = _word(document)
    try:
        saved = store.save(snapshot, word)
    except ValueError as exc:
        raise LookupFailed(413, "snapshot_too_large", str(exc)) from None
    come_back_by = (saved.expires_at.astimezone(zone) - timedelta(seconds=1)).date()
    return JSONResponse({"reference": saved.reference,
                         "expires_at": saved.expires_at.isoformat(),
                         "come_back_by": come_back_by.isoformat()},
                        status_code=201, headers=_NO_STORE)


def _resume(store: SavedStore, document: dict[str, Any], zone: ZoneInfo) -> Response:
    reference = _text(document, "reference", 40)
    word = _text(document, "word", 200)
    outcome = store.resume(reference, word)
    if isinstance(outcome, Opened):
        return JSONResponse({"snapshot": outcome.snapshot, "token": outcome.token,
                             "expires_at": outcome.expires_at.isoformat()}, headers=_NO_STORE)
    if isinstance(outcome, WrongWord):
        return JSONResponse({"error": {"code": "wrong_word", "tries_left": outcome.tries_left,
                                       "message": "The reference or memorable word is not right"}},
                            status_code=403, headers=_NO_STORE)
    assert isinstance(outcome, Gone)
    code = "locked" if outcome.locked else "not_found"
    return JSONResponse({"error": {"code": code, "message": "There is no saved application "
                                   "with that reference (or it has been deleted)"}},
                        status_code=404, headers=_NO_STORE)


def _delete(store: SavedStore, document: dict[str, Any], zone: ZoneInfo) -> Response:
    if store.delete(_text(document, "reference", 40), _text(document, "token", 100)):
        return Response(status_code=204)
    return JSONResponse({"error": {"code": "not_found", "message": "Nothing to delete"}},
                        status_code=404)


def _endpoint(name: str, action: Any) -> Any:
    async def endpoint(request: Request) -> Response:
        started = time.monotonic()
        try:
            check_key(request, hub_state(request).settings.api_keys)
            store = saved_store(request)
            document = await _body(request)
            zone = ZoneInfo(hub_state(request).settings.timezone)
            response: Response = await run_in_threadpool(action, store, document, zone)
        except LookupFailed as failed:
            log.info("saved action=%s refused=%s", name, failed.code)
            return failed.response()
        except SQLAlchemyError as exc:
            log.warning("saved action=%s failed=%s", name, type(exc).__name__)
            return LookupFailed(503, "unavailable", "Saved applications cannot be reached: "
                                "try again shortly").response()
        millis = round((time.monotonic() - started) * 1000)
        log.info("saved action=%s status=%d ms=%d", name, response.status_code, millis)
        return response

    return endpoint


def saved_api_router() -> APIRouter:
    router = APIRouter(prefix=PREFIX + "/saved")
    for path, name, action in (("", "save", _save), ("/resume", "resume", _resume),
                               ("/delete", "delete", _delete)):
        router.add_api_route(path, _endpoint(name, action), methods=["POST"])
    return router
