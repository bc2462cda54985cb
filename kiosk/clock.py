"""Time as a dependency: the real clock in production, a hand-wound one in tests."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def now(self) -> datetime: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """Moves only when told to, so timeouts are tested without waiting.

    One clock for every test: `monotonic` and `now` for code that takes a `Clock`, and the
    bare callables other code takes instead (`epoch` where `time.time` is the default,
    `monotonic_ms` where milliseconds are). All of them move together with `advance`.
    `monotonic_reads` counts reads of the monotonic time, so a test can tell that a timer
    has run and looked at the time.
    """

    def __init__(self, start: datetime | None = None, *, monotonic: float = 1000.0) -> None:
        self._mono_ms = monotonic * 1000.0  # held in ms so event-timestamp tests stay exact
        self._now = start or datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
        self.monotonic_reads = 0

    def monotonic(self) -> float:
        self.monotonic_reads += 1
        return self._mono_ms / 1000.0

    def monotonic_ms(self) -> float:
        self.monotonic_reads += 1
        return self._mono_ms

    def now(self) -> datetime:
        return self._now

    def epoch(self) -> float:
        """Seconds since the Unix epoch, as `time.time` gives them."""
        return self._now.timestamp()

    def advance(self, seconds: float) -> None:
        self.advance_ms(seconds * 1000.0)

    def advance_ms(self, ms: float) -> None:
        if ms < 0:
            raise ValueError(f"a clock moves forwards only; asked to move {ms} ms")
        self._mono_ms += ms
        self._now += timedelta(milliseconds=ms)

    def step_wall(self, seconds: float) -> None:
        """Move the wall clock only, either way, as NTP or a person setting the time does;
        monotonic time never jumps."""
        self._now += timedelta(seconds=seconds)

    def advance_ms_to(self, monotonic_ms: float) -> None:
        """Move to a monotonic time in milliseconds (tests written in event timestamps)."""
        self.advance_ms(monotonic_ms - self._mono_ms)


def uk_today(clock: Clock) -> date:
    """The date on a UK wall calendar: what a resident means by "today"."""
    return clock.now().astimezone(UK).date()
