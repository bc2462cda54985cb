"""Loading the council's collection calendar into the hub: bin types, rounds, exceptions.

One transaction for everything given: every row of every file is checked, rows are inserted
in batches as they pass, and if any row is malformed the transaction is rolled back, so the
tables hold either all the new files or what they held before. Rounds are streamed (a big
council's file has a million rows); what is kept in memory per row is one number and its line,
to name a UPRN given twice.

Each file given replaces, with `replace`, what the hub holds of its kind (bin types, rounds,
exceptions); kinds not given are kept. Without `replace` a file adds to what is held, and a
row for something held already (a UPRN and bin type, an exception's date, bin and round, a
bin type's id) updates it: a council can send only the properties that changed.

A round for a UPRN the gazetteer does not have is loaded (the gazetteer may be behind) but
counted and reported as a warning, with the first lines, since it is often a typing error.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TextIO

from sqlalchemy import Connection, Engine, delete, func, insert, select, tuple_

from hub.collections_db import CollectionBin, CollectionException, CollectionRound
from hub.gazetteer_db import GazetteerAddress
from hub.lookup_sources.bin_schedule import Change
from hub.lookup_sources.bin_types import BinType, CollectionsFileError, load_bin_types
from hub.lookup_sources.collections_csv import RoundRow, read_exceptions, read_rounds
from hub.lookup_sources.csv_file import RowProblem, open_text

BATCH = 5000
SHOWN_UNKNOWN_LINES = 10


@dataclass
class FileResult:
    """One file's outcome; `loaded` counts rows written (0 when anything was refused)."""

    kind: str  # "bin types", "rounds" or "exceptions"
    path: Path
    loaded: int = 0
    updated: int = 0  # of those loaded, how many replaced one held (without --replace)
    rows_read: int = 0
    refused_rows: int = 0
    problems: list[RowProblem] = field(default_factory=list)


@dataclass
class CollectionsImport:
    files: list[FileResult] = field(default_factory=list)
    unknown_uprns: int = 0  # rounds whose UPRN is not in the gazetteer
    unknown_lines: list[int] = field(default_factory=list)  # the first few of them
    gazetteer_empty: bool = False  # then no UPRN could be checked
    seconds: float = 0.0

    @property
    def refused(self) -> bool:
        return any(f.problems for f in self.files)

    @property
    def rate(self) -> float:
        rows = sum(f.rows_read for f in self.files)
        return rows / self.seconds if self.seconds > 0 else 0.0


class _Refused(Exception):
    """Rolls the transaction back when any row was malformed."""


def held_bins(connection: Connection) -> dict[str, BinType]:
    query = select(CollectionBin.bin, CollectionBin.colour, CollectionBin.names) \
        .order_by(CollectionBin.seq)
    return {bin_id: BinType(bin_id, colour, dict(names))
            for bin_id, colour, names in connection.execute(query)}


def _store_bins(connection: Connection, bins: dict[str, BinType], replace: bool,
                result: FileResult) -> None:
    """Without `replace`, a bin type held keeps its place in the list and new ones follow."""
    held = held_bins(connection)
    merged = dict(bins) if replace else {**held, **bins}
    result.updated = 0 if replace else len(bins.keys() & held.keys())
    connection.execute(delete(CollectionBin))
    connection.execute(insert(CollectionBin), [
        {"bin": b.id, "seq": seq, "colour": b.colour, "names": dict(b.names)}
        for seq, b in enumerate(merged.values())])
    result.loaded = result.rows_read = len(bins)


def _unknown_uprns(connection: Connection, batch: list[RoundRow], gazetteer_empty: bool,
                   outcome: CollectionsImport) -> None:
    uprns = {uprn for _, uprn, _ in batch}
    if not gazetteer_empty:
        query = select(GazetteerAddress.uprn).where(GazetteerAddress.uprn.in_(uprns))
        uprns -= set(connection.execute(query).scalars())
    for line, uprn, _ in batch:
        if uprn in uprns:
            outcome.unknown_uprns += 1
            if len(outcome.unknown_lines) < SHOWN_UNKNOWN_LINES:
                outcome.unknown_lines.append(line)


def _write_rounds(connection: Connection, batch: list[RoundRow], updating: bool,
                  result: FileResult) -> None:
    if updating:
        keys = [(uprn, s.bin) for _, uprn, s in batch]
        gone = connection.execute(delete(CollectionRound).where(
            tuple_(CollectionRound.uprn, CollectionRound.bin).in_(keys)))
        result.updated += gone.rowcount
    connection.execute(insert(CollectionRound), [
        {"uprn": uprn, "bin": s.bin, "every_weeks": s.every_weeks,
         "reference_date": s.reference, "round_name": s.round} for _, uprn, s in batch])
    result.loaded += len(batch)


def _load_rounds(connection: Connection, stream: TextIO, result: FileResult,
                 bins: dict[str, BinType], replace: bool, week_one: date | None,
                 outcome: CollectionsImport) -> None:
    if replace:
        connection.execute(delete(CollectionRound))
    # Adding to rounds held may update some: each batch first deletes those it replaces.
    updating = not replace and \
        connection.execute(select(CollectionRound.uprn).limit(1)).first() is not None
    gazetteer_empty = connection.execute(select(GazetteerAddress.uprn).limit(1)).first() is None
    outcome.gazetteer_empty = gazetteer_empty
    batch: list[RoundRow] = []
    for row in read_rounds(stream, result.path, bins, week_one):
        result.rows_read += 1
        if isinstance(row, list):
            result.problems.extend(row)
            result.refused_rows += 1
            continue
        batch.append(row)
        if len(batch) >= BATCH:
            _unknown_uprns(connection, batch, gazetteer_empty, outcome)
            if not result.problems:  # nothing will be kept: only read on, to report all
                _write_rounds(connection, batch, updating, result)
            batch = []
    if batch:
        _unknown_uprns(connection, batch, gazetteer_empty, outcome)
        if not result.problems:
            _write_rounds(connection, batch, updating, result)


def _load_exceptions(connection: Connection, stream: TextIO, result: FileResult,
                     bins: dict[str, BinType], replace: bool) -> None:
    if replace:
        connection.execute(delete(CollectionException))
    rounds = set(connection.execute(select(CollectionRound.round_name).distinct()).scalars())
    changes: list[Change] = []
    for item in read_exceptions(stream, result.path, bins, rounds - {""}):
        result.rows_read += 1
        if isinstance(item, list):
            result.problems.extend(item)
            result.refused_rows += 1
        else:
            changes.append(item[1])  # an exceptions file is small: a few dozen rows a year
    if result.problems or not changes:
        return
    if not replace:
        keys = [(c.usual, c.bin, c.round) for c in changes]
        gone = connection.execute(delete(CollectionException).where(tuple_(
            CollectionException.usual_date, CollectionException.bin,
            CollectionException.round_name).in_(keys)))
        result.updated = gone.rowcount
    connection.execute(insert(CollectionException), [
        {"usual_date": c.usual, "moved_to": c.moved_to, "bin": c.bin, "round_name": c.round}
        for c in changes])
    result.loaded = len(changes)


def _check_bins_used(connection: Connection, bins: dict[str, BinType], path: Path) -> None:
    """Replacing the bin types must not leave a round or an exception naming a removed one."""
    used = set(connection.execute(select(CollectionRound.bin).distinct()).scalars())
    used |= set(connection.execute(select(CollectionException.bin).distinct()).scalars())
    lost = sorted(used - set(bins) - {""})
    if lost:
        raise CollectionsFileError(f"{path}: the hub's rounds or exceptions use bin types this "
                                   f"file does not have: {', '.join(lost)} (replace the rounds "
                                   "and exceptions in the same import)")


def import_calendar(engine: Engine, *, rounds: Path | None = None,
                    exceptions: Path | None = None, bins: Path | None = None,
                    replace: bool = False, week_one: date | None = None) -> CollectionsImport:
    """Load the files given, in one transaction. Raises CollectionsFileError when a file
    cannot be used as a whole (unreadable, a header lacking a column, a bin types file in
    error) or the hub would have no bin types."""
    if rounds is None and exceptions is None and bins is None:
        raise CollectionsFileError("nothing to import: give a rounds file, --exceptions or --bins")
    started = time.perf_counter()
    outcome = CollectionsImport()
    new_bins = load_bin_types(bins) if bins is not None else None
    try:
        with engine.begin() as connection:
            if new_bins is not None and bins is not None:  # (bins is not None, for mypy)
                result = FileResult("bin types", bins)
                outcome.files.append(result)
                _store_bins(connection, new_bins, replace, result)
            known = held_bins(connection)
            if not known:
                raise CollectionsFileError("the hub holds no bin types yet: give them with "
                                           "--bins BINS.yaml (docs/integrations.md)")
            if rounds is not None:
                result = FileResult("rounds", rounds)
                outcome.files.append(result)
                with open_text(rounds, CollectionsFileError) as stream:
                    _load_rounds(connection, stream, result, known, replace, week_one, outcome)
            if exceptions is not None:
                result = FileResult("exceptions", exceptions)
                outcome.files.append(result)
                with open_text(exceptions, CollectionsFileError) as stream:
                    _load_exceptions(connection, stream, result, known, replace)
            if replace and bins is not None:
                _check_bins_used(connection, known, bins)
            if outcome.refused:
                raise _Refused
    except _Refused:
        for result in outcome.files:
            result.loaded = result.updated = 0
    outcome.seconds = time.perf_counter() - started
    return outcome


def calendar_counts(connection: Connection) -> tuple[int, int, int]:
    """(bin types, rounds, exceptions) held."""

    def count(table: type[CollectionBin | CollectionRound | CollectionException]) -> int:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()

    return count(CollectionBin), count(CollectionRound), count(CollectionException)
