"""`bin-collections`: one row per bin at a property, with its next two collection days."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from babel.core import Locale, UnknownLocaleError
from babel.dates import format_date

from hub.lookup_sources.base import BadInput, SourceItem
from hub.lookup_sources.bin_schedule import MAX_MOVE, Schedule, next_collections
from hub.lookup_sources.gazetteer import AddressBook, normalise_postcode

_UPRN = re.compile(r"^[0-9]{1,12}$")
UPRN_EXPECTED = "a UPRN (up to 12 digits)"


@dataclass(frozen=True)
class Bin:
    colour: str
    names: Mapping[str, str]

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]


@dataclass(frozen=True)
class BinRounds:
    bins: Mapping[str, Bin]
    rounds: Mapping[str, tuple[Schedule, ...]]
    postcodes: Mapping[str, str]
    changes: Mapping[date, date]


def _mapping(where: str, value: Any) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected a mapping")
    return value


def load_bin_rounds(path: Path) -> BinRounds:
    """Read the rounds file; ValueError names the file and the entry for anything wrong."""
    doc = _mapping(str(path), yaml.safe_load(path.read_text(encoding="utf-8")))
    bins = {}
    for bin_id, entry in _mapping(f"{path}: bins", doc.get("bins")).items():
        entry = _mapping(f"{path}: bins.{bin_id}", entry)
        names = _mapping(f"{path}: bins.{bin_id}.name", entry.get("name"))
        if "en" not in names:
            raise ValueError(f"{path}: bins.{bin_id}.name: expected an English (en) name")
        bins[str(bin_id)] = Bin(str(entry.get("colour", "")), {str(k): str(v)
                                                              for k, v in names.items()})
    rounds = {}
    for round_id, schedules in _mapping(f"{path}: rounds", doc.get("rounds")).items():
        found = []
        for index, item in enumerate(schedules or ()):
            where = f"{path}: rounds.{round_id}[{index}]"
            item = _mapping(where, item)
            if item.get("bin") not in bins:
                raise ValueError(f"{where}.bin: expected one of {', '.join(bins)}")
            if item.get("every_weeks") not in (1, 2, 3, 4):
                raise ValueError(f"{where}.every_weeks: expected 1, 2, 3 or 4")
            if not isinstance(item.get("first"), date):
                raise ValueError(f"{where}.first: expected a date like 2026-01-06")
            found.append(Schedule(item["bin"], item["every_weeks"], item["first"]))
        rounds[str(round_id)] = tuple(found)
    postcodes = {}
    for raw, round_id in _mapping(f"{path}: postcodes", doc.get("postcodes")).items():
        postcode = normalise_postcode(str(raw))
        if postcode is None or round_id not in rounds:
            raise ValueError(f"{path}: postcodes.{raw}: expected a postcode and a round name")
        postcodes[postcode] = str(round_id)
    changes = {}
    for usual, moved in _mapping(f"{path}: changes", doc.get("changes") or {}).items():
        if not isinstance(usual, date) or not isinstance(moved, date) \
                or abs(moved - usual) > MAX_MOVE:
            raise ValueError(f"{path}: changes.{usual}: expected a date moved to another date "
                             f"at most {MAX_MOVE.days} days away")
        changes[usual] = moved
    return BinRounds(bins, rounds, postcodes, changes)


def _day(day: date, language: str) -> str:
    """A date as the resident's language writes it, e.g. "Tuesday 3 March" or "wtorek 3 marca"."""
    try:
        locale = Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        locale = Locale.parse("en")
    return format_date(day, "EEEE d MMMM", locale=locale)


class BinCollectionsSource:
    name = "bin-collections"
    inputs = ("uprn",)

    def __init__(self, gazetteer: AddressBook, rounds: BinRounds, today: Callable[[], date]) -> None:
        self._gazetteer = gazetteer
        self._rounds = rounds
        self._today = today

    def answer(self, inputs: Mapping[str, str], language: str) -> Sequence[SourceItem]:
        """No rows when the property is unknown or has no round (a new build)."""
        uprn = inputs["uprn"].strip()
        if not _UPRN.match(uprn):
            raise BadInput("uprn", UPRN_EXPECTED)
        address = self._gazetteer.by_uprn(uprn)
        round_id = self._rounds.postcodes.get(address.postcode) if address else None
        if round_id is None:
            return []
        today = self._today()
        items = []
        for schedule in self._rounds.rounds[round_id]:
            bin_ = self._rounds.bins[schedule.bin]
            following = next_collections(schedule, today, self._rounds.changes)
            data = {"bin": schedule.bin, "colour": bin_.colour,
                    "every_weeks": str(schedule.every_weeks)}
            for key, collection in zip(("next", "then"), following, strict=False):
                data[key] = collection.day.isoformat()
                data[f"{key}_usual"] = collection.usual.isoformat()
                data[f"{key}_moved"] = "true" if collection.moved else "false"
            items.append(SourceItem(
                value=schedule.bin,
                label=bin_.name(language),
                hint=", ".join(_day(c.day, language) for c in following),
                data=data,
            ))
        return items
