"""A small real HTTP server that speaks the appointments contract (/work/appointments-contract
.md, docs/lookups.md "Appointments") on 127.0.0.1, with the diary of a `FakeBookings` behind
it: the kiosk's `HubBookings` and `HubLookup` are tested against real sockets, real JSON and
real status codes before the real hub lands (the integrator adds the end-to-end test).

It keeps every request line and body it was sent (`seen`), so tests can check that nothing
personal travelled in a URL; `mode` switches on faults at the HTTP level: a 500, an answer
that is not JSON, an answer held back past the client's timeout.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

from kiosk.bookings.base import (
    Booked,
    Booking,
    Contact,
    Held,
    HoldExpired,
    NotFound,
    Slot,
    SlotTaken,
    Today,
    TooManyTries,
    Unavailable,
)
from kiosk.bookings.fake import SOURCES, FakeBookings
from kiosk.lookups.base import LookupRequest, LookupUnavailable

API_KEY = "booking-test-key"
Mode = Literal["ok", "error_500", "garbage", "hang"]


@dataclass
class Seen:
    path: str
    body: bytes


@dataclass
class BookingHub:
    diary: FakeBookings
    port: int = 0
    mode: Mode = "ok"
    seen: list[Seen] = field(default_factory=list)
    release_hang: threading.Event = field(default_factory=threading.Event)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/kiosk/v1"


def _booking(booking: Booking) -> dict[str, Any]:
    return {"reference": booking.reference, "status": booking.status, "type": booking.type,
            "type_label": booking.type_label, "site": booking.site,
            "site_label": booking.site_label, "site_address": booking.site_address,
            "start": booking.start, "end": booking.end, "bring": booking.bring,
            "assisted": booking.assisted}


def _slots(nearest: tuple[Slot, ...]) -> list[dict[str, str]]:
    return [{"start": s.start, "end": s.end, "label": s.label, "day_label": s.day_label}
            for s in nearest]


def _answer(outcome: object) -> tuple[int, dict[str, Any] | None]:
    """The contract's status and document for one of the diary's outcomes."""
    if isinstance(outcome, Held):
        return 201, {"hold": outcome.hold, "expires_at": outcome.expires_at,
                     "booking": _booking(outcome.booking)}
    if isinstance(outcome, Booked):
        return 200, {"booking": _booking(outcome.booking)}
    if isinstance(outcome, SlotTaken | HoldExpired):
        code = "slot_taken" if isinstance(outcome, SlotTaken) else "hold_expired"
        return 409, {"error": {"code": code, "message": "Choose another time."},
                     "nearest": _slots(outcome.nearest)}
    if isinstance(outcome, NotFound):
        return 404, {"error": {"code": "not_found", "message": "No such booking."}}
    if isinstance(outcome, TooManyTries):
        return 429, {"error": {"code": "too_many_tries", "message": "Ask staff."}}
    if isinstance(outcome, Today):
        return 200, {"bookings": [
            {"reference": r.reference, "start": r.start, "end": r.end,
             "type_label": r.type_label, "name": r.name, "assisted": r.assisted,
             "status": r.status} for r in outcome.bookings]}
    assert isinstance(outcome, Unavailable), outcome
    match = re.match(r"HTTP (\d+) (\w+)", outcome.detail)
    if match:
        return int(match.group(1)), {"error": {"code": match.group(2), "message": "No."}}
    return 503, {"error": {"code": "unavailable", "message": "Down."}}


class _Handler(BaseHTTPRequestHandler):
    hub: BookingHub

    def log_message(self, format: str, *args: Any) -> None:
        return None  # the test reads `seen` instead

    def do_GET(self) -> None:
        self._send(405, {"error": {"code": "method_not_allowed", "message": "POST"}})

    def do_POST(self) -> None:
        hub = self.hub
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        hub.seen.append(Seen(self.path, raw))
        if hub.mode == "hang":
            hub.release_hang.wait(10)
        if hub.mode == "error_500":
            self._send(500, {"error": {"code": "internal", "message": "Broken."}})
            return
        if hub.mode == "garbage":
            self._send_raw(200, b"<html>not json</html>")
            return
        key = self.headers.get("X-Api-Key")
        if key is None:
            self._send(401, {"error": {"code": "missing_api_key", "message": "Key?"}})
            return
        if key != API_KEY:
            self._send(403, {"error": {"code": "invalid_api_key", "message": "No."}})
            return
        try:
            body = json.loads(raw)
        except ValueError:
            self._send(400, {"error": {"code": "invalid_json", "message": "JSON?"}})
            return
        status, document = self._route(body)
        self._send(status, document)

    def _route(self, body: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
        diary, path = self.hub.diary, self.path
        language = str(body.get("language", "en"))
        if path.startswith("/kiosk/v1/lookups/"):
            source = path.rsplit("/", 1)[-1]
            if source not in SOURCES:
                return 404, {"error": {"code": "unknown_source", "message": "No."}}
            try:
                items = diary.items(LookupRequest(source, body.get("inputs", {}), language))
            except LookupUnavailable:
                return 422, {"error": {"code": "invalid_input", "message": "No.", "input": "day"}}
            return 200, {"source": source, "items": [
                {"value": i.value, "label": i.label, "hint": i.hint, "data": dict(i.data)}
                for i in items]}
        tail = path.removeprefix("/kiosk/v1/appointments/")
        parts = tail.split("/")
        if tail == "holds":
            return _answer(diary.hold(body["type"], body["site"], body["start"], body["holder"],
                                      int(body["hold_seconds"]), language))
        if len(parts) == 3 and parts[0] == "holds" and parts[2] == "release":
            diary.release(parts[1], body["holder"])
            return 204, None
        if len(parts) == 3 and parts[0] == "holds" and parts[2] == "confirm":
            if not body.get("name") or not body.get("postcode"):
                return 422, {"error": {"code": "invalid_input", "message": "No.", "input": "name"}}
            contact = Contact(body["name"], body["postcode"], body.get("email"), body.get("phone"))
            outcome = diary.confirm(parts[1], body["holder"], contact, bool(body["assisted"]),
                                    language)
            status, document = _answer(outcome)
            return (201 if status == 200 else status), document
        if tail == "bookings/find":
            return _answer(diary.find(body["reference"], body["postcode"], language))
        if len(parts) == 3 and parts[0] == "bookings" and parts[2] == "cancel":
            return _answer(diary.cancel(parts[1], body["postcode"], language))
        if len(parts) == 3 and parts[0] == "bookings" and parts[2] == "change":
            return _answer(diary.change(parts[1], body["postcode"], body["hold"], body["holder"],
                                        language))
        if tail == "today":
            return _answer(diary.today(body["site"], language))
        return 404, {"error": {"code": "not_found", "message": "No such route."}}

    def _send(self, status: int, document: dict[str, Any] | None) -> None:
        self._send_raw(status, b"" if document is None else json.dumps(document).encode())

    def _send_raw(self, status: int, content: bytes) -> None:
        self.send_response(status)
        if content:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        return None  # a client that gave up on a held-back answer: expected, not news


@contextmanager
def booking_hub(diary: FakeBookings) -> Iterator[BookingHub]:
    """The server on a free port, stopped (and its threads joined) afterwards."""
    hub = BookingHub(diary)
    handler = type("Handler", (_Handler,), {"hub": hub})
    server = _Server(("127.0.0.1", 0), handler)
    hub.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, name="booking-hub", daemon=True)
    thread.start()
    try:
        yield hub
    finally:
        hub.release_hang.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
