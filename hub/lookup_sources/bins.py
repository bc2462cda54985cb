"""`bin-collections`: one row per bin at a property, with its next collection days.

Inputs: `uprn`, and optionally `count` (how many collections per bin, 1 to 10, default 2).
Each item: `value` the bin type's id, `label` its name in the resident's language, `hint`
the dates as that language writes them, and `data`: `bin`, `colour`, `every_weeks`; for the
first two collections `next`, `next_usual`, `next_moved`, `then`, `then_usual`, `then_moved`
(ISO dates; moved "true" or "false"); for all of them `dates` and `moved` (comma-separated,
in order); and `cancelled`, the usual days up to the last of them on which that bin is not
collected at all. A UPRN with no rounds (unknown, or a new build) has no rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel.core import Locale, UnknownLocaleError
from babel.dates import format_date

from hub.lookup_sources.base import BadInput, SourceItem
from hub.lookup_sources.bin_schedule import (
    MAX_MOVE,
    MOST_COLLECTIONS,
    Collection,
    cancelled_until,
    changes_for,
    next_collections,
)
from hub.lookup_sources.collection_calendar import BinRound, CollectionCalendar

_UPRN = re.compile(r"^[0-9]{1,12}$")
_COUNT = re.compile(r"^[0-9]{1,2}$")
UPRN_EXPECTED = "a UPRN (up to 12 digits)"
COUNT_EXPECTED = f"a whole number from 1 to {MOST_COLLECTIONS}"
DEFAULT_COUNT = 2


def council_today(timezone: str, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
                  ) -> Callable[[], date]:
    """Today's date where the council is: just after midnight in British Summer Time it is
    already tomorrow, though UTC still says today."""
    zone = ZoneInfo(timezone)

    def today() -> date:
        return clock().astimezone(zone).date()

    return today


def _day(day: date, language: str) -> str:
    """A date as the resident's language writes it, e.g. "Tuesday 3 March" or "wtorek 3 marca"."""
    try:
        locale = Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        locale = Locale.parse("en")
    return format_date(day, "EEEE d MMMM", locale=locale)


def _count(text: str | None) -> int:
    if text is None or not text.strip():
        return DEFAULT_COUNT
    if not _COUNT.match(text.strip()) or not 1 <= int(text) <= MOST_COLLECTIONS:
        raise BadInput("count", COUNT_EXPECTED)
    return int(text)


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _data(found: BinRound, following: Sequence[Collection], cancelled: Sequence[date]
          ) -> dict[str, str]:
    data = {"bin": found.bin.id, "colour": found.bin.colour,
            "every_weeks": str(found.schedule.every_weeks)}
    for key, collection in zip(("next", "then"), following, strict=False):
        data[key] = collection.day.isoformat()
        data[f"{key}_usual"] = collection.usual.isoformat()
        data[f"{key}_moved"] = _flag(collection.moved)
    data["dates"] = ",".join(c.day.isoformat() for c in following)
    data["moved"] = ",".join(_flag(c.moved) for c in following)
    data["cancelled"] = ",".join(day.isoformat() for day in cancelled)
    return data


class BinCollectionsSource:
    name = "bin-collections"
    inputs = ("uprn",)
    optional_inputs = ("count",)

    def __init__(self, calendar: CollectionCalendar, today: Callable[[], date]) -> None:
        self._calendar = calendar
        self._today = today

    def answer(self, inputs: Mapping[str, str], language: str) -> Sequence[SourceItem]:
        uprn = inputs["uprn"].strip()
        if not _UPRN.match(uprn):
            raise BadInput("uprn", UPRN_EXPECTED)
        count = _count(inputs.get("count"))
        rounds = self._calendar.rounds_at(uprn)
        if not rounds:
            return []
        today = self._today()
        changes = self._calendar.changes_from(today - MAX_MOVE)
        items = []
        for found in rounds:
            moves = changes_for(found.schedule, changes)
            following = next_collections(found.schedule, today, moves, count)
            cancelled = cancelled_until(found.schedule, today, following[-1].day, moves)
            items.append(SourceItem(
                value=found.bin.id,
                label=found.bin.name(language),
                hint=", ".join(_day(c.day, language) for c in following),
                data=_data(found, following, cancelled),
            ))
        return items
