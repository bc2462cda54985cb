"""The day picker's layout and a slot's day, as properties: across month and year ends, leap
days and the changes to and from British Summer Time, in every kiosk language."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from accessibility.languages import LANGUAGES, Translator
from kiosk.bookings.fake import FakeBookings, day_label
from kiosk.bookings.words import when_text
from kiosk.clock import UK, FakeClock
from kiosk.journey.days import day_layout, local_day, month_name
from kiosk.journey.pages import OptionView
from kiosk.lookups.base import LookupRequest

CODES = [lang.code for lang in LANGUAGES]
# Eight-week windows starting anywhere from late 2026 to 2029: every month end, two year ends,
# the leap day of 2028, and both BST changes of each year fall inside some window.
starts = st.dates(min_value=date(2026, 11, 1), max_value=date(2029, 3, 31))


@st.composite
def offered_days(draw: st.DrawFn) -> list[date]:
    start = draw(starts)
    offsets = draw(st.sets(st.integers(0, 8 * 7), min_size=1, max_size=40))
    return sorted(start + timedelta(days=n) for n in offsets)


def options(days: list[date], selected: date | None = None) -> list[OptionView]:
    return [OptionView(d.isoformat(), day_label(d, "en"), "3 times free", d == selected)
            for d in days]


@settings(max_examples=300, deadline=None)
@given(days=offered_days(), language=st.sampled_from(CODES))
def test_every_day_is_one_tile_in_its_week_and_column(days: list[date], language: str) -> None:
    layout = day_layout(options(days), language)
    assert layout.columns == tuple(sorted({d.weekday() for d in days}))
    assert len(layout.column_names) == len(layout.columns)
    assert [t.day for t in layout.tiles()] == days  # each once, in date order
    mondays = [w.monday for w in layout.weeks]
    assert all(m.weekday() == 0 for m in mondays)
    assert mondays == sorted(set(mondays))
    for week in layout.weeks:
        assert any(tile is not None for tile in week.tiles)  # no empty rows
        for column, tile in zip(layout.columns, week.tiles, strict=True):
            if tile is not None:
                assert tile.day == week.monday + timedelta(days=column)
                assert str(tile.day.day) in tile.day_month


@settings(max_examples=300, deadline=None)
@given(days=offered_days(), language=st.sampled_from(CODES))
def test_each_month_is_named_once_where_it_begins(days: list[date], language: str) -> None:
    layout = day_layout(options(days), language)
    named = [month for week in layout.weeks for month in week.months]
    months = sorted({(d.year, d.month) for d in days})
    assert named == months  # each month once, in order
    for week in layout.weeks:
        for year, month in week.months:
            first = min(d for d in days if (d.year, d.month) == (year, month))
            assert week.monday <= first < week.monday + timedelta(days=7)
            assert week.heading is not None
            assert month_name(year, month, language, with_year=False) in week.heading
        if not week.months:
            assert week.heading is None


def test_a_year_end_in_one_week_names_both_years() -> None:
    days = [date(2026, 12, 30), date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 4)]
    layout = day_layout(options(days), "en")
    assert [w.heading for w in layout.weeks] == ["December 2026 – January 2027", None]
    assert [t.day_month for t in layout.tiles()] == ["30 Dec", "31 Dec", "1 Jan", "4 Jan"]
    assert layout.column_names == ("Mon", "Wed", "Thu", "Fri")


def test_the_leap_day_is_a_tuesday_tile() -> None:
    layout = day_layout(options([date(2028, 2, 28), date(2028, 2, 29), date(2028, 3, 1)]), "cy")
    (week,) = layout.weeks
    assert [t.day for t in week.tiles if t is not None] == [date(2028, 2, 28), date(2028, 2, 29),
                                                           date(2028, 3, 1)]
    assert week.tiles[1] is not None
    assert week.tiles[1].weekday == "Maw"  # Dydd Mawrth
    assert week.heading == "Chwefror – Mawrth 2028"


def test_what_is_not_a_date_is_kept_below() -> None:
    odd = [OptionView("soon", "As soon as possible", None, False)]
    layout = day_layout([*options([date(2026, 12, 8)]), *odd], "en")
    assert layout.others == tuple(odd)
    assert len(layout.tiles()) == 1


# ----- a slot's day and time, across the clock changes ---------------------------------------

instants = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 31),
                        timezones=st.just(UTC))


@settings(max_examples=500, deadline=None)
@given(instant=instants)
def test_a_slot_is_on_the_day_its_british_time_says(instant: datetime) -> None:
    local = instant.astimezone(UK)
    start = local.isoformat()
    assert local_day(start) == local.date().isoformat()
    end = (local + timedelta(minutes=30)).astimezone(UK).isoformat()
    said = when_text(start, end, Translator("en"))
    assert said.startswith(day_label(local.date(), "en"))
    assert f"{local:%H:%M} to " in said


def test_slots_after_the_clocks_change_are_at_the_same_wall_time() -> None:
    """Saturday before BST begins (28 March 2026) and the Monday after (30 March): the diary
    opens at 09:30 on both, an hour apart in UTC."""
    diary = FakeBookings(FakeClock(datetime(2026, 3, 27, 12, 0, tzinfo=UTC)))
    times = {}
    for day in ("2026-03-28", "2026-03-30"):
        items = diary.items(LookupRequest("appointment-times", {
            "type": "housing-advice", "site": "central-library", "day": day}, "en"))
        times[day] = items[0]
    assert times["2026-03-28"].value == "2026-03-28T09:30:00+00:00"
    assert times["2026-03-30"].value == "2026-03-30T09:30:00+01:00"
    assert {t.label for t in times.values()} == {"09:30"}
    days = diary.items(LookupRequest("appointment-days", {
        "type": "housing-advice", "site": "central-library"}, "en"))
    assert "2026-03-29" not in {d.value for d in days}  # a Sunday: closed
    # The last Sunday in October: the first slot after GMT returns.
    autumn = FakeBookings(FakeClock(datetime(2026, 10, 23, 12, 0, tzinfo=UTC)))
    monday = autumn.items(LookupRequest("appointment-times", {
        "type": "housing-advice", "site": "central-library", "day": "2026-10-26"}, "en"))
    assert monday[0].value == "2026-10-26T09:30:00+00:00"
    assert datetime.combine(date(2026, 10, 26), time(9, 30), tzinfo=UK).isoformat() == monday[0].value
