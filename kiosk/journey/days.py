"""The day picker's layout: offered days as large tiles in week rows, the month named where it
changes. Qt-free, so the screen, the speech script and property tests share one layout.

A day is an option whose value is an ISO date (`YYYY-MM-DD`: the `appointment-days` source).
Rows run Monday to Sunday (the UK's week), only weeks with an offered day, in date order;
columns are only the weekdays some offered day falls on (a diary closed on Sundays has no
Sunday column). Each row names the months that begin in it ("December 2026"), so a resident
scanning down sees where a month starts, and each tile carries its own day and month ("8 Dec")
so no tile depends on a heading to be read. Dates are calendar dates: a slot's day is the date
its start carries in its own offset (British time, summer or winter), never a UTC date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from babel.core import Locale, UnknownLocaleError
from babel.dates import format_date

from kiosk.journey.pages import OptionView


@dataclass(frozen=True)
class DayTile:
    value: str
    day: date
    label: str
    """The source's words for the day ("Tuesday 8 December"): read aloud, and the tile's name."""
    hint: str | None
    """How many times are free that day, when the journey knows."""
    selected: bool
    weekday: str
    """The short weekday name in the resident's language ("Tue", "Maw")."""
    day_month: str
    """The day and short month ("8 Dec"), so a tile is read without its row's heading."""


@dataclass(frozen=True)
class WeekRow:
    monday: date
    heading: str | None
    """The months that begin in this row, in order ("December 2026"); None if none does."""
    months: tuple[tuple[int, int], ...]
    """Those months as (year, month)."""
    tiles: tuple[DayTile | None, ...]
    """One cell per column of the layout; None where that weekday is not offered."""


@dataclass(frozen=True)
class DayLayout:
    columns: tuple[int, ...]
    """The weekdays shown, 0 = Monday, in order."""
    column_names: tuple[str, ...]
    weeks: tuple[WeekRow, ...]
    others: tuple[OptionView, ...]
    """Options that are not dates (kept, in their order, for a list below the tiles)."""

    def tiles(self) -> list[DayTile]:
        return [tile for week in self.weeks for tile in week.tiles if tile is not None]


def locale_for(language: str) -> Locale:
    """Babel's locale for a kiosk language (British English for `en`)."""
    try:
        return Locale.parse("en_GB" if language == "en" else language)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en_GB")


def as_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def local_day(start: str) -> str:
    """The day a slot is on: the date its start carries in its own offset ("2026-03-30" for
    `2026-03-30T00:30:00+01:00`, which is still the 29th in UTC), never a UTC date."""
    try:
        return datetime.fromisoformat(start).date().isoformat()
    except ValueError:
        return start[:10]


def month_name(year: int, month: int, language: str, *, with_year: bool = True) -> str:
    pattern = "LLLL y" if with_year else "LLLL"
    return format_date(date(year, month, 1), pattern, locale=locale_for(language))


def _heading(months: Sequence[tuple[int, int]], language: str) -> str | None:
    if not months:
        return None
    if len(months) == 1:
        return month_name(*months[0], language)
    first, last = months[0], months[-1]
    # "November – December 2026", or with both years across a new year.
    if first[0] == last[0]:
        return f"{month_name(*first, language, with_year=False)} – {month_name(*last, language)}"
    return f"{month_name(*first, language)} – {month_name(*last, language)}"


def day_layout(options: Sequence[OptionView], language: str) -> DayLayout:
    """Lay the offered days out; an option whose value is not a date goes to `others`."""
    locale = locale_for(language)
    dated: dict[date, OptionView] = {}
    others: list[OptionView] = []
    for option in options:
        day = as_date(option.value)
        if day is None or day in dated:
            others.append(option)
        else:
            dated[day] = option
    days = sorted(dated)
    columns = tuple(sorted({d.weekday() for d in days}))
    # Any Monday gives the weekday names in order (7 December 2026 is a Monday).
    names = tuple(format_date(date(2026, 12, 7) + timedelta(days=c), "EEE", locale=locale)
                  for c in columns)
    weeks: list[WeekRow] = []
    seen_months: set[tuple[int, int]] = set()
    by_week: dict[date, list[date]] = {}
    for day in days:
        by_week.setdefault(day - timedelta(days=day.weekday()), []).append(day)
    for monday in sorted(by_week):
        in_week = by_week[monday]
        new_months: list[tuple[int, int]] = []
        for day in in_week:
            key = (day.year, day.month)
            if key not in seen_months:
                seen_months.add(key)
                new_months.append(key)
        cells: list[DayTile | None] = []
        for column in columns:
            day = monday + timedelta(days=column)
            offered = dated.get(day) if day in in_week else None
            cells.append(None if offered is None else DayTile(
                offered.value, day, offered.label, offered.hint, offered.selected,
                format_date(day, "EEE", locale=locale), format_date(day, "d MMM", locale=locale)))
        weeks.append(WeekRow(monday, _heading(new_months, language), tuple(new_months),
                             tuple(cells)))
    return DayLayout(columns, names, tuple(weeks), tuple(others))
