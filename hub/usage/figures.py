"""The figures of a period, read from the aggregates and suppressed once for every filter.

For a period (whole council-local months) every count is read from `usage_counts` (never
the raw events) and laid out for every place (the council, each site, each terminal) and
every service (and all services together), so the suppression (`hub.usage.suppression`)
sees every figure any filter of that period can show: the pattern is the same whichever
site, terminal or service a page or an export is filtered by, and one filter's figures
minus another's never reveal a hidden one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Engine, Table, func, select

from hub.usage.measures import ALL, JOURNEY_MEASURES, VISIT_MEASURES
from hub.usage.suppression import Table as Lines
from hub.usage.suppression import suppress
from hub.usage.tables import UsageBatch, UsageCount

_counts = cast(Table, UsageCount.__table__)
_batches = cast(Table, UsageBatch.__table__)
COUNCIL = ("council", "")
Place = tuple[str, str]  # ("council", ""), ("site", id) or ("terminal", id)
Cell = tuple[Place, str, str, str]  # (place, service, measure, key)
PARTITIONS = tuple(m for m in (*VISIT_MEASURES, *JOURNEY_MEASURES) if m not in ("visits", "journeys"))
BASE = {**{m: ("visits", "") for m in VISIT_MEASURES}, **{m: ("journeys", "started")
                                                           for m in JOURNEY_MEASURES}}


@dataclass(frozen=True)
class Period:
    first: str  # "YYYY-MM"
    last: str

    @property
    def label(self) -> str:
        return self.first if self.first == self.last else f"{self.first} to {self.last}"


@dataclass
class Figures:
    """Every figure of one period: `get` gives a count, or None where it is hidden."""

    period: Period
    values: dict[Hashable, int]
    hidden: set[Hashable]
    sites: dict[str, list[str]]  # site -> its terminals
    services: list[str]
    index: dict[tuple[Place, str, str], list[str]]  # (place, service, measure) -> its keys

    def get(self, place: Place, service: str, measure: str, key: str = "") -> int | None:
        cell = (place, service, measure, key)
        if cell in self.hidden:
            return None
        return self.values.get(cell, 0)

    def keys(self, place: Place, service: str, measure: str) -> list[str]:
        return sorted(self.index.get((place, service, measure), ()))

    def site_of(self, terminal: str) -> str | None:
        return next((s for s, ts in self.sites.items() if terminal in ts), None)


def months(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(str(m) for m in conn.execute(select(_counts.c.month).distinct()).scalars())


def read_counts(engine: Engine, period: Period
                ) -> list[tuple[str, str, str, str, str, int]]:
    statement = (select(_counts.c.site, _counts.c.device_id, _counts.c.service, _counts.c.measure,
                        _counts.c.key, func.sum(_counts.c.count))
                 .where(_counts.c.month >= period.first, _counts.c.month <= period.last)
                 .group_by(_counts.c.site, _counts.c.device_id, _counts.c.service,
                           _counts.c.measure, _counts.c.key))
    with engine.connect() as conn:
        return [(r[0], r[1], r[2], r[3], r[4], int(r[5])) for r in conn.execute(statement)
                if r[5]]


def build(rows: Iterable[tuple[str, str, str, str, str, int]], period: Period) -> Figures:
    """Rows are per terminal for all services (service "") and per site for each service
    (terminal ""), as `usage_counts` keeps them."""
    values: dict[Hashable, int] = defaultdict(int)
    sites: dict[str, set[str]] = defaultdict(set)
    services: set[str] = set()
    for site, device, service, measure, key, n in rows:
        places: tuple[Place, ...] = (COUNCIL, ("site", site))
        if service == ALL:
            sites[site].add(device)
            places += (("terminal", device),)
        else:
            sites.setdefault(site, set())
            services.add(service)
        for place in places:
            values[(place, service, measure, key)] += n
    table = Lines(dict(values))
    index = _lines(table, sites)
    hidden = suppress(table)
    return Figures(period, table.values, hidden, {s: sorted(t) for s, t in sorted(sites.items())},
                   sorted(services), index)


def _lines(table: Lines, sites: dict[str, set[str]]) -> dict[tuple[Place, str, str], list[str]]:
    by_service_measure: dict[tuple[str, str, str], None] = {}
    by_place_measure: dict[tuple[Place, str, str], list[str]] = defaultdict(list)
    by_place_service_measure: dict[tuple[Place, str, str], list[str]] = defaultdict(list)
    for cell in list(table.values):
        place, service, measure, key = cast(Cell, cell)
        by_service_measure[(service, measure, key)] = None
        if service != ALL:
            by_place_measure[(place, measure, key)].append(service)
        by_place_service_measure[(place, service, measure)].append(key)
    for service, measure, key in by_service_measure:
        table.add_line((COUNCIL, service, measure, key),
                       [(("site", s), service, measure, key) for s in sites])
        if service == ALL:
            for site, terminals in sites.items():
                table.add_line((("site", site), service, measure, key),
                               [(("terminal", t), service, measure, key) for t in sorted(terminals)])
    for (place, measure, key), services in by_place_measure.items():
        if measure != "stopped":  # counted per service only: no total to subtract from
            table.add_line((place, ALL, measure, key), [(place, s, measure, key) for s in services],
                           exact=measure in JOURNEY_MEASURES)
    for (place, service, measure), keys in by_place_service_measure.items():
        if service != ALL and measure == "visits":
            # A service's visits and its journeys are the same number: hide both or neither.
            table.add_line((place, service, "journeys", "started"), [(place, service, "visits", "")])
        if measure in PARTITIONS:
            base_measure, base_key = BASE[measure]
            table.add_line((place, service, base_measure, base_key),
                           [(place, service, measure, k) for k in sorted(keys)])
    return by_place_service_measure


def figures(engine: Engine, period: Period) -> Figures:
    return build(read_counts(engine, period), period)


def data_version(engine: Engine) -> tuple[object, ...]:
    """Changes whenever a batch is stored (its received time; the index makes it cheap)."""
    with engine.connect() as conn:
        return tuple(conn.execute(select(func.max(_batches.c.received_at))).one())


class FiguresCache:
    """A period's figures, kept until a batch arrives: every filter of a period shares one
    suppression, so a manager looking at site after site reads and suppresses once."""

    def __init__(self, size: int = 8) -> None:
        self._size = size
        self._kept: OrderedDict[tuple[Period, tuple[object, ...]], Figures] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, engine: Engine, period: Period) -> Figures:
        key = (period, data_version(engine))
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                return found
        made = figures(engine, period)
        with self._lock:
            self._kept[key] = made
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return made
