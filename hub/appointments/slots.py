"""Slots from a template: pure functions of the template, the day and the time zone.

A template says wall-clock times ("09:30 to 16:30, 30 minutes, lunch 12:30-13:30"), because
that is what a library's opening hours are. A slot is those wall-clock times on one day, made
into instants in the hub's zone:

- a slot that would start or end at a wall-clock time the clocks skip (01:00-01:59 on the
  morning they go forward in London) is no slot;
- a wall-clock time that happens twice (01:30 on the morning they go back) is one slot, at
  its first occurrence: nobody is booked at 01:30 twice.

So a slot's local start and end always read back as the template's times, and a day's slots
are strictly increasing instants, whatever the date.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60


def minutes_of(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def clock(minutes: int) -> time:
    """Minutes after midnight as a time: 570 -> 09:30."""
    return time(minutes // 60, minutes % 60)


@dataclass(frozen=True)
class Template:
    """One site offering one type. Times are minutes after midnight, wall clock."""

    site: str
    type: str
    weekdays: frozenset[int]  # 0 = Monday
    opens: int
    closes: int
    slot_minutes: int
    capacity: int
    breaks: tuple[tuple[int, int], ...] = ()
    valid_from: date | None = None
    valid_to: date | None = None
    closed: frozenset[date] = frozenset()

    def offered_on(self, day: date) -> bool:
        return (day.weekday() in self.weekdays and day not in self.closed
                and (self.valid_from is None or day >= self.valid_from)
                and (self.valid_to is None or day <= self.valid_to))

    def wall_times(self) -> Iterator[tuple[int, int]]:
        """(start, end) in minutes after midnight: back to back from opening, each ending by
        closing, none overlapping a break (a slot that would is moved to the break's end)."""
        start = self.opens
        while start + self.slot_minutes <= self.closes:
            end = start + self.slot_minutes
            blocking = [b for b in self.breaks if b[0] < end and start < b[1]]
            if blocking:
                start = max(b[1] for b in blocking)
                continue
            yield start, end
            start = end


@dataclass(frozen=True)
class Slot:
    start: datetime  # aware, in the hub's zone
    end: datetime
    capacity: int


def local_instant(day: date, minutes: int, zone: ZoneInfo) -> datetime | None:
    """The wall-clock time `minutes` after midnight on `day`, as an aware datetime in `zone`;
    its first occurrence when it happens twice, None when the clocks skip it. 24:00 is the
    next day's midnight."""
    naive = datetime.combine(day, time()) + timedelta(minutes=minutes)
    aware = naive.replace(tzinfo=zone, fold=0)
    round_trip = aware.astimezone(UTC).astimezone(zone)
    if round_trip.replace(tzinfo=None) != naive:
        return None  # in the gap: zoneinfo would have moved it an hour
    return round_trip


def slots_on(template: Template, day: date, zone: ZoneInfo) -> tuple[Slot, ...]:
    if not template.offered_on(day):
        return ()
    found = []
    for start_minutes, end_minutes in template.wall_times():
        start = local_instant(day, start_minutes, zone)
        end = local_instant(day, end_minutes, zone)
        if start is None or end is None or end <= start:
            continue
        found.append(Slot(start, end, template.capacity))
    return tuple(found)


def days_from(first: date, count: int) -> Iterator[date]:
    for offset in range(count):
        yield first + timedelta(days=offset)
