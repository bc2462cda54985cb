"""Benchmark: the hub ingesting heartbeats from 10,000 terminals, against an unauthenticated
no-op POST to the same hub in the same run.

The hub: the real `python -m hub` (one uvicorn process, one worker) on 127.0.0.1, its
database on SQLite in a temporary folder (WAL, synchronous=FULL: every accepted beat is an
fsync'd commit). 10,000 terminals are registered in one transaction beforehand, each with its
own Ed25519 key, and one beat per terminal is signed in advance (the client must not be the
bottleneck). Then the beats are POSTed in a random order over keep-alive connections from
`--connections` client threads in this process; each is checked (signature, registry,
revocation, clock window, sequence), stored as the terminal's latest and appended to its
history. Every answer must be 202.

The goal: one core keeps up with one beat per terminal per minute, 10,000 / 60 = 167 beats
per second. Two figures: beats per second of wall time (the client shares the machine's
cores with the hub), and beats per second of the hub process's own CPU time (user + system,
from /proc), which is what one core dedicated to the hub would do.

The baseline: POST /kiosk/v1/lookups/addresses with no API key, answered 401 by the same
hub before any database work: what the HTTP stack, routing and JSON answer cost alone.
Baseline posts run before and after the beats, over the same connections; their mean rate
is the baseline. Then the same again on a PostgreSQL server started for the run
(tests/pg_server.py, with fsync on) on 127.0.0.1, unless `--no-postgres` or no server.
"""

from __future__ import annotations

import http.client
import os
import random
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchlib import Row, arguments, filesystem, percentile, report, use_repo_imports

GOAL_PER_SECOND = 10_000 / 60
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Run:
    beats_per_s: float
    beats_per_cpu_s: float
    baseline_per_s: float
    baseline_per_cpu_s: float
    p50_ms: float
    p95_ms: float
    database_mb: float | None


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def register_all(database_url: str, count: int) -> list[object]:
    """10,000 terminals, in one transaction; their keys, kept to sign with."""
    from sqlalchemy.orm import sessionmaker

    from hub.db import make_engine, utcnow
    from hub.fleet_db import Device, HeartbeatLatest
    from hub.migrate import upgrade
    from tests.hub.fleet_helpers import memory_keys

    keys = [memory_keys(f"kiosk-{n:05d}", f"site-{n % 400:03d}") for n in range(count)]
    engine = make_engine(database_url)
    try:
        upgrade(engine)  # the hub upgrades SQLite itself, but a PostgreSQL hub only checks
        sessions = sessionmaker(engine)
        now = utcnow()
        with sessions() as session:
            session.add_all(Device(id=k.identity.device_id, site=k.identity.site, council="Bench",
                                   signing_public=k.identity.signing_public,
                                   sealing_public=k.identity.sealing_public, registered_at=now)
                            for k in keys)
            session.flush()
            session.add_all(HeartbeatLatest(device_id=k.identity.device_id, seq=0, beats=0)
                            for k in keys)
            session.commit()
    finally:
        engine.dispose()
    return keys  # type: ignore[return-value]


def blast(port: int, path: str, bodies: Sequence[bytes], connections: int, expect: int,
          headers: dict[str, str]) -> tuple[float, list[float]]:
    """POST every body once over `connections` keep-alive connections; (seconds, latencies)."""
    latencies: list[float] = []
    lock = threading.Lock()
    shares = [bodies[i::connections] for i in range(connections)]
    failures: list[str] = []
    ready = threading.Barrier(connections + 1)

    def worker(share: Sequence[bytes]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        ready.wait()
        try:
            for body in share:
                started = time.perf_counter()
                conn.request("POST", path, body=body, headers=headers)
                answer = conn.getresponse()
                answer.read()
                mine.append((time.perf_counter() - started) * 1000)
                if answer.status != expect:
                    failures.append(f"{answer.status} instead of {expect}")
                    return
        finally:
            conn.close()
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(s,)) for s in shares]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"the hub answered {failures[0]} ({len(failures)} such)")
    return seconds, latencies


def measure(scratch: Path, terminals: int, connections: int, database_url: str | None) -> Run:
    from kiosk.heartbeat import envelope
    from tests.hub.fleet_helpers import make_body
    from tests.hub_server import running_hub

    hub_dir = scratch / "hub"
    hub_dir.mkdir(parents=True, exist_ok=True)
    url = database_url or f"sqlite:///{hub_dir / 'hub.db'}"
    keys = register_all(url, terminals)
    extra = ["--database", url] if database_url else []
    with running_hub(hub_dir, extra_args=extra) as hub:
        json_headers = {"Content-Type": "application/json"}
        noop = [b'{"inputs": {"postcode": "DE99 1AA"}}'] * max(500, terminals // 4)

        def baseline() -> tuple[float, float]:
            cpu = cpu_seconds(hub.process.pid)
            seconds, _ = blast(hub.port, "/kiosk/v1/lookups/addresses", noop, connections, 401,
                               json_headers)
            return len(noop) / seconds, len(noop) / (cpu_seconds(hub.process.pid) - cpu)

        first = baseline()
        beats = [envelope(k, make_body(k, 1)) for k in keys]  # type: ignore[arg-type]
        random.Random(7).shuffle(beats)
        cpu = cpu_seconds(hub.process.pid)
        seconds, latencies = blast(hub.port, "/kiosk/v1/heartbeat", beats, connections, 202,
                                   json_headers)
        used = cpu_seconds(hub.process.pid) - cpu
        second = baseline()
    size = None
    if database_url is None:
        size = sum(p.stat().st_size for p in hub_dir.glob("hub.db*")) / 1e6
    return Run(len(beats) / seconds, len(beats) / used, (first[0] + second[0]) / 2,
               (first[1] + second[1]) / 2, percentile(latencies, 50), percentile(latencies, 95),
               size)


@contextmanager
def postgres() -> Iterator[str | None]:
    """A PostgreSQL server for the run (tests/pg_server.py, fsync on), or None without one."""
    try:
        from tests.pg_server import postgres_bin, running_postgres
    except ImportError:  # no psycopg
        yield None
        return
    if postgres_bin() is None:
        yield None
        return
    with running_postgres(durable=True) as server:
        yield server.create_database("hub_bench")


def rows_for(name: str, run: Run, terminals: int) -> list[Row]:
    goal = f"≥ {GOAL_PER_SECOND:.0f}/s"
    return [
        Row(f"heartbeat ingest ({name})", f"beats/s, wall, {terminals} terminals", run.beats_per_s,
            "/s", run.baseline_per_s, goal=goal, met=run.beats_per_s >= GOAL_PER_SECOND),
        Row(f"heartbeat ingest ({name})", "beats per hub CPU-second (one core)",
            run.beats_per_cpu_s, "/s", run.baseline_per_cpu_s, goal=goal,
            met=run.beats_per_cpu_s >= GOAL_PER_SECOND),
        Row(f"heartbeat ingest ({name})", "latency p95 under that load", run.p95_ms, "ms",
            note=f"p50 {run.p50_ms:.1f} ms"),
    ]


def main() -> int:
    parser = arguments(__doc__ or "")
    parser.add_argument("--terminals", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--no-postgres", dest="postgres", action="store_false",
                        help="SQLite only (by default PostgreSQL too, when its server is installed)")
    options = parser.parse_args()
    terminals = 300 if options.quick else options.terminals
    use_repo_imports()
    rows: list[Row] = []
    notes = [f"baseline: unauthenticated POST /kiosk/v1/lookups/addresses (401, no database), "
             f"same hub, same {options.connections} keep-alive connections",
             f"SQLite on {filesystem(Path(tempfile.gettempdir()))}"]
    with tempfile.TemporaryDirectory(prefix="bench-heartbeat-") as tmp:
        run = measure(Path(tmp) / "sqlite", terminals, options.connections, None)
        rows += rows_for("SQLite", run, terminals)
        notes.append(f"SQLite database after one beat per terminal: {run.database_mb:.1f} MB; "
                     f"latency p50 {run.p50_ms:.1f} ms")
        if options.postgres:
            scratch = Path(tmp) / "postgres"
            scratch.mkdir()
            with postgres() as url:
                if url is None:
                    notes.append("PostgreSQL: not measured (no psycopg, or no server installed)")
                else:
                    pg = measure(scratch, terminals, options.connections, url)
                    rows += rows_for("PostgreSQL", pg, terminals)
    report(rows, options.json, notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
