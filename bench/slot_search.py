"""Benchmark: slot search, the appointment days a site has over 8 weeks, on SQLite and
PostgreSQL.

The demo council's sites, types and templates (`hub/appointments/demo_appointments.yaml`)
are loaded into a fresh database with a year of past bookings and the next 8 weeks about
70 % booked (a tenth of them cancelled, some places held, some holds expired): `--fill`
and `--past-days` change that. Server side means what the lookup endpoint does for
`appointment-days` beyond HTTP: read the templates, generate the slots of 56 days in the
hub's zone, one grouped query for the places taken, build the items
(`AppointmentDaysSource.answer`), for the busiest site (Central Library, housing advice: 2
places a slot, 24 a day). Also `appointment-times` for one day, and a hold then its release
(the write path). The baseline, in the same run, is a `SELECT 1` round trip on the same
engine. The goal is p95 <= 50 ms for the days.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchlib import Row, arguments, percentile, report, use_repo_imports

GOAL_MS = 50.0
SITE, TYPE = "central-library", "housing-advice"
NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # a Monday morning: every slot ahead of it


def timed(samples: int, warm_up: int, work: Callable[[int], object]) -> list[float]:
    for n in range(warm_up):
        work(n)
    found = []
    for n in range(samples):
        started = time.perf_counter()
        work(n)
        found.append((time.perf_counter() - started) * 1000)
    return found


def fill(book: object, past_days: int, share: float) -> int:
    """Bookings for every template, `past_days` back and 8 weeks ahead; the row count."""
    from sqlalchemy import insert

    from hub.appointments.book import AppointmentBook
    from hub.appointments.codes import new_hold_id, new_reference
    from hub.appointments.tables import Booking
    from hub.appointments.transactions import writing

    assert isinstance(book, AppointmentBook)
    catalog = book.catalog()
    rnd = random.Random(5)
    rows = []
    first = book.today() - timedelta(days=past_days)
    for offset in range(past_days + book.horizon_days):
        day = first + timedelta(days=offset)
        for template in catalog.templates:
            for slot in book.slots(catalog, template.site, template.type, day):
                for seat in range(1, slot.capacity + 1):
                    if rnd.random() >= share:
                        continue
                    kind = rnd.random()
                    status = "cancelled" if kind < 0.1 else "held" if kind < 0.13 else "confirmed"
                    expires = NOW + timedelta(minutes=5 if kind < 0.12 else -5)
                    rows.append({
                        "id": new_hold_id(), "status": status,
                        "reference": None if status == "held" else new_reference(),
                        "site_id": template.site, "type_id": template.type,
                        "start": slot.start, "end": slot.end,
                        "seat": None if status == "cancelled" else seat,
                        "holder_digest": f"{rnd.getrandbits(256):064x}", "expires_at": expires,
                        "created_at": NOW, "updated_at": NOW, "revision": 0, "moved_by": None,
                        "assisted": False, "language": "en", "terminal": "",
                        "name": "Bench Resident", "email": "", "phone": "",
                        "postcode": "DE99 1AB", "purged": False})
    with writing(book.engine) as connection:
        for start in range(0, len(rows), 2000):
            connection.execute(insert(Booking), rows[start:start + 2000])
    return len(rows)


def measure(url: str, label: str, samples: int, past_days: int, share: float) -> list[Row]:
    from zoneinfo import ZoneInfo

    from sqlalchemy import text

    from hub.appointments import holds
    from hub.appointments.book import AppointmentBook
    from hub.appointments.codes import Refused, Wanted
    from hub.appointments.loading import DEMO_APPOINTMENTS, load_file
    from hub.db import make_engine
    from hub.lookup_sources.appointments import AppointmentDaysSource, AppointmentTimesSource
    from hub.migrate import ready_database, upgrade

    engine = make_engine(url)
    try:
        if engine.dialect.name != "sqlite":
            upgrade(engine)
        ready_database(engine)
        book = AppointmentBook(engine, ZoneInfo("Europe/London"), clock=lambda: NOW)
        load_file(engine, DEMO_APPOINTMENTS, NOW)
        count = fill(book, past_days, share)
        days_source, times_source = AppointmentDaysSource(book), AppointmentTimesSource(book)
        days = days_source.answer({"type": TYPE, "site": SITE}, "en")
        assert len(days) > 30, len(days)

        def round_trip(n: int) -> None:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1")).scalar_one()

        def day_search(n: int) -> None:
            assert days_source.answer({"type": TYPE, "site": SITE}, "en")

        def time_search(n: int) -> None:
            day = days[n % len(days)].value
            times_source.answer({"type": TYPE, "site": SITE, "day": day}, "en")

        free = [(d.value, t.value) for d in days[:10] for t in times_source.answer(
            {"type": TYPE, "site": SITE, "day": d.value}, "en")]

        def hold_and_release(n: int) -> None:
            _, start = free[n % len(free)]
            who = f"bench-holder-{n:08d}-x"
            try:
                held = holds.hold(book, Wanted(SITE, TYPE, datetime.fromisoformat(start)), who,
                                  300)
            except Refused:
                return
            holds.release(book, held.booking.id, who)

        baseline = timed(samples, 50, round_trip)
        searched = timed(samples, 50, day_search)
        one_day = timed(samples, 50, time_search)
        written = timed(min(samples, 300), 20, hold_and_release)
    finally:
        engine.dispose()
    base95, p95 = percentile(baseline, 95), percentile(searched, 95)
    bench = f"slot search ({label})"
    return [
        Row(bench, f"appointment-days, 8 weeks, p50 ({count} bookings in the table)",
            percentile(searched, 50), "ms", baseline=percentile(baseline, 50)),
        Row(bench, "appointment-days, 8 weeks, p95", p95, "ms", baseline=base95,
            goal=f"≤ {GOAL_MS:g} ms", met=p95 <= GOAL_MS),
        Row(bench, "appointment-times, one day, p95", percentile(one_day, 95), "ms",
            baseline=base95),
        Row(bench, "hold + release, p95", percentile(written, 95), "ms", baseline=base95),
    ]


def main() -> int:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--past-days", type=int, default=365)
    parser.add_argument("--fill", type=float, default=0.7, help="share of places booked")
    parser.add_argument("--no-postgres", action="store_true")
    options = parser.parse_args()
    use_repo_imports()
    samples = 50 if options.quick else 1000
    past = 30 if options.quick else options.past_days
    rows: list[Row] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="slot-bench-") as scratch:
        rows += measure(f"sqlite:///{Path(scratch) / 'hub.db'}", "SQLite", samples, past,
                        options.fill)
        from tests.pg_server import postgres_bin, running_postgres
        if options.no_postgres or postgres_bin() is None:
            notes.append("PostgreSQL: not run")
        else:
            with running_postgres(durable=True) as server:
                url = server.create_database("slot_bench")
                rows += measure(url, "PostgreSQL", samples, past, options.fill)
    notes.append("baseline: a SELECT 1 round trip on the same engine (p50 against p50, "
                 "p95 against p95)")
    report(rows, options.json, notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
