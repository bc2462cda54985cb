"""`/appointments`: staff see a site's bookings for a day and cancel one; each booking as an
`.ics` file for their own calendar.

For staff, managers and IT. The page shows the resident's name and contact details (staff
greet them and may need to call), which nothing else outside the kiosk that booked does;
after the retention period the purge has blanked them and the page says so.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from html import escape
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from hub.appointments.api import appointment_book
from hub.appointments.book import AppointmentBook
from hub.appointments.catalog import Catalog
from hub.appointments.codes import normalise_booking_reference
from hub.appointments.feed import CALENDAR_TYPE, event_of
from hub.appointments.ical import calendar
from hub.appointments.manage import bookings_between, cancel_row
from hub.appointments.tables import Booking
from hub.appointments.transactions import writing
from hub.auth import SignedIn, csrf_field, require_role
from hub.pages import page_response, staff_page
from hub.state import HubState, hub_state

Staff = Annotated[SignedIn, Depends(require_role("staff", "manager", "it"))]


def _choose_form(catalog: Catalog, site: str, day: date) -> str:
    options = "".join(
        f'<option value="{escape(s.id)}"{" selected" if s.id == site else ""}>'
        f"{escape(s.names.get('en'))}</option>" for s in catalog.sites.values())
    return ('<form method="get" action="/appointments" class="form-group">'
            '<label class="label" for="site">Site</label>'
            f'<select class="input" id="site" name="site">{options}</select>'
            '<label class="label" for="day">Day</label>'
            f'<input class="input" type="date" id="day" name="day" value="{day.isoformat()}">'
            ' <button class="button" type="submit">Show</button></form>\n')


def _link(site: str, day: date, text: str) -> str:
    query = urlencode({"site": site, "day": day.isoformat()})
    return f'<a href="/appointments?{query}">{escape(text)}</a>'


def _contact(row: Any) -> str:
    if row.purged:
        return "Removed after the retention period"
    parts = [p for p in (row.email, row.phone) if p]
    return escape(", ".join(parts)) or "—"


def _row(book: AppointmentBook, catalog: Catalog, account: SignedIn, row: Any, site: str,
         day: date) -> str:
    kind = catalog.types.get(row.type_id)
    start, end = book.local(row.start), book.local(row.end)
    status = "Cancelled" if row.status == "cancelled" else "Booked"
    action = ""
    if row.status == "confirmed":
        action = ('<form method="post" action="/appointments/cancel">' + csrf_field(account)
                  + f'<input type="hidden" name="reference" value="{escape(row.reference)}">'
                  f'<input type="hidden" name="site" value="{escape(site)}">'
                  f'<input type="hidden" name="day" value="{day.isoformat()}">'
                  '<button class="button button--secondary" type="submit" '
                  f'aria-label="Cancel {escape(row.reference)}">Cancel</button></form>')
    return (f"<tr><td>{start:%H:%M}–{end:%H:%M}</td>"
            f"<td>{escape(kind.names.get('en') if kind else row.type_id)}"
            f"{' (assisted)' if row.assisted else ''}</td>"
            f'<td><a href="/appointments/{escape(row.reference)}.ics">{escape(row.reference)}</a>'
            f"</td><td>{escape(row.name) or '—'}</td><td>{_contact(row)}</td>"
            f"<td>{status}</td><td>{action}</td></tr>")


def _page(hub: HubState, book: AppointmentBook, account: SignedIn, site: str, day: date,
          notice: str) -> str:
    catalog = book.catalog()
    body = ["<h1>Appointments</h1>\n"]
    if notice:
        body.append(f'<div class="notice" role="status"><strong>{escape(notice)}</strong></div>\n')
    if not catalog.sites:
        body.append("<p>No appointment sites are loaded. IT loads them with "
                    "<code>kiosk-hub appointments load FILE.yaml</code>.</p>\n")
        return staff_page(hub, "Appointments", "".join(body), account)
    body.append(_choose_form(catalog, site, day))
    name = catalog.sites[site].names.get("en")
    body.append(f"<h2>{escape(name)}, {day:%A} {day.day} {day:%B %Y}</h2>\n<p>"
                f"{_link(site, day - timedelta(days=1), 'Previous day')} · "
                f"{_link(site, day + timedelta(days=1), 'Next day')}</p>\n")
    since = datetime.combine(day, time(), tzinfo=book.zone)
    until = datetime.combine(day + timedelta(days=1), time(), tzinfo=book.zone)
    rows = bookings_between(book, site, since, until)
    if not rows:
        body.append("<p>No bookings on this day.</p>\n")
    else:
        booked = sum(1 for r in rows if r.status == "confirmed")
        body.append(f"<p>{booked} booked, {len(rows) - booked} cancelled.</p>\n"
                    '<table><thead><tr><th scope="col">Time</th><th scope="col">Appointment</th>'
                    '<th scope="col">Reference</th><th scope="col">Name</th>'
                    '<th scope="col">Contact</th><th scope="col">Status</th>'
                    '<th scope="col">Action</th></tr>'
                    "</thead><tbody>"
                    + "".join(_row(book, catalog, account, r, site, day) for r in rows)
                    + "</tbody></table>\n")
    return staff_page(hub, "Appointments", "".join(body), account)


def _day(text: str, today: date) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return today


def _show(request: Request, account: Staff, site: str = "", day: str = "",
          cancelled: str = "") -> HTMLResponse:
    book = appointment_book(request)
    catalog = book.catalog()
    chosen = site if site in catalog.sites else next(iter(catalog.sites), "")
    notice = f"Booking {cancelled} was cancelled." if normalise_booking_reference(cancelled) \
        else ""
    return page_response(_page(hub_state(request), book, account, chosen,
                               _day(day, book.today()), notice))


def staff_cancel(book: AppointmentBook, reference: str) -> bool:
    with writing(book.engine) as connection:
        row = connection.execute(select(Booking).where(Booking.reference == reference)
                                 .with_for_update()).first()
        if row is None or row.status == "held":
            return False
        cancel_row(connection, row, book.now())
        return True


async def _cancel(request: Request, account: Staff) -> Response:
    book = appointment_book(request)
    async with request.form() as form:
        fields = {name: form.get(name) for name in ("reference", "site", "day")}
    text = {name: value if isinstance(value, str) else "" for name, value in fields.items()}
    reference = normalise_booking_reference(text["reference"]) or ""
    done = bool(reference) and await run_in_threadpool(staff_cancel, book, reference)
    query = {"site": text["site"][:64], "day": text["day"][:10]}
    if done:
        query["cancelled"] = reference
    return RedirectResponse(f"/appointments?{urlencode(query)}", status_code=303,
                            headers={"Cache-Control": "no-store"})


def _one_ics(request: Request, account: Staff, reference: str) -> Response:
    book = appointment_book(request)
    key = normalise_booking_reference(reference)
    with book.engine.connect() as connection:
        row = connection.execute(select(Booking).where(Booking.reference == key)).first() \
            if key else None
    if row is None:
        body = "<h1>No such booking</h1>\n<p>No booking has that reference.</p>\n"
        return page_response(staff_page(hub_state(request), "No such booking", body, account),
                             404)
    data = calendar([event_of(book, book.catalog(), row)], name=f"Appointment {row.reference}",
                    stamp=book.now())
    return Response(data, media_type=CALENDAR_TYPE, headers={
        "Cache-Control": "no-store",
        "Content-Disposition": f'attachment; filename="{row.reference}.ics"'})


def appointments_page_router() -> APIRouter:
    router = APIRouter()
    router.add_api_route("/appointments", _show, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route("/appointments/cancel", _cancel, methods=["POST"])
    router.add_api_route("/appointments/{reference}.ics", _one_ics, methods=["GET"])
    return router
