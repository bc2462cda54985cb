"""Slots from templates: wall-clock times in the hub's zone, right across the clocks changing,
month and year ends and leap days (pure functions, property-tested)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.appointments.slots import Template, days_from, local_instant, slots_on

LONDON = ZoneInfo("Europe/London")
SPRING = date(2026, 3, 29)  # 01:00 GMT -> 02:00 BST
AUTUMN = date(2026, 10, 25)  # 02:00 BST -> 01:00 GMT
EVERY_DAY = frozenset(range(7))


def template(opens: int, closes: int, minutes: int, breaks: tuple[tuple[int, int], ...] = (),
             **extra: object) -> Template:
    return Template(site="s", type="t", weekdays=EVERY_DAY, opens=opens, closes=closes,
                    slot_minutes=minutes, capacity=1, breaks=breaks, **extra)  # type: ignore[arg-type]


def wall(moment: datetime) -> str:
    return moment.astimezone(LONDON).strftime("%H:%M")


def test_a_library_day_with_lunch() -> None:
    slots = slots_on(template(570, 990, 30, ((750, 810),)), date(2026, 12, 8), LONDON)
    assert [wall(s.start) for s in slots][:6] == ["09:30", "10:00", "10:30", "11:00", "11:30",
                                                  "12:00"]
    assert "12:30" not in [wall(s.start) for s in slots]
    assert [wall(s.start) for s in slots][6] == "13:30"
    assert wall(slots[-1].end) == "16:30"
    assert slots[0].start.isoformat() == "2026-12-08T09:30:00+00:00"


def test_summer_slots_carry_the_bst_offset() -> None:
    [first, *_] = slots_on(template(570, 990, 30), date(2026, 7, 14), LONDON)
    assert first.start.isoformat() == "2026-07-14T09:30:00+01:00"
    assert first.start.astimezone(UTC).hour == 8


def test_the_hour_the_clocks_skip_has_no_slots() -> None:
    slots = slots_on(template(0, 240, 30), SPRING, LONDON)
    starts = [wall(s.start) for s in slots]
    # 01:00-01:59 do not exist that morning: no slot starts or ends in them (00:30-01:00
    # would end at a time no clock shows).
    assert starts == ["00:00", "02:00", "02:30", "03:00", "03:30"]
    assert all(s.end - s.start == timedelta(minutes=30) for s in slots)


def test_the_hour_that_happens_twice_is_booked_once() -> None:
    slots = slots_on(template(0, 240, 30), AUTUMN, LONDON)
    starts = [wall(s.start) for s in slots]
    assert starts == ["00:00", "00:30", "01:00", "01:30", "02:00", "02:30", "03:00", "03:30"]
    assert len(set(s.start for s in slots)) == len(slots)  # no 01:30 twice
    one_thirty = slots[3]
    assert one_thirty.start.utcoffset() == timedelta(hours=1)  # its first occurrence (BST)


def test_a_daytime_template_is_unchanged_by_the_clocks() -> None:
    usual = template(570, 990, 30, ((750, 810),))
    for day in (SPRING, AUTUMN, date(2026, 12, 31), date(2027, 1, 1), date(2028, 2, 29)):
        assert [wall(s.start) for s in slots_on(usual, day, LONDON)] == \
            [wall(s.start) for s in slots_on(usual, date(2026, 12, 8), LONDON)]


def test_closed_days_weekdays_and_validity() -> None:
    limited = Template(site="s", type="t", weekdays=frozenset({1}), opens=600, closes=660,
                       slot_minutes=30, capacity=2, valid_from=date(2026, 12, 1),
                       valid_to=date(2026, 12, 31), closed=frozenset({date(2026, 12, 15)}))
    offered = [d for d in days_from(date(2026, 11, 20), 60) if slots_on(limited, d, LONDON)]
    assert offered == [date(2026, 12, 1), date(2026, 12, 8), date(2026, 12, 22),
                       date(2026, 12, 29)]


def test_days_cross_the_year_end_and_leap_days() -> None:
    assert list(days_from(date(2027, 12, 30), 3)) == [date(2027, 12, 30), date(2027, 12, 31),
                                                     date(2028, 1, 1)]
    assert date(2028, 2, 29) in list(days_from(date(2028, 2, 27), 5))


def test_a_skipped_wall_time_is_none_and_a_doubled_one_is_its_first() -> None:
    assert local_instant(SPRING, 90, LONDON) is None
    first = local_instant(AUTUMN, 90, LONDON)
    assert first is not None
    assert first.astimezone(UTC).strftime("%H:%M") == "00:30"


days = st.dates(min_value=date(2024, 1, 1), max_value=date(2040, 12, 31))
zones = st.sampled_from(["Europe/London", "Europe/Dublin", "America/New_York",
                         "Australia/Lord_Howe", "Pacific/Chatham", "Europe/Warsaw"])


@st.composite
def templates(draw: st.DrawFn) -> Template:
    opens = draw(st.integers(0, 23 * 60))
    closes = draw(st.integers(opens + 5, 24 * 60))
    minutes = draw(st.integers(5, 240))
    breaks = []
    if draw(st.booleans()) and closes - opens > 10:
        start = draw(st.integers(opens, closes - 5))
        breaks.append((start, draw(st.integers(start + 1, closes))))
    return template(opens, closes, minutes, tuple(breaks))


@settings(max_examples=400, deadline=None)
@given(templates(), days, zones)
def test_slots_read_back_as_their_wall_clock_times(rule: Template, day: date, zone_name: str
                                                   ) -> None:
    zone = ZoneInfo(zone_name)
    slots = slots_on(rule, day, zone)
    expected = list(rule.wall_times())
    for slot in slots:
        start, end = slot.start.astimezone(zone), slot.end.astimezone(zone)
        assert start.date() == day
        start_minutes = start.hour * 60 + start.minute
        end_minutes = (end.hour * 60 + end.minute) if end.date() == day else 24 * 60
        assert (start_minutes, end_minutes) in expected  # the template's own times
        assert end_minutes - start_minutes == rule.slot_minutes
        assert not any(b[0] < end_minutes and start_minutes < b[1] for b in rule.breaks)
        assert rule.opens <= start_minutes
        assert end_minutes <= rule.closes
    instants = [s.start for s in slots]
    assert instants == sorted(instants)
    assert len(set(instants)) == len(instants)
    for earlier, later in itertools.pairwise(slots):
        assert earlier.end <= later.start  # never overlapping in real time either
    # Only a wall time the clocks skip is lost: a day without a change loses nothing.
    midnight = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    next_midnight = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    if midnight.utcoffset() == next_midnight.utcoffset():
        assert len(slots) == len(expected)


@settings(max_examples=200, deadline=None)
@given(days, st.integers(1, 120))
def test_days_from_is_consecutive_whatever_the_month(first: date, count: int) -> None:
    run = list(days_from(first, count))
    assert len(run) == count
    assert run[0] == first
    assert all(b - a == timedelta(days=1) for a, b in itertools.pairwise(run))
