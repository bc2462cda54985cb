"""Retention: a booking's personal fields are blanked some days after its appointment.

Name, email, phone and postcode are kept while staff may need them (the day, and the days
after, for a missed appointment), then blanked: `retention_days` after the appointment's end
(a hub setting, default 30), cancelled bookings included. What stays (reference, site, type,
time, status) says how the appointments were used and identifies nobody. Holds that expired
more than a day ago and wrong-postcode counts older than their hour are deleted.

The hub runs the purge when it starts and every few hours while it runs (`PurgeTimer`);
`kiosk-hub appointments purge` runs it by hand or from a timer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update

from hub.appointments.book import AppointmentBook
from hub.appointments.manage import TRIES_WINDOW
from hub.appointments.tables import Booking, FindFailure
from hub.appointments.transactions import writing
from hub.periodic import PeriodicJob

DEFAULT_RETENTION_DAYS = 30
PURGE_EVERY = timedelta(hours=6)

log = logging.getLogger("hub.appointments")


@dataclass(frozen=True)
class Purged:
    blanked: int
    holds: int
    failures: int


def purge(book: AppointmentBook, retention_days: int, now: datetime | None = None) -> Purged:
    now = now or book.now()
    with writing(book.engine) as connection:
        blanked = connection.execute(
            update(Booking).where(Booking.end < now - timedelta(days=retention_days),
                                  Booking.purged.is_(False), Booking.status != "held")
            .values(name="", email="", phone="", postcode="", purged=True)).rowcount
        holds = connection.execute(delete(Booking).where(
            Booking.status == "held", Booking.expires_at < now - timedelta(days=1))).rowcount
        failures = connection.execute(delete(FindFailure).where(
            FindFailure.at < now - TRIES_WINDOW)).rowcount
    return Purged(blanked, holds, failures)


class PurgeTimer(PeriodicJob):
    """Runs the purge now and then every `every`, on a thread of its own, until closed."""

    name = "appointments-purge"

    def __init__(self, book: AppointmentBook, retention_days: int,
                 every: timedelta = PURGE_EVERY) -> None:
        super().__init__(every, log)
        self._book = book
        self._days = retention_days

    def once(self) -> str:
        done = purge(self._book, self._days)
        return f"appointments purge blanked={done.blanked} holds={done.holds}"
