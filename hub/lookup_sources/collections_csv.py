"""Read a council's collection rounds and exceptions (CSV) into checked rows, naming every
malformed one by line and column.

Waste systems (Bartec, Whitespace, Yotta...) export rounds one row per property and bin:
the UPRN, the bin type, how often, and when: either a *reference date* (any collection day
of the round, past or future: the round repeats from it both ways) or a *collection day and
week* ("Tuesday, week 2"), the weeks counted from a week 1 the command is given. Dates are
ISO (2026-01-06) or as UK spreadsheets write them (06/01/2026).

An exceptions file lists the usual collection days that move (bank holidays): the original
date, the new date (or `none`: no collection that day), and optionally the one bin type
and/or round it applies to.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO

from hub.lookup_sources.bin_schedule import MAX_MOVE, Change, Schedule
from hub.lookup_sources.bin_types import BinType, CollectionsFileError
from hub.lookup_sources.csv_file import Columns, CsvRow, RowProblem, data_rows

ROUND_COLUMNS: dict[str, tuple[str, ...]] = {
    "uprn": ("uprn", "property_uprn"),
    "bin": ("bin", "bin_type", "container", "container_type", "waste_type", "service"),
    "frequency": ("frequency", "every_weeks", "interval", "frequency_weeks"),
    "reference": ("reference_date", "first_date", "start_date", "collection_date",
                  "next_collection", "date"),
    "day": ("collection_day", "day", "weekday"),
    "week": ("week", "collection_week", "week_number"),
    "round": ("round", "round_name", "round_id"),
}
EXCEPTION_COLUMNS: dict[str, tuple[str, ...]] = {
    "usual": ("original_date", "usual_date", "date", "collection_date", "from_date"),
    "moved_to": ("new_date", "moved_to", "revised_date", "to_date"),
    "bin": ROUND_COLUMNS["bin"],
    "round": ROUND_COLUMNS["round"],
}
LONGEST_ID = 40
DATE_EXPECTED = "a date like 2026-01-06 or 06/01/2026"
FREQUENCY_EXPECTED = "how often, in weeks: 1 to 4, weekly, fortnightly or every 3 weeks"
NO_COLLECTION = frozenset({"none", "no collection", "cancelled", "canceled"})
_UPRN = re.compile(r"^[0-9]{1,12}$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_WEEKS = re.compile(r"^(?:every )?([1-4])(?: ?(?:weeks?|weekly|wk|w))?$")
_FREQUENCY_WORDS = {"weekly": 1, "every week": 1, "fortnightly": 2, "every fortnight": 2,
                    "two weekly": 2, "three weekly": 3, "four weekly": 4}
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEK = re.compile(r"^(?:week )?([1-4a-d])$")
A_MONDAY = date(2024, 1, 1)  # weekly rounds given by day alone count from any Monday


def parse_date(text: str) -> date | None:
    match = _ISO.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _UK.match(text)
        if match is None:
            return None
        day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _words(text: str) -> str:
    return re.sub(r"[\s\-]+", " ", text.strip().lower())


def parse_frequency(text: str) -> int | None:
    words = _words(text)
    if words in _FREQUENCY_WORDS:
        return _FREQUENCY_WORDS[words]
    match = _WEEKS.match(words)
    return int(match.group(1)) if match else None


def parse_weekday(text: str) -> int | None:
    """Monday 0 ... Sunday 6, from a day's name or its first three letters or more."""
    words = _words(text)
    if len(words) < 3:
        return None
    found = [index for index, name in enumerate(_DAYS) if name.startswith(words)]
    return found[0] if len(found) == 1 else None


def _week(text: str) -> int | None:
    match = _WEEK.match(_words(text))
    if match is None:
        return None
    mark = match.group(1)
    return int(mark) if mark.isdigit() else "abcd".index(mark) + 1


def _bin(row: CsvRow, bins: Collection[str], optional: bool) -> str:
    text = row.text("bin", LONGEST_ID).lower()
    if (text or not optional) and text not in bins:
        row.problem("bin", f"one of the bin types: {', '.join(bins)}"
                    + (" (or empty: every bin)" if optional else ""))
    return text


def _round_missing(columns: Columns) -> list[str]:
    missing = [f for f in ("uprn", "bin", "frequency") if f not in columns]
    if "reference" not in columns and "day" not in columns:
        missing.append("a reference date, or the collection day (and week)")
    return missing


def _reference(row: CsvRow, every_weeks: int | None, week_one: date | None) -> date | None:
    """The row's reference date: given, or made from its day and week."""
    given = row.text("reference")
    day_text = row.text("day")
    weekday = parse_weekday(day_text) if day_text else None
    if day_text and weekday is None:
        row.problem("day", "a day of the week, like Tuesday or Tue")
    if given:
        reference = parse_date(given)
        if reference is None:
            row.problem("reference", DATE_EXPECTED)
        elif weekday is not None and reference.weekday() != weekday:
            row.problem("day", "the weekday of its reference date (a "
                        f"{_DAYS[reference.weekday()].capitalize()})")
        return reference
    if not day_text:
        row.problem("reference" if "reference" in row.columns else "day",
                    f"{DATE_EXPECTED}, or the collection day")
        return None
    if weekday is None or every_weeks is None:
        return None
    if every_weeks == 1 and not row.text("week"):
        monday = week_one - timedelta(days=week_one.weekday()) if week_one else A_MONDAY
        return monday + timedelta(days=weekday)
    week = _week(row.text("week"))
    if week is None or week > every_weeks:
        row.problem("week", f"the week of the round, 1 to {every_weeks} (or A to "
                    f"{'ABCD'[every_weeks - 1]})")
        return None
    if week_one is None:
        row.problem("week", "--week-1 DATE given to the command (a day in week 1, from "
                    "which the weeks count), or a reference date instead")
        return None
    monday = week_one - timedelta(days=week_one.weekday())
    return monday + timedelta(weeks=week - 1, days=weekday)


RoundRow = tuple[int, str, Schedule]  # line, UPRN, the round


def read_rounds(stream: TextIO, path: Path, bins: Mapping[str, BinType],
                week_one: date | None = None) -> Iterator[RoundRow | list[RowProblem]]:
    """Each data row in order: (line, UPRN, Schedule), or the row's problems. A UPRN has one
    round per bin type. Raises CollectionsFileError for a header that cannot be used."""
    index = {bin_id: i for i, bin_id in enumerate(bins)}
    seen: dict[int, int] = {}  # UPRN and bin as one number -> line: compact for big files
    for row in data_rows(stream, path, ROUND_COLUMNS, _round_missing, CollectionsFileError):
        uprn = row.text("uprn")
        bin_id = _bin(row, bins, optional=False)
        if not _UPRN.match(uprn):
            row.problem("uprn", "a UPRN of up to 12 digits")
        elif bin_id in index:
            key = int(uprn) * len(index) + index[bin_id]
            if key in seen:
                row.problem("uprn", f"one round per UPRN and bin type ({bin_id} is already "
                            f"on line {seen[key]})")
            else:
                seen[key] = row.line
        frequency_text = row.text("frequency")
        every_weeks = parse_frequency(frequency_text)
        if every_weeks is None:
            row.problem("frequency", FREQUENCY_EXPECTED)
        reference = _reference(row, every_weeks, week_one)
        round_name = row.text("round", LONGEST_ID)
        if row.problems:
            yield row.problems
            continue
        assert every_weeks is not None
        assert reference is not None
        yield row.line, uprn, Schedule(bin_id, every_weeks, reference, round_name)


def _moved_to(row: CsvRow, usual: date | None) -> tuple[bool, date | None]:
    """(understood, the new date or None for no collection)."""
    text = row.text("moved_to")
    if _words(text) in NO_COLLECTION:
        return True, None
    moved = parse_date(text)
    if moved is None:
        row.problem("moved_to", f"{DATE_EXPECTED}, or none (no collection that day)")
        return False, None
    if usual is not None and (moved == usual or abs(moved - usual) > MAX_MOVE):
        row.problem("moved_to", f"a date other than the original, at most {MAX_MOVE.days} "
                    "days from it")
        return False, None
    return True, moved


def read_exceptions(stream: TextIO, path: Path, bins: Mapping[str, BinType],
                    rounds: Collection[str] | None = None
                    ) -> Iterator[tuple[int, Change] | list[RowProblem]]:
    """Each data row in order: (line, Change), or the row's problems. `rounds`, when given,
    are the round names a row may name. One change per date, bin type and round."""
    seen: dict[tuple[date, str, str], int] = {}
    missing = ("usual", "moved_to")
    for row in data_rows(stream, path, EXCEPTION_COLUMNS,
                         lambda columns: [f for f in missing if f not in columns],
                         CollectionsFileError):
        usual = parse_date(row.text("usual"))
        if usual is None:
            row.problem("usual", DATE_EXPECTED)
        understood, moved_to = _moved_to(row, usual)
        bin_id = _bin(row, bins, optional=True)
        round_name = row.text("round", LONGEST_ID)
        if round_name and rounds is not None and round_name not in rounds:
            row.problem("round", "the name of a round the rounds use (or empty: every round)")
        if usual is not None:
            key = (usual, bin_id, round_name)
            if key in seen:
                row.problem("usual", f"one change per date, bin and round (line {seen[key]} "
                            "has this one)")
            else:
                seen[key] = row.line
        if row.problems or not understood:
            yield row.problems
            continue
        assert usual is not None
        yield row.line, Change(usual, moved_to, bin_id, round_name)
