"""Benchmark: usage events (issue 14). Two figures, each against a baseline in the same run.

1. Ingest rate: signed batches of generated events (`hub.usage.demo`, cut as a relay cuts
   them) through `hub.usage.intake.ingest_events` (signature, validation, raw rows and the
   aggregates in one transaction) on SQLite (WAL, synchronous=FULL), in this process, on one
   thread, so events per CPU-second is what one core does. Baseline: the same events
   inserted as raw rows alone (one executemany per batch, no checks, no aggregates). The
   goal: 5,000 terminals × 200 events a day = 11.6 events/s on average; the peak assumed is
   the busiest hour of a day whose events all fall in 8 opening hours at twice the day's
   mean rate: 5,000 × 200 / 8 h × 2 = 69 events/s.
2. The report page for a year of a 50-terminal council (25 sites; aggregates made from
   generated visits through the same `visit_counts` the intake uses): GET /report through
   the whole app (TestClient, signed in as a manager), for 40 different filters (the
   council, each site, terminals, services, months), so most charts are drawn afresh.
   Goal: p95 ≤ 500 ms. Baseline: GET /sign-in through the same app.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

from benchlib import Row, arguments, percentile, report, use_repo_imports

AVERAGE_GOAL = 5_000 * 200 / 86_400
PEAK_GOAL = 5_000 * 200 / (8 * 3600) * 2


def ingest(scratch: Path, days: int) -> tuple[float, float, int]:
    """(events per CPU-second ingested, baseline raw inserts per CPU-second, events)."""
    from zoneinfo import ZoneInfo

    from sqlalchemy import insert

    from hub.db import make_engine
    from hub.migrate import upgrade
    from hub.usage.demo import Terminal, batches
    from hub.usage.intake import hour_time, ingest_events
    from hub.usage.tables import UsageEventRow
    from kiosk.usage_events import batch_envelope
    from tests.hub.fleet_helpers import registered

    zone = ZoneInfo("Europe/London")
    now = datetime(2026, 3, 1, tzinfo=UTC)
    engine = make_engine(f"sqlite:///{scratch / 'ingest.db'}")
    upgrade(engine)
    from sqlalchemy.orm import sessionmaker

    sessions = sessionmaker(engine)
    terminals = [Terminal(f"bench-{n}", f"site-{n}", 2.5) for n in range(4)]
    keys = {t.device_id: registered(sessions, t.device_id, t.site) for t in terminals}
    made = [(t, b) for t in terminals for b in batches(t, date(2026, 1, 1), days, 1, size=200)]
    bodies = [batch_envelope(keys[t.device_id], b) for t, b in made]
    events = sum(len(b.events) for _, b in made)
    started = time.process_time()
    for body in bodies:
        answer = ingest_events(engine, body, now, zone)
        assert answer.status == 200, answer.document
    ingest_cpu = time.process_time() - started
    raw = make_engine(f"sqlite:///{scratch / 'raw.db'}")
    upgrade(raw)
    started = time.process_time()
    for terminal, one in made:
        with raw.begin() as conn:
            conn.execute(insert(UsageEventRow), [
                {"batch_id": one.batch_id, "device_id": terminal.device_id, "site": terminal.site,
                 "visit": e.visit, "seq": e.seq, "hour": hour_time(e.hour), "kind": e.kind,
                 "service": e.service, "page": e.page, "reason": e.reason,
                 "duration": e.duration, "choice": e.choice, "value": e.value}
                for e in one.events])
    raw_cpu = time.process_time() - started
    engine.dispose()
    raw.dispose()
    return events / ingest_cpu, events / raw_cpu, events


def council_year(database_url: str, terminals: int) -> None:
    """Aggregates for a year of `terminals` terminals, two to a site: 5 generated terminal
    years, each reused for a tenth of the council under other names (the rows' shape is what
    the report's speed depends on, not which visits they count)."""
    from zoneinfo import ZoneInfo

    from sqlalchemy import insert

    from hub.db import make_engine
    from hub.migrate import upgrade
    from hub.usage.demo import DEMO_TERMINALS, visits
    from hub.usage.intake import hour_time
    from hub.usage.measures import ALL, Event, visit_counts
    from hub.usage.tables import UsageCount

    zone = ZoneInfo("Europe/London")
    engine = make_engine(database_url)
    upgrade(engine)
    years: list[Counter[tuple[str, str, str, str]]] = []
    for terminal in DEMO_TERMINALS:
        counts: Counter[tuple[str, str, str, str]] = Counter()
        for events in visits(terminal, date(2025, 3, 1), 365, 2):
            counted = visit_counts([Event(e.seq, e.kind, hour_time(e.hour), e.service, e.page,
                                          e.reason, e.duration, e.choice, e.value)
                                    for e in events], zone)
            assert counted is not None
            for (service, measure, key), n in counted.counts.items():
                counts[(counted.month, service, measure, key)] += n
        years.append(counts)
    rows = []
    for n in range(terminals):
        site, device = f"site-{n // 2:02d}", f"kiosk-{n:03d}"
        for (month, service, measure, key), value in years[n % len(years)].items():
            rows.append({"month": month, "site": site, "device_id": device if service == ALL else "",
                         "service": service, "measure": measure, "key": key, "count": value})
    merged: Counter[tuple[str, str, str, str, str, str]] = Counter()
    for row in rows:
        merged[(row["month"], row["site"], row["device_id"], row["service"], row["measure"],
                row["key"])] += row["count"]
    with engine.begin() as conn:
        conn.execute(insert(UsageCount), [
            {"month": k[0], "site": k[1], "device_id": k[2], "service": k[3], "measure": k[4],
             "key": k[5], "count": v} for k, v in merged.items()])
    engine.dispose()


def report_page(scratch: Path, terminals: int, requests: int) -> tuple[list[float], list[float], int]:
    from fastapi.testclient import TestClient

    from hub.app import create_app
    from hub.passwords import Passwords
    from hub.settings import HubSettings
    from tests.hub.helpers import BASE_URL, add_account, sign_in

    url = f"sqlite:///{scratch / 'report.db'}"
    council_year(url, terminals)
    app = create_app(HubSettings(database_url=url), passwords=Passwords.cheap_for_tests())
    add_account(app, "bench", "manager")
    filters = ["", "?service=missed-bin", "?service=bin-day", "?from=2026-01&to=2026-01"]
    filters += [f"?site=site-{n:02d}" for n in range(terminals // 2)]
    filters += [f"?terminal=kiosk-{n:03d}" for n in range(0, terminals, 3)]
    filters += [f"?site=site-{n:02d}&service=street-problem" for n in range(terminals // 2)]
    filters = filters[:requests]
    times: list[float] = []
    baseline: list[float] = []
    with TestClient(app, base_url=BASE_URL) as client:
        sign_in(client, "bench")
        for query in filters:
            started = time.perf_counter()
            page = client.get("/report" + query)
            times.append((time.perf_counter() - started) * 1000)
            assert page.status_code == 200, page.text[:300]
            started = time.perf_counter()
            client.get("/sign-in")
            baseline.append((time.perf_counter() - started) * 1000)
    app.state.hub.engine.dispose()
    return times, baseline, len(filters)


def main() -> int:
    parser = arguments(__doc__ or "")
    parser.add_argument("--terminals", type=int, default=50)
    options = parser.parse_args()
    use_repo_imports()
    days = 3 if options.quick else 20
    requests = 8 if options.quick else 40
    with tempfile.TemporaryDirectory(prefix="bench-usage-") as tmp:
        rate, raw_rate, events = ingest(Path(tmp), days)
        times, baseline, count = report_page(Path(tmp), options.terminals, requests)
    p95 = percentile(times, 95)
    rows = [
        Row("usage events", "ingest, events per CPU-second (one core)", rate, "/s", raw_rate,
            goal=f"≥ {AVERAGE_GOAL:.1f}/s", met=rate >= AVERAGE_GOAL,
            note=f"{rate / AVERAGE_GOAL:.0f}× the average need, {rate / PEAK_GOAL:.0f}× the peak"),
        Row("usage events", f"report page p95, a year of {options.terminals} terminals", p95, "ms",
            percentile(baseline, 95), goal="≤ 500 ms", met=p95 <= 500,
            note=f"p50 {percentile(times, 50):.0f} ms over {count} filters"),
    ]
    report(rows, options.json, [f"ingest: {events} events in batches of 200, SQLite; baseline: "
                                "raw inserts alone", "report: baseline GET /sign-in, same app"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
