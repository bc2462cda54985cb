"""The council's collection calendar, as the `bin-collections` source asks it: the rounds
at a property, and the exceptions from a date on.

The hub's calendar is its tables (hub/collections_table.py, loaded by `kiosk-hub collections
import`); `MemoryCalendar` here holds one in memory, read from the same files, for tests and
for the demo sources without a database (the kiosk's engine tests).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

from hub.lookup_sources.bin_schedule import Change, Schedule
from hub.lookup_sources.bin_types import BinType, CollectionsFileError, load_bin_types
from hub.lookup_sources.collections_csv import read_exceptions, read_rounds
from hub.lookup_sources.csv_file import RowProblem, open_text


@dataclass(frozen=True)
class BinRound:
    bin: BinType
    schedule: Schedule


class CollectionCalendar(Protocol):
    def rounds_at(self, uprn: str) -> Sequence[BinRound]:
        """The property's rounds, one per bin type, in the bin types' order (none: unknown)."""
        ...

    def changes_from(self, earliest: date) -> Sequence[Change]:
        """Every exception whose usual date is `earliest` or later."""
        ...


class MemoryCalendar:
    def __init__(self, rounds: Mapping[str, Sequence[BinRound]], changes: Sequence[Change]
                 ) -> None:
        self._rounds = dict(rounds)
        self._changes = tuple(changes)

    def rounds_at(self, uprn: str) -> Sequence[BinRound]:
        return self._rounds.get(uprn, ())

    def changes_from(self, earliest: date) -> Sequence[Change]:
        return tuple(c for c in self._changes if c.usual >= earliest)


def _refuse(path: Path, problems: list[RowProblem]) -> CollectionsFileError:
    shown = "; ".join(str(p) for p in problems[:5])
    return CollectionsFileError(f"{path}: {len(problems)} problems: {shown}")


def read_calendar(bins_path: Path, rounds_path: Path, exceptions_path: Path) -> MemoryCalendar:
    """The whole calendar in memory; CollectionsFileError names the first problems."""
    bins = load_bin_types(bins_path)
    problems: list[RowProblem] = []
    schedules: dict[str, list[Schedule]] = {}
    with open_text(rounds_path, CollectionsFileError) as stream:
        for row in read_rounds(stream, rounds_path, bins):
            if isinstance(row, list):
                problems.extend(row)
            else:
                schedules.setdefault(row[1], []).append(row[2])
    if problems:
        raise _refuse(rounds_path, problems)
    names = {s.round for found in schedules.values() for s in found if s.round}
    changes: list[Change] = []
    with open_text(exceptions_path, CollectionsFileError) as stream:
        for item in read_exceptions(stream, exceptions_path, bins, names):
            if isinstance(item, list):
                problems.extend(item)
            else:
                changes.append(item[1])
    if problems:
        raise _refuse(exceptions_path, problems)
    order = list(bins)
    rounds = {uprn: tuple(BinRound(bins[s.bin], s)
                          for s in sorted(found, key=lambda s: order.index(s.bin)))
              for uprn, found in schedules.items()}
    return MemoryCalendar(rounds, changes)
