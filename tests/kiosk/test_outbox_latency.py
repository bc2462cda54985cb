"""How long a resident waits on "Send" for the durable commit: p50/p99 of 500 enqueues.

The figures depend on the disk's fsync latency, so the bound is loose; the point is to print
the numbers (`-s`) and to catch a regression by an order of magnitude.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from kiosk.outbox import Outbox
from tests.kiosk.open311_fake import make_submission

KEY = bytes(range(32))


def test_durable_enqueue_latency(tmp_path: Path, record_property: object) -> None:
    submissions = [make_submission() for _ in range(500)]
    timings = []
    with Outbox(tmp_path / "outbox.db", KEY) as box:
        for submission in submissions:
            started = time.perf_counter()
            box.enqueue(submission)
            timings.append(time.perf_counter() - started)
        assert box.depth() == 500
    cuts = statistics.quantiles(timings, n=100)
    p50, p99 = cuts[49] * 1000, cuts[98] * 1000
    print(f"\ndurable enqueue over 500: p50 {p50:.2f} ms, p99 {p99:.2f} ms, "
          f"max {max(timings) * 1000:.2f} ms")
    if callable(record_property):
        record_property("enqueue_p50_ms", round(p50, 3))
        record_property("enqueue_p99_ms", round(p99, 3))
    assert p99 < 500
