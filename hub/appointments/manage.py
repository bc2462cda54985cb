"""Find, cancel and change a booking by its reference and the resident's postcode; and the
day's bookings at a site for the staff panel.

An unknown reference and a wrong postcode get the same answer (404 `not_found`), so a
reference alone tells nobody anything. Each wrong postcode is counted against the reference
(its digest, in the database, so every hub process counts together): after five within an
hour the reference answers `too_many_tries` (429), right postcode or not, until the hour
has passed.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from hub.appointments.book import AppointmentBook
from hub.appointments.codes import Refused, digest, normalise_booking_reference, not_found
from hub.appointments.documents import BookingView
from hub.appointments.holds import live_hold
from hub.appointments.tables import Booking, FindFailure
from hub.appointments.transactions import writing
from hub.lookup_sources.gazetteer import normalise_postcode

TRIES = 5
TRIES_WINDOW = timedelta(hours=1)


def _checked(reference_text: str, postcode_text: str) -> tuple[str, str]:
    postcode = normalise_postcode(postcode_text)
    if postcode is None:
        raise Refused(422, "invalid_input", "postcode must be a full UK postcode, like DE99 1AB",
                      input_name="postcode")
    reference = normalise_booking_reference(reference_text)
    if reference is None:
        raise not_found()  # cannot be any booking's: nothing to look up or count
    return reference, postcode


def _matching(connection: Connection, reference: str, postcode: str, now: datetime,
              lock: bool = False) -> Any | None:
    """The booking if the postcode is its own; too_many_tries after five wrong ones."""
    failures = connection.execute(select(func.count()).select_from(FindFailure).where(
        FindFailure.reference_digest == digest(reference),
        FindFailure.at > now - TRIES_WINDOW)).scalar_one()
    if failures >= TRIES:
        raise Refused(429, "too_many_tries", "Too many wrong postcodes for this reference: "
                      "try again in an hour, or ask a member of staff")
    query = select(Booking).where(Booking.reference == reference,
                                  Booking.status.in_(("confirmed", "cancelled")))
    row = connection.execute(query.with_for_update() if lock else query).first()
    if row is None or not row.postcode or row.postcode != postcode:
        return None
    return row


def _count_failure(book: AppointmentBook, reference: str) -> Refused:
    with writing(book.engine) as connection:
        connection.execute(insert(FindFailure).values(reference_digest=digest(reference),
                                                      at=book.now()))
    return not_found()


def find(book: AppointmentBook, reference_text: str, postcode_text: str) -> BookingView:
    reference, postcode = _checked(reference_text, postcode_text)
    with book.engine.connect() as connection:
        row = _matching(connection, reference, postcode, book.now())
    if row is None:
        raise _count_failure(book, reference)
    return BookingView.of(row)


def cancel(book: AppointmentBook, reference_text: str, postcode_text: str) -> BookingView:
    """Cancelling a cancelled booking is no error: the answer is the same."""
    reference, postcode = _checked(reference_text, postcode_text)
    with writing(book.engine) as connection:
        row = _matching(connection, reference, postcode, book.now(), lock=True)
        if row is not None:
            return cancel_row(connection, row, book.now())
    raise _count_failure(book, reference)


def cancel_row(connection: Connection, row: Any, now: datetime) -> BookingView:
    """Cancel a booking row read in this transaction (the staff page uses this too)."""
    view = BookingView.of(row)
    if row.status == "cancelled":
        return view
    connection.execute(update(Booking).where(Booking.id == row.id).values(
        status="cancelled", seat=None, updated_at=now, revision=Booking.revision + 1))
    return BookingView(view.id, view.reference, "cancelled", view.site, view.type, view.start,
                       view.end, view.assisted)


def change(book: AppointmentBook, reference_text: str, postcode_text: str, hold_id: str,
           holder: str) -> BookingView:
    """Move the booking to the slot of `hold_id` in one transaction: the old place is free
    and the new one taken at the same commit. A cancelled booking is confirmed again at the
    new slot. A retry after a lost answer gets the moved booking."""
    reference, postcode = _checked(reference_text, postcode_text)
    now = book.now()
    with writing(book.engine) as connection:
        row = _matching(connection, reference, postcode, now, lock=True)
        if row is not None:
            if row.moved_by == hold_id:
                return BookingView.of(row)
            new = live_hold(connection, hold_id, holder, now)
            connection.execute(delete(Booking).where(Booking.id == new.id))
            connection.execute(update(Booking).where(Booking.id == row.id).values(
                site_id=new.site_id, type_id=new.type_id, start=new.start, end=new.end,
                seat=new.seat, status="confirmed", moved_by=hold_id, updated_at=now,
                revision=Booking.revision + 1))
            return BookingView(row.id, row.reference, "confirmed", new.site_id, new.type_id,
                               new.start, new.end, bool(row.assisted))
    raise _count_failure(book, reference)


def today_at(book: AppointmentBook, site: str) -> list[Any]:
    """Confirmed and cancelled bookings at `site` today (the hub's zone), by start."""
    day = book.today()
    since = datetime.combine(day, time(), tzinfo=book.zone)
    until = datetime.combine(day + timedelta(days=1), time(), tzinfo=book.zone)
    return bookings_between(book, site, since, until)


def bookings_between(book: AppointmentBook, site: str, since: datetime, until: datetime
                     ) -> list[Any]:
    query = (select(Booking).where(Booking.site_id == site, Booking.start >= since,
                                   Booking.start < until,
                                   Booking.status.in_(("confirmed", "cancelled")))
             .order_by(Booking.start, Booking.reference))
    with book.engine.connect() as connection:
        return list(connection.execute(query).all())
