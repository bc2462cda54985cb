"""The hub's call queue: `POST {endpoint}/calls...` with the kiosk API key (docs/calls.md §2.1).

The token the hub gives for a call travels only in bodies and in the call page's first
WebSocket message, never in a URL or a log line.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from kiosk.calls.base import (
    CallStatus,
    CallUnavailable,
    EndReason,
    Joined,
    JoinRequest,
)
from kiosk.hub_http import HubCallFailed, post_json

log = logging.getLogger(__name__)

_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_STATES = ("queued", "answered", "ended")
_END_REASON = re.compile(r"^[a-z_]{1,40}$")


def hub_origin(endpoint: str) -> tuple[str, str]:
    """(origin, signalling WebSocket URL) for the hub whose kiosk API is `endpoint`."""
    parts = urlsplit(endpoint)
    origin = f"{parts.scheme}://{parts.netloc}"
    ws_scheme = "wss" if parts.scheme == "https" else "ws"
    return origin, f"{ws_scheme}://{parts.netloc}/calls/v1/ws"


def _whole(document: Mapping[str, Any], name: str, *, optional: bool = False) -> int | None:
    value = document.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name} is not a whole number")
    return value


class HubCalls:
    def __init__(self, endpoint: str, api_key: str, *, timeout_seconds: float = 5.0,
                 connect_timeout_seconds: float = 2.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._endpoint = endpoint.rstrip("/")
        self._api_key = api_key
        self._timeout = timeout_seconds
        self._connect_timeout = connect_timeout_seconds
        self._monotonic = monotonic
        self.origin, self.signalling_url = hub_origin(self._endpoint)
        self._session = requests.Session()
        # requests.Session is not safe to share between threads (as in HubBookings): the
        # runner's thread polls, and an end may come from another.
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"HubCalls({self.origin!r})"

    def _post(self, path: str, body: Mapping[str, Any]) -> tuple[int, Any]:
        with self._lock:
            status, content = post_json(
                self._session, self._endpoint + path, body, self._api_key,
                deadline=self._monotonic() + self._timeout,
                connect_timeout=self._connect_timeout, timeout_seconds=self._timeout,
                monotonic=self._monotonic)
        try:
            document = json.loads(content) if content else None
        except ValueError:
            raise HubCallFailed("bad_answer", f"HTTP {status}, not JSON") from None
        return status, document

    def _call(self, path: str, body: Mapping[str, Any],
              parse: Callable[[Any], Any]) -> Any:
        try:
            status, document = self._post(path, body)
        except HubCallFailed as exc:
            return CallUnavailable(exc.reason, exc.detail)
        if status in (401, 403):
            return CallUnavailable("refused", f"HTTP {status}")
        if status == 404:
            return CallUnavailable("not_configured", "HTTP 404")
        if status >= 500:
            return CallUnavailable("unreachable", f"HTTP {status}")
        if status not in (200, 201) or not isinstance(document, dict):
            return CallUnavailable("bad_answer", f"HTTP {status}")
        try:
            return parse(document)
        except ValueError as exc:
            return CallUnavailable("bad_answer", str(exc))

    def join(self, request: JoinRequest) -> Joined | CallUnavailable:
        body = {"terminal": request.terminal, "site": request.site, "service": request.service,
                "language": request.language, "interpreter": request.interpreter}

        def parse(document: dict[str, Any]) -> Joined:
            call_id, token = document.get("call_id"), document.get("token")
            if not isinstance(call_id, str) or not _ID.match(call_id):
                raise ValueError("call_id is missing or not an id")
            if not isinstance(token, str) or not 16 <= len(token) <= 200:
                raise ValueError("token is missing or not a token")
            return Joined(call_id, token, _whole(document, "position") or 0,
                          _whole(document, "wait_seconds") or 0)

        outcome: Joined | CallUnavailable = self._call("/calls", body, parse)
        return outcome

    def status(self, call_id: str, token: str) -> CallStatus | CallUnavailable:
        def parse(document: dict[str, Any]) -> CallStatus:
            state = document.get("state")
            if state not in _STATES:
                raise ValueError("state is not queued, answered or ended")
            reason = document.get("end_reason")
            if reason is not None and (not isinstance(reason, str) or not _END_REASON.match(reason)):
                reason = "other"
            return CallStatus(state, _whole(document, "position", optional=True),
                              _whole(document, "wait_seconds", optional=True), reason,
                              _whole(document, "advisors_available", optional=True) or 0)

        if not _ID.match(call_id):
            return CallUnavailable("bad_answer", "call id")
        outcome: CallStatus | CallUnavailable = self._call(
            f"/calls/{quote(call_id)}/status", {"token": token}, parse)
        return outcome

    def end(self, call_id: str, token: str, reason: EndReason) -> bool:
        if not _ID.match(call_id):
            return False
        outcome = self._call(f"/calls/{quote(call_id)}/end", {"token": token, "reason": reason},
                             lambda document: True)
        if isinstance(outcome, CallUnavailable):
            log.warning("the hub was not told a call ended (%s)", outcome.reason)
            return False
        return True

    def close(self) -> None:
        self._session.close()
