"""The appointment book of one hub: its database, time zone, clock and horizon, and the
free places in it. Holds, bookings and the lookups all go through one `AppointmentBook`.

"Free" is capacity minus confirmed bookings minus holds that have not expired: one grouped,
indexed query per question, over the slots the templates give for the days asked about.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, or_, select

from hub.appointments.catalog import Catalog, read_catalog
from hub.appointments.codes import Wanted
from hub.appointments.slots import Slot, Template, days_from, slots_on
from hub.appointments.tables import Booking

NEAREST = 6
SLOT_CACHE_SIZE = 20_000  # (template, day) pairs: 3 years of days for a dozen templates


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class FreeSlot:
    start: datetime  # aware, in the hub's zone
    end: datetime
    free: int


class AppointmentBook:
    def __init__(self, engine: Engine, zone: ZoneInfo, *, horizon_weeks: int = 8,
                 clock: Callable[[], datetime] = system_clock) -> None:
        self.engine = engine
        self.zone = zone
        self.horizon_days = horizon_weeks * 7
        self._clock = clock
        # slots_on is a pure function of (template, day, zone): a day's slots are made once.
        # A template loaded anew is a different key, so nothing ever needs invalidating.
        self._slots: dict[tuple[Template, date], tuple[Slot, ...]] = {}

    def now(self) -> datetime:
        return self._clock().astimezone(UTC)

    def today(self) -> date:
        return self.now().astimezone(self.zone).date()

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def catalog(self) -> Catalog:
        with self.engine.connect() as connection:
            return read_catalog(connection)

    def slots(self, catalog: Catalog, site: str, type_id: str, day: date) -> list[Slot]:
        found: list[Slot] = []
        for template in catalog.templates_for(site, type_id):
            made = self._slots.get((template, day))
            if made is None:
                if len(self._slots) >= SLOT_CACHE_SIZE:
                    self._slots.clear()
                made = self._slots[(template, day)] = slots_on(template, day, self.zone)
            found.extend(made)
        return sorted(found, key=lambda s: s.start)

    def slot_at(self, catalog: Catalog, site: str, type_id: str, start: datetime) -> Slot | None:
        """The template's slot starting at `start` (any offset), or None."""
        day = start.astimezone(self.zone).date()
        return next((s for s in self.slots(catalog, site, type_id, day) if s.start == start),
                    None)

    def bookable(self, slot: Slot) -> bool:
        """Not started yet, and within the horizon."""
        last = self.today() + timedelta(days=self.horizon_days - 1)
        return slot.start > self.now() and self.local(slot.start).date() <= last

    def taken(self, site: str, type_id: str, since: datetime, until: datetime
              ) -> dict[datetime, int]:
        """Places taken per slot start in [since, until): confirmed, or held and not expired."""
        now = self.now()
        query = (select(Booking.start, func.count())
                 .where(Booking.site_id == site, Booking.type_id == type_id,
                        Booking.start >= since, Booking.start < until,
                        Booking.seat.is_not(None),
                        or_(Booking.status == "confirmed", Booking.expires_at > now))
                 .group_by(Booking.start))
        with self.engine.connect() as connection:
            return {start: count for start, count in connection.execute(query)}

    def free_slots(self, catalog: Catalog, site: str, type_id: str, days: Iterable[date]
                   ) -> list[FreeSlot]:
        """Slots with a free place on `days`, in order; those already started left out."""
        slots = [s for day in days for s in self.slots(catalog, site, type_id, day)]
        now = self.now()
        slots = [s for s in slots if s.start > now]
        if not slots:
            return []
        taken = self.taken(site, type_id, slots[0].start, slots[-1].start + timedelta(seconds=1))
        free = (FreeSlot(s.start, s.end, s.capacity - taken.get(s.start, 0)) for s in slots)
        return [s for s in free if s.free > 0]

    def horizon(self) -> list[date]:
        return list(days_from(self.today(), self.horizon_days))

    def nearest(self, catalog: Catalog, wanted: Wanted, count: int = NEAREST) -> list[FreeSlot]:
        """Up to `count` free slots of the same site and type nearest in time to the one
        asked for, in time order."""
        if wanted.site not in catalog.sites or wanted.type not in catalog.types:
            return []
        free = self.free_slots(catalog, wanted.site, wanted.type, self.horizon())
        chosen = sorted(free, key=lambda s: (abs(s.start - wanted.start), s.start))[:count]
        return sorted(chosen, key=lambda s: s.start)
