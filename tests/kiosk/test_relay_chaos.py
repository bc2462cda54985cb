"""The relay through a chaos proxy to the real hub: 500/502/503, Retry-After, timeouts,
resets before and after the body, HTML error pages. Every good row arrives exactly once (the
hub honours Idempotency-Key), the row the server always refuses becomes a dead letter after N
strikes with a readable reason, and every retry is scheduled within the backoff bounds on a
fake clock."""

from __future__ import annotations

import random
import sqlite3
import threading
from collections import Counter
from pathlib import Path

from kiosk.clock import FakeClock
from kiosk.outbox import BASE_DELAY, MAX_DELAY, Open311Sender, Outbox, Relay
from kiosk.reference import new_reference
from tests.hub_server import running_hub
from tests.kiosk.chaos_proxy import ChaosProxy, Fault, Head
from tests.kiosk.missed_bin_reports import answers, demo_service, report
from tests.kiosk.test_relay import RecordingRandom

KEY = bytes(range(32))
POISON = "POISON23"
POISON_AFTER = 5
RETRY_AFTERS = (1, 2, 3)
MAX_TIMEOUTS = 4


class Plan:
    """Seeded faults: the poison row always gets a 500; the others a mix, a third passing.

    A good row gets at most POISON_AFTER - 1 server errors: one unlucky enough to get as many
    as the poison row, while others go through, would rightly be judged poison too.
    """

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self.timeouts = 0
        self.server_errors: Counter[str] = Counter()

    def __call__(self, head: Head) -> Fault:
        if head.reference == POISON:
            return Fault("500")
        with self._lock:
            if self._random.random() < 0.35:
                return Fault("pass")
            choices: list[Fault] = [Fault("reset_before"), Fault("reset_after"),
                                    Fault("reset_after"),
                                    Fault("503", self._random.choice(RETRY_AFTERS))]
            if self.server_errors[head.reference] < POISON_AFTER - 1:
                choices += [Fault("500"), Fault("502"), Fault("503")]
            if self.timeouts < MAX_TIMEOUTS:
                choices.append(Fault("timeout"))
            fault = self._random.choice(choices)
            if fault.kind == "timeout":
                self.timeouts += 1
            if fault.kind in ("500", "502") or (fault.kind == "503" and not fault.retry_after):
                self.server_errors[head.reference] += 1
            return fault


def test_good_rows_arrive_once_and_the_poison_row_is_dead_lettered(tmp_path: Path) -> None:
    clock = FakeClock()
    rng = RecordingRandom(11)
    with running_hub(tmp_path / "hub") as hub, \
            ChaosProxy(("127.0.0.1", hub.port), Plan(5), clock.epoch) as proxy, \
            Outbox(tmp_path / "outbox.db", KEY, clock.epoch) as box:
        sender = Open311Sender(proxy.url, hub.api_key, timeout_seconds=0.5)
        relay = Relay(box, {"council": sender}, clock.epoch, rng, poison_after=POISON_AFTER,
                      max_attempts=1000)
        poison = report(demo_service(), answers(), reference=POISON)
        box.enqueue(poison)
        good: list[str] = []
        schedule_checked = 0
        for _ in range(400):
            poison_row = box.get(poison.submission_id)
            assert poison_row is not None
            if poison_row.state == "pending" and len(good) < 60:
                reference = new_reference()
                box.enqueue(report(demo_service(), answers(), reference=reference))
                good.append(reference)  # the kiosk keeps taking reports meanwhile
            elif box.depth() == 0:
                break
            now = clock.epoch()
            for outcome in relay.deliver_due():
                if outcome.state != "pending":
                    continue
                assert outcome.next_attempt_at is not None
                delay = outcome.next_attempt_at - now
                bound = min(MAX_DELAY, BASE_DELAY * 2 ** (outcome.attempts - 1))
                # Full jitter, unless a Retry-After asked for longer.
                assert 0 <= delay <= bound or delay in RETRY_AFTERS, (delay, bound, outcome)
                schedule_checked += 1
            waiting = [r.next_attempt_at for r in box.pending_due(float("inf"))
                       if r.next_attempt_at is not None]
            clock.advance(max(0.5, min(waiting, default=now) - now))
        proxy_log = proxy.seen
        rows = {ref: box.get(sid) for ref, sid in _sids(box).items()}
        with sqlite3.connect(tmp_path / "hub" / "hub.db") as conn:
            stored = Counter(ref for (ref,) in conn.execute(
                "SELECT kiosk_reference FROM service_requests"))

    # Every good row was delivered, and the hub holds each exactly once.
    undelivered = {ref: rows[ref] for ref in good
                   if rows[ref] is None or rows[ref].state != "delivered"}  # type: ignore[union-attr]
    assert undelivered == {}
    assert stored == Counter(good)
    # The poison row: refused every time, dead after 5 strikes, with the server's reason.
    dead = rows[POISON]
    assert dead is not None
    assert (dead.state, dead.last_error, dead.poison_strikes) == ("dead", "poison", 5)
    assert dead.last_reason == (
        "Refused with a server error 5 times while other reports to council were delivered, "
        "so the fault is in this report: Server error at the back office (HTTP 500; an HTML "
        "page titled \"500 Internal Server Error\")")
    # Every fault was exercised, and each answer lost after the body counted as ambiguous.
    kinds = Counter(s.fault.kind for s in proxy_log if s.reference != POISON)
    assert set(kinds) >= {"pass", "500", "502", "503", "timeout", "reset_before", "reset_after"}
    lost_after_body = kinds["reset_after"] + kinds["timeout"]
    assert sum(r.ambiguous for r in rows.values() if r is not None) >= lost_after_body
    assert schedule_checked > 20
    assert all(low == 0.0 for low, _ in rng.ranges)
    # Retry-After held the whole destination: nothing went out before it ran out, but the
    # requests already in flight beside it (same pass, at most concurrency - 1 of them).
    for index, entry in enumerate(proxy_log):
        if entry.fault.retry_after:
            until = entry.time + entry.fault.retry_after
            early = [later for later in proxy_log[index + 1:] if later.time < until]
            assert len(early) < sender.concurrency, (entry, early)
            assert all(later.time == entry.time for later in early), (entry, early)


def _sids(box: Outbox) -> dict[str, str]:
    conn = sqlite3.connect(box.path)
    try:
        return dict(conn.execute("SELECT reference, submission_id FROM outbox").fetchall())
    finally:
        conn.close()
