"""Delivery to a council's own web service: a signed JSON POST per report.

The body is `kiosk.outbox.described.webhook_document`. The receiver proves the request came
from this kiosk, unchanged and recently, by recomputing

    X-Kiosk-Signature: sha256=<hex HMAC-SHA256(secret, "<X-Kiosk-Timestamp>.<body>")>

(the scheme Stripe and GitHub use), and refuses a timestamp it has seen with that signature
before, or one more than five minutes old. `Idempotency-Key: <submission_id>` lets it drop a
retry of a report it already has. Outcomes map as for Open311: 2xx delivered; 401/403 (our
secret refused: IT can fix it remotely), 408/409/425/429, 3xx and 5xx retried, honouring
Retry-After; any other 4xx is permanent with a short reason made here from the status code,
never from the response body, which may echo what the resident typed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping
from http import HTTPStatus

import requests

from kiosk.outbox.described import SCHEMA, SCHEMA_VERSION, ReportContext, webhook_document
from kiosk.outbox.open311 import SendResult, parse_retry_after
from kiosk.submission import Submission

_RETRY_4XX = frozenset({401, 403, 408, 409, 425, 429})
_MAX_BODY = 64 * 1024


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The `X-Kiosk-Signature` value for one request."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def reason(status: int) -> str:
    """A short plain-text reason for staff, from the status code alone."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "unexpected status"
    return f"http_{status} {phrase}"


class WebhookSender:
    """POSTs each report to one URL, signed with the destination's secret."""

    def __init__(self, url: str, secret: str, *, context: ReportContext | None = None,
                 timeout_seconds: float = 10.0, headers: Mapping[str, str] | None = None,
                 session: requests.Session | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self._url = url
        self._secret = secret
        self._context = context or ReportContext()
        self._timeout = timeout_seconds
        self._headers = dict(headers or {})
        self._owns_session = session is None
        self._session = session if session is not None else requests.Session()
        self._clock = clock

    def close(self) -> None:
        if self._owns_session:
            self._session.close()

    def body(self, submission: Submission) -> bytes:
        """Compact UTF-8 JSON: what is signed is exactly what is sent."""
        document = webhook_document(submission, self._context)
        return json.dumps(document, ensure_ascii=False, separators=(",", ":"),
                          sort_keys=True).encode()

    def send(self, submission: Submission) -> SendResult:
        body = self.body(submission)
        timestamp = str(int(self._clock()))
        headers = {
            **self._headers,
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "Idempotency-Key": submission.submission_id,
            "X-Kiosk-Reference": submission.reference,
            "X-Kiosk-Schema": f"{SCHEMA}/{SCHEMA_VERSION}",
            "X-Kiosk-Timestamp": timestamp,
            "X-Kiosk-Signature": signature(self._secret, timestamp, body),
        }
        try:
            with self._session.post(self._url, data=body, headers=headers,
                                    timeout=self._timeout, allow_redirects=False,
                                    stream=True) as response:
                status = response.status_code
                if 200 <= status < 300:
                    return SendResult("delivered", f"http_{status}", status,
                                      remote_id=_remote_id(response))
                retry_after = parse_retry_after(response.headers.get("Retry-After"),
                                                self._clock())
        except requests.Timeout:
            return SendResult("retry", "timeout")
        except requests.ConnectionError:
            return SendResult("retry", "connection_error")
        except requests.RequestException:
            return SendResult("retry", "request_error")
        if status in _RETRY_4XX or status >= 500 or 300 <= status < 400:
            return SendResult("retry", reason(status), status, retry_after=retry_after)
        return SendResult("permanent", reason(status), status)


def _remote_id(response: requests.Response) -> str | None:
    """The receiver's own id for the report, if it answered `{"id": ...}`; never required."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(8192):
        size += len(chunk)
        if size > _MAX_BODY:
            return None
        chunks.append(chunk)
    try:
        data = json.loads(b"".join(chunks))
    except ValueError:
        return None
    value = data.get("id") if isinstance(data, dict) else None
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value)
    return text if 0 < len(text) <= 64 and text.isprintable() else None
