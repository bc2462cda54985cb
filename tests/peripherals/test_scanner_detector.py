"""The wedge-scanner timing rule, with explicit timestamps (no Qt, no clock)."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from peripherals.scanner import (
    HOLD,
    ArrivalClock,
    Hold,
    Outcome,
    Release,
    Scanned,
    WedgeDetector,
    WedgeSettings,
)

GAP = WedgeSettings().max_gap_ms
CODE = "".join(sorted(WedgeSettings().alphabet))


def feed(detector: WedgeDetector[int], keys: list[tuple[str, float]]) -> list[Outcome[int]]:
    """Feed keys (items are their positions) and finish with the timer at the last deadline."""
    outcomes: list[Outcome[int]] = []
    for index, (char, at) in enumerate(keys):
        outcomes.append(detector.key(char, at, index))
    deadline = detector.deadline()
    if deadline is not None:
        outcomes.append(detector.timeout(deadline))
    return outcomes


def released(outcomes) -> list[int]:
    return [item for outcome in outcomes if isinstance(outcome, Release) for item in outcome.items]


def scans(outcomes) -> list[str]:
    return [outcome.code for outcome in outcomes if isinstance(outcome, Scanned)]


def burst(text: str, start: float = 1000.0, step: float = 5.0) -> list[tuple[str, float]]:
    return [(char, start + i * step) for i, char in enumerate(text)]


def test_a_fast_run_ending_in_enter_is_a_scan_and_nothing_is_released() -> None:
    detector: WedgeDetector[int] = WedgeDetector()
    outcomes = feed(detector, burst("12345678\r"))
    assert outcomes[:-1] == [HOLD] * 8
    assert outcomes[-1] == Scanned("12345678", tuple(range(9)))
    assert detector.held == 0
    assert detector.deadline() is None


def test_letters_and_a_newline_terminator_count_too() -> None:
    outcomes = feed(WedgeDetector(), burst("A1B2C3D4e5\n", step=2))
    assert scans(outcomes) == ["A1B2C3D4e5"]
    assert released(outcomes) == []


def test_a_short_burst_then_enter_is_released_whole_enter_included() -> None:
    outcomes = feed(WedgeDetector(), burst("1234567\r"))
    assert scans(outcomes) == []
    assert outcomes[-1] == Release(tuple(range(8)))


def test_the_first_key_is_held_until_the_gap_has_passed() -> None:
    detector: WedgeDetector[int] = WedgeDetector()
    assert detector.key("a", 100.0, 0) == HOLD
    assert detector.deadline() == 100.0 + GAP
    assert detector.timeout(100.0 + GAP - 0.5) == HOLD
    assert detector.timeout(100.0 + GAP) == Release((0,))
    assert detector.deadline() is None


def test_a_pause_mid_burst_releases_what_was_held_and_holds_the_new_key() -> None:
    detector: WedgeDetector[int] = WedgeDetector()
    for i, char in enumerate("1234"):
        assert detector.key(char, 10.0 * i, i) == HOLD
    # 40 ms after the last key: the run is broken (the timer may simply be late).
    assert detector.key("5", 30.0 + 40.0, 4) == Release((0, 1, 2, 3))
    assert detector.held == 1
    assert detector.deadline() == 70.0 + GAP


def test_a_pause_just_below_the_gap_keeps_the_run_going() -> None:
    keys = [(char, i * (GAP - 0.1)) for i, char in enumerate("87654321\r")]
    assert scans(feed(WedgeDetector(), keys)) == ["87654321"]


def test_a_slow_enter_after_a_fast_code_is_typing() -> None:
    keys = [*burst("12345678", start=0.0), ("\r", 35.0 + GAP)]
    outcomes = feed(WedgeDetector(), keys)
    assert scans(outcomes) == []
    assert released(outcomes) == list(range(9))


def test_keys_that_cannot_be_in_a_code_release_everything_at_once() -> None:
    detector: WedgeDetector[int] = WedgeDetector()
    assert detector.key("1", 0.0, 0) == HOLD
    assert detector.key("2", 3.0, 1) == HOLD
    assert detector.key("", 6.0, 2) == Release((0, 1, 2))  # e.g. Backspace or Ctrl+V
    assert detector.key("-", 9.0, 3) == Release((3,))  # not in the alphabet: never held
    assert detector.key(" ", 12.0, 4) == Release((4,))
    assert detector.held == 0


def test_enter_alone_is_passed_at_once() -> None:
    assert WedgeDetector[int]().key("\r", 0.0, 7) == Release((7,))


def test_a_scan_then_typing_straight_after() -> None:
    detector: WedgeDetector[int] = WedgeDetector()
    keys = [*burst("99887766\r", start=0.0), ("h", 45.0), ("i", 200.0)]
    outcomes = feed(detector, keys)
    assert scans(outcomes) == ["99887766"]
    assert released(outcomes) == [9, 10]


def test_two_scans_back_to_back() -> None:
    keys = [*burst("11111111\r", start=0.0), *burst("22222222\r", start=46.0)]
    outcomes = feed(WedgeDetector(), keys)
    assert scans(outcomes) == ["11111111", "22222222"]
    assert released(outcomes) == []


def test_a_run_longer_than_max_length_is_typing() -> None:
    detector: WedgeDetector[int] = WedgeDetector(WedgeSettings(max_length=10))
    outcomes = [detector.key("7", float(i), i) for i in range(11)]
    assert outcomes[:10] == [HOLD] * 10
    assert outcomes[10] == Release(tuple(range(11)))


def test_a_clock_going_backwards_breaks_the_run() -> None:
    detector: WedgeDetector[int] = WedgeDetector()
    detector.key("1", 100.0, 0)
    assert detector.key("2", 90.0, 1) == Release((0,))


def test_the_alphabet_and_lengths_are_configurable() -> None:
    digits_only = WedgeSettings(min_length=4, alphabet=frozenset("0123456789"), terminators=("\t",))
    assert scans(feed(WedgeDetector(digits_only), burst("1234\t"))) == ["1234"]
    assert scans(feed(WedgeDetector(digits_only), burst("12a4\t"))) == []
    assert scans(feed(WedgeDetector(digits_only), burst("1234\r"))) == []


def test_reset_drops_held_keys_and_flush_releases_them() -> None:
    detector: WedgeDetector[int] = WedgeDetector()
    detector.key("1", 0.0, 0)
    detector.key("2", 1.0, 1)
    assert detector.newest() == 1
    detector.reset()
    assert detector.held == 0
    assert detector.deadline() is None
    assert detector.newest() is None
    assert detector.timeout(1000.0) == HOLD
    detector.key("3", 2000.0, 2)
    assert detector.flush() == Release((2,))


def test_the_code_stays_out_of_repr() -> None:
    assert "12345678" not in repr(Scanned("12345678", (1, 2)))


@pytest.mark.parametrize("bad", [
    {"min_length": 0}, {"min_length": 9, "max_length": 8}, {"max_gap_ms": 0.0},
    {"max_gap_ms": float("inf")}, {"terminators": ()}, {"terminators": ("1",)},
    {"terminators": ("\r\n",)},
])
def test_settings_refuse_nonsense(bad: dict) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        WedgeSettings(**bad)


def test_arrival_clock_keeps_the_device_spacing_through_a_stall() -> None:
    clock = ArrivalClock()
    assert clock.place(5000.0, 100.0) == 100.0  # first key: the caller's clock
    assert clock.place(5004.0, 104.5) == 104.0
    # The GUI thread stalled for 100 ms; the queued keys still arrived 4 ms apart.
    assert clock.place(5008.0, 204.0) == 108.0
    assert clock.place(5012.0, 204.2) == 112.0
    assert clock.place(0.0, 300.0) == 300.0  # a synthetic event has no timestamp
    assert clock.place(6000.0, 301.0) == 301.0
    assert clock.place(10.0, 302.0) == 302.0  # the device clock wrapped
    assert clock.place(900.0, 303.0) == 303.0  # a gap longer than time has passed: implausible


# ----- properties --------------------------------------------------------------------------

any_char = st.sampled_from([*CODE, "\r", "\n", "", " ", "-", "é"])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(any_char, st.floats(min_value=GAP, max_value=10_000.0)), max_size=30))
@example([("0", GAP)] * 4 + [("0", 3946.9176301304947)])  # deadline - last key rounds below the gap
def test_slow_input_is_all_released_in_order(keys: list[tuple[str, float]]) -> None:
    at, timed = 0.0, []
    for char, gap in keys:
        at += gap
        timed.append((char, at))
    outcomes = feed(WedgeDetector(), timed)
    assert scans(outcomes) == []
    assert released(outcomes) == list(range(len(keys)))


@st.composite
def fast_scans(draw: st.DrawFn) -> tuple[str, list[tuple[str, float]]]:
    code = draw(st.text(alphabet=CODE, min_size=8, max_size=64))
    gaps = draw(st.lists(st.floats(min_value=0.0, max_value=10.0), min_size=len(code) + 1,
                         max_size=len(code) + 1))
    at = draw(st.floats(min_value=-1e6, max_value=1e9))
    timed = []
    for char, gap in zip(code + draw(st.sampled_from(["\r", "\n"])), gaps, strict=True):
        at += gap
        timed.append((char, at))
    return code, timed


@settings(max_examples=50, deadline=None)
@given(fast_scans())
def test_a_fast_code_and_terminator_is_always_a_scan(scan: tuple[str, list[tuple[str, float]]]) -> None:
    code, timed = scan
    outcomes = feed(WedgeDetector(), timed)
    assert scans(outcomes) == [code]
    assert released(outcomes) == []
    assert outcomes[:-1] == [HOLD] * len(code)


@st.composite
def mixed_input(draw: st.DrawFn) -> list[tuple[str, float, bool]]:
    """Typing interleaved with scan-like bursts, some complete, some not quite (too short,
    a pause inside, a late terminator): (char, gap before it, whether the timer fires first)."""
    keys: list[tuple[str, float, bool]] = []
    for burst_like in draw(st.lists(st.booleans(), max_size=5)):
        if burst_like:
            chars = draw(st.text(alphabet="0123456789ab", min_size=5, max_size=12))
            chars += draw(st.sampled_from(["\r", "\n", "", "-", "1"]))
            gaps = [draw(st.floats(min_value=0.0, max_value=12.0)) for _ in chars]
            gaps[0] = draw(st.sampled_from([0.0, 5.0, GAP, 100.0]))  # how it follows what came before
            if draw(st.booleans()):  # a pause somewhere inside, just at or over the limit
                gaps[draw(st.integers(1, len(chars) - 1))] = draw(st.sampled_from([GAP - 0.01, GAP, GAP + 5]))
        else:
            chars = draw(st.text(alphabet=[*"0123456789ab", "\r", " ", "-"], max_size=8))
            gaps = [draw(st.floats(min_value=0.0, max_value=200.0)) for _ in chars]
        keys.extend((char, gap, draw(st.booleans())) for char, gap in zip(chars, gaps, strict=True))
    return keys


@settings(max_examples=75, deadline=None)
@given(mixed_input())
def test_nothing_is_lost_or_reordered(keys: list[tuple[str, float, bool]]) -> None:
    """Every key comes back exactly once, in order, whether released as typing or swallowed
    by a scan; a scan only ever takes a contiguous run ending in its terminator."""
    detector: WedgeDetector[int] = WedgeDetector()
    out: list[int] = []
    at = 0.0
    for index, (char, gap, timer_fires) in enumerate(keys):
        at += gap
        if timer_fires and detector.deadline() is not None:
            timeout = detector.timeout(at)
            assert isinstance(timeout, Hold | Release)
            if isinstance(timeout, Release):
                out.extend(timeout.items)
        outcome = detector.key(char, at, index)
        if isinstance(outcome, Release):
            out.extend(outcome.items)
        elif isinstance(outcome, Scanned):
            assert outcome.items[-1] == index
            assert char in ("\r", "\n")
            assert outcome.code == "".join(keys[i][0] for i in outcome.items[:-1])
            out.extend(outcome.items)
        # Only code characters are ever held, and the deadline follows the newest of them.
        if detector.held:
            assert detector.deadline() is not None
            assert keys[detector.newest()][0] in CODE
    out.extend(detector.flush().items)
    assert out == list(range(len(keys)))
