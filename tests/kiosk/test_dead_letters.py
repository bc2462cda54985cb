"""Dead letters staff and IT can act on: list, history, requeue, discard, retention expiry,
the relay socket's view of them, and what remains on disk afterwards."""

from __future__ import annotations

import logging
import random
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kiosk.clock import FakeClock
from kiosk.outbox import Outbox, Relay, RelayClient, RelayService, SendResult
from kiosk.outbox.dead_letters import HISTORY_PER_ROW, discard_row
from kiosk.outbox.retention import DAY, Retention, expired_reason
from kiosk.submission import Submission
from tests.kiosk.delivery_helpers import CANARY, missed_bin
from tests.kiosk.remanence import encodings, traces

KEY = bytes(range(32))


class Scripted:
    """A sender answering from a script (then delivering), recording what it was given."""

    def __init__(self, *results: SendResult) -> None:
        self.results = list(results)
        self.sent: list[str] = []
        self.gate: threading.Event | None = None
        self.entered = threading.Event()

    def send(self, submission: Submission) -> SendResult:
        self.entered.set()
        if self.gate is not None:
            assert self.gate.wait(10)
        self.sent.append(submission.reference)
        return self.results.pop(0) if self.results else SendResult("delivered", "http_201", 201)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def outbox(tmp_path: Path, clock: FakeClock) -> Iterator[Outbox]:
    with Outbox(tmp_path / "outbox.db", KEY, clock.epoch) as box:
        yield box


def _dead(outbox: Outbox, reason: str = "http_400 service code unknown") -> Submission:
    submission = missed_bin()
    outbox.enqueue(submission)
    outbox.mark_retry(submission.submission_id, next_attempt_at=0, error="http_503 Unavailable")
    outbox.mark_dead(submission.submission_id, error=reason)
    return submission


def _blob(outbox: Outbox, submission: Submission) -> bytes:
    with sqlite3.connect(outbox.path) as conn:
        (payload,) = conn.execute("SELECT payload FROM outbox WHERE submission_id = ?",
                                  (submission.submission_id,)).fetchone()
    assert isinstance(payload, bytes)
    return payload


def test_a_dead_letter_is_listed_with_its_service_and_history(
    outbox: Outbox, clock: FakeClock
) -> None:
    waiting = missed_bin()
    outbox.enqueue(waiting)
    clock.advance(60)
    dead = _dead(outbox)
    [letter] = outbox.dead_letters()
    assert (letter.reference, letter.service_id, letter.destination, letter.last_error) == (
        dead.reference, "missed-bin", "council", "http_400 service code unknown")
    assert letter.dead_at == clock.epoch()
    assert letter.has_payload
    assert outbox.find(dead.reference) == letter
    assert [r.reference for r in outbox.rows()] == [waiting.reference, dead.reference]
    assert [(h.event, h.detail) for h in outbox.history(dead.submission_id)] == [
        ("accepted", None), ("retry", "http_503 Unavailable"),
        ("dead", "http_400 service code unknown")]


def test_history_keeps_only_the_newest_entries(outbox: Outbox) -> None:
    submission = missed_bin()
    outbox.enqueue(submission)
    for attempt in range(HISTORY_PER_ROW + 5):
        outbox.mark_retry(submission.submission_id, next_attempt_at=0, error=f"try {attempt}")
    history = outbox.history(submission.submission_id)
    assert len(history) == HISTORY_PER_ROW
    assert history[-1].detail == f"try {HISTORY_PER_ROW + 4}"


def test_requeue_puts_a_dead_letter_back_with_its_attempts_reset(
    outbox: Outbox, clock: FakeClock
) -> None:
    dead = _dead(outbox)
    clock.advance(3600)
    assert outbox.requeue(dead.reference) == "requeued"
    row = outbox.find(dead.reference)
    assert row is not None
    assert (row.state, row.attempts, row.next_attempt_at, row.last_error, row.dead_at) == (
        "pending", 0, clock.epoch(), None, None)
    assert outbox.history(dead.submission_id)[-1].event == "requeued"
    sender = Scripted()
    [outcome] = Relay(outbox, {"council": sender}, clock.epoch, random.Random(1)).deliver_due()
    assert outcome.state == "delivered"
    assert sender.sent == [dead.reference]


def test_requeue_refuses_what_is_not_a_dead_letter(outbox: Outbox) -> None:
    waiting = missed_bin()
    outbox.enqueue(waiting)
    assert outbox.requeue(waiting.reference) == "not_dead"
    assert outbox.requeue("ZZ9ZZ9ZZ") == "unknown"
    gone = _dead(outbox)
    assert outbox.discard(gone.reference) == "discarded"
    assert outbox.requeue(gone.reference) == "erased"


def test_discard_destroys_the_payload_and_leaves_nothing_in_any_file(outbox: Outbox) -> None:
    dead = _dead(outbox)
    ciphertext = _blob(outbox, dead)
    assert outbox.counts()["dead"] == 1
    assert outbox.discard(dead.reference) == "discarded"
    row = outbox.find(dead.reference)
    assert row is not None
    assert (row.state, row.has_payload) == ("dead", False)
    assert row.discarded_at is not None
    assert row.erased_at is not None
    assert outbox.dead_letters() == []
    assert outbox.counts()["dead"] == 0
    assert outbox.discard(dead.reference) == "already_discarded"
    needles = [*encodings(CANARY), ciphertext[12:44]]
    assert traces(outbox.path, needles) == []


def test_discard_refuses_a_row_still_being_delivered(outbox: Outbox) -> None:
    waiting = missed_bin()
    outbox.enqueue(waiting)
    assert outbox.discard(waiting.reference) == "not_dead"
    assert outbox.discard("ZZ9ZZ9ZZ") == "unknown"
    assert outbox.open_payload(waiting.submission_id) == waiting


def test_an_erasure_cut_short_is_finished_when_the_outbox_is_next_opened(
    tmp_path: Path, clock: FakeClock
) -> None:
    with Outbox(tmp_path / "outbox.db", KEY, clock.epoch) as box:
        dead = _dead(box)
        ciphertext = _blob(box, dead)
    # Step one only (the blob overwritten, the row marked), as if the process died then.
    conn = sqlite3.connect(tmp_path / "outbox.db", isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    assert discard_row(conn, dead.reference, clock.epoch()) == "discarded"
    conn.execute("COMMIT")
    conn.close()
    with Outbox(tmp_path / "outbox.db", KEY, clock.epoch) as box:
        row = box.find(dead.reference)
        assert row is not None
        assert not row.has_payload
        assert traces(box.path, [ciphertext[12:44], *encodings(CANARY)]) == []


def test_retention_expires_old_undelivered_rows_and_destroys_them(
    outbox: Outbox, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    old_waiting, old_dead = missed_bin(), _dead(outbox)
    outbox.enqueue(old_waiting)
    delivered = missed_bin()
    outbox.enqueue(delivered)
    outbox.mark_delivered(delivered.submission_id, remote_id="SR-1", remote_token=None)
    blobs = [_blob(outbox, s)[12:44] for s in (old_waiting, old_dead)]
    clock.advance(29 * DAY)
    recent = missed_bin()
    outbox.enqueue(recent)
    clock.advance(1 * DAY + 1)
    retention = Retention(outbox, 30, clock=clock.epoch, monotonic=clock.monotonic)
    with caplog.at_level(logging.ERROR):
        expired = retention.run()
    assert sorted(expired) == sorted([old_waiting.reference, old_dead.reference])
    for submission in (old_waiting, old_dead):
        row = outbox.find(submission.reference)
        assert row is not None
        assert (row.state, row.has_payload, row.last_error) == (
            "dead", False, expired_reason(30))
        assert row.expired
        assert outbox.history(submission.submission_id)[-1].event == "expired"
    recent_row = outbox.find(recent.reference)
    assert recent_row is not None
    assert (recent_row.state, recent_row.has_payload) == ("pending", True)
    assert outbox.find(delivered.reference).state == "delivered"  # type: ignore[union-attr]
    assert outbox.expired_count() == 2
    # One alert line naming the references, nothing of what the residents typed.
    [line] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert old_waiting.reference in line
    assert old_dead.reference in line
    assert CANARY not in line
    assert traces(outbox.path, [*encodings(CANARY), *blobs]) == []
    # An expired row cannot be retried; IT dismisses it, and the alert goes.
    assert outbox.requeue(old_dead.reference) == "erased"
    assert outbox.discard(old_dead.reference) == "discarded"
    assert outbox.expired_count() == 1


def test_retention_runs_after_passes_at_most_every_ten_minutes(
    outbox: Outbox, clock: FakeClock
) -> None:
    ticks = [0.0]
    retention = Retention(outbox, 30, clock=clock.epoch, monotonic=lambda: ticks[0])
    outbox.enqueue(first := missed_bin())
    clock.advance(31 * DAY)
    retention.after_pass([])
    assert outbox.expired_count() == 1
    outbox.enqueue(second := missed_bin())
    clock.advance(31 * DAY)
    ticks[0] += 599
    retention.after_pass([])  # too soon after the last run: nothing happens
    assert outbox.find(second.reference).state == "pending"  # type: ignore[union-attr]
    ticks[0] += 1
    retention.after_pass([])
    assert outbox.find(second.reference).expired  # type: ignore[union-attr]
    assert outbox.find(first.reference).expired  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="at least one day"):
        Retention(outbox, 0)


@contextmanager
def _serving(outbox: Outbox, sender: Scripted) -> Iterator[RelayService]:
    relay = Relay(outbox, {"council": sender}, time.time, random.Random(1))
    service = RelayService(relay, outbox.path.parent / "relay.sock", interval_seconds=3600)
    service.start()
    try:
        yield service
    finally:
        service.stop(10)


def _wait_for(condition: object, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


def test_the_relay_status_lists_dead_letters_bounded_and_counts_them_all(
    tmp_path: Path,
) -> None:
    with Outbox(tmp_path / "outbox.db", KEY) as outbox:
        dead = [_dead(outbox, reason=f"http_400 bad {i}\n<b>html</b>") for i in range(12)]
        with _serving(outbox, Scripted()):
            status = RelayClient(tmp_path / "relay.sock").status()
    assert status.dead_total == 12
    assert len(status.dead_letters) == 10
    first = status.dead_letters[0]
    assert (first.reference, first.service, first.destination, first.retryable) == (
        dead[0].reference, "missed-bin", "council", True)
    assert first.reason == "http_400 bad 0 <b>html</b>"  # one line, as stored, bounded


def test_it_retries_a_dead_letter_through_the_relay_and_it_is_sent_at_once(
    tmp_path: Path,
) -> None:
    with Outbox(tmp_path / "outbox.db", KEY) as outbox:
        dead = _dead(outbox)
        sender = Scripted()
        with _serving(outbox, sender):
            client = RelayClient(tmp_path / "relay.sock")
            assert client.retry("ZZ9ZZ9ZZ") == "unknown"
            assert client.retry(dead.reference) == "requeued"
            # The hour-long interval would hold it; the kick sends it now.
            _wait_for(lambda: outbox.counts()["delivered"] == 1)
            assert client.retry(dead.reference) == "not_dead"
            assert client.status().dead_total == 0
        assert sender.sent == [dead.reference]


def test_another_process_acting_on_dead_letters_does_not_confuse_the_relay(
    tmp_path: Path,
) -> None:
    """`kiosk outbox` opens its own connection while the relay is mid-send: each change is one
    conditional update, so both see a consistent file and nothing is sent twice or lost."""
    with Outbox(tmp_path / "outbox.db", KEY) as outbox:
        to_retry, to_discard = _dead(outbox), _dead(outbox)
        sending = missed_bin()
        outbox.enqueue(sending)
        sender = Scripted()
        sender.gate = threading.Event()
        with _serving(outbox, sender) as service:  # its first pass starts at once
            assert sender.entered.wait(10)  # the relay is inside send() for `sending`
            with Outbox(tmp_path / "outbox.db", KEY) as other:  # as the CLI opens it
                assert other.requeue(to_retry.reference) == "requeued"
                assert other.discard(to_discard.reference) == "discarded"
                assert other.requeue(sending.reference) == "not_dead"
            sender.gate.set()
            service.worker.kick()  # the next pass takes the requeued one
            _wait_for(lambda: outbox.counts()["delivered"] == 2)
        assert sorted(sender.sent) == sorted([sending.reference, to_retry.reference])
        discarded = outbox.find(to_discard.reference)
        assert discarded is not None
        assert discarded.discarded_at is not None
        with sqlite3.connect(outbox.path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
