"""Hold a place, let it go, confirm it: the three steps of a kiosk's booking.

No double booking, whatever races: a hold claims the lowest free seat (1..capacity) of its
slot in one transaction that first deletes that slot's expired holds, and unique (site,
type, start, seat) in the database refuses a second claim on a seat. The loser of a race
between processes gets IntegrityError and looks again, in a new transaction: it now sees
the winner's row, and takes the next seat or hears "slot taken".

Idempotent for retries after a lost answer: the same holder holding the same slot gets the
same hold back; confirming a confirmed hold with the same holder gets the same booking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from hub.appointments.book import AppointmentBook
from hub.appointments.codes import (
    Refused,
    Wanted,
    digest,
    hold_expired,
    new_hold_id,
    new_reference,
    slot_taken,
)
from hub.appointments.documents import BookingView
from hub.appointments.slots import Slot
from hub.appointments.tables import Booking
from hub.appointments.transactions import writing

MIN_HOLD, MAX_HOLD, DEFAULT_HOLD = 60, 900, 300
_REFERENCE_ATTEMPTS = 5


@dataclass(frozen=True)
class Held:
    booking: BookingView
    expires_at: datetime
    created: bool


@dataclass(frozen=True)
class Resident:
    """Who a booking is for: kept until the purge blanks it (hub.appointments.purge)."""

    name: str
    email: str
    phone: str
    postcode: str
    assisted: bool
    language: str
    terminal: str


def clamp_hold(seconds: int) -> int:
    return max(MIN_HOLD, min(MAX_HOLD, seconds))


def _same_slot(row: Any, wanted: Wanted) -> bool:
    return (row.site_id, row.type_id, row.start) == (wanted.site, wanted.type, wanted.start)


def _claim(connection: Connection, slot: Slot, wanted: Wanted, holder: str, seconds: int,
           now: datetime) -> Held:
    """One attempt, inside one transaction (IntegrityError if another claim won the seat)."""
    holder_digest = digest(holder)
    mine = connection.execute(select(Booking).where(
        Booking.holder_digest == holder_digest, Booking.status == "held")).all()
    for row in mine:
        if _same_slot(row, wanted) and row.expires_at > now:
            return Held(BookingView.of(row), row.expires_at, created=False)
    # A journey holds one slot at a time: a new choice lets the earlier one go.
    connection.execute(delete(Booking).where(Booking.holder_digest == holder_digest,
                                             Booking.status == "held"))
    slot_rows = (Booking.site_id == wanted.site, Booking.type_id == wanted.type,
                 Booking.start == slot.start)
    connection.execute(delete(Booking).where(*slot_rows, Booking.status == "held",
                                             Booking.expires_at <= now))
    used = set(connection.execute(select(Booking.seat).where(
        *slot_rows, Booking.seat.is_not(None))).scalars())
    seat = next((n for n in range(1, slot.capacity + 1) if n not in used), None)
    if seat is None:
        raise slot_taken(wanted)
    expires = now + timedelta(seconds=seconds)
    hold_id = new_hold_id()
    connection.execute(insert(Booking).values(
        id=hold_id, reference=None, status="held", site_id=wanted.site, type_id=wanted.type,
        start=slot.start, end=slot.end, seat=seat, holder_digest=holder_digest,
        expires_at=expires, created_at=now, updated_at=now, revision=0, assisted=False,
        language="en", terminal="", moved_by=None, name="", email="", phone="", postcode="",
        purged=False))
    view = BookingView(hold_id, "", "held", wanted.site, wanted.type, slot.start, slot.end,
                       False)
    return Held(view, expires, created=True)


def hold(book: AppointmentBook, wanted: Wanted, holder: str, seconds: int) -> Held:
    """Raises Refused: unknown_type/unknown_site (404), invalid_input for a start that is no
    slot of the templates (422), slot_taken (409) when no place is left or it has begun."""
    catalog = book.catalog()
    if wanted.type not in catalog.types:
        raise Refused(404, "unknown_type", "There is no such appointment type")
    if wanted.site not in catalog.sites:
        raise Refused(404, "unknown_site", "There is no such site")
    slot = book.slot_at(catalog, wanted.site, wanted.type, wanted.start)
    if slot is None:
        raise Refused(422, "invalid_input", "start must be the start of a slot of this type at "
                      "this site", input_name="start")
    wanted = Wanted(wanted.site, wanted.type, slot.start)
    if not book.bookable(slot):
        raise slot_taken(wanted)
    for _ in range(slot.capacity + 3):
        try:
            with writing(book.engine) as connection:
                return _claim(connection, slot, wanted, holder, clamp_hold(seconds), book.now())
        except IntegrityError:
            continue  # another process took that seat first: look again
    raise slot_taken(wanted)


def release(book: AppointmentBook, hold_id: str, holder: str) -> None:
    """Always safe: an unknown, expired or someone else's hold is left as it is."""
    with writing(book.engine) as connection:
        connection.execute(delete(Booking).where(
            Booking.id == hold_id, Booking.holder_digest == digest(holder),
            Booking.status == "held"))


def live_hold(connection: Connection, hold_id: str, holder: str, now: datetime) -> Any:
    """The holder's unexpired hold (its row), locked for this transaction; hold_expired
    otherwise. An expired hold's seat is already counted free; the next claim deletes it."""
    row = connection.execute(select(Booking).where(Booking.id == hold_id)
                             .with_for_update()).first()
    if row is None or row.holder_digest != digest(holder) or row.status != "held":
        raise hold_expired(None)
    if row.expires_at <= now:
        raise hold_expired(Wanted(row.site_id, row.type_id, row.start))
    return row


def _confirm_once(book: AppointmentBook, hold_id: str, holder: str, resident: Resident
                  ) -> tuple[BookingView, bool]:
    now = book.now()
    with writing(book.engine) as connection:
        row = connection.execute(select(Booking).where(Booking.id == hold_id)
                                 .with_for_update()).first()
        if row is not None and row.status != "held" and row.holder_digest == digest(holder):
            return BookingView.of(row), False  # a retry: the booking it made
        live = live_hold(connection, hold_id, holder, now)
        reference = new_reference()
        connection.execute(update(Booking).where(Booking.id == hold_id).values(
            status="confirmed", reference=reference, updated_at=now, name=resident.name,
            email=resident.email, phone=resident.phone, postcode=resident.postcode,
            assisted=resident.assisted, language=resident.language,
            terminal=resident.terminal))
        view = BookingView.of(live)
        return BookingView(view.id, reference, "confirmed", view.site, view.type, view.start,
                           view.end, resident.assisted), True


def confirm(book: AppointmentBook, hold_id: str, holder: str, resident: Resident
            ) -> tuple[BookingView, bool]:
    """The booking, and whether it was made now (False: a retry of a confirmed hold).
    Raises Refused hold_expired for an unknown, expired or someone else's hold."""
    for _ in range(_REFERENCE_ATTEMPTS):
        try:
            return _confirm_once(book, hold_id, holder, resident)
        except IntegrityError:
            continue  # the new reference was taken already (1 in 10^12): draw another
    raise Refused(503, "busy", "Try again")
