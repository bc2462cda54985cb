"""Benchmark: a backlog of 10,000 reports drained to the hub after an outage, against bare
POSTs of the same reports to the same hub in the same run.

The kiosk side: the real outbox (SQLite file, WAL, synchronous=FULL, AES-GCM per row) filled
with 10,000 missed-bin reports while the back office is down; one relay pass against the dead
address (connection refused: one attempt, every other row waits, as in production); then the
real hub (`python -m hub`, SQLite) comes up on 127.0.0.1 and one `Relay` drains the backlog
through `Open311Sender`. Each row costs what production pays: decrypt, the durable "sending"
mark, the POST with its Idempotency-Key, the hub's own commit, the delivered mark with the
payload erased, the reference map row, and a truncating WAL checkpoint. The figure is rows
per second from the hub coming back to the outbox being empty, with the profile's default of
4 requests in flight once the hub has accepted one (`--parallel 1`: one at a time).

Memory: the relay reads due rows a page at a time, so its process must not grow with the
backlog. RSS is sampled every 50 ms during the drain; the peak's growth over the RSS before
the drain is printed.

The baseline: bare `requests` POSTs of the same forms (fresh references) on a kept-alive
session to the same hub, 1,000 before and 1,000 after the drain (the hub's table grows, so
both ends are measured), with no outbox around them.
"""

from __future__ import annotations

import random
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from benchlib import MIB, Row, arguments, filesystem, report, rss_bytes, use_repo_imports

if TYPE_CHECKING:
    from kiosk.submission import Submission

GOAL_ROWS_PER_S = 200.0
GOAL_GROWTH_MIB = 32.0


def submission(reference: str) -> Submission:
    from kiosk.submission import Submission

    return Submission(
        submission_id=uuid.uuid4().hex, reference=reference, service_id="missed-bin",
        service_version=1, created_at="2026-11-23T10:00:00+00:00", destination="council",
        service_code="MISSED_BIN",
        attributes={"bin_type": "general", "collection_date": "2026-11-20",
                    "contact_method": "email"},
        fields={"address_string": "14, DE99 1AB", "description": "By the side gate. " * 4,
                "email": "resident@example.org"},
    )


class PeakRss:
    """Samples this process's RSS on a thread until stopped."""

    def __init__(self) -> None:
        self.peak = rss_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, rss_bytes())

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())


def bare_rate(url: str, api_key: str, count: int, make_reference: object) -> float:
    import requests

    from kiosk.outbox import Open311Sender

    sender = Open311Sender(url, api_key)
    forms = [sender.form(submission(make_reference())) for _ in range(count)]  # type: ignore[operator]
    with requests.Session() as session:
        started = time.perf_counter()
        for form in forms:
            response = session.post(f"{url}/requests.json", data=form, timeout=30)
            if response.status_code != 200:
                raise RuntimeError(f"the hub refused a bare POST: {response.status_code}")
        return count / (time.perf_counter() - started)


def main() -> int:
    parser = arguments(__doc__ or "")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--bare", type=int, default=1_000)
    parser.add_argument("--parallel", type=int, default=4,
                        help="requests in flight once the hub is up (parallel_requests)")
    options = parser.parse_args()
    count, bare = (300, 100) if options.quick else (options.count, options.bare)
    use_repo_imports()
    from kiosk.outbox import Open311Sender, Outbox, Relay, load_or_create_key
    from kiosk.reference import new_reference
    from tests.hub_server import free_port, running_hub

    with tempfile.TemporaryDirectory(prefix="bench-backlog-") as tmp:
        where = Path(tmp)
        key = load_or_create_key(where / "outbox.key")
        with Outbox(where / "outbox.db", key) as box:
            rss_start = rss_bytes()
            started = time.perf_counter()
            for _ in range(count):
                box.enqueue(submission(new_reference()))
            enqueue_s = time.perf_counter() - started
            rss_queued = rss_bytes()
            dead = Open311Sender(f"http://127.0.0.1:{free_port()}/open311/v2", "k",
                                 timeout_seconds=2)
            outage = Relay(box, {"council": dead}, time.time, random.Random(1))
            tried = len(outage.deliver_due())
            with running_hub(where / "hub") as hub:
                bare_before = bare_rate(hub.open311_url, hub.api_key, bare, new_reference)
                sender = Open311Sender(hub.open311_url, hub.api_key, timeout_seconds=30,
                                       concurrency=options.parallel)
                relay = Relay(box, {"council": sender}, time.time, random.Random(2),
                              base_delay=0.05, max_delay=1.0, max_attempts=1000)
                passes = 0
                with PeakRss() as peak:
                    started = time.perf_counter()
                    while box.depth() and passes < 10_000:
                        relay.deliver_due()
                        passes += 1
                    drain_s = time.perf_counter() - started
                bare_after = bare_rate(hub.open311_url, hub.api_key, bare, new_reference)
            counts = box.counts()
            rss_end = rss_bytes()
        disk = filesystem(where)
    if counts["delivered"] != count:
        raise RuntimeError(f"drained {counts}, expected {count} delivered")
    rate = count / drain_s
    baseline = (bare_before + bare_after) / 2
    growth = (peak.peak - rss_queued) / MIB
    rows = [
        Row("outbox backlog", f"{count} rows drained after an outage "
            f"({options.parallel} in flight)", rate, "rows/s", baseline,
            goal=f"≥ {GOAL_ROWS_PER_S:.0f} rows/s", met=rate >= GOAL_ROWS_PER_S),
        Row("outbox backlog", "relay RSS growth while draining (peak − before)", growth, "MiB",
            goal=f"≤ {GOAL_GROWTH_MIB:.0f} MiB", met=growth <= GOAL_GROWTH_MIB),
    ]
    notes = [
        f"baseline: bare requests POSTs of the same forms to the same hub, kept-alive session, "
        f"{bare} before ({bare_before:.0f} rows/s) and {bare} after ({bare_after:.0f} rows/s) "
        "the drain",
        f"outage pass: {tried} attempt(s) against a refused port, the other {count - tried} "
        f"rows waited; drain: {drain_s:.1f} s in {passes} pass(es)",
        f"enqueue of the backlog: {enqueue_s:.1f} s ({count / enqueue_s:.0f} rows/s)",
        f"RSS: {rss_start / MIB:.1f} MiB at start, {rss_queued / MIB:.1f} MiB queued, peak "
        f"{peak.peak / MIB:.1f} MiB while draining, {rss_end / MIB:.1f} MiB after",
        f"outbox and hub databases on {disk}",
    ]
    report(rows, options.json, notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
