"""One POST to the council's hub while a resident waits, given up on at a deadline.

Lookups and bookings both ask the hub's kiosk API this way: a JSON body (the inputs never go
in the URL), the kiosk API key in a header, no redirects, and a body read in chunks that is
abandoned past 1 MiB or past the deadline. Every failure is a `HubCallFailed` with a short
reason and a detail that names no URL, no input and none of the hub's free text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import requests
from urllib3.exceptions import ReadTimeoutError

if TYPE_CHECKING:
    # Only a type: importing kiosk.lookups here would make a circle for whoever imports
    # this module first (kiosk.lookups' own clients import it).
    from kiosk.lookups.base import UnavailableReason

API_KEY_HEADER = "X-Api-Key"
MAX_ANSWER_BYTES = 1024 * 1024


class HubCallFailed(Exception):
    def __init__(self, reason: UnavailableReason, detail: str) -> None:
        super().__init__(reason)
        self.reason: UnavailableReason = reason
        self.detail = detail


def post_json(session: requests.Session, url: str, body: Mapping[str, Any], api_key: str, *,
              deadline: float, connect_timeout: float, timeout_seconds: float,
              monotonic: Callable[[], float]) -> tuple[int, bytes]:
    """The status and body of one POST, or HubCallFailed."""
    remaining = deadline - monotonic()
    if remaining <= 0:
        raise HubCallFailed("timeout", "no time left to ask")
    try:
        response = session.post(
            url, json=dict(body), headers={API_KEY_HEADER: api_key, "Accept": "application/json"},
            timeout=(min(connect_timeout, remaining), remaining), allow_redirects=False,
            stream=True)
    except requests.ConnectTimeout:
        raise HubCallFailed("unreachable", "no connection within the connect timeout") from None
    except requests.Timeout:
        raise HubCallFailed("timeout", f"no answer within {timeout_seconds:g} s") from None
    except requests.RequestException as exc:
        # requests names the URL (a reference may be in it): only the type is kept.
        raise HubCallFailed("unreachable", type(exc).__name__) from None
    with response:
        content = _read(response, deadline, timeout_seconds, monotonic)
        return response.status_code, content


def _read(response: requests.Response, deadline: float, timeout_seconds: float,
          monotonic: Callable[[], float]) -> bytes:
    """The body, given up on at the deadline (checked between reads) or past 1 MiB."""
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(64 * 1024):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_ANSWER_BYTES:
                raise HubCallFailed("bad_answer", "the answer is larger than 1 MiB")
            if monotonic() > deadline:
                raise HubCallFailed("timeout", "the answer arrived too slowly")
    except requests.ConnectionError as exc:
        # requests reports a read timeout mid-body as a ConnectionError wrapping urllib3's.
        if exc.args and isinstance(exc.args[0], ReadTimeoutError):
            raise HubCallFailed("timeout", f"no answer within {timeout_seconds:g} s") from None
        raise HubCallFailed("unreachable", "the connection broke during the answer") from None
    except requests.RequestException as exc:
        raise HubCallFailed("unreachable", type(exc).__name__) from None
    return b"".join(chunks)
