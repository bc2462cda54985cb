"""The hub's lookup sources: one small class per source, registered by name.

`demo_sources` is what the demo council ships: addresses by postcode from a fictional
gazetteer (demo_gazetteer.csv), and bin collection days for those addresses from a fictional
collection calendar (demo_bins.yaml, demo_rounds.csv, demo_collection_exceptions.csv); the
hub loads both into its tables when they are empty. A council adds a source by writing a
class with `name`, `inputs` and `answer` (see `base.LookupSource`) and passing it to
`create_app(..., lookup_sources=...)` with the others (docs/lookups.md).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from hub.lookup_sources.addresses import AddressesSource
from hub.lookup_sources.base import BadInput, LookupSource, SourceItem, SourceRegistry
from hub.lookup_sources.bins import BinCollectionsSource
from hub.lookup_sources.collection_calendar import CollectionCalendar, read_calendar
from hub.lookup_sources.gazetteer import AddressBook
from hub.lookup_sources.gazetteer_csv import read_gazetteer

_HERE = Path(__file__).resolve().parent
DEMO_GAZETTEER = _HERE / "demo_gazetteer.csv"
DEMO_BINS = _HERE / "demo_bins.yaml"
DEMO_ROUNDS = _HERE / "demo_rounds.csv"
DEMO_EXCEPTIONS = _HERE / "demo_collection_exceptions.csv"


def demo_sources(today: Callable[[], date], gazetteer: AddressBook | None = None,
                 calendar: CollectionCalendar | None = None) -> SourceRegistry:
    """The demo council's sources; `today` is the council's calendar date (bin days). The
    hub passes its gazetteer and calendar tables; without them the demo files are read into
    memory."""
    if gazetteer is None:
        gazetteer, _ = read_gazetteer(DEMO_GAZETTEER)
    if calendar is None:
        calendar = read_calendar(DEMO_BINS, DEMO_ROUNDS, DEMO_EXCEPTIONS)
    return SourceRegistry([
        AddressesSource(gazetteer),
        BinCollectionsSource(calendar, today),
    ])


__all__ = ["BadInput", "LookupSource", "SourceItem", "SourceRegistry", "demo_sources"]
