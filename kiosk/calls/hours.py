"""Whether advisors are answering now, and the opening hours as the resident is told them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.calls.settings import WEEKDAYS, CallSettings, Weekday
from kiosk.clock import UK


def is_open(settings: CallSettings, now: datetime) -> bool:
    """`now` is aware; opening hours are UK local time (closing time itself is closed)."""
    local = now.astimezone(UK)
    if local.date() in settings.closed_dates:
        return False
    day = WEEKDAYS[local.weekday()]
    moment = local.time().replace(tzinfo=None)
    return any(day in row.days and row.open_time <= moment < row.close_time
               for row in settings.opening_hours)


@dataclass(frozen=True)
class DayHours:
    """One line of "When advisors answer": a weekday and its times (empty: closed)."""

    day: Weekday
    times: tuple[tuple[str, str], ...]


def week_hours(settings: CallSettings) -> tuple[DayHours, ...]:
    """Monday to Sunday, each with its opening times in order."""
    return tuple(
        DayHours(day, tuple(sorted((row.opens, row.closes) for row in settings.opening_hours
                                   if day in row.days)))
        for day in WEEKDAYS)
