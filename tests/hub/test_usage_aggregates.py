"""The aggregates the report reads equal a recount from the raw events, however the events
were cut into batches and in whatever order the batches came; retention deletes raw events
and keeps the aggregates."""

from __future__ import annotations

import random
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from hub.db import make_engine
from hub.migrate import upgrade
from hub.usage.demo import Terminal, batches
from hub.usage.intake import recount, store_batch, stored_counts
from hub.usage.retention import cutoff, purge
from hub.usage.tables import UsageBatch, UsageEventRow
from kiosk.usage_events import EventBatch

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
TERMINALS = (Terminal("kiosk-a", "central-library", 2.5), Terminal("kiosk-b", "town-hall", 1.5))


def _cut(seed: int, size: int, days: int) -> list[tuple[Terminal, EventBatch]]:
    """Generated days of events, cut into batches of `size`, the batches shuffled (a relay
    may send a later batch first after a retry)."""
    cut = [(t, b) for t in TERMINALS for b in batches(t, date(2025, 10, 24), days, seed, size)]
    random.Random(seed).shuffle(cut)
    return cut


def _store_all(engine: Engine, cut: list[tuple[Terminal, EventBatch]]) -> None:
    for terminal, one in cut:
        assert store_batch(engine, terminal.device_id, terminal.site, one, NOW, LONDON)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), size=st.integers(1, 120), days=st.integers(1, 4))
def test_aggregates_match_a_recount_on_sqlite(seed: int, size: int, days: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'hub.db'}")
        try:
            upgrade(engine)
            _store_all(engine, _cut(seed, size, days))
            stored = stored_counts(engine)
            assert stored, "the generated days had no visits"
            assert stored == recount(engine, LONDON)
        finally:
            engine.dispose()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_aggregates_match_a_recount_on_each_database(app: FastAPI, seed: int) -> None:
    """Also across the clocks change (the last Sunday of October): local months and hours."""
    engine = app.state.hub.engine
    _store_all(engine, _cut(seed, 37 * seed, 10))
    assert stored_counts(engine) == recount(engine, LONDON)


def test_purging_raw_events_keeps_the_aggregates(app: FastAPI) -> None:
    engine = app.state.hub.engine
    _store_all(engine, _cut(5, 200, 3))
    before = stored_counts(engine)
    done = purge(engine, 4, datetime(2026, 3, 1, tzinfo=UTC))  # cutoff 2025-11-01
    assert done.events > 0
    with engine.connect() as conn:
        left = conn.execute(select(func.count()).select_from(UsageEventRow)
                            .where(UsageEventRow.hour < datetime(2025, 11, 1, tzinfo=UTC))).scalar()
        batches_left = conn.execute(select(func.count()).select_from(UsageBatch)).scalar()
    assert left == 0
    assert batches_left == 3  # received after the cutoff: kept, so a late copy is still known
    later = purge(engine, 4, datetime(2026, 8, 1, tzinfo=UTC))
    assert later.batches == 3
    assert stored_counts(engine) == before


@pytest.mark.parametrize(("now", "months", "expected"), [
    (datetime(2026, 3, 31, 9, tzinfo=UTC), 13, datetime(2025, 2, 28, 9, tzinfo=UTC)),
    (datetime(2026, 1, 15, tzinfo=UTC), 1, datetime(2025, 12, 15, tzinfo=UTC)),
    (datetime(2026, 12, 1, tzinfo=UTC), 12, datetime(2025, 12, 1, tzinfo=UTC)),
])
def test_the_retention_cutoff_counts_calendar_months(now: datetime, months: int,
                                                    expected: datetime) -> None:
    assert cutoff(now, months) == expected
