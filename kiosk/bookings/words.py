"""A booking in words: the rows the screen shows and the paper prints (what, where, when,
what to bring), and a free slot's label. One place, so screen, speech and paper agree.

Times are read in the offset the hub wrote them in (British time, summer or winter), never
converted: 10:30 on the day is what the resident must turn up for.
"""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_date, format_time

from kiosk.bookings.base import Booking, Slot
from kiosk.journey.booking_pages import BookingRow
from kiosk.journey.days import locale_for
from kiosk.texts import Texts


def when_text(start: str, end: str, texts: Texts) -> str:
    """"Tuesday 8 December 2026, 10:30 to 11:00" in the resident's language."""
    try:
        begins, ends = datetime.fromisoformat(start), datetime.fromisoformat(end)
    except ValueError:
        return start
    locale = locale_for(texts.language)
    return texts("booking.when", day=format_date(begins.date(), "EEEE d MMMM y", locale=locale),
                 start=format_time(begins, "short", locale=locale),
                 end=format_time(ends, "short", locale=locale))


def booking_rows(booking: Booking, texts: Texts, *, with_reference: bool) -> tuple[BookingRow, ...]:
    t = texts
    where = booking.site_label + (f"\n{booking.site_address}" if booking.site_address else "")
    rows = [BookingRow(t("booking.row.what"), booking.type_label),
            BookingRow(t("booking.row.where"), where),
            BookingRow(t("booking.row.when"), when_text(booking.start, booking.end, texts))]
    if booking.bring and booking.status != "cancelled":
        rows.append(BookingRow(t("booking.row.bring"), booking.bring))
    if with_reference:
        rows.append(BookingRow(t("booking.row.reference"), booking.reference))
    if booking.status == "cancelled":
        rows.append(BookingRow(t("booking.row.status"), t("booking.status.cancelled")))
    return tuple(rows)


def slot_label(slot: Slot, texts: Texts) -> str:
    """A nearest free slot: its day and time, "Wednesday 9 December, 11:00"."""
    return texts("booking.slot", day=slot.day_label, time=slot.label)
