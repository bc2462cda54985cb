"""The four appointment lookups a booking journey asks in turn: which types, which sites,
which days, which times. Answered from the hub's appointment book (hub/appointments); an
unknown type or site is no items, not an error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from hub.appointments.book import AppointmentBook
from hub.appointments.documents import day_label, time_label
from hub.lookup_sources.base import BadInput, LookupSource, SourceItem


class AppointmentTypesSource:
    name = "appointment-types"
    inputs: tuple[str, ...] = ()

    def __init__(self, book: AppointmentBook) -> None:
        self._book = book

    def answer(self, inputs: Mapping[str, str], language: str) -> Sequence[SourceItem]:
        catalog = self._book.catalog()
        return [SourceItem(value=kind.id, label=kind.names.get(language),
                           hint=kind.descriptions.get(language),
                           data={"minutes": str(kind.minutes), "bring": kind.bring.get(language)})
                for kind in catalog.types_offered(self._book.today())]


class AppointmentSitesSource:
    name = "appointment-sites"
    inputs = ("type",)

    def __init__(self, book: AppointmentBook) -> None:
        self._book = book

    def answer(self, inputs: Mapping[str, str], language: str) -> Sequence[SourceItem]:
        catalog = self._book.catalog()
        return [SourceItem(value=site.id, label=site.names.get(language), hint=site.address,
                           data={"address": site.address})
                for site in catalog.sites_for(inputs["type"].strip(), self._book.today())]


class AppointmentDaysSource:
    name = "appointment-days"
    inputs = ("type", "site")

    def __init__(self, book: AppointmentBook) -> None:
        self._book = book

    def answer(self, inputs: Mapping[str, str], language: str) -> Sequence[SourceItem]:
        book = self._book
        catalog = book.catalog()
        site, type_id = inputs["site"].strip(), inputs["type"].strip()
        free: dict[date, int] = {}
        for slot in book.free_slots(catalog, site, type_id, book.horizon()):
            day = book.local(slot.start).date()
            free[day] = free.get(day, 0) + slot.free
        return [SourceItem(value=day.isoformat(), label=day_label(day, language),
                           data={"date": day.isoformat(), "free": str(count),
                                 "weekday": str(day.weekday())})
                for day, count in free.items()]


class AppointmentTimesSource:
    name = "appointment-times"
    inputs = ("type", "site", "day")

    def __init__(self, book: AppointmentBook) -> None:
        self._book = book

    def answer(self, inputs: Mapping[str, str], language: str) -> Sequence[SourceItem]:
        try:
            day = date.fromisoformat(inputs["day"].strip())
        except ValueError:
            day = None
        if day is None or len(inputs["day"].strip()) != 10:
            raise BadInput("day", "a date like 2026-12-08 (YYYY-MM-DD)")
        book = self._book
        if day not in book.horizon():
            return []
        items = []
        for slot in book.free_slots(book.catalog(), inputs["site"].strip(),
                                    inputs["type"].strip(), [day]):
            start, end = book.local(slot.start), book.local(slot.end)
            items.append(SourceItem(value=start.isoformat(), label=time_label(start, language),
                                    data={"start": start.isoformat(), "end": end.isoformat()}))
        return items


def appointment_sources(book: AppointmentBook) -> tuple[LookupSource, ...]:
    return (AppointmentTypesSource(book), AppointmentSitesSource(book),
            AppointmentDaysSource(book), AppointmentTimesSource(book))
