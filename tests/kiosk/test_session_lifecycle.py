"""Session lifecycle over a hand-wound monotonic clock: idle, warning, countdown, timeout, wipe."""

from __future__ import annotations

from pathlib import Path

import pytest

import kiosk
from kiosk.clock import FakeClock
from kiosk.profile import SessionTimings, load_profile
from kiosk.session import Change, EndReason, Phase, SessionLifecycle

DEMO_TIMINGS = load_profile(Path(kiosk.__file__).parent / "demo" / "profile.yaml").profile.session


def started(timings: SessionTimings = DEMO_TIMINGS) -> tuple[SessionLifecycle, FakeClock]:
    clock = FakeClock()
    session = SessionLifecycle(timings)
    assert session.phase is Phase.ATTRACT
    assert session.next_deadline() is None
    assert session.begin(clock.monotonic()) == Change(Phase.ACTIVE)
    return session, clock


def test_idle_brings_the_warning_at_idle_seconds() -> None:
    session, clock = started()
    start = clock.monotonic()
    assert session.next_deadline() == start + DEMO_TIMINGS.idle_seconds
    clock.advance(DEMO_TIMINGS.idle_seconds - 0.001)
    assert session.tick(clock.monotonic()) is None
    assert session.phase is Phase.ACTIVE
    clock.advance(0.001)
    assert session.tick(clock.monotonic()) == Change(Phase.WARNING)
    assert session.seconds_left(clock.monotonic()) == DEMO_TIMINGS.warning_seconds


def test_touch_while_active_restarts_the_idle_timer() -> None:
    session, clock = started()
    clock.advance(50)
    assert session.touch(clock.monotonic()) is None
    clock.advance(50)
    assert session.tick(clock.monotonic()) is None  # 100 s since start, 50 since the touch
    assert session.phase is Phase.ACTIVE
    clock.advance(10)
    assert session.tick(clock.monotonic()) == Change(Phase.WARNING)


def to_warning(session: SessionLifecycle, clock: FakeClock) -> None:
    deadline = session.next_deadline()
    assert deadline is not None
    clock.advance(deadline - clock.monotonic())
    assert session.tick(clock.monotonic()) == Change(Phase.WARNING)


def test_countdown_counts_whole_seconds_down_and_silence_ends_with_timeout() -> None:
    session, clock = started()
    to_warning(session, clock)
    shown = []
    for _ in range(DEMO_TIMINGS.warning_seconds * 4 - 1):
        shown.append(session.seconds_left(clock.monotonic()))
        assert session.tick(clock.monotonic()) is None
        clock.advance(0.25)
    assert shown[0] == DEMO_TIMINGS.warning_seconds
    assert shown[-1] == 1
    assert shown == sorted(shown, reverse=True)
    assert sorted(set(shown)) == list(range(1, DEMO_TIMINGS.warning_seconds + 1))
    assert all(shown.count(n) == 4 for n in range(2, DEMO_TIMINGS.warning_seconds + 1))
    clock.advance(0.25)
    assert session.tick(clock.monotonic()) == Change(Phase.ENDED, EndReason.TIMEOUT)
    assert session.last_end is EndReason.TIMEOUT
    assert session.seconds_left(clock.monotonic()) == 0
    assert session.next_deadline() is None
    clock.advance(1000)
    assert session.tick(clock.monotonic()) is None  # ended stays ended until wiped


def test_touch_during_the_warning_does_not_dismiss_it() -> None:
    session, clock = started()
    to_warning(session, clock)
    deadline = session.next_deadline()
    for _ in range(5):
        clock.advance(1)
        assert session.touch(clock.monotonic()) is None
        assert session.phase is Phase.WARNING
    assert session.next_deadline() == deadline
    clock.advance(DEMO_TIMINGS.warning_seconds - 5)
    assert session.tick(clock.monotonic()) == Change(Phase.ENDED, EndReason.TIMEOUT)


def test_extend_works_max_extensions_times_then_no_more() -> None:
    assert DEMO_TIMINGS.max_extensions >= 10
    session, clock = started()
    for used in range(1, DEMO_TIMINGS.max_extensions + 1):
        to_warning(session, clock)
        clock.advance(DEMO_TIMINGS.warning_seconds - 1)  # at the last second
        assert session.extend(clock.monotonic()) == Change(Phase.ACTIVE)
        assert session.extensions_used == used
        assert session.next_deadline() == clock.monotonic() + DEMO_TIMINGS.idle_seconds
    assert not session.can_extend
    to_warning(session, clock)
    assert session.extend(clock.monotonic()) is None
    assert session.phase is Phase.WARNING
    clock.advance(DEMO_TIMINGS.warning_seconds)
    assert session.tick(clock.monotonic()) == Change(Phase.ENDED, EndReason.TIMEOUT)


def test_extend_only_answers_the_warning() -> None:
    session, clock = started()
    assert session.extend(clock.monotonic()) is None
    assert session.extensions_used == 0


def test_assisted_sessions_wait_longer() -> None:
    timings = SessionTimings(idle_seconds=60, assisted_multiplier=3)
    session, clock = started(timings)
    clock.advance(30)
    session.set_assisted(True, clock.monotonic())
    assert session.idle_limit == 180
    assert session.next_deadline() == clock.monotonic() + 180
    clock.advance(179)
    assert session.tick(clock.monotonic()) is None
    clock.advance(1)
    assert session.tick(clock.monotonic()) == Change(Phase.WARNING)
    assert session.extend(clock.monotonic()) == Change(Phase.ACTIVE)
    assert session.next_deadline() == clock.monotonic() + 180
    session.set_assisted(False, clock.monotonic())
    assert session.next_deadline() == clock.monotonic() + 60


def test_wiped_returns_to_attract_and_a_new_session_starts_fresh() -> None:
    timings = SessionTimings(assisted_multiplier=2, max_extensions=10)
    session, clock = started(timings)
    session.set_assisted(True, clock.monotonic())
    to_warning(session, clock)
    session.extend(clock.monotonic())
    assert session.end(EndReason.STAFF) == Change(Phase.ENDED, EndReason.STAFF)
    assert session.wiped() == Change(Phase.ATTRACT)
    assert session.phase is Phase.ATTRACT
    assert (session.assisted, session.extensions_used) == (False, 0)
    assert session.tick(clock.monotonic() + 10_000) is None
    assert session.begin(clock.monotonic()) == Change(Phase.ACTIVE)
    assert session.idle_limit == timings.idle_seconds


@pytest.mark.parametrize("reason", list(EndReason))
def test_every_end_reason_ends_the_session(reason: EndReason) -> None:
    session, _ = started()
    assert session.end(reason) == Change(Phase.ENDED, reason)
    assert session.last_end is reason
    assert session.next_deadline() is None
