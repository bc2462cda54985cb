"""When a bin is next collected: a repeating schedule, moved around bank holidays.

Pure date arithmetic with `today` passed in, so the Christmas week and the turn of the year
are tested on any day of the year.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

# How far a bank holiday may move a collection. Candidates are taken from this far back, so
# a collection moved later into the coming days is still found.
MAX_MOVE = timedelta(days=14)


@dataclass(frozen=True)
class Schedule:
    """A bin collected every `every_weeks` weeks on the weekday of `first`, counting from it."""

    bin: str
    every_weeks: int
    first: date


@dataclass(frozen=True)
class Collection:
    day: date
    usual: date

    @property
    def moved(self) -> bool:
        return self.day != self.usual


def next_collections(schedule: Schedule, today: date, changes: Mapping[date, date],
                     count: int = 2) -> tuple[Collection, ...]:
    """The next `count` collections on or after `today`, holiday changes applied.

    A collection on `today` counts (the crew may not have come yet). `changes` maps a usual
    date to the date it moves to; each move is at most MAX_MOVE.
    """
    step = timedelta(weeks=schedule.every_weeks)
    earliest = today - MAX_MOVE
    skipped = max(0, -(-(earliest - schedule.first).days // step.days))  # ceiling division
    usual = schedule.first + skipped * step
    horizon = max(today, schedule.first) + step * count + MAX_MOVE
    found = []
    while usual <= horizon:
        day = changes.get(usual, usual)
        if day >= today:
            found.append(Collection(day, usual))
        usual += step
    found.sort(key=lambda c: c.day)
    return tuple(found[:count])
