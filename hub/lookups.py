"""`POST /kiosk/v1/lookups/{source}`: kiosks ask the council something while a resident waits.

The question travels in a JSON body, never the URL, so the access log holds the source name
and nothing a resident typed. Kiosks authenticate with the Open311 API key, in a header.
One log line per answered lookup: the source, the number of items and the time taken.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from hub.lookup_sources import BadInput, LookupSource
from hub.lookup_sources.base import optional_inputs
from hub.open311 import api_key_ok
from hub.state import hub_state

PREFIX = "/kiosk/v1"
API_KEY_HEADER = "X-Api-Key"
MAX_BODY_BYTES = 16 * 1024
MAX_INPUT_CHARS = 200
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")

log = logging.getLogger("hub.lookups")


class LookupFailed(Exception):
    """A refusal to report as `{"error": {...}}` with this HTTP status."""

    def __init__(self, status: int, code: str, message: str, input_name: str | None = None,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.input_name = input_name
        self.headers = dict(headers or {})

    def response(self) -> JSONResponse:
        error: dict[str, str] = {"code": self.code, "message": self.message}
        if self.input_name is not None:
            error["input"] = self.input_name
        return JSONResponse({"error": error}, status_code=self.status, headers=self.headers)


def is_lookup_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def http_error_response(exc: StarletteHTTPException) -> Response:
    """Routing errors under /kiosk/v1 (no such route, wrong method) in the lookups' format."""
    codes = {404: ("not_found", "There is nothing here"),
             405: ("method_not_allowed", "Use POST with a JSON body")}
    code, message = codes.get(exc.status_code, ("error", str(exc.detail)))
    headers = {"Allow": exc.headers["Allow"]} if exc.headers and "Allow" in exc.headers else {}
    return LookupFailed(exc.status_code, code, message, headers=headers).response()


def check_key(request: Request, keys: frozenset[str]) -> None:
    """The kiosk API key from `X-Api-Key`: LookupFailed 401 without one, 403 if wrong."""
    given = request.headers.get(API_KEY_HEADER, "")
    if not given:
        raise LookupFailed(401, "missing_api_key", f"Send the kiosk API key in {API_KEY_HEADER}",
                           headers={"WWW-Authenticate": API_KEY_HEADER})
    if not api_key_ok(given, keys):
        raise LookupFailed(403, "invalid_api_key", "The API key is not valid")


async def read_json_body(request: Request) -> dict[str, Any]:
    """A JSON object of at most 16 KiB sent as application/json, else LookupFailed."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise LookupFailed(415, "unsupported_content_type", "Send the body as application/json")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise LookupFailed(413, "body_too_large",
                               f"The body may be at most {MAX_BODY_BYTES} bytes")
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise LookupFailed(400, "invalid_json", "The body is not JSON") from None
    if not isinstance(document, dict):
        raise LookupFailed(400, "invalid_body", 'The body must be an object: {"inputs": {...}}')
    return document


def _inputs(document: Mapping[str, Any], source: LookupSource) -> tuple[dict[str, str], str]:
    """The inputs the source needs, checked for presence and type, with the optional ones it
    reads that were given (not blank); and the language. Other inputs are dropped."""
    inputs = document.get("inputs", {})
    if not isinstance(inputs, dict):
        raise LookupFailed(422, "invalid_inputs", "inputs must be an object of texts")
    language = document.get("language", "en")
    if not isinstance(language, str) or not _LANGUAGE.match(language):
        raise LookupFailed(422, "invalid_language", "language must be a language code like cy")
    for name, value in inputs.items():
        if not isinstance(value, str) or len(value) > MAX_INPUT_CHARS:
            raise LookupFailed(422, "invalid_input", f"{name} must be text of at most "
                               f"{MAX_INPUT_CHARS} characters", input_name=str(name))
    for name in source.inputs:
        if not inputs.get(name, "").strip():
            raise LookupFailed(422, "missing_input", f"{name} is required", input_name=name)
    given = {name: inputs[name] for name in source.inputs}
    for name in optional_inputs(source):
        if inputs.get(name, "").strip():
            given[name] = inputs[name]
    return given, language


async def _lookup(request: Request, source: str) -> Response:
    hub = hub_state(request)
    started = time.monotonic()
    try:
        check_key(request, hub.settings.api_keys)
        found = hub.lookups.get(source)
        if found is None:
            raise LookupFailed(404, "unknown_source", f"There is no lookup source {source!r}; "
                               f"this hub has {', '.join(hub.lookups.names()) or 'none'}")
        inputs, language = _inputs(await read_json_body(request), found)
        try:
            items = await run_in_threadpool(found.answer, inputs, language)
        except BadInput as exc:
            raise LookupFailed(422, "invalid_input", f"{exc.name} must be {exc.expected}",
                               input_name=exc.name) from None
    except LookupFailed as failed:
        # Only a known source's name is logged: an unknown one is whatever the caller sent.
        shown = source if hub.lookups.get(source) is not None else "(unknown)"
        log.info("lookup source=%s refused=%s", shown, failed.code)
        return failed.response()
    millis = round((time.monotonic() - started) * 1000)
    log.info("lookup source=%s items=%d ms=%d", source, len(items), millis)
    return JSONResponse({"source": source, "items": [item.doc() for item in items]})


def lookups_router() -> APIRouter:
    router = APIRouter(prefix=PREFIX)
    router.add_api_route("/lookups/{source}", _lookup, methods=["POST"])
    return router
