"""Benchmark: postcode -> address list from the hub's gazetteer table, and the import rate.

`--addresses` generated addresses (default 2,000,000, a large county's AddressBase) are
written to a CSV with National Grid coordinates, imported with the hub's own importer
(`hub.gazetteer_table.import_csv`: checked, converted with pyproj, one transaction) into a
fresh SQLite database, then into a PostgreSQL server started for the run (tests/pg_server.py),
unless `--no-postgres` or no server is installed.

Server side means what the lookup endpoint does for `addresses` beyond HTTP: normalise the
postcode, one indexed query on the table, build the items (`AddressesSource.answer`). It is
timed in-process for 2,000 postcodes drawn at random from those generated (about 20 addresses
each, like a real postcode unit), after 200 warm-up lookups. The goal is p95 <= 30 ms.
The import rate is rows read per second of wall time, including the CSV parse and the
BNG conversion.
"""

from __future__ import annotations

import csv
import random
import sys
import tempfile
import time
from pathlib import Path

from benchlib import Row, arguments, percentile, report, use_repo_imports

GOAL_MS = 30.0
LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the inward code's letters a kiosk accepts
PER_POSTCODE = 20


def postcode(n: int) -> str:
    """The n-th generated postcode: distinct for n < 100 * 10 * 20 * 20 * 90."""
    unit = LETTERS[n % 20] + LETTERS[(n // 20) % 20]
    sector = (n // 400) % 10
    district = 10 + (n // 4000) % 90
    area = "DE" if n < 360_000 else "DF"
    return f"{area}{district} {sector}{unit}"


def write_csv(path: Path, count: int) -> list[str]:
    rnd = random.Random(7)
    postcodes = [postcode(n) for n in range((count + PER_POSTCODE - 1) // PER_POSTCODE)]
    with path.open("w", encoding="utf-8", newline="") as stream:
        out = csv.writer(stream, lineterminator="\n")
        out.writerow(["UPRN", "ORGANISATION", "SUB_BUILDING", "BUILDING_NAME",
                      "BUILDING_NUMBER", "STREET", "LOCALITY", "TOWN", "POSTCODE", "EASTING",
                      "NORTHING"])
        for i in range(count):
            group = i // PER_POSTCODE
            out.writerow([990_200_000_000 + i, "", "", "", i % PER_POSTCODE + 1,
                          f"Street {group}", "", "Benchtown", postcodes[group],
                          f"{400_000 + rnd.random() * 60_000:.2f}",
                          f"{280_000 + rnd.random() * 60_000:.2f}"])
    return postcodes


def measure(url: str, csv_path: Path, postcodes: list[str], lookups: int, label: str
            ) -> list[Row]:
    from hub.db import make_engine
    from hub.gazetteer_table import TableGazetteer, import_csv
    from hub.lookup_sources.addresses import AddressesSource
    from hub.migrate import ready_database, upgrade

    engine = make_engine(url)
    try:
        if engine.dialect.name != "sqlite":
            upgrade(engine)
        sessions = ready_database(engine)
        result = import_csv(engine, csv_path, replace=True)
        assert not result.problems, result.problems[:3]
        source = AddressesSource(TableGazetteer(sessions))
        rnd = random.Random(11)
        for _ in range(200):
            source.answer({"postcode": rnd.choice(postcodes)}, "en")
        samples = []
        for _ in range(lookups):
            asked = rnd.choice(postcodes).lower().replace(" ", "")
            started = time.perf_counter()
            items = source.answer({"postcode": asked}, "en")
            samples.append((time.perf_counter() - started) * 1000)
            assert items
    finally:
        engine.dispose()
    p95 = percentile(samples, 95)
    return [
        Row(f"gazetteer ({label})", f"import rate, {result.imported} rows", result.rate,
            "rows/s"),
        Row(f"gazetteer ({label})", "postcode -> list, p50 server side",
            percentile(samples, 50), "ms"),
        Row(f"gazetteer ({label})", "postcode -> list, p95 server side", p95, "ms",
            goal=f"≤ {GOAL_MS:g} ms", met=p95 <= GOAL_MS),
    ]


def main() -> int:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--addresses", type=int, default=2_000_000)
    parser.add_argument("--no-postgres", action="store_true")
    options = parser.parse_args()
    use_repo_imports()
    count = 20_000 if options.quick else options.addresses
    lookups = 200 if options.quick else 2000
    rows: list[Row] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="gazetteer-bench-") as scratch:
        csv_path = Path(scratch) / "addresses.csv"
        started = time.perf_counter()
        postcodes = write_csv(csv_path, count)
        notes.append(f"{count} addresses at {len(postcodes)} postcodes written in "
                     f"{time.perf_counter() - started:.1f} s")
        rows += measure(f"sqlite:///{Path(scratch) / 'hub.db'}", csv_path, postcodes, lookups,
                        "SQLite")
        from tests.pg_server import postgres_bin, running_postgres
        if options.no_postgres or postgres_bin() is None:
            notes.append("PostgreSQL: not run")
        else:
            with running_postgres() as server:
                url = server.create_database("gazetteer_bench")
                rows += measure(url, csv_path, postcodes, lookups, "PostgreSQL")
    report(rows, options.json, notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
