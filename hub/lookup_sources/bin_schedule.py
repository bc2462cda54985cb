"""When a bin is next collected: a repeating round, with the council's exceptions applied.

Pure date arithmetic with `today` passed in, so the Christmas week, the turn of the year and
the clock changes are tested on any day of the year. Only calendar dates are used (never a
time of day), so a clock change cannot shift a collection.

An exception (`Change`) moves one usual collection day to another day, or cancels it
(`moved_to` None: "no collection on Christmas Day"). It applies to every round, or only to
one bin type, one named round, or one bin type on one round; where several apply to the same
day, the most specific wins (bin and round, then round, then bin, then every round).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

# How far an exception may move a collection. Candidates are taken from this far back, so
# a collection moved later into the coming days is still found.
MAX_MOVE = timedelta(days=14)
MOST_COLLECTIONS = 10  # the most a lookup may ask for


@dataclass(frozen=True)
class Schedule:
    """A bin collected every `every_weeks` weeks on the weekday of `reference`, which is any
    one of its collection days: the round repeats from it both ways."""

    bin: str
    every_weeks: int
    reference: date
    round: str = ""

    def is_usual(self, day: date) -> bool:
        return (day - self.reference).days % (7 * self.every_weeks) == 0


@dataclass(frozen=True)
class Change:
    """The usual collection on `usual` happens on `moved_to` instead, or not at all (None).
    An empty `bin` or `round` means every bin type or every round."""

    usual: date
    moved_to: date | None
    bin: str = ""
    round: str = ""

    def applies_to(self, schedule: Schedule) -> bool:
        return (not self.bin or self.bin == schedule.bin) and \
            (not self.round or self.round == schedule.round)

    @property
    def specificity(self) -> int:
        return (2 if self.round else 0) + (1 if self.bin else 0)


@dataclass(frozen=True)
class Collection:
    day: date
    usual: date

    @property
    def moved(self) -> bool:
        return self.day != self.usual


def changes_for(schedule: Schedule, changes: Iterable[Change]) -> dict[date, date | None]:
    """Usual date -> where it goes, for the exceptions that touch this round."""
    chosen: dict[date, Change] = {}
    for change in changes:
        if not change.applies_to(schedule) or not schedule.is_usual(change.usual):
            continue
        held = chosen.get(change.usual)
        if held is None or change.specificity > held.specificity:
            chosen[change.usual] = change
    return {usual: change.moved_to for usual, change in chosen.items()}


def next_collections(schedule: Schedule, today: date, changes: Mapping[date, date | None],
                     count: int = 2) -> tuple[Collection, ...]:
    """The next `count` collections on or after `today`, in date order, changes applied.

    A collection on `today` counts (the crew may not have come yet). `changes` maps a usual
    date to the date it moves to, or to None when it is cancelled; each move is at most
    MAX_MOVE, so once `count` are found no later usual date can come before them.
    """
    step = timedelta(weeks=schedule.every_weeks)
    behind = (schedule.reference - (today - MAX_MOVE)).days // step.days  # floor division
    usual = schedule.reference - behind * step  # the first usual date >= today - MAX_MOVE
    found: list[Collection] = []
    while True:
        day = changes.get(usual, usual)
        if day is not None and day >= today:
            found.append(Collection(day, usual))
            found.sort(key=lambda c: (c.day, c.usual))
        usual += step
        if len(found) >= count and usual - MAX_MOVE > found[count - 1].day:
            return tuple(found[:count])


def cancelled_until(schedule: Schedule, today: date, last: date,
                    changes: Mapping[date, date | None]) -> tuple[date, ...]:
    """The usual collection days from `today` to `last` that are cancelled, in order."""
    return tuple(sorted(usual for usual, moved in changes.items()
                        if moved is None and today <= usual <= last))
