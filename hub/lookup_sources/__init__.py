"""The hub's lookup sources: one small class per source, registered by name.

`demo_sources` is what the demo council ships: addresses by postcode from a fictional
gazetteer (demo_gazetteer.csv, loaded into the hub's gazetteer table when it is empty), and
bin collection days for those addresses. A council adds a source by writing a
class with `name`, `inputs` and `answer` (see `base.LookupSource`) and passing it to
`create_app(..., lookup_sources=...)` with the others (docs/lookups.md).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from hub.lookup_sources.addresses import AddressesSource
from hub.lookup_sources.base import BadInput, LookupSource, SourceItem, SourceRegistry
from hub.lookup_sources.bins import BinCollectionsSource, load_bin_rounds
from hub.lookup_sources.gazetteer import AddressBook
from hub.lookup_sources.gazetteer_csv import read_gazetteer

DEMO_GAZETTEER = Path(__file__).resolve().parent / "demo_gazetteer.csv"
DEMO_BINS = Path(__file__).resolve().parent / "demo_bins.yaml"


def demo_sources(today: Callable[[], date], gazetteer: AddressBook | None = None) -> SourceRegistry:
    """The demo council's sources; `today` is the council's calendar date (bin days). The
    hub passes its gazetteer table; without one the demo extract is read into memory."""
    if gazetteer is None:
        gazetteer, _ = read_gazetteer(DEMO_GAZETTEER)
    return SourceRegistry([
        AddressesSource(gazetteer),
        BinCollectionsSource(gazetteer, load_bin_rounds(DEMO_BINS), today),
    ])


__all__ = ["BadInput", "LookupSource", "SourceItem", "SourceRegistry", "demo_sources"]
