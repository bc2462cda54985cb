"""What the kiosk API answers with: the booking document and the slot list, in a language.

The booking document never carries the resident's name, email or phone: the kiosk that
made the booking has them, and anyone else holding a reference and postcode has no need of
them. Days and times are written by babel in the resident's language ("Tuesday 8 December",
"wtorek 8 grudnia"), English when babel does not know the language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from babel.core import Locale, UnknownLocaleError
from babel.dates import format_date, format_time

from hub.appointments.book import AppointmentBook, FreeSlot
from hub.appointments.catalog import Catalog

DAY_PATTERN = "EEEE d MMMM"


def locale_of(language: str) -> Locale:
    """British English for `en` (a 24-hour "14:30", as UK councils print times)."""
    try:
        return Locale.parse("en_GB" if language == "en" else language)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def day_label(day: date, language: str) -> str:
    return format_date(day, DAY_PATTERN, locale=locale_of(language))


def time_label(local: datetime, language: str) -> str:
    """The wall-clock time of an aware datetime already in the hub's zone."""
    return format_time(local.time(), "short", locale=locale_of(language))


@dataclass(frozen=True)
class BookingView:
    """A booking row as the API and pages need it (the personal fields stay in the row)."""

    id: str
    reference: str
    status: str
    site: str
    type: str
    start: datetime
    end: datetime
    assisted: bool

    @classmethod
    def of(cls, row: Any) -> BookingView:
        return cls(row.id, row.reference or "", row.status, row.site_id, row.type_id,
                   row.start, row.end, bool(row.assisted))


def booking_doc(book: AppointmentBook, catalog: Catalog, view: BookingView, language: str
                ) -> dict[str, object]:
    kind = catalog.types.get(view.type)
    site = catalog.sites.get(view.site)
    return {
        "reference": view.reference if view.status != "held" else "",
        "status": view.status,
        "type": view.type,
        "type_label": kind.names.get(language) if kind else view.type,
        "site": view.site,
        "site_label": site.names.get(language) if site else view.site,
        "site_address": site.address if site else "",
        "start": book.local(view.start).isoformat(),
        "end": book.local(view.end).isoformat(),
        "bring": kind.bring.get(language) if kind else "",
        "assisted": view.assisted,
    }


def slot_docs(book: AppointmentBook, slots: list[FreeSlot], language: str
              ) -> list[dict[str, str]]:
    docs = []
    for slot in slots:
        start = book.local(slot.start)
        docs.append({"start": start.isoformat(), "end": book.local(slot.end).isoformat(),
                     "label": time_label(start, language),
                     "day_label": day_label(start.date(), language)})
    return docs
