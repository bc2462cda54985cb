"""Benchmark: hub `POST /open311/v2/requests.json` throughput with 4 hub processes against 1,
both on one real PostgreSQL server, in the same run (the ratio is the figure that travels).

The server: a PostgreSQL started for the run (tests/pg_server.py) with its durable settings
(fsync and synchronous commit on, as a council would run it), one fresh database per
measurement, migrated by the hub's own Alembic scripts. The hubs: real `python -m hub`
processes on 127.0.0.1 (`tests/hub_server.py`), each its own port, as behind a load balancer;
4 processes share the database. The load: `--clients` threads, each with its own kept-alive
HTTP connection to one hub (spread evenly across the hubs), posting complete missed-bin
reports as a kiosk's relay does (form body, API key, Idempotency-Key, a new kiosk reference
each). Each hub first answers a warm-up; then `--count` posts are timed from the first
send to the last answer. Every answer must be 200 with a request id. The two
configurations alternate for `--rounds` rounds and the best round of each is kept (the
machine is shared; the best is the least disturbed).

On a machine with few cores the clients, the hubs and PostgreSQL compete for the same
cores, so the ratio says how far more processes help *here*. So the CPU time each part
spends per post (the hubs, PostgreSQL's processes, this load generator; from /proc) is
reported too: with C cores and T ms of CPU per post in all, no configuration can go faster
than about C × 1000 / T posts/s, and the hub's share says what more cores would buy.
"""

from __future__ import annotations

import http.client
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from benchlib import Row, arguments, percentile, report, use_repo_imports

API_KEY = "bench-key"
PROCESS_COUNTS = (1, 4)


def _body(n: int, run: str) -> bytes:
    form = [
        ("api_key", API_KEY), ("service_code", "MISSED_BIN"),
        ("address_string", "14, DE99 1AB"), ("description", "Bin is by the gate"),
        ("email", "resident@example.org"), ("attribute[bin_type]", "general"),
        ("attribute[collection_date]", "2026-03-27"), ("attribute[contact_method]", "email"),
        ("attribute[kiosk_reference]", f"B{run}{n:07d}"),
    ]
    return urlencode(form).encode("ascii")


class Client(threading.Thread):
    """One kept-alive connection to one hub, posting the bodies it is given, timing each."""

    def __init__(self, port: int, bodies: Sequence[bytes], start: threading.Barrier) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.bodies = bodies
        self.start_line = start
        self.latencies: list[float] = []
        self.error = ""

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            self.start_line.wait()
            for body in self.bodies:
                began = time.perf_counter()
                connection.request("POST", "/open311/v2/requests.json", body=body, headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Idempotency-Key": uuid.uuid4().hex})
                answer = connection.getresponse()
                text = answer.read()
                if answer.status != 200 or b"service_request_id" not in text:
                    self.error = f"HTTP {answer.status}: {text[:200]!r}"
                    return
                self.latencies.append((time.perf_counter() - began) * 1000)
        except (OSError, http.client.HTTPException) as exc:
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()


TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def _cpu_ms(pids: Sequence[int]) -> dict[int, float]:
    """User + system CPU of each of these processes so far (those gone are left out)."""
    spent = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
        except OSError:
            continue
        spent[pid] = (int(fields[11]) + int(fields[12])) * TICK_MS  # utime, stime
    return spent


def _spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU between two readings; a process started in between counts from zero."""
    return sum(ms - before.get(pid, 0.0) for pid, ms in after.items())


def _postgres_pids(folder: Path) -> list[int]:
    """The postmaster and every process it started (backends, writers)."""
    postmaster = int((folder / "data" / "postmaster.pid").read_text(encoding="ascii").split()[0])
    pids = [postmaster]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text(encoding="ascii").rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == postmaster:
            pids.append(int(stat.parent.name))
    return pids


@dataclass(frozen=True)
class Measured:
    rate: float  # posts per second
    latencies: list[float]  # ms, every post
    cpu_per_post: dict[str, float]  # ms of CPU per post: hubs, postgres, load generator


def _post_all(ports: Sequence[int], count: int, clients: int, run: str
              ) -> tuple[float, list[float]]:
    """Requests per second over `count` posts, and every post's latency in ms."""
    bodies = [_body(n, run) for n in range(count)]
    start = threading.Barrier(clients + 1)
    workers = [Client(ports[i % len(ports)], bodies[i::clients], start) for i in range(clients)]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.perf_counter()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - began
    errors = [w.error for w in workers if w.error]
    if errors:
        raise RuntimeError(f"the hub refused a post: {errors[0]}")
    return count / elapsed, [ms for w in workers for ms in w.latencies]


def measure(scratch: Path, processes: int, count: int, clients: int, server: object,
            name: str) -> Measured:
    from hub.db import make_engine
    from hub.migrate import upgrade
    from tests.hub_server import running_hub
    from tests.pg_server import PostgresServer

    assert isinstance(server, PostgresServer)
    url = server.create_database(name)
    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    try:
        with ExitStack() as stack:
            hubs = [stack.enter_context(running_hub(scratch / f"{name}-{n}", database_url=url,
                                                    api_keys=(API_KEY,)))
                    for n in range(processes)]
            ports = [hub.port for hub in hubs]
            _post_all(ports, 20 * processes, processes, "W")  # warm every hub
            hub_pids = [hub.process.pid for hub in hubs]
            hubs_before = _cpu_ms(hub_pids)
            pg_before = _cpu_ms(_postgres_pids(server.folder))
            own_before = time.process_time() * 1000
            rate, latencies = _post_all(ports, count, clients, "M")
            own = time.process_time() * 1000 - own_before
            pg = _spent(pg_before, _cpu_ms(_postgres_pids(server.folder)))  # new backends too
            cpu = {"hubs": _spent(hubs_before, _cpu_ms(hub_pids)) / count,
                   "postgres": pg / count, "load generator": own / count}
            return Measured(rate, latencies, cpu)
    finally:
        server.drop_database(name)


def main() -> int:
    parser = arguments(__doc__ or "")
    parser.add_argument("--count", type=int, default=3000, help="posts per measurement")
    parser.add_argument("--clients", type=int, default=16, help="concurrent connections")
    parser.add_argument("--rounds", type=int, default=2)
    options = parser.parse_args()
    count = 200 if options.quick else options.count
    rounds = 1 if options.quick else options.rounds
    use_repo_imports()
    from tests.pg_server import postgres_bin, running_postgres

    if postgres_bin() is None:
        print("hub_post_requests: PostgreSQL is not installed (script/bootstrap --test)")
        return 1
    best: dict[int, Measured] = {}
    every: dict[int, list[float]] = {n: [] for n in PROCESS_COUNTS}
    with tempfile.TemporaryDirectory(prefix="bench-hub-post-") as tmp, \
            running_postgres(durable=True) as server:
        for round_number in range(rounds):
            for processes in PROCESS_COUNTS:
                name = f"bench_r{round_number}_p{processes}"
                got = measure(Path(tmp), processes, count, options.clients, server, name)
                print(f"round {round_number + 1}: {processes} process(es): {got.rate:.0f} posts/s",
                      flush=True)
                every[processes].append(got.rate)
                if processes not in best or got.rate > best[processes].rate:
                    best[processes] = got
    one, four = best[1], best[4]
    rows = [
        Row("hub POST requests.json", f"1 process, {count} posts, {options.clients} clients",
            one.rate, "posts/s"),
        Row("hub POST requests.json", f"4 processes, {count} posts, {options.clients} clients "
            "(baseline: 1 process)", four.rate, "posts/s", one.rate),
        Row("hub POST requests.json", "p95 latency, 1 process", percentile(one.latencies, 95),
            "ms"),
        Row("hub POST requests.json", "p95 latency, 4 processes (baseline: 1 process)",
            percentile(four.latencies, 95), "ms", percentile(one.latencies, 95)),
        Row("hub POST requests.json", "hub CPU per post, 4 processes (baseline: 1 process)",
            four.cpu_per_post["hubs"], "ms", one.cpu_per_post["hubs"]),
    ]
    cores = len(os.sched_getaffinity(0))
    notes = [f"PostgreSQL durable (fsync, synchronous_commit on), one fresh database each; "
             f"best of {rounds} alternating round(s); {cores} cores",
             "every round, posts/s: " + "; ".join(
                 f"{n} process(es) " + ", ".join(f"{r:.0f}" for r in rates)
                 for n, rates in every.items()),
             f"p50 latency: 1 process {percentile(one.latencies, 50):.1f} ms, 4 processes "
             f"{percentile(four.latencies, 50):.1f} ms"]
    for label, got in (("1 process", one), ("4 processes", four)):
        parts = got.cpu_per_post
        total = sum(parts.values())
        notes.append(f"CPU per post, {label}: " + ", ".join(
            f"{part} {ms:.2f} ms" for part, ms in parts.items())
            + f"; {total:.2f} ms in all, so at most ~{cores * 1000 / total:.0f} posts/s "
            f"on {cores} cores")
    report(rows, options.json, notes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
