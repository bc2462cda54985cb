"""Bookings as iCalendar: one booking for staff, and a site's feed a council calendar
subscribes to (`/calendar/{site}.ics?token=...`).

The feed is public by path (hub/public_routes.py) and guarded by its site's feed token,
made by `kiosk-hub appointments feed-token SITE` (only a digest is kept; a new token
replaces the old one). It carries the type, the time, the place and the reference of each
booking from a week ago to the horizon, cancelled ones marked so, and never a name.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, delete, insert, select
from starlette.concurrency import run_in_threadpool

from hub.appointments.api import appointment_book
from hub.appointments.book import AppointmentBook
from hub.appointments.catalog import Catalog
from hub.appointments.codes import digest
from hub.appointments.ical import Event, calendar
from hub.appointments.manage import bookings_between
from hub.appointments.tables import FeedToken
from hub.appointments.transactions import writing

CALENDAR_TYPE = "text/calendar; charset=utf-8"
FEED_PAST = timedelta(days=7)


class UnknownSite(Exception):
    """No site has that id (the message lists those that do)."""


def make_feed_token(engine: Engine, catalog: Catalog, site: str, now: datetime) -> str:
    """A new token for `site`'s feed; the previous one stops working."""
    if site not in catalog.sites:
        raise UnknownSite(f"there is no site {site!r}; the sites are "
                          f"{', '.join(catalog.sites) or 'none (load a file first)'}")
    token = secrets.token_urlsafe(32)
    with writing(engine) as connection:
        connection.execute(delete(FeedToken).where(FeedToken.site_id == site))
        connection.execute(insert(FeedToken).values(site_id=site, token_digest=digest(token),
                                                    created_at=now))
    return token


def token_ok(engine: Engine, site: str, token: str) -> bool:
    with engine.connect() as connection:
        stored = connection.execute(select(FeedToken.token_digest)
                                    .where(FeedToken.site_id == site)).scalar_one_or_none()
    return stored is not None and hmac.compare_digest(stored, digest(token))


def event_of(book: AppointmentBook, catalog: Catalog, row: Any) -> Event:
    kind = catalog.types.get(row.type_id)
    site = catalog.sites.get(row.site_id)
    type_name = kind.names.get("en") if kind else row.type_id
    place = f"{site.names.get('en')}, {site.address}" if site else row.site_id
    how = "Booked with a member of staff's help" if row.assisted else "Booked at a kiosk"
    return Event(uid=f"{row.reference.lower()}@appointments.civic-kiosk", start=row.start,
                 end=row.end, summary=f"{type_name} ({row.reference})", location=place,
                 description=f"Reference {row.reference}\n{how}",
                 cancelled=row.status == "cancelled", sequence=row.revision,
                 modified=row.updated_at)


def site_feed(book: AppointmentBook, site: str) -> bytes:
    catalog = book.catalog()
    now = book.now()
    rows = bookings_between(book, site, now - FEED_PAST,
                            now + timedelta(days=book.horizon_days + 1))
    name = catalog.sites[site].names.get("en") if site in catalog.sites else site
    return calendar((event_of(book, catalog, row) for row in rows),
                    name=f"Appointments at {name}", stamp=now)


async def _feed(request: Request, site: str, token: str = "") -> Response:
    book = appointment_book(request)
    if not token or not await run_in_threadpool(token_ok, book.engine, site, token):
        return JSONResponse({"error": {"code": "invalid_token", "message":
                                       "This calendar's address is not valid: ask IT for the "
                                       "current one"}}, status_code=403,
                            headers={"Cache-Control": "no-store"})
    body = await run_in_threadpool(site_feed, book, site)
    return Response(body, media_type=CALENDAR_TYPE, headers={
        "Cache-Control": "no-store", "Content-Disposition": f'inline; filename="{site}.ics"'})


def feed_router() -> APIRouter:
    router = APIRouter()
    router.add_api_route("/calendar/{site}.ics", _feed, methods=["GET"])
    return router
