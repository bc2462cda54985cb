"""The relay against a loopback Open311 back office: delivery, retries, dead letters, logs."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.clock import FakeClock
from kiosk.outbox import (
    BASE_DELAY,
    MAX_DELAY,
    Open311Sender,
    Outbox,
    Relay,
    Sender,
    UnknownSubmission,
    backoff_delay,
)
from tests.kiosk.open311_fake import Open311Fake, Reply, make_submission

KEY = bytes(range(32))
CANARY = "CANARY-91c2-JOHN-SMITH-LS1"


class RecordingRandom:
    """A seeded random source that remembers every range it was asked for."""

    def __init__(self, seed: int = 7) -> None:
        self._random = random.Random(seed)
        self.ranges: list[tuple[float, float]] = []

    def uniform(self, a: float, b: float) -> float:
        self.ranges.append((a, b))
        return self._random.uniform(a, b)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def outbox(tmp_path: Path, clock: FakeClock) -> Iterator[Outbox]:
    with Outbox(tmp_path / "outbox.db", KEY, clock.epoch) as box:
        yield box


@pytest.fixture
def fake() -> Iterator[Open311Fake]:
    with Open311Fake() as server:
        yield server


@pytest.fixture
def no_sleeping(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(seconds: float) -> None:
        raise AssertionError(f"the relay slept {seconds} s of wall-clock time")

    monkeypatch.setattr(time, "sleep", refuse)


def _relay(outbox: Outbox, clock: FakeClock, senders: dict[str, Sender],
           rng: RecordingRandom | None = None, **options: float) -> Relay:
    return Relay(outbox, senders, clock.epoch, rng or RecordingRandom(), **options)  # type: ignore[arg-type]


def _sender(fake: Open311Fake, timeout: float = 5.0) -> Open311Sender:
    return Open311Sender(fake.url, "key", timeout_seconds=timeout)


def test_a_delivered_row_records_the_council_id(
    outbox: Outbox, clock: FakeClock, fake: Open311Fake
) -> None:
    submission = make_submission()
    outbox.enqueue(submission)
    [outcome] = _relay(outbox, clock, {"council": _sender(fake)}).deliver_due()
    assert outcome.delivered
    assert outcome.remote_id == "SR-00001"
    assert outcome.attempts == 1
    row = outbox.get(submission.submission_id)
    assert row is not None
    assert (row.state, row.remote_id, row.delivered_at, row.has_payload) == (
        "delivered", "SR-00001", clock.epoch(), False)
    assert outbox.depth() == 0


@pytest.mark.usefixtures("no_sleeping")
def test_failures_back_off_with_full_jitter_on_the_injected_clock(
    outbox: Outbox, clock: FakeClock, fake: Open311Fake
) -> None:
    fake.script(503, 503, 201)
    rng = RecordingRandom()
    relay = _relay(outbox, clock, {"council": _sender(fake)}, rng)
    submission = make_submission()
    outbox.enqueue(submission)
    schedule = []
    for attempt in range(3):
        [outcome] = relay.deliver_due()
        assert outcome.attempts == attempt + 1
        if outcome.delivered:
            break
        assert outcome.next_attempt_at is not None
        delay = outcome.next_attempt_at - clock.epoch()
        assert 0 <= delay <= min(MAX_DELAY, BASE_DELAY * 2**attempt)
        schedule.append(delay)
        if delay > 0:
            clock.advance(delay / 2)
            assert relay.deliver_due() == []  # not due yet: nothing sent
        clock.advance(delay)
    assert outcome.delivered
    assert rng.ranges == [(0.0, 2.0), (0.0, 4.0)]
    assert len(fake.received) == 3
    assert len(schedule) == 2


def test_the_backoff_is_capped() -> None:
    rng = RecordingRandom()
    for attempts in (0, 5, 9, 50, 10_000):
        assert 0 <= backoff_delay(attempts, rng) <= min(MAX_DELAY, BASE_DELAY * 2 ** min(
            attempts, 64))
    assert rng.ranges[-3:] == [(0.0, MAX_DELAY)] * 3


def test_retry_after_is_honoured_for_the_whole_destination(
    outbox: Outbox, clock: FakeClock, fake: Open311Fake
) -> None:
    fake.script(Reply(503, headers=(("Retry-After", "120"),)))
    relay = _relay(outbox, clock, {"council": _sender(fake)})
    first, second = make_submission(), make_submission()
    outbox.enqueue(first)
    [outcome] = relay.deliver_due()
    assert outcome.next_attempt_at == clock.epoch() + 120
    outbox.enqueue(second)
    clock.advance(60)
    assert relay.deliver_due() == []
    assert relay.deliver(second.submission_id).detail == "deferred"
    assert len(fake.received) == 1
    clock.advance(60)
    assert {o.state for o in relay.deliver_due()} == {"delivered"}


def test_a_rejected_row_is_dead_lettered_and_the_next_row_still_goes(
    outbox: Outbox, clock: FakeClock, fake: Open311Fake, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.script(400)  # the fake's error body echoes the whole form back
    rejected, behind = make_submission(text=CANARY), make_submission(text=CANARY)
    outbox.enqueue(rejected)
    outbox.enqueue(behind)
    outcomes = _relay(outbox, clock, {"council": _sender(fake)}).deliver_due()
    assert [(o.submission_id, o.state, o.detail) for o in outcomes] == [
        (rejected.submission_id, "dead", "http_400"),
        (behind.submission_id, "delivered", "http_201"),
    ]
    row = outbox.get(rejected.submission_id)
    assert row is not None
    assert (row.state, row.attempts, row.last_error) == (
        "dead", 1, "http_400")
    assert rejected.submission_id in caplog.text
    assert CANARY.lower() not in caplog.text.lower()


def test_a_timeout_is_retried(outbox: Outbox, clock: FakeClock, fake: Open311Fake) -> None:
    fake.script(Reply(201, delay=5.0))
    submission = make_submission()
    outbox.enqueue(submission)
    relay = _relay(outbox, clock, {"council": _sender(fake, timeout=0.2)})
    [outcome] = relay.deliver_due()
    assert (outcome.state, outcome.detail) == ("pending", "timeout")
    row = outbox.get(submission.submission_id)
    assert row is not None
    assert (row.attempts, row.last_error) == (1, "timeout")


def test_resending_after_a_lost_response_creates_no_duplicate(
    outbox: Outbox, clock: FakeClock, fake: Open311Fake
) -> None:
    fake.script(Reply(201, drop=True))  # stored, then the connection drops
    submission = make_submission()
    outbox.enqueue(submission)
    relay = _relay(outbox, clock, {"council": _sender(fake)})
    [lost] = relay.deliver_due()
    assert (lost.state, lost.detail, lost.ambiguous) == ("pending", "connection_lost", True)
    row = outbox.get(submission.submission_id)
    assert row is not None
    assert (row.ambiguous, row.in_flight) == (1, False)
    assert "may have arrived" in (row.last_reason or "")
    assert outbox.ambiguous_count() == 1
    clock.advance(MAX_DELAY)
    [resent] = relay.deliver_due()
    assert resent.delivered
    assert resent.remote_id == "SR-00001"
    assert len(fake.received) == 2
    assert fake.stored_keys() == [submission.submission_id]


def test_a_row_that_keeps_failing_is_dead_lettered_after_max_attempts(
    outbox: Outbox, clock: FakeClock, fake: Open311Fake
) -> None:
    fake.set_default(503)
    submission = make_submission()
    outbox.enqueue(submission)
    relay = _relay(outbox, clock, {"council": _sender(fake)}, max_attempts=3)
    states = []
    for _ in range(3):
        clock.advance(MAX_DELAY)
        states += [o.state for o in relay.deliver_due()]
    assert states == ["pending", "pending", "dead"]
    clock.advance(MAX_DELAY)
    assert relay.deliver_due() == []
    assert len(fake.received) == 3


def test_an_unknown_destination_is_dead_lettered_unsent(
    outbox: Outbox, clock: FakeClock, fake: Open311Fake
) -> None:
    outbox.enqueue(make_submission(destination="renamed"))
    [outcome] = _relay(outbox, clock, {"council": _sender(fake)}).deliver_due()
    assert (outcome.state, outcome.detail, outcome.attempts) == (
        "dead", "unknown_destination", 0)
    assert fake.received == []


def test_a_down_destination_costs_few_requests_per_pass_and_others_still_go(
    outbox: Outbox, clock: FakeClock
) -> None:
    with Open311Fake() as down, Open311Fake() as up:
        down.set_default(503)
        relay = _relay(outbox, clock, {"council": _sender(down), "other": _sender(up)},
                       probe_limit=2)
        for _ in range(4):
            outbox.enqueue(make_submission(destination="council"))
        other = make_submission(destination="other")
        outbox.enqueue(other)
        outcomes = relay.deliver_due()
        # A 5xx may be one row's fault, so one more row is tried before the pass gives up.
        assert [o.state for o in outcomes] == ["pending", "pending", "delivered"]
        assert len(down.received) == 2
        assert relay.health("council") == "failing"
        # The next pass probes with rows not yet tried; no row waits behind another.
        outcomes = relay.deliver_due()
        assert [o.attempts for o in outcomes] == [1, 1]
        assert len(down.received) == 4


def test_a_timeout_stops_the_pass_for_that_destination_at_once(
    outbox: Outbox, clock: FakeClock, fake: Open311Fake
) -> None:
    fake.set_default(Reply(201, delay=5.0))
    for _ in range(3):
        outbox.enqueue(make_submission())
    outcomes = _relay(outbox, clock, {"council": _sender(fake, timeout=0.2)}).deliver_due()
    assert [(o.state, o.detail) for o in outcomes] == [("pending", "timeout")]


def test_deliver_sends_one_row_now_whatever_its_schedule(
    outbox: Outbox, clock: FakeClock, fake: Open311Fake
) -> None:
    fake.script(503)
    submission = make_submission()
    outbox.enqueue(submission)
    relay = _relay(outbox, clock, {"council": _sender(fake)})
    assert relay.deliver(submission.submission_id).state == "pending"
    outcome = relay.deliver(submission.submission_id)  # not due, but asked for
    assert outcome.delivered
    assert outcome.attempts == 2
    again = relay.deliver(submission.submission_id)
    assert (again.state, again.detail, again.remote_id) == (
        "delivered", "already_delivered", outcome.remote_id)
    with pytest.raises(UnknownSubmission):
        relay.deliver("no-such-id")
    assert len(fake.received) == 2


def test_a_backwards_clock_jump_does_not_strand_a_row(
    outbox: Outbox, clock: FakeClock, fake: Open311Fake
) -> None:
    fake.script(503)
    outbox.enqueue(make_submission())
    relay = _relay(outbox, clock, {"council": _sender(fake)})
    relay.deliver_due()
    clock.step_wall(-86_400)  # NTP corrects a clock that ran a day fast
    assert [o.state for o in relay.deliver_due()] == ["delivered"]


def test_health_changes_are_logged_once_each(
    outbox: Outbox, clock: FakeClock, fake: Open311Fake, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="kiosk.outbox")
    fake.script(503, 503, 503, 403, 403, 201)
    relay = _relay(outbox, clock, {"council": _sender(fake)})
    for _ in range(6):
        outbox.enqueue(make_submission(text=CANARY))
        clock.advance(MAX_DELAY * 2)
        relay.deliver_due()
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        "destination council unavailable (http_503); submissions are kept and retried",
        "destination council refuses our credentials (http_403_api_key): check its api_key in the "
        "profile; submissions are kept and retried",
        "destination council recovered",
    ]
    assert relay.health("council") == "up"
    assert CANARY not in caplog.text


def test_a_sender_that_raises_does_not_stop_the_queue(
    outbox: Outbox, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken:
        def send(self, submission: object) -> None:
            raise ValueError(f"bad {submission}")

    outbox.enqueue(make_submission(text=CANARY))
    relay = _relay(outbox, clock, {"council": Broken()})  # type: ignore[dict-item]
    [outcome] = relay.deliver_due()
    assert (outcome.state, outcome.detail) == ("pending", "sender_error")
    assert "raised ValueError" in caplog.text
    assert CANARY not in caplog.text
