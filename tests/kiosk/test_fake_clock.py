"""The one fake clock every test uses: all its faces move together, and only forwards."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kiosk.clock import FakeClock


def test_every_face_moves_together() -> None:
    clock = FakeClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC), monotonic=1.0)
    epoch, mono = clock.epoch(), clock.monotonic()
    clock.advance(1.5)
    clock.advance_ms(500)
    assert clock.monotonic() == mono + 2.0
    assert clock.monotonic_ms() == 3000.0
    assert clock.epoch() == epoch + 2.0
    assert clock.now() == datetime(2026, 11, 23, 10, 0, 2, tzinfo=UTC)


def test_millisecond_moves_stay_exact() -> None:
    """The scanner tests place keys at times like 1200.1 ms; they must read back as written."""
    clock = FakeClock(monotonic=1.0)
    for at in (1000.0, 1003.0, 1200.0, 1200.1, 1200.2, 1200.3, 2031.0):
        clock.advance_ms_to(at)
        assert clock.monotonic_ms() == at


def test_monotonic_time_never_goes_back_but_the_wall_clock_may() -> None:
    clock = FakeClock()
    mono, epoch = clock.monotonic(), clock.epoch()
    with pytest.raises(ValueError, match="forwards only"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="forwards only"):
        clock.advance_ms_to(mono * 1000 - 1)
    clock.step_wall(-86_400)
    assert (clock.monotonic(), clock.epoch()) == (mono, epoch - 86_400)


def test_reads_of_monotonic_time_are_counted() -> None:
    clock = FakeClock()
    before = clock.monotonic_reads
    clock.monotonic()
    clock.monotonic_ms()
    clock.now()
    assert clock.monotonic_reads == before + 2
