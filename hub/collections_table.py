"""The collection calendar tables, as the `bin-collections` source reads them, and the demo
council's calendar loaded into an empty hub.

A lookup is two indexed queries: the property's rounds with their bin types (the key of
`collection_rounds` starts with the UPRN), and the exceptions from two weeks ago on (a
short range of `collection_exceptions.usual_date`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hub.collections_db import CollectionBin, CollectionException, CollectionRound
from hub.collections_import import CollectionsImport, calendar_counts, import_calendar
from hub.lookup_sources.bin_schedule import Change, Schedule
from hub.lookup_sources.bin_types import BinType
from hub.lookup_sources.collection_calendar import BinRound


class TableCalendar:
    """The CollectionCalendar the hub's `bin-collections` source uses."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def rounds_at(self, uprn: str) -> Sequence[BinRound]:
        query = (select(CollectionRound, CollectionBin)
                 .join(CollectionBin, CollectionBin.bin == CollectionRound.bin)
                 .where(CollectionRound.uprn == uprn).order_by(CollectionBin.seq))
        with self._sessions() as session:
            return tuple(
                BinRound(BinType(b.bin, b.colour, dict(b.names)),
                         Schedule(r.bin, r.every_weeks, r.reference_date, r.round_name))
                for r, b in session.execute(query))

    def changes_from(self, earliest: date) -> Sequence[Change]:
        query = select(CollectionException).where(CollectionException.usual_date >= earliest)
        with self._sessions() as session:
            return tuple(Change(e.usual_date, e.moved_to, e.bin, e.round_name)
                         for e in session.scalars(query))


def load_demo_if_empty(engine: Engine, bins: Path, rounds: Path, exceptions: Path
                       ) -> CollectionsImport | None:
    """The demo hub's start: load its fictional calendar when the hub holds none. Another
    hub process starting at the same moment may load it first: that is not an error."""
    with engine.connect() as connection:
        if any(calendar_counts(connection)):
            return None
    try:
        return import_calendar(engine, bins=bins, rounds=rounds, exceptions=exceptions)
    except IntegrityError:
        return None
