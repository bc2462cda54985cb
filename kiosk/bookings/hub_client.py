"""Booking through the council's hub: `POST {endpoint}/appointments/...` with JSON bodies.

The endpoint and key are the profile's `lookups` section (the hub's kiosk API). Every way a
call can fail ends as a typed outcome (`kiosk.bookings.base`); nothing escapes. Inputs travel
only in the body: the URL holds the endpoint and, where the contract says so, a hold id or a
booking reference. No log line or outcome carries a URL, an input or the hub's free text.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

import requests

from kiosk.bookings.base import (
    Booked,
    Booking,
    CancelOutcome,
    ChangeOutcome,
    ConfirmOutcome,
    Contact,
    FindOutcome,
    Held,
    HoldExpired,
    HoldOutcome,
    NotFound,
    Slot,
    SlotTaken,
    Today,
    TodayOutcome,
    TodaysBooking,
    TooManyTries,
    Unavailable,
)
from kiosk.hub_http import HubCallFailed, post_json

log = logging.getLogger(__name__)

# Only a hub error code goes into a detail: a short token, never free text.
_TOKEN = re.compile(r"^[a-z0-9_-]{1,40}$")
_STATUSES = ("held", "confirmed", "cancelled")
T = TypeVar("T")


class _Answer:
    """A status, the hub's error code (if it sent a usable one) and the JSON document."""

    def __init__(self, status: int, document: Any) -> None:
        self.status = status
        self.document = document
        error = document.get("error") if isinstance(document, dict) else None
        code = error.get("code") if isinstance(error, dict) else None
        self.code = code if isinstance(code, str) and _TOKEN.match(code) else ""


def _text(raw: Mapping[str, Any], name: str, *, optional: bool = False) -> str:
    value = raw.get(name)
    if value is None and optional:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{name} is not text")
    return value


def parse_booking(raw: Any, language: str) -> Booking:
    """The hub's booking document; ValueError names what is wrong without quoting it."""
    if not isinstance(raw, dict):
        raise ValueError("booking is not an object")
    status = raw.get("status")
    if status not in _STATUSES:
        raise ValueError("booking status is not held, confirmed or cancelled")
    assisted = raw.get("assisted", False)
    if not isinstance(assisted, bool):
        raise ValueError("assisted is not true or false")
    return Booking(
        reference=_text(raw, "reference", optional=True), status=status,
        type=_text(raw, "type"), type_label=_text(raw, "type_label"), site=_text(raw, "site"),
        site_label=_text(raw, "site_label"),
        site_address=_text(raw, "site_address", optional=True),
        start=_text(raw, "start"), end=_text(raw, "end"), bring=_text(raw, "bring", optional=True),
        assisted=assisted, language=language)


def parse_nearest(document: Any) -> tuple[Slot, ...]:
    raw = document.get("nearest", []) if isinstance(document, dict) else []
    if not isinstance(raw, list):
        raise ValueError("nearest is not a list")
    slots = []
    for item in raw:
        if not isinstance(item, dict):
            raise ValueError("a nearest slot is not an object")
        slots.append(Slot(_text(item, "start"), _text(item, "end"), _text(item, "label"),
                          _text(item, "day_label")))
    return tuple(slots)


def _today_rows(document: Any) -> tuple[TodaysBooking, ...]:
    raw = document.get("bookings") if isinstance(document, dict) else None
    if not isinstance(raw, list):
        raise ValueError("bookings is not a list")
    rows = []
    for item in raw:
        if not isinstance(item, dict) or item.get("status") not in _STATUSES:
            raise ValueError("a booking row is not an object with a status")
        assisted = item.get("assisted", False)
        rows.append(TodaysBooking(_text(item, "reference"), _text(item, "start"),
                                  _text(item, "end"), _text(item, "type_label"),
                                  _text(item, "name", optional=True), assisted is True,
                                  item["status"]))
    return tuple(rows)


def _unavailable_for(answer: _Answer) -> Unavailable:
    status = answer.status
    detail = f"HTTP {status} {answer.code}".strip()
    if status in (401, 403):
        return Unavailable("refused", detail)
    if status == 404 and answer.code not in ("unknown_type", "unknown_site"):
        return Unavailable("not_configured", detail)  # a hub without appointments
    if 400 <= status < 500:
        return Unavailable("refused", detail)
    if status >= 500:
        return Unavailable("unreachable", detail)
    return Unavailable("bad_answer", detail)


class HubBookings:
    """The hub's appointments API, one call at a time per kiosk."""

    def __init__(self, endpoint: str, api_key: str, *, timeout_seconds: float = 5.0,
                 connect_timeout_seconds: float = 2.0, session: requests.Session | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._base = endpoint.rstrip("/") + "/appointments/"
        self._api_key = api_key
        self.timeout_seconds = timeout_seconds
        self._connect_timeout = min(connect_timeout_seconds, timeout_seconds)
        self._session = session or requests.Session()
        self._monotonic = monotonic
        # requests.Session is not safe to share between threads (the staff panel asks for
        # today's bookings on its own worker).
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"HubBookings({self._base!r})"

    def close(self) -> None:
        self._session.close()

    # ----- the contract's calls ----------------------------------------------------------

    def hold(self, type_id: str, site: str, start: str, holder: str, hold_seconds: int,
             language: str) -> HoldOutcome:
        body = {"type": type_id, "site": site, "start": start, "holder": holder,
                "hold_seconds": hold_seconds, "language": language}

        def read(answer: _Answer) -> HoldOutcome:
            if answer.status == 409 and answer.code == "slot_taken":
                return SlotTaken(parse_nearest(answer.document))
            if answer.status != 201:
                return _unavailable_for(answer)
            document = answer.document
            hold, expires = document.get("hold"), document.get("expires_at")
            if not isinstance(hold, str) or not hold or not isinstance(expires, str):
                raise ValueError("no hold id or expiry")
            return Held(hold, expires, parse_booking(document.get("booking"), language))

        return self._call("hold", "holds", body, read)

    def release(self, hold: str, holder: str) -> bool:
        def read(answer: _Answer) -> bool:
            return answer.status in (200, 204)

        outcome = self._call("release", f"holds/{quote(hold, safe='')}/release",
                             {"holder": holder}, read, empty_ok=True)
        return outcome is True  # releasing is best effort: the hub's expiry is the backstop

    def confirm(self, hold: str, holder: str, contact: Contact, assisted: bool,
                language: str) -> ConfirmOutcome:
        body: dict[str, Any] = {"holder": holder, "name": contact.name,
                                "postcode": contact.postcode, "assisted": assisted,
                                "language": language}
        if contact.email:
            body["email"] = contact.email
        if contact.phone:
            body["phone"] = contact.phone

        def read(answer: _Answer) -> ConfirmOutcome:
            moved = self._moved(answer)
            if moved is not None:
                return moved
            return self._booked(answer, language, (200, 201))

        return self._call("confirm", f"holds/{quote(hold, safe='')}/confirm", body, read)

    def find(self, reference: str, postcode: str, language: str) -> FindOutcome:
        def read(answer: _Answer) -> FindOutcome:
            return self._looked_for(answer, language)

        return self._call("find", "bookings/find",
                          {"reference": reference, "postcode": postcode, "language": language},
                          read)

    def cancel(self, reference: str, postcode: str, language: str) -> CancelOutcome:
        def read(answer: _Answer) -> CancelOutcome:
            return self._looked_for(answer, language)

        return self._call("cancel", f"bookings/{quote(reference, safe='')}/cancel",
                          {"postcode": postcode, "language": language}, read)

    def change(self, reference: str, postcode: str, hold: str, holder: str,
               language: str) -> ChangeOutcome:
        def read(answer: _Answer) -> ChangeOutcome:
            moved = self._moved(answer)
            return moved if moved is not None else self._looked_for(answer, language)

        return self._call("change", f"bookings/{quote(reference, safe='')}/change",
                          {"postcode": postcode, "hold": hold, "holder": holder,
                           "language": language}, read)

    def today(self, site: str, language: str) -> TodayOutcome:
        def read(answer: _Answer) -> TodayOutcome:
            if answer.status != 200:
                return _unavailable_for(answer)
            return Today(_today_rows(answer.document))

        return self._call("today", "today", {"site": site, "language": language}, read)

    # ----- reading answers ---------------------------------------------------------------

    @staticmethod
    def _moved(answer: _Answer) -> SlotTaken | HoldExpired | None:
        """409: the slot went, or the hold ran out; both with the nearest free slots."""
        if answer.status != 409:
            return None
        if answer.code == "slot_taken":
            return SlotTaken(parse_nearest(answer.document))
        if answer.code == "hold_expired":
            return HoldExpired(parse_nearest(answer.document))
        return None

    @staticmethod
    def _booked(answer: _Answer, language: str, ok: tuple[int, ...] = (200,)) -> Booked | Unavailable:
        if answer.status not in ok:
            return _unavailable_for(answer)
        return Booked(parse_booking(answer.document.get("booking"), language))

    def _looked_for(self, answer: _Answer, language: str) -> Booked | NotFound | TooManyTries | Unavailable:
        if answer.status == 404 and answer.code == "not_found":
            return NotFound()
        if answer.status == 429 and answer.code == "too_many_tries":
            return TooManyTries()
        return self._booked(answer, language)

    # ----- one call ----------------------------------------------------------------------

    def _call(self, name: str, path: str, body: Mapping[str, Any],
              read: Callable[[_Answer], T], *, empty_ok: bool = False) -> T | Unavailable:
        """POST `body` to `path` and read the answer with `read`; any failure, including a
        document `read` cannot make sense of, is an `Unavailable` with a short detail."""
        started = self._monotonic()
        deadline = started + self.timeout_seconds
        try:
            if not self._lock.acquire(timeout=self.timeout_seconds):
                raise HubCallFailed("timeout", "an earlier call is still running")
            try:
                answer = self._post(path, body, deadline, empty_ok)
            finally:
                self._lock.release()
            outcome = read(answer)
        except HubCallFailed as failed:
            log.warning("appointments %s unavailable: %s (%s)", name, failed.reason, failed.detail)
            return Unavailable(failed.reason, failed.detail)
        except ValueError as exc:  # a document that is not the contract's (never quoted)
            detail = "not JSON" if isinstance(exc, json.JSONDecodeError) else str(exc)
            log.warning("appointments %s: the hub's answer was not understood (%s)", name, detail)
            return Unavailable("bad_answer", detail)
        log.info("appointments %s: %s in %d ms", name, type(outcome).__name__,
                 round((self._monotonic() - started) * 1000))
        return outcome

    def _post(self, path: str, body: Mapping[str, Any], deadline: float,
              empty_ok: bool) -> _Answer:
        status, content = post_json(self._session, self._base + path, body, self._api_key,
                                    deadline=deadline, connect_timeout=self._connect_timeout,
                                    timeout_seconds=self.timeout_seconds,
                                    monotonic=self._monotonic)
        if not content.strip():
            if empty_ok or status >= 300:
                return _Answer(status, {})
            raise ValueError("an empty answer")
        try:
            document = json.loads(content)
        except ValueError:
            if status >= 300:
                return _Answer(status, {})  # a proxy's HTML error page: the status says enough
            raise
        if not isinstance(document, dict):
            if status >= 300:
                return _Answer(status, {})
            raise ValueError("the answer is not an object")
        return _Answer(status, document)
