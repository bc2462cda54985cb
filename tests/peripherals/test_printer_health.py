"""The health poller: every status recorded, only the changes of availability logged."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from peripherals.printer.base import PrinterStatus
from peripherals.printer.health import PrinterHealth

S = PrinterStatus


class ScriptedPrinter:
    def __init__(self, *statuses: PrinterStatus) -> None:
        self.statuses = list(statuses)

    def status(self) -> PrinterStatus:
        return self.statuses.pop(0)


class TickingClock:
    def __init__(self) -> None:
        self.time = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

    def now(self) -> datetime:
        self.time += timedelta(seconds=30)
        return self.time


def records(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "peripherals.printer.health"]


def test_one_line_going_down_and_one_coming_back(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    clock = TickingClock()
    health = PrinterHealth(
        ScriptedPrinter(S.ONLINE, S.ONLINE, S.OFFLINE, S.OFFLINE, S.PAPER_OUT, S.OFFLINE,
                        S.PAPER_NEAR_END, S.ONLINE, S.ONLINE),
        clock,
    )
    seen = []
    for _ in range(9):
        seen.append((health.poll(), health.available))
    assert [available for _, available in seen] == [True, True, False, False, False, False, True, True, True]
    assert records(caplog) == [
        (logging.WARNING, "receipt printer unavailable: offline"),
        (logging.INFO, "receipt printer recovered: paper_near_end"),
    ]
    assert health.last_status is S.ONLINE
    assert health.last_success == clock.time
    assert health.changed_at == clock.time - timedelta(seconds=30)  # near end -> online


def test_state_before_and_after_the_first_poll(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    clock = TickingClock()
    printer = ScriptedPrinter(S.COVER_OPEN, S.COVER_OPEN, S.UNKNOWN)
    health = PrinterHealth(printer, clock, name="front printer")
    assert (health.available, health.last_status, health.last_success, health.changed_at) == (
        True, None, None, None,
    )
    health.poll()
    first = clock.time
    health.poll()
    assert (health.available, health.last_status, health.last_success, health.changed_at) == (
        False, S.COVER_OPEN, None, first,
    )
    assert health.poll() is S.UNKNOWN  # cannot tell: not shown as broken
    assert (health.available, health.last_success, health.changed_at) == (True, clock.time, clock.time)
    assert records(caplog) == [
        (logging.WARNING, "front printer unavailable: cover_open"),
        (logging.INFO, "front printer recovered: unknown"),
    ]
