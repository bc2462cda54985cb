"""The UK State Pension age table (kiosk.journey.pension_age) at every boundary of current
law, and the birthday rules computed values use: the day before and the day itself, each
transition, and people born on 29 February."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kiosk.journey.pension_age import (
    REACHED_BY,
    add_months,
    age_at_least,
    birthday,
    state_pension_age_reached,
    state_pension_date,
)

DAY = timedelta(days=1)


def assert_reached_exactly_on(born: date, on: date) -> None:
    assert state_pension_date(born) == on
    assert not state_pension_age_reached(born, on - DAY)
    assert state_pension_age_reached(born, on)


def test_everyone_born_before_6_october_1954_reached_it_before_october_2020() -> None:
    for born in (date(1930, 1, 1), date(1953, 12, 5), date(1954, 10, 5)):
        assert state_pension_date(born) is None
        assert state_pension_age_reached(born, REACHED_BY)
        assert state_pension_age_reached(born, date(2026, 1, 1))


def test_born_6_october_1954_to_5_april_1960_on_their_66th_birthday() -> None:
    assert_reached_exactly_on(date(1954, 10, 6), date(2020, 10, 6))
    assert_reached_exactly_on(date(1958, 7, 14), date(2024, 7, 14))
    assert_reached_exactly_on(date(1960, 4, 5), date(2026, 4, 5))


# Pensions Act 2014 s.26: born in each row -> 66 years and this many months.
MONTHS_TABLE = [
    (date(1960, 4, 6), date(1960, 5, 5), 1), (date(1960, 5, 6), date(1960, 6, 5), 2),
    (date(1960, 6, 6), date(1960, 7, 5), 3), (date(1960, 7, 6), date(1960, 8, 5), 4),
    (date(1960, 8, 6), date(1960, 9, 5), 5), (date(1960, 9, 6), date(1960, 10, 5), 6),
    (date(1960, 10, 6), date(1960, 11, 5), 7), (date(1960, 11, 6), date(1960, 12, 5), 8),
    (date(1960, 12, 6), date(1961, 1, 5), 9), (date(1961, 1, 6), date(1961, 2, 5), 10),
    (date(1961, 2, 6), date(1961, 3, 5), 11),
]


@pytest.mark.parametrize(("first", "last", "months"), MONTHS_TABLE)
def test_born_april_1960_to_march_1961_66_years_and_some_months(
        first: date, last: date, months: int) -> None:
    for born in (first, last):
        on = date(born.year + 66 + (born.month + months - 1) // 12,
                  (born.month + months - 1) % 12 + 1, born.day)
        assert_reached_exactly_on(born, on)


def test_the_first_row_of_the_months_table_by_hand() -> None:
    assert_reached_exactly_on(date(1960, 4, 6), date(2026, 5, 6))
    assert_reached_exactly_on(date(1960, 5, 5), date(2026, 6, 5))
    assert_reached_exactly_on(date(1961, 3, 5), date(2028, 2, 5))


def test_a_day_the_month_reached_lacks_is_that_months_last_day() -> None:
    # 66 years and 9 months after 31 December 1960 would be 31 September 2027.
    assert_reached_exactly_on(date(1960, 12, 31), date(2027, 9, 30))
    # 66 years and 4 months after 31 July 1960 would be 30 November 2026: it exists.
    assert_reached_exactly_on(date(1960, 7, 31), date(2026, 11, 30))
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)


def test_born_6_march_1961_to_5_april_1977_on_their_67th_birthday() -> None:
    assert_reached_exactly_on(date(1961, 3, 6), date(2028, 3, 6))
    assert_reached_exactly_on(date(1970, 6, 15), date(2037, 6, 15))
    assert_reached_exactly_on(date(1977, 4, 5), date(2044, 4, 5))


# Pensions Act 1995 Sch. 4 para. 1 as amended by the Pensions Act 2007.
TABLE_2007 = [
    (date(1977, 4, 6), date(1977, 5, 5), date(2044, 5, 6)),
    (date(1977, 5, 6), date(1977, 6, 5), date(2044, 7, 6)),
    (date(1977, 6, 6), date(1977, 7, 5), date(2044, 9, 6)),
    (date(1977, 7, 6), date(1977, 8, 5), date(2044, 11, 6)),
    (date(1977, 8, 6), date(1977, 9, 5), date(2045, 1, 6)),
    (date(1977, 9, 6), date(1977, 10, 5), date(2045, 3, 6)),
    (date(1977, 10, 6), date(1977, 11, 5), date(2045, 5, 6)),
    (date(1977, 11, 6), date(1977, 12, 5), date(2045, 7, 6)),
    (date(1977, 12, 6), date(1978, 1, 5), date(2045, 9, 6)),
    (date(1978, 1, 6), date(1978, 2, 5), date(2045, 11, 6)),
    (date(1978, 2, 6), date(1978, 3, 5), date(2046, 1, 6)),
    (date(1978, 3, 6), date(1978, 4, 5), date(2046, 3, 6)),
]


@pytest.mark.parametrize(("first", "last", "on"), TABLE_2007)
def test_born_april_1977_to_april_1978_by_the_2007_table(first: date, last: date,
                                                          on: date) -> None:
    assert_reached_exactly_on(first, on)
    assert_reached_exactly_on(last, on)


def test_born_from_6_april_1978_on_their_68th_birthday() -> None:
    assert_reached_exactly_on(date(1978, 4, 6), date(2046, 4, 6))
    assert_reached_exactly_on(date(1990, 1, 1), date(2058, 1, 1))


def test_born_on_29_february_reach_it_on_1_march_unless_a_leap_year() -> None:
    assert_reached_exactly_on(date(1956, 2, 29), date(2022, 3, 1))
    assert_reached_exactly_on(date(1960, 2, 29), date(2026, 3, 1))
    assert_reached_exactly_on(date(1964, 2, 29), date(2031, 3, 1))
    assert_reached_exactly_on(date(1980, 2, 29), date(2048, 2, 29))  # 2048 is a leap year


def test_birthdays_and_age_at_least() -> None:
    assert birthday(date(1964, 2, 29), 60) == date(2024, 2, 29)
    assert birthday(date(1964, 2, 29), 61) == date(2025, 3, 1)
    assert not age_at_least(date(1964, 2, 29), 61, date(2025, 2, 28))
    assert age_at_least(date(1964, 2, 29), 61, date(2025, 3, 1))
    assert not age_at_least(date(1966, 11, 23), 60, date(2026, 11, 22))
    assert age_at_least(date(1966, 11, 23), 60, date(2026, 11, 23))
    assert age_at_least(date(2026, 11, 23), 0, date(2026, 11, 23))
