"""Retention: raw usage events are deleted `months` after the hour they happened (a hub
setting, default 13: a year and the month it is compared with), and batch ids with them.
The aggregates the report reads are kept: they count visits and identify nobody.

The hub purges when it starts and every few hours while it runs (`RetentionTimer`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete

from hub.db import utcnow
from hub.periodic import PeriodicJob
from hub.usage.tables import UsageBatch, UsageEventRow

DEFAULT_RETENTION_MONTHS = 13
PURGE_EVERY = timedelta(hours=6)

log = logging.getLogger("hub.usage")


def cutoff(now: datetime, months: int) -> datetime:
    """The same day and hour `months` calendar months before `now` (the month's last day
    when that day does not exist)."""
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    day = now.day
    while True:
        try:
            return now.replace(year=year, month=month + 1, day=day)
        except ValueError:
            day -= 1


@dataclass(frozen=True)
class Purged:
    events: int
    batches: int


def purge(engine: Engine, months: int, now: datetime) -> Purged:
    before = cutoff(now, months)
    with engine.begin() as conn:
        events = conn.execute(delete(UsageEventRow).where(UsageEventRow.hour < before)).rowcount
        batches = conn.execute(delete(UsageBatch).where(UsageBatch.received_at < before)).rowcount
    return Purged(events, batches)


class RetentionTimer(PeriodicJob):
    """Purges now and then every `every` on a thread of its own, until closed."""

    name = "usage-retention"

    def __init__(self, engine: Engine, months: int, every: timedelta = PURGE_EVERY) -> None:
        super().__init__(every, log)
        self._engine = engine
        self._months = months

    def once(self) -> str:
        done = purge(self._engine, self._months, utcnow())
        return f"usage events purge deleted events={done.events} batches={done.batches}"
