"""Asking the council's hub: `POST {endpoint}/lookups/{source}` with the inputs in a JSON body.

Every way the question can fail ends as `LookupUnavailable` with a reason the journey turns
into a resident's message; nothing else escapes. The inputs travel only in the body: the URL
holds the endpoint and the source name, and no log line or exception carries an input.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, NoReturn
from urllib.parse import quote

import requests

from kiosk.hub_http import HubCallFailed, post_json
from kiosk.lookups.base import (
    LookupItem,
    LookupRequest,
    LookupResult,
    LookupUnavailable,
    UnavailableReason,
)

log = logging.getLogger(__name__)

# Only a hub error code and an input *name* go into a detail: short tokens, never free text.
_TOKEN = re.compile(r"^[a-z0-9_-]{1,40}$")


def _unavailable(source: str, reason: UnavailableReason, detail: str) -> NoReturn:
    log.warning("lookup %s unavailable: %s (%s)", source, reason, detail)
    # Not chained: a requests exception names the URL, and nothing but the reason is news.
    raise LookupUnavailable(reason, detail) from None


def _hub_error(body: bytes) -> str:
    """The hub's error code (and input name) from a refusal, when it sent a usable one."""
    try:
        error = json.loads(body)["error"]
        code, name = error.get("code"), error.get("input")
    except (ValueError, KeyError, TypeError, AttributeError):
        return ""
    if not isinstance(code, str) or not _TOKEN.match(code):
        return ""
    if isinstance(name, str) and _TOKEN.match(name):
        return f" {code} ({name})"
    return f" {code}"


def _reason_for_status(status: int) -> UnavailableReason:
    if status in (401, 403):
        return "refused"
    if status == 404:
        return "not_configured"  # no such source on this hub, or the endpoint is wrong
    if 400 <= status < 500:
        return "refused"
    if status >= 500:
        return "unreachable"  # the hub, or what is behind it, cannot answer now
    return "bad_answer"


def parse_items(document: Any, source: str) -> tuple[LookupItem, ...]:
    """The hub's answer as items; ValueError says what is wrong without quoting any of it."""
    if not isinstance(document, dict) or document.get("source") != source:
        raise ValueError("not an answer for this source")
    raw_items = document.get("items")
    if not isinstance(raw_items, list):
        raise ValueError("items is not a list")
    items = []
    for index, raw in enumerate(raw_items):
        if not isinstance(raw, dict):
            raise ValueError(f"item {index} is not an object")
        value, label, hint = raw.get("value"), raw.get("label"), raw.get("hint")
        data = raw.get("data", {})
        if not isinstance(value, str) or not value or not isinstance(label, str) or not label:
            raise ValueError(f"item {index} has no value or label")
        if hint is not None and not isinstance(hint, str):
            raise ValueError(f"item {index} hint is not text")
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise ValueError(f"item {index} data is not text by name")
        items.append(LookupItem(value=value, label=label, hint=hint or None, data=dict(data)))
    return tuple(items)


class HubLookup:
    """Lookups answered by the council's hub over HTTP(S), one at a time per kiosk."""

    def __init__(self, endpoint: str, api_key: str, *, timeout_seconds: float = 5.0,
                 connect_timeout_seconds: float = 2.0, session: requests.Session | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._base = endpoint.rstrip("/") + "/lookups/"
        self._api_key = api_key
        self.timeout_seconds = timeout_seconds
        self._connect_timeout = min(connect_timeout_seconds, timeout_seconds)
        self._session = session or requests.Session()
        self._monotonic = monotonic
        # requests.Session is not safe to share between threads; lookups are one resident's.
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"HubLookup({self._base!r})"

    def close(self) -> None:
        self._session.close()

    def lookup(self, request: LookupRequest) -> LookupResult:
        started = self._monotonic()
        deadline = started + self.timeout_seconds
        if not self._lock.acquire(timeout=self.timeout_seconds):
            _unavailable(request.source, "timeout", "an earlier lookup is still running")
        try:
            items = self._ask(request, deadline)
        finally:
            self._lock.release()
        log.info("lookup %s: %d items in %d ms", request.source, len(items),
                 round((self._monotonic() - started) * 1000))
        return LookupResult(request.source, items)

    def _ask(self, request: LookupRequest, deadline: float) -> tuple[LookupItem, ...]:
        source = request.source
        body: Mapping[str, Any] = {"inputs": dict(request.inputs), "language": request.language}
        try:
            status, content = post_json(self._session, self._base + quote(source, safe=""), body,
                                        self._api_key, deadline=deadline,
                                        connect_timeout=self._connect_timeout,
                                        timeout_seconds=self.timeout_seconds,
                                        monotonic=self._monotonic)
        except HubCallFailed as failed:
            _unavailable(source, failed.reason, failed.detail)
        if status != 200:
            _unavailable(source, _reason_for_status(status), f"HTTP {status}{_hub_error(content)}")
        try:
            return parse_items(json.loads(content), source)
        except ValueError as exc:  # includes JSONDecodeError and UnicodeDecodeError
            detail = str(exc) if not isinstance(exc, json.JSONDecodeError) else "not JSON"
            _unavailable(source, "bad_answer", detail)
