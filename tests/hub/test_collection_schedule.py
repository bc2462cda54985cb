"""Next collections with the council's exceptions: which exception wins, cancelled days, the
clock changes, the demo's bank holidays, and a property test against a brute-force count."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.lookup_sources import DEMO_EXCEPTIONS, DEMO_GAZETTEER, DEMO_ROUNDS, demo_sources
from hub.lookup_sources.base import BadInput
from hub.lookup_sources.bin_schedule import (
    MAX_MOVE,
    Change,
    Collection,
    Schedule,
    changes_for,
    next_collections,
)
from hub.lookup_sources.bin_types import BinType
from hub.lookup_sources.bins import BinCollectionsSource, council_today
from hub.lookup_sources.collection_calendar import BinRound, MemoryCalendar
from hub.lookup_sources.collections_csv import parse_date, parse_frequency, parse_weekday

GENERAL = BinType("general", "black", {"en": "Black bin"})
SATURDAYS = Schedule("general", 1, date(2026, 1, 3), "SAT")


def source(schedule: Schedule, changes: list[Change], today: date | None = None,
           clock: datetime | None = None) -> BinCollectionsSource:
    calendar = MemoryCalendar({"1": [BinRound(GENERAL, schedule)]}, changes)
    if clock is not None:
        return BinCollectionsSource(calendar, council_today("Europe/London", lambda: clock))
    assert today is not None
    return BinCollectionsSource(calendar, lambda: today)


def dates(found: BinCollectionsSource, count: str = "3") -> list[str]:
    [item] = found.answer({"uprn": "1", "count": count}, "en")
    return item.data["dates"].split(",")


def test_the_most_specific_exception_wins() -> None:
    fortnightly = Schedule("recycling", 2, date(2026, 12, 22), "TUE-B")
    day = date(2027, 1, 5)
    every = Change(day, None)
    for_bin = Change(day, date(2027, 1, 6), bin="recycling")
    for_round = Change(day, date(2027, 1, 7), round="TUE-B")
    for_both = Change(day, date(2027, 1, 8), bin="recycling", round="TUE-B")
    other_bin = Change(day, date(2027, 1, 9), bin="general", round="TUE-B")
    assert changes_for(fortnightly, [every]) == {day: None}
    assert changes_for(fortnightly, [for_bin, every]) == {day: date(2027, 1, 6)}
    assert changes_for(fortnightly, [every, for_round, for_bin]) == {day: date(2027, 1, 7)}
    assert changes_for(fortnightly, [for_both, for_round, every, for_bin]) == \
        {day: date(2027, 1, 8)}
    assert changes_for(fortnightly, [other_bin]) == {}
    # A change for a day the round does not collect on does not touch it.
    assert changes_for(fortnightly, [Change(date(2027, 1, 12), None)]) == {}


def test_a_cancelled_day_is_skipped_and_named() -> None:
    found = source(SATURDAYS, [Change(date(2026, 12, 26), None)], today=date(2026, 12, 21))
    [item] = found.answer({"uprn": "1"}, "en")
    assert (item.data["next"], item.data["then"]) == ("2027-01-02", "2027-01-09")
    assert item.data["cancelled"] == "2026-12-26"
    assert item.hint == "Saturday 2 January, Saturday 9 January"


def test_across_the_end_of_british_summer_time() -> None:
    """At 00:30 on Sunday 25 October 2026 it is still Saturday in UTC: Saturday's collection
    is past for the resident, and the following ones are a week apart across the change."""
    found = source(SATURDAYS, [], clock=datetime(2026, 10, 24, 23, 30, tzinfo=UTC))
    assert dates(found) == ["2026-10-31", "2026-11-07", "2026-11-14"]
    earlier = source(SATURDAYS, [], clock=datetime(2026, 10, 24, 22, 30, tzinfo=UTC))
    assert dates(earlier) == ["2026-10-24", "2026-10-31", "2026-11-07"]


def test_across_the_start_of_british_summer_time() -> None:
    # 23:30 UTC on Saturday 28 March 2026 is 23:30 GMT, still Saturday; BST starts at 01:00.
    found = source(SATURDAYS, [Change(date(2026, 4, 4), date(2026, 4, 3))],
                   clock=datetime(2026, 3, 28, 23, 30, tzinfo=UTC))
    assert dates(found) == ["2026-03-28", "2026-04-03", "2026-04-11"]


def test_the_demo_moves_christmas_new_year_and_easter_2027() -> None:
    bins = demo_sources(lambda: date(2027, 3, 22)).get("bin-collections")
    assert bins is not None
    tuesday = {i.value: i.data for i in bins.answer({"uprn": "990000001014", "count": "3"}, "en")}
    assert tuesday["food"]["dates"] == "2027-03-23,2027-03-31,2027-04-06"
    assert tuesday["food"]["moved"] == "false,true,false"
    friday = {i.value: i.data for i in bins.answer({"uprn": "990000004002"}, "en")}
    assert friday["food"]["next"] == "2027-03-27"
    assert friday["food"]["next_usual"] == "2027-03-26"
    assert friday["garden"]["dates"] == "2027-04-01,2027-04-15"  # Thursdays: not moved
    christmas = demo_sources(lambda: date(2026, 12, 21)).get("bin-collections")
    assert christmas is not None
    garden = christmas.answer({"uprn": "990000004002"}, "cy")[-1]
    assert garden.value == "garden"
    assert garden.label == "Bin llwyd – gwastraff gardd"
    assert garden.data["cancelled"] == "2026-12-24"
    assert garden.data["next"] == "2027-01-07"


@pytest.mark.parametrize("count", ["0", "11", "x", "1.5", "-1", "٣"])
def test_count_must_be_1_to_10(count: str) -> None:
    with pytest.raises(BadInput) as refused:
        source(SATURDAYS, [], today=date(2026, 1, 1)).answer({"uprn": "1", "count": count}, "en")
    assert str(refused.value) == "count: expected a whole number from 1 to 10"


def test_count_blank_is_two_and_ten_is_ten() -> None:
    found = source(SATURDAYS, [], today=date(2026, 1, 1))
    [item] = found.answer({"uprn": "1", "count": " "}, "en")
    assert item.data["dates"] == "2026-01-03,2026-01-10"
    assert len(dates(found, "10")) == 10


@pytest.mark.parametrize(("text", "expected"), [
    ("1", 1), ("weekly", 1), ("Every week", 1), ("fortnightly", 2), ("2-weekly", 2),
    ("every 3 weeks", 3), ("4 weekly", 4), ("Four-Weekly", 4), ("5", None), ("monthly", None),
    ("", None), ("0", None),
])
def test_frequencies_as_councils_write_them(text: str, expected: int | None) -> None:
    assert parse_frequency(text) == expected


def test_dates_and_days_as_councils_write_them() -> None:
    assert parse_date("2026-01-06") == parse_date("06/01/2026") == date(2026, 1, 6)
    assert parse_date("6/1/2026") == date(2026, 1, 6)
    for bad in ("2026-02-30", "01/13/2026", "06/01/26", "6 January 2026", ""):
        assert parse_date(bad) is None, bad
    assert [parse_weekday(t) for t in ("Tue", "tuesday", "THURS", "T", "Tu", "Funday")] == \
        [1, 1, 3, None, None, None]


# A property test: the next collections are exactly what counting every usual day over a
# long stretch, applying the exceptions and keeping those from today on, gives.
_DAY = st.dates(min_value=date(2025, 1, 1), max_value=date(2029, 12, 31))


@st.composite
def _calendars(draw: st.DrawFn) -> tuple[Schedule, list[Change], date, int]:
    """Exceptions near today, mostly for this round, moving days either way by up to the
    most allowed: where a move can cross today or pass the last day asked for."""
    schedule = Schedule(draw(st.sampled_from(["general", "food"])), draw(st.integers(1, 4)),
                        draw(_DAY), draw(st.sampled_from(["", "A", "B"])))
    today = draw(_DAY)
    count = draw(st.integers(1, 10))
    step = 7 * schedule.every_weeks
    first = today - timedelta(days=(today - schedule.reference).days % step)
    changes = []
    for _ in range(draw(st.integers(0, 8))):
        usual = first + timedelta(days=step * draw(st.integers(-2, count + 1)))
        moved = draw(st.one_of(st.none(), st.integers(-MAX_MOVE.days, MAX_MOVE.days)
                                           .filter(bool)))
        changes.append(Change(usual, None if moved is None else usual + timedelta(days=moved),
                              draw(st.sampled_from(["", "", schedule.bin, "other"])),
                              draw(st.sampled_from(["", "", schedule.round or "A", "B"]))))
    return schedule, changes, today, count


def _counted(schedule: Schedule, today: date, moves: dict[date, date | None], count: int
             ) -> tuple[Collection, ...]:
    step = timedelta(weeks=schedule.every_weeks)
    usual = today - timedelta(days=(today - schedule.reference).days % step.days) - 2 * step
    found = []
    while usual <= today + timedelta(days=800):
        day = moves.get(usual, usual)
        if day is not None and day >= today:
            found.append(Collection(day, usual))
        usual += step
    return tuple(sorted(found, key=lambda c: (c.day, c.usual))[:count])


@settings(max_examples=400)
@given(_calendars())
def test_next_collections_are_what_counting_every_day_gives(
        calendar: tuple[Schedule, list[Change], date, int]) -> None:
    schedule, changes, today, count = calendar
    moves = changes_for(schedule, changes)
    found = next_collections(schedule, today, moves, count)
    assert found == _counted(schedule, today, moves, count)
    assert len(found) == count
    days = [c.day for c in found]
    assert days == sorted(days)
    assert all(day >= today for day in days)
    # A move is applied exactly when its usual day is in range: it is there under its usual
    # day when its new day is within what was returned, and the usual day itself never is.
    for usual, moved in moves.items():
        if moved is not None and today <= moved < days[-1]:
            assert Collection(moved, usual) in found
        assert Collection(usual, usual) not in found
    for collection in found:
        assert collection.moved == (collection.usual in moves)


def test_the_demo_calendar_is_fictional_and_every_demo_address_has_its_bins() -> None:
    for path in (DEMO_ROUNDS, DEMO_EXCEPTIONS):
        assert path.read_text(encoding="utf-8").startswith("# FICTIONAL DEMO DATA"), path
    bins = demo_sources(lambda: date(2026, 6, 1)).get("bin-collections")
    assert bins is not None
    uprns = [line.split(",", 1)[0] for line in DEMO_GAZETTEER.read_text(encoding="utf-8")
             .splitlines() if line[:1].isdigit()]
    assert len(uprns) > 80
    for uprn in uprns:
        found = [item.value for item in bins.answer({"uprn": uprn}, "ro")]
        assert found[:3] == ["general", "recycling", "food"], uprn
        assert found[3:] in ([], ["garden"]), uprn
