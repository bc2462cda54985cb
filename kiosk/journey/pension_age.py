"""The UK State Pension age for a date of birth, under current law, and birthdays.

Sources (checked for issue 13; the gov.uk timetable restates the Acts):
- GOV.UK, "State Pension age timetables" (gov.uk/government/publications/state-pension-age-
  timetable), and the State Pension age calculator (gov.uk/state-pension-age).
- Pensions Act 1995, Schedule 4, paragraph 1, as amended by the Pensions Acts 2007 (the rise
  from 67 to 68: tables for births 6 April 1977 to 5 April 1978), 2011 (66 for everyone born
  6 October 1954 onwards: "anyone born on or after 6 October 1954 ... will now reach state
  pension age on their 66th birthday", explanatory notes to s.1, legislation.gov.uk
  ukpga/2011/19) and 2014 s.26 (the rise from 66 to 67 brought forward to 2026-2028: births
  6 April 1960 to 5 March 1961 reach it at 66 years and 1 to 11 months; GOV.UK's 2011
  announcement lists the same months, "6 April 1960 to 5 May 1960: 66 years and 1 month" ...
  "6 February 1961 to 5 March 1961: 66 years and 11 months").

For people born before 6 October 1954 the age is not worked out here: all of them reached it
by 6 October 2020 at the latest (the last 2011-Act row, births 6 September to 5 October 1954,
reached it on 6 September 2020), so for a kiosk used from 2026 on, "reached" is all we need.

Date rules, as chosen and tested:
- A birthday of someone born on 29 February falls on 1 March in a year that is not a leap
  year (the usual administrative rule; the Family Law Reform Act 1969 s.9 only fixes the time
  of day an age is reached, at the start of the birthday).
- "66 years and N months" after a date that does not exist in the month reached (born 31
  December 1960, 66 years and 9 months: "31 September 2027") is the last day of that month
  (30 September 2027).
"""

from __future__ import annotations

import calendar
from datetime import date

REACHED_BY = date(2020, 10, 6)
"""Everyone born before `_SIXTY_SIX_FROM` reached State Pension age before this date."""
_SIXTY_SIX_FROM = date(1954, 10, 6)
_MONTHS_FROM = date(1960, 4, 6)
_SIXTY_SEVEN_FROM = date(1961, 3, 6)
_TABLE_2007_FROM = date(1977, 4, 6)
_SIXTY_EIGHT_FROM = date(1978, 4, 6)

# Pensions Act 1995 Sch. 4 para. 1 (as amended by the Pensions Act 2007): born in the month
# starting on the 6th of (year, month) -> reaches State Pension age on this date.
_TABLE_2007: dict[tuple[int, int], date] = {
    (1977, 4): date(2044, 5, 6), (1977, 5): date(2044, 7, 6), (1977, 6): date(2044, 9, 6),
    (1977, 7): date(2044, 11, 6), (1977, 8): date(2045, 1, 6), (1977, 9): date(2045, 3, 6),
    (1977, 10): date(2045, 5, 6), (1977, 11): date(2045, 7, 6), (1977, 12): date(2045, 9, 6),
    (1978, 1): date(2045, 11, 6), (1978, 2): date(2046, 1, 6), (1978, 3): date(2046, 3, 6),
}


def add_months(start: date, months: int) -> date:
    """`months` calendar months after `start`; a day the month reached does not have (31st,
    29th February) becomes that month's last day."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last))


def birthday(born: date, years: int) -> date:
    """The day someone born on `born` turns `years`: 29 February births on 1 March in a year
    without one."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # 29 February, in a year that is not a leap year
        return date(born.year + years, 3, 1)


def age_at_least(born: date, years: int, today: date) -> bool:
    """Whether someone born on `born` is `years` old or more on `today` (from the start of
    that birthday)."""
    return today >= birthday(born, years)


def _bracket(born: date) -> tuple[int, int]:
    """The table row a birth falls in: rows run from the 6th of a month to the 5th of the next."""
    if born.day >= 6:
        return born.year, born.month
    return (born.year - 1, 12) if born.month == 1 else (born.year, born.month - 1)


def state_pension_date(born: date) -> date | None:
    """The day State Pension age is reached; None for births before 6 October 1954, who all
    reached it before `REACHED_BY` (their exact day is not needed here)."""
    if born < _SIXTY_SIX_FROM:
        return None
    if born < _MONTHS_FROM:
        return birthday(born, 66)
    if born < _SIXTY_SEVEN_FROM:
        year, month = _bracket(born)
        extra = (year - 1960) * 12 + month - 4 + 1  # 6 April-5 May 1960: 1 month, ...
        return add_months(born, 66 * 12 + extra)
    if born < _TABLE_2007_FROM:
        return birthday(born, 67)
    if born < _SIXTY_EIGHT_FROM:
        return _TABLE_2007[_bracket(born)]
    return birthday(born, 68)


def state_pension_age_reached(born: date, today: date) -> bool:
    """Whether someone born on `born` has reached State Pension age on `today`."""
    reached_on = state_pension_date(born)
    return reached_on is None or today >= reached_on
