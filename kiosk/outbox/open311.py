"""Delivery to an Open311 GeoReport v2 back office, reduced to one of three verdicts.

The relay only needs to know whether to forget a row (delivered), try it again later
(retry) or stop and tell staff (permanent), so every HTTP outcome maps to one of those with
a short code. Codes never carry the response body: Open311 error bodies often echo the
resident's input back.

Open311 has no idempotency of its own, so each request carries `Idempotency-Key:
<submission_id>` for back offices that honour it, and our reference in an attribute so a
duplicate can at least be recognised by one that does not.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Literal, Protocol

import requests

from kiosk.catalogue.model import OPEN311_FIELDS
from kiosk.submission import Submission

SendKind = Literal["delivered", "retry", "permanent"]

# A success body is a short JSON list; anything far larger is not one, and is not read.
_MAX_BODY = 64 * 1024
# 401/403 are configuration mistakes IT can fix remotely; 408/409/425/429 mean "not now".
_RETRY_4XX = frozenset({401, 403, 408, 409, 425, 429})
_MAX_RETRY_AFTER = 7 * 24 * 3600.0
_SECONDS = re.compile(r"[0-9]+", re.ASCII)


@dataclass(frozen=True)
class SendResult:
    kind: SendKind
    detail: str
    status: int | None = None
    remote_id: str | None = None
    remote_token: str | None = None
    retry_after: float | None = None


class Sender(Protocol):
    def send(self, submission: Submission) -> SendResult: ...


class Open311Sender:
    """Posts service requests to one Open311 endpoint."""

    def __init__(
        self,
        endpoint: str,
        api_key: str,
        jurisdiction_id: str | None = None,
        reference_attribute: str = "kiosk_reference",
        timeout_seconds: float = 10.0,
        session: requests.Session | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._url = endpoint.rstrip("/") + "/requests.json"
        self._api_key = api_key
        self._jurisdiction_id = jurisdiction_id
        self._reference_attribute = reference_attribute
        self._timeout = timeout_seconds
        self._owns_session = session is None
        self._session = session if session is not None else requests.Session()
        self._clock = clock

    def close(self) -> None:
        if self._owns_session:
            self._session.close()

    def form(self, submission: Submission) -> list[tuple[str, str]]:
        """The form fields for one submission, in a stable order."""
        form = [("api_key", self._api_key), ("service_code", submission.service_code)]
        if self._jurisdiction_id:
            form.append(("jurisdiction_id", self._jurisdiction_id))
        form.extend(sorted(submission.fields.items()))
        for code, value in submission.attributes.items():
            if code == self._reference_attribute:
                continue  # ours below is authoritative
            if isinstance(value, list):
                form.extend((f"attribute[{code}][]", item) for item in value)
            else:
                form.append((f"attribute[{code}]", value))
        form.append((f"attribute[{self._reference_attribute}]", submission.reference))
        return form

    def send(self, submission: Submission) -> SendResult:
        unknown = set(submission.fields) - set(OPEN311_FIELDS)
        if unknown:
            # Would collide with api_key/service_code or be silently ignored by the server.
            return SendResult("permanent", "invalid_field")
        try:
            with self._session.post(
                self._url,
                data=self.form(submission),
                headers={"Idempotency-Key": submission.submission_id,
                         "Accept": "application/json"},
                timeout=self._timeout,
                allow_redirects=False,  # a redirected POST turns into a GET
                stream=True,
            ) as response:
                status = response.status_code
                if 200 <= status < 300:
                    return _delivered(status, _read_capped(response))
                retry_after = parse_retry_after(response.headers.get("Retry-After"),
                                                self._clock())
        except requests.Timeout:
            return SendResult("retry", "timeout")
        except requests.ConnectionError:
            return SendResult("retry", "connection_error")
        except requests.RequestException:
            return SendResult("retry", "request_error")
        detail = f"http_{status}"
        if status in _RETRY_4XX or status >= 500 or 300 <= status < 400:
            return SendResult("retry", detail, status, retry_after=retry_after)
        return SendResult("permanent", detail, status)


def _read_capped(response: requests.Response) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(8192):
        size += len(chunk)
        if size > _MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _delivered(status: int, body: bytes | None) -> SendResult:
    """A 2xx means the council has it, even if we cannot read which id it was given.

    Retrying an unreadable success would create a duplicate on servers without
    idempotency, which is worse than a receipt without the council's id.
    """
    try:
        data = json.loads(body) if body is not None else None
    except ValueError:
        data = None
    first = data[0] if isinstance(data, list) and data else data
    if not isinstance(first, dict):
        return SendResult("delivered", f"http_{status}_no_id", status)
    remote_id, token = _scalar(first.get("service_request_id")), _scalar(first.get("token"))
    detail = f"http_{status}" if remote_id or token else f"http_{status}_no_id"
    return SendResult("delivered", detail, status, remote_id=remote_id, remote_token=token)


def _scalar(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value) or None


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if _SECONDS.fullmatch(value):
        return min(float(value), _MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000": RFC 5322 for "UTC, source unknown"
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, when.timestamp() - now), _MAX_RETRY_AFTER)

