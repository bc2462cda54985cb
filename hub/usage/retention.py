"""Retention: raw usage events are deleted `months` after the hour they happened (a hub
setting, default 13: a year and the month it is compared with), and batch ids with them.
The aggregates the report reads are kept: they count visits and identify nobody.

The hub purges when it starts and every few hours while it runs (`RetentionTimer`).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete
from sqlalchemy.exc import SQLAlchemyError

from hub.db import utcnow
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


class RetentionTimer:
    """Purges now and then every `every` on a thread of its own, until closed."""

    def __init__(self, engine: Engine, months: int, every: timedelta = PURGE_EVERY) -> None:
        self._engine = engine
        self._months = months
        self._every = every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="usage-retention", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                done = purge(self._engine, self._months, utcnow())
            except SQLAlchemyError as exc:
                log.warning("usage events purge failed: %s", type(exc).__name__)
            else:
                log.info("usage events purge deleted events=%d batches=%d", done.events,
                         done.batches)
            self.runs += 1
            self._stop.wait(self._every.total_seconds())

    def close(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
