"""Property: whatever the order of submits, outages, lost responses and restarts, every
accepted submission reaches the council exactly once (given Idempotency-Key), none is lost."""

from __future__ import annotations

import random
import shutil
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from kiosk.clock import FakeClock
from kiosk.outbox import MAX_DELAY, Open311Sender, Outbox, Relay
from kiosk.submission import Submission
from tests.kiosk.open311_fake import Open311Fake, Reply, make_submission

KEY = bytes(range(32))
SERVER_MODES = {
    "up": Reply(201),
    "down": Reply(503),
    "busy": Reply(503, headers=(("Retry-After", "90"),)),
    "locked out": Reply(403),
    "loses responses": Reply(201, drop=True),  # stores the request, then hangs up
}


class OutboxMachine(RuleBasedStateMachine):
    root: Path  # set by the test, per run

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(dir=self.root))
        self.fake = Open311Fake().__enter__()
        self.clock = FakeClock()
        self.accepted: dict[str, Submission] = {}
        self._open()

    def _open(self) -> None:
        self.outbox = Outbox(self.folder / "outbox.db", KEY, self.clock.epoch)
        self.sender = Open311Sender(self.fake.url, "key", timeout_seconds=5)
        # Never dead-letter in this model: an outage must not lose anything.
        self.relay = Relay(self.outbox, {"council": self.sender}, self.clock.epoch,
                           random.Random(0), max_attempts=10**6)

    def _close(self) -> None:
        self.sender.close()
        self.outbox.close()

    @rule()
    def submit(self) -> None:
        submission = make_submission()
        assert not self.outbox.enqueue(submission).duplicate
        self.accepted[submission.submission_id] = submission

    @rule(data=st.data())
    def tap_submit_again(self, data: st.DataObject) -> None:
        if self.accepted:
            sid = data.draw(st.sampled_from(sorted(self.accepted)))
            again = self.outbox.enqueue(self.accepted[sid])
            assert again.duplicate
            assert again.reference == self.accepted[sid].reference

    @rule(mode=st.sampled_from(sorted(SERVER_MODES)))
    def server_becomes(self, mode: str) -> None:
        self.fake.set_default(SERVER_MODES[mode])

    @rule(seconds=st.floats(min_value=0, max_value=2 * MAX_DELAY))
    def time_passes_and_relay_runs(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.relay.deliver_due()

    @rule(data=st.data())
    def send_straight_after_submit(self, data: st.DataObject) -> None:
        if self.accepted:
            self.relay.deliver(data.draw(st.sampled_from(sorted(self.accepted))))

    @rule()
    def restart(self) -> None:
        self._close()
        self._open()

    @invariant()
    def nothing_lost_nothing_doubled(self) -> None:
        stored = Counter(self.fake.stored_keys())
        assert set(stored) <= set(self.accepted)
        assert all(n == 1 for n in stored.values()), stored
        pending = 0
        for sid in self.accepted:
            row = self.outbox.get(sid)
            assert row is not None, sid
            assert row.state in ("pending", "delivered"), row
            if row.state == "delivered":
                assert row.remote_id is not None
                assert not row.has_payload
                assert self.fake.service_requests[row.remote_id].idempotency_key == sid
            pending += row.state == "pending"
        assert self.outbox.depth() == pending

    def teardown(self) -> None:
        try:
            self.fake.set_default(Reply(201))
            for _ in range(3):  # the outage ends: everything goes within a few passes
                self.clock.advance(3600 + MAX_DELAY)
                self.relay.deliver_due()
            assert self.outbox.depth() == 0
            assert Counter(self.fake.stored_keys()) == Counter(list(self.accepted))
        finally:
            self._close()
            self.fake.__exit__(None, None, None)
            shutil.rmtree(self.folder, ignore_errors=True)


def test_every_accepted_submission_is_delivered_exactly_once(tmp_path: Path) -> None:
    class Machine(OutboxMachine):
        root = tmp_path

    run_state_machine_as_test(
        Machine,
        settings=settings(max_examples=40, stateful_step_count=30, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow]),
    )
