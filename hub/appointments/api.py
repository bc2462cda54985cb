"""The kiosk API for appointments: seven POSTs under /kiosk/v1/appointments, JSON in and out.

Like the lookups (hub/lookups.py): the kiosk API key in `X-Api-Key`, a JSON body of at most
16 KiB, errors as `{"error": {"code", "message", "input"?}}`, and for a slot that cannot be
had the nearest free ones beside it (`"nearest": [...]`). Nothing a resident typed goes in a
URL (the hold id and the booking reference are the hub's own) or a log line: one line per
call with the action, the status and the time taken; a database failure is 503
`unavailable`, logged by its class alone (its text would hold the statement's values).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from hub.appointments import holds, manage
from hub.appointments.book import AppointmentBook
from hub.appointments.codes import Refused, Wanted
from hub.appointments.documents import BookingView, booking_doc, slot_docs
from hub.appointments.fields import Fields
from hub.lookups import PREFIX, LookupFailed, check_key, read_json_body
from hub.state import hub_state

log = logging.getLogger("hub.appointments")
Action = Callable[[AppointmentBook, Fields, dict[str, str]], tuple[int, dict[str, Any]]]


def appointment_book(request: Request) -> AppointmentBook:
    book: AppointmentBook = request.app.state.appointments
    return book


def _answer(book: AppointmentBook, view: BookingView, language: str) -> dict[str, Any]:
    return {"booking": booking_doc(book, book.catalog(), view, language)}


def _refusal(book: AppointmentBook, refused: Refused, language: str) -> JSONResponse:
    error: dict[str, str] = {"code": refused.code, "message": refused.message}
    if refused.input_name is not None:
        error["input"] = refused.input_name
    body: dict[str, Any] = {"error": error}
    if refused.with_nearest:
        nearest = (book.nearest(book.catalog(), refused.wanted)
                   if refused.wanted is not None else [])
        body["nearest"] = slot_docs(book, nearest, language)
    return JSONResponse(body, status_code=refused.status, headers={"Cache-Control": "no-store"})


def _hold(book: AppointmentBook, fields: Fields, path: dict[str, str]) -> tuple[int, dict[str, Any]]:
    start_text = fields.text("start", limit=40)
    try:
        start = datetime.fromisoformat(start_text)
    except ValueError:
        start = None
    if start is None or start.tzinfo is None:
        raise Refused(422, "invalid_input", "start must be a time with its offset, like "
                      "2026-12-08T10:30:00+00:00", input_name="start")
    wanted = Wanted(fields.identifier("site"), fields.identifier("type"), start)
    held = holds.hold(book, wanted, fields.holder(), fields.integer("hold_seconds",
                                                                    holds.DEFAULT_HOLD))
    answer = _answer(book, held.booking, fields.language)
    return 201, {"hold": held.booking.id, "expires_at": book.local(held.expires_at).isoformat(),
                 **answer}


def _release(book: AppointmentBook, fields: Fields, path: dict[str, str]
             ) -> tuple[int, dict[str, Any]]:
    holds.release(book, path["hold"], fields.holder())
    return 204, {}


def _confirm(book: AppointmentBook, fields: Fields, path: dict[str, str]
             ) -> tuple[int, dict[str, Any]]:
    resident = holds.Resident(
        name=fields.text("name", limit=100), email=fields.email(),
        phone=fields.text("phone", limit=40, required=False), postcode=fields.postcode(),
        assisted=fields.flag("assisted"), language=fields.language,
        terminal=fields.text("terminal", limit=64, required=False))
    view, created = holds.confirm(book, path["hold"], fields.holder(), resident)
    return (201 if created else 200), _answer(book, view, fields.language)


def _find(book: AppointmentBook, fields: Fields, path: dict[str, str]) -> tuple[int, dict[str, Any]]:
    view = manage.find(book, fields.text("reference", limit=40), fields.text("postcode", limit=20))
    return 200, _answer(book, view, fields.language)


def _cancel(book: AppointmentBook, fields: Fields, path: dict[str, str]
            ) -> tuple[int, dict[str, Any]]:
    view = manage.cancel(book, path["reference"], fields.text("postcode", limit=20))
    return 200, _answer(book, view, fields.language)


def _change(book: AppointmentBook, fields: Fields, path: dict[str, str]
            ) -> tuple[int, dict[str, Any]]:
    view = manage.change(book, path["reference"], fields.text("postcode", limit=20),
                         fields.text("hold", limit=64), fields.holder())
    return 200, _answer(book, view, fields.language)


def _today(book: AppointmentBook, fields: Fields, path: dict[str, str]) -> tuple[int, dict[str, Any]]:
    site = fields.identifier("site")
    catalog = book.catalog()
    if site not in catalog.sites:
        raise Refused(404, "unknown_site", "There is no such site")
    bookings = []
    for row in manage.today_at(book, site):
        kind = catalog.types.get(row.type_id)
        bookings.append({
            "reference": row.reference, "start": book.local(row.start).isoformat(),
            "end": book.local(row.end).isoformat(),
            "type_label": kind.names.get(fields.language) if kind else row.type_id,
            "name": row.name, "assisted": bool(row.assisted), "status": row.status})
    return 200, {"bookings": bookings}


def _endpoint(name: str, action: Action) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        started = time.monotonic()
        book = appointment_book(request)
        language = "en"
        try:
            check_key(request, hub_state(request).settings.api_keys)
            fields = Fields(await read_json_body(request))
            language = fields.language
            status, body = await run_in_threadpool(action, book, fields,
                                                   dict(request.path_params))
        except LookupFailed as failed:
            log.info("appointments action=%s refused=%s", name, failed.code)
            return failed.response()
        except Refused as refused:
            log.info("appointments action=%s refused=%s", name, refused.code)
            return await run_in_threadpool(_refusal, book, refused, language)
        except SQLAlchemyError as exc:
            # Its text would carry the statement's parameters (a resident's name): the
            # class is enough to say what went wrong.
            log.warning("appointments action=%s failed=%s", name, type(exc).__name__)
            return LookupFailed(503, "unavailable", "The appointment book cannot be reached: "
                                "try again shortly").response()
        millis = round((time.monotonic() - started) * 1000)
        log.info("appointments action=%s status=%d ms=%d", name, status, millis)
        if status == 204:
            return Response(status_code=204)
        return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})

    return endpoint


def appointments_api_router() -> APIRouter:
    router = APIRouter(prefix=PREFIX + "/appointments")
    for path, name, action in (
            ("/holds", "hold", _hold), ("/holds/{hold}/release", "release", _release),
            ("/holds/{hold}/confirm", "confirm", _confirm), ("/bookings/find", "find", _find),
            ("/bookings/{reference}/cancel", "cancel", _cancel),
            ("/bookings/{reference}/change", "change", _change), ("/today", "today", _today)):
        router.add_api_route(path, _endpoint(name, action), methods=["POST"])
    return router
