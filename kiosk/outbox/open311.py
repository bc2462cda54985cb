"""Delivery to an Open311 GeoReport v2 back office, reduced to one of three verdicts.

The relay only needs to know whether to forget a row (delivered), try it again later
(retry) or stop and tell staff (permanent), so every HTTP outcome maps to one of those with
a short code (`detail`) and a sentence for staff (`reason`: plain text with the HTTP status
and the server's own error code and description, never HTML, never what the resident typed).

Open311 has no idempotency of its own, so each request carries `Idempotency-Key:
<submission_id>` for back offices that honour it, and our reference (an attribute and the
`Kiosk-Reference` header) so a duplicate can at least be recognised by one that does not.
When the request has left and its answer is lost (a timeout or a reset after the whole body
was written), the result says so (`ambiguous`): the report may have arrived, and a resend may
duplicate it.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable, Mapping
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Literal, Protocol, runtime_checkable
from urllib.parse import quote, urlencode

import requests

from kiosk.outbox.open311_answers import Redactor, read_answer
from kiosk.outbox.open311_request import (
    FormOptions,
    LocationForm,
    check,
    form,
    secrets_of,
)
from kiosk.outbox.open311_verdicts import SendKind, SendResult, TokenAnswer, verdict
from kiosk.profile import Open311Destination
from kiosk.submission import Submission

__all__ = ["Open311Sender", "SendKind", "SendResult", "Sender", "TokenAnswer", "TokenResolver",
           "parse_retry_after"]

# A success body is a short list; anything far larger is not one, and is not read.
_MAX_BODY = 64 * 1024
_MAX_RETRY_AFTER = 7 * 24 * 3600.0
_SECONDS = re.compile(r"[0-9]+", re.ASCII)
_TOKEN = re.compile(r"^[A-Za-z0-9._~-]{1,128}$")


class Sender(Protocol):
    def send(self, submission: Submission) -> SendResult: ...


@runtime_checkable
class TokenResolver(Protocol):
    """A sender whose back office may answer with a token first (Open311 `tokens/{token}`)."""

    def resolve_token(self, token: str) -> TokenAnswer: ...


class _Body(io.BytesIO):
    """The request body, noting when the last byte has been handed to the socket.

    urllib3 reads a file body block by block and writes each block before reading the next,
    so reading the end means every byte was written: from then on an error is ambiguous.
    """

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.finished = False

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        if not chunk:
            self.finished = True
        return chunk


class Open311Sender:
    """Posts service requests to one Open311 endpoint."""

    def __init__(
        self,
        endpoint: str,
        api_key: str,
        jurisdiction_id: str | None = None,
        reference_attribute: str | None = "kiosk_reference",
        timeout_seconds: float = 10.0,
        session: requests.Session | None = None,
        *,
        clock: Callable[[], float] = time.time,
        location: LocationForm = "any",
        response_format: Literal["json", "xml"] = "json",
        groups: Mapping[str, str] | None = None,
        hidden_attributes: Mapping[str, str] | None = None,
        uprn_attribute: str | None = None,
        site_address: str | None = None,
        concurrency: int = 4,
    ) -> None:
        self._base = endpoint.rstrip("/")
        # Requests the relay may have in flight to this back office once it is up (a
        # requests.Session is safe to share between threads for this).
        self.concurrency = max(1, concurrency)
        self._format = response_format
        self._url = f"{self._base}/requests.{response_format}"
        self._options = FormOptions(
            api_key=api_key, jurisdiction_id=jurisdiction_id,
            reference_attribute=reference_attribute, location=location,
            groups=dict(groups or {}), hidden_attributes=dict(hidden_attributes or {}),
            uprn_attribute=uprn_attribute, site_address=site_address,
        )
        self._timeout = timeout_seconds
        self._owns_session = session is None
        self._session = session if session is not None else requests.Session()
        self._clock = clock

    @classmethod
    def from_destination(cls, destination: Open311Destination, *,
                         session: requests.Session | None = None,
                         clock: Callable[[], float] = time.time,
                         site_address: str | None = None) -> Open311Sender:
        """A sender for one profile destination; `site_address` locates reports that have no
        location of their own (the terminal's site)."""
        return cls(
            str(destination.endpoint), destination.api_key, destination.jurisdiction_id,
            destination.reference_attribute, destination.timeout_seconds, session,
            clock=clock, location=destination.location, response_format=destination.format,
            groups=destination.groups, hidden_attributes=destination.hidden_attributes,
            uprn_attribute=destination.uprn_attribute, site_address=site_address,
            concurrency=destination.parallel_requests,
        )

    @property
    def location(self) -> LocationForm:
        return self._options.location

    def close(self) -> None:
        if self._owns_session:
            self._session.close()

    def form(self, submission: Submission) -> list[tuple[str, str]]:
        """The form fields for one submission, in a stable order."""
        return form(submission, self._options)

    def send(self, submission: Submission) -> SendResult:
        refusal = check(submission, self._options)
        if refusal is not None:
            return SendResult("permanent", refusal.detail, reason=refusal.reason)
        body = _Body(urlencode(self.form(submission)).encode("ascii"))
        redact = Redactor(secrets_of(submission, self._options))
        try:
            with self._session.post(
                self._url,
                data=body,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                    "Accept": _ACCEPT[self._format],
                    "Idempotency-Key": submission.submission_id,
                    "Kiosk-Reference": submission.reference,
                },
                timeout=self._timeout,
                allow_redirects=False,  # a redirected POST turns into a GET
                stream=True,
            ) as response:
                status = response.status_code
                content_type = response.headers.get("Content-Type", "")
                retry_after = parse_retry_after(response.headers.get("Retry-After"),
                                                self._clock())
                location = response.headers.get("Location", "")
                payload = _read_capped(response)
        except requests.RequestException as exc:
            return _no_answer(exc, body.finished, self._timeout)
        answer = read_answer(payload, content_type, redact)
        return verdict(status, answer, retry_after, location, submission.service_code)

    def resolve_token(self, token: str) -> TokenAnswer:
        """Ask `tokens/{token}` for the id a token became (bounded by the relay's polls)."""
        if not _TOKEN.match(token):
            return TokenAnswer("failed", reason="The token the back office gave cannot be "
                               "asked about (unexpected characters)")
        params = {"jurisdiction_id": self._options.jurisdiction_id} if (
            self._options.jurisdiction_id) else None
        try:
            with self._session.get(
                f"{self._base}/tokens/{quote(token, safe='')}.{self._format}",
                params=params, headers={"Accept": _ACCEPT[self._format]},
                timeout=self._timeout, allow_redirects=False, stream=True,
            ) as response:
                status = response.status_code
                content_type = response.headers.get("Content-Type", "")
                payload = _read_capped(response)
        except requests.RequestException as exc:
            return TokenAnswer("waiting", reason=f"Could not ask about the token "
                               f"({type(exc).__name__})")
        answer = read_answer(payload, content_type, Redactor([self._options.api_key]))
        if 200 <= status < 300 and answer.remote_id:
            return TokenAnswer("resolved", answer.remote_id)
        if status in (200, 202, 404) or status >= 500 or status == 429:
            return TokenAnswer("waiting", reason=f"The token has no id yet (HTTP {status})")
        return TokenAnswer("failed", reason=f"The back office refused to look up the token "
                           f"(HTTP {status})")


_ACCEPT = {"json": "application/json", "xml": "text/xml, application/xml;q=0.9"}


def _read_capped(response: requests.Response) -> bytes | None:
    """The body, or None if it breaks off or is larger than any answer we expect.

    The status line has arrived by now, so a body that breaks off is an answer we cannot
    read, not a lost one: after a 2xx the council has the report, and resending it could
    only duplicate it.
    """
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(8192):
            size += len(chunk)
            if size > _MAX_BODY:
                return None
            chunks.append(chunk)
    except requests.RequestException:
        return None
    return b"".join(chunks)


def _no_answer(exc: requests.RequestException, sent: bool, timeout: float) -> SendResult:
    """No HTTP answer: before the body was written, a plain retry; after, ambiguous."""
    name = type(exc).__name__
    if isinstance(exc, requests.ConnectTimeout | requests.exceptions.InvalidURL):
        sent = False
    if sent:
        if isinstance(exc, requests.Timeout):
            return SendResult("retry", "timeout", ambiguous=True, reason=(
                f"No answer within {timeout:g} s after the report was sent: it may have "
                "arrived (ambiguous); it is sent again with the same Idempotency-Key"))
        return SendResult("retry", "connection_lost", ambiguous=True, reason=(
            f"The connection broke after the report was sent ({name}): it may have arrived "
            "(ambiguous); it is sent again with the same Idempotency-Key"))
    if isinstance(exc, requests.Timeout):
        return SendResult("retry", "timeout", reason=f"Could not connect within {timeout:g} s")
    if isinstance(exc, requests.ConnectionError):
        return SendResult("retry", "connection_error",
                          reason=f"Could not reach the back office ({name})")
    return SendResult("retry", "request_error", reason=f"The request failed ({name})")


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

