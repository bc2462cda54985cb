"""Benchmark: UPRN -> bin days from the hub's collection calendar, and the import rate.

`--uprns` generated properties (default 2,000,000) each get a general, a recycling and a
food round, and every third one a garden round (about 3.3 rows per property), written to a
CSV in the shape a waste system exports (a third of the general rounds by day and week, the
rest by reference date in the UK date format), with the demo's bin types and 31 exceptions (the bank
holidays of four years, some for one bin type). They are imported with the hub's own
importer (`hub.collections_import.import_calendar`: every row checked, one transaction) into
a fresh SQLite database, then into a PostgreSQL server started for the run
(tests/pg_server.py), unless `--no-postgres` or no server is installed. The gazetteer is left
empty (the import then skips the UPRN check, which `bench/gazetteer_lookup.py` covers in
kind: one indexed query per batch).

Server side means what the lookup endpoint does for `bin-collections` beyond HTTP: check the
UPRN and count, read the property's rounds with their bin types (one indexed query), the
exceptions from two weeks back (one), and compute and word each bin's next `count` days
(`BinCollectionsSource.answer`), for 2,000 UPRNs drawn at random after 200 warm-up lookups,
with count 2 (the kiosk's) and 10 (the most). The goal is p95 <= 30 ms, as for addresses.
The import's memory is the process's high-water mark (ru_maxrss) before and after it, on the
first (SQLite) run only.
"""

from __future__ import annotations

import csv
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from benchlib import Row, arguments, percentile, report, use_repo_imports

GOAL_MS = 30.0
FIRST_UPRN = 990_300_000_000
TODAY = date(2026, 12, 21)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def write_rounds(path: Path, count: int) -> int:
    rnd = random.Random(5)
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as stream:
        out = csv.writer(stream, lineterminator="\n")
        out.writerow(["UPRN", "BIN_TYPE", "FREQUENCY", "REFERENCE_DATE", "COLLECTION_DAY",
                      "WEEK", "ROUND"])
        for i in range(count):
            uprn = FIRST_UPRN + i
            day = rnd.randrange(5)
            week = rnd.choice("AB")
            monday = date(2026, 1, 5) + timedelta(weeks=week == "B")
            general = (monday + timedelta(days=day)).strftime("%d/%m/%Y")
            recycling = (monday + timedelta(days=day, weeks=1)).strftime("%d/%m/%Y")
            if i % 3 == 0:
                out.writerow([uprn, "general", "Fortnightly", "", DAYS[day], week,
                              f"REF {DAYS[day][:3].upper()} {week}"])
            else:
                out.writerow([uprn, "general", "2", general, "", "", ""])
            out.writerow([uprn, "recycling", "fortnightly", recycling, "", "", ""])
            out.writerow([uprn, "food", "weekly", "", DAYS[day], "", ""])
            rows += 3
            if i % 3 == 1:
                out.writerow([uprn, "garden", "every 2 weeks", general, "", "", ""])
                rows += 1
    return rows


def write_exceptions(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        out = csv.writer(stream, lineterminator="\n")
        out.writerow(["ORIGINAL_DATE", "NEW_DATE", "BIN_TYPE"])
        for year in range(2026, 2030):
            christmas = date(year, 12, 25)
            for offset in range(-3, 5):
                usual = christmas + timedelta(days=offset)
                if usual.weekday() < 5:
                    out.writerow([usual.isoformat(), (usual + timedelta(days=1)).isoformat(), ""])
            out.writerow([date(year, 12, 24).isoformat(), "none", "garden"])
            out.writerow([date(year, 5, 4).isoformat(), date(year, 5, 5).isoformat(), "food"])


def measure(url: str, files: dict[str, Path], uprns: int, lookups: int, label: str,
            memory: bool) -> list[Row]:
    from hub.collections_import import import_calendar
    from hub.collections_table import TableCalendar
    from hub.db import make_engine
    from hub.lookup_sources.bins import BinCollectionsSource
    from hub.migrate import ready_database, upgrade

    engine = make_engine(url)
    try:
        if engine.dialect.name != "sqlite":
            upgrade(engine)
        sessions = ready_database(engine)
        peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        outcome = import_calendar(engine, replace=True, week_one=date(2026, 1, 5), **files)
        peak_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        assert not outcome.refused, [f.problems[:3] for f in outcome.files]
        rounds = next(f for f in outcome.files if f.kind == "rounds")
        source = BinCollectionsSource(TableCalendar(sessions), lambda: TODAY)
        rnd = random.Random(11)
        timings: dict[str, list[float]] = {}
        for count in ("2", "10"):
            for _ in range(200):
                source.answer({"uprn": str(FIRST_UPRN + rnd.randrange(uprns)), "count": count},
                              "cy")
            samples = timings.setdefault(count, [])
            for _ in range(lookups):
                asked = {"uprn": str(FIRST_UPRN + rnd.randrange(uprns)), "count": count}
                started = time.perf_counter()
                items = source.answer(asked, "cy")
                samples.append((time.perf_counter() - started) * 1000)
                assert len(items) >= 3
    finally:
        engine.dispose()
    name = f"collections ({label})"
    rows = [Row(name, f"import rate, {rounds.loaded} rounds", outcome.rate, "rows/s")]
    if memory:  # the first run only: the high-water mark never comes down again
        rows.append(Row(name, "process peak memory after the import (before it: baseline)",
                        peak_after, "MiB", baseline=peak_before))
    for count, samples in timings.items():
        p95 = percentile(samples, 95)
        rows += [Row(name, f"UPRN -> bin days, count {count}, p50 server side",
                     percentile(samples, 50), "ms"),
                 Row(name, f"UPRN -> bin days, count {count}, p95 server side", p95, "ms",
                     goal=f"≤ {GOAL_MS:g} ms", met=p95 <= GOAL_MS)]
    return rows


def main() -> int:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--uprns", type=int, default=2_000_000)
    parser.add_argument("--no-postgres", action="store_true")
    options = parser.parse_args()
    use_repo_imports()
    from hub.lookup_sources import DEMO_BINS

    uprns = 20_000 if options.quick else options.uprns
    lookups = 200 if options.quick else 2000
    rows: list[Row] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="collections-bench-") as scratch:
        files = {"bins": DEMO_BINS, "rounds": Path(scratch) / "rounds.csv",
                 "exceptions": Path(scratch) / "exceptions.csv"}
        started = time.perf_counter()
        written = write_rounds(files["rounds"], uprns)
        write_exceptions(files["exceptions"])
        notes.append(f"{written} rounds for {uprns} UPRNs written in "
                     f"{time.perf_counter() - started:.1f} s")
        rows += measure(f"sqlite:///{Path(scratch) / 'hub.db'}", files, uprns, lookups,
                        "SQLite", memory=True)
        from tests.pg_server import postgres_bin, running_postgres
        if options.no_postgres or postgres_bin() is None:
            notes.append("PostgreSQL: not run")
        else:
            with running_postgres() as server:
                url = server.create_database("collections_bench")
                rows += measure(url, files, uprns, lookups, "PostgreSQL", memory=False)
    report(rows, options.json, notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
