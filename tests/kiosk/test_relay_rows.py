"""The relay's judgement of single rows: poison rows, ambiguous outcomes, what a 400 says
about a destination, tokens, and the reference map that outlives rows."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.clock import FakeClock
from kiosk.outbox import MAX_DELAY, Open311Sender, Outbox, Relay, RemoteRef, Sender
from kiosk.submission import Submission
from tests.kiosk.council_server import CouncilServer
from tests.kiosk.open311_fake import Open311Fake, Reply, make_submission
from tests.kiosk.test_relay import RecordingRandom

KEY = bytes(range(32))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def outbox(tmp_path: Path, clock: FakeClock) -> Iterator[Outbox]:
    with Outbox(tmp_path / "outbox.db", KEY, clock.epoch) as box:
        yield box


def _relay(outbox: Outbox, clock: FakeClock, senders: dict[str, Sender], **options: int
           ) -> Relay:
    return Relay(outbox, senders, clock.epoch, RecordingRandom(), **options)  # type: ignore[arg-type]


class PoisonFake(Open311Fake):
    """Answers 500 (an HTML page) to one reference, 201 to every other."""

    def __init__(self, poison: str) -> None:
        super().__init__()
        self.poison = poison

    def _handle(self, path: str, form: dict[str, list[str]],
                headers: dict[str, str]) -> tuple[Reply, str | None]:
        if form.get("attribute[kiosk_reference]") == [self.poison]:
            self.script(Reply(500, body=b"<html><title>Internal Server Error</title></html>",
                              content_type="text/html"))
        return super()._handle(path, form, headers)


def _stream(outbox: Outbox, relay: Relay, clock: FakeClock, passes: int) -> list[str]:
    """Each pass: a new good report arrives, time moves on, the relay runs."""
    states: list[str] = []
    for _ in range(passes):
        outbox.enqueue(make_submission())
        clock.advance(MAX_DELAY)
        states += [o.state for o in relay.deliver_due()]
    return states


def test_a_row_that_keeps_getting_500_while_others_go_is_poison(
        outbox: Outbox, clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="kiosk.outbox")
    poison = make_submission(reference="POISON01")
    with PoisonFake("POISON01") as fake:
        relay = _relay(outbox, clock, {"council": Open311Sender(fake.url, "k")}, poison_after=3)
        outbox.enqueue(poison)
        _stream(outbox, relay, clock, 5)
        row = outbox.get(poison.submission_id)
        assert row is not None
        assert (row.state, row.last_error, row.poison_strikes) == ("dead", "poison", 3)
        assert row.attempts == 3
        assert row.last_reason == (
            "Refused with a server error 3 times while other reports to council were "
            "delivered, so the fault is in this report: Server error at the back office "
            "(HTTP 500; an HTML page titled \"Internal Server Error\")")
        poison_posts = [r for r in fake.received
                        if r.form["attribute[kiosk_reference]"] == ["POISON01"]]
        assert len(poison_posts) == 3
    assert outbox.counts() == {"pending": 0, "delivered": 5, "dead": 1}
    # The destination was never said to be down for it.
    assert relay.health("council") == "up"
    assert "unavailable" not in caplog.text
    assert "recovered" not in caplog.text
    assert "dead-lettered as poison after 3 server errors" in caplog.text


def test_server_errors_for_every_row_are_an_outage_not_poison(
        outbox: Outbox, clock: FakeClock) -> None:
    with Open311Fake() as fake:
        fake.set_default(500)
        relay = _relay(outbox, clock, {"council": Open311Sender(fake.url, "k")}, poison_after=2)
        states = _stream(outbox, relay, clock, 6)
        assert "dead" not in states
        assert relay.health("council") == "failing"
        fake.set_default(201)
        clock.advance(MAX_DELAY)
        assert {o.state for o in relay.deliver_due()} == {"delivered"}
    assert outbox.counts()["delivered"] == 6


def test_a_poison_row_sent_at_once_after_send_gets_a_strike_without_a_pass(
        outbox: Outbox, clock: FakeClock) -> None:
    with PoisonFake("POISON02") as fake:
        relay = _relay(outbox, clock, {"council": Open311Sender(fake.url, "k")}, poison_after=2)
        good = make_submission()
        outbox.enqueue(good)
        assert relay.deliver(good.submission_id).delivered
        poison = make_submission(reference="POISON02")
        outbox.enqueue(poison)
        first = relay.deliver(poison.submission_id)
        assert (first.state, first.detail) == ("pending", "http_500")
        assert relay.health("council") == "up"
        second = relay.deliver(poison.submission_id)
        assert (second.state, second.detail) == ("dead", "poison")


def test_a_400_does_not_say_the_destination_recovered(
        outbox: Outbox, clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="kiosk.outbox")
    with Open311Fake() as fake:
        fake.script(503, 400, 201)
        relay = _relay(outbox, clock, {"council": Open311Sender(fake.url, "k")})
        waiting, refused = make_submission(), make_submission()
        outbox.enqueue(waiting)
        assert [o.detail for o in relay.deliver_due()] == ["http_503"]
        outbox.enqueue(refused)
        assert relay.deliver(refused.submission_id).state == "dead"
        assert relay.health("council") == "failing"
        assert "recovered" not in caplog.text
        clock.advance(MAX_DELAY)
        assert [o.state for o in relay.deliver_due()] == ["delivered"]
    messages = [r.getMessage() for r in caplog.records if "destination" in r.getMessage()]
    assert messages == [
        "destination council unavailable (http_503); submissions are kept and retried",
        "destination council recovered",
    ]


def test_a_mark_left_by_a_killed_relay_makes_the_next_attempt_ambiguous(
        tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "outbox.db"
    submission = make_submission()
    with Outbox(path, KEY, clock.epoch) as box:
        box.enqueue(submission)
        assert box.mark_sending(submission.submission_id) is False  # then the relay dies
    with Outbox(path, KEY, clock.epoch) as box, Open311Fake() as fake:
        row = box.get(submission.submission_id)
        assert row is not None
        assert row.in_flight
        relay = _relay(box, clock, {"council": Open311Sender(fake.url, "k")})
        [outcome] = relay.deliver_due()
        assert outcome.delivered
        row = box.get(submission.submission_id)
        assert row is not None
        assert (row.ambiguous, row.in_flight) == (1, False)
        assert box.ambiguous_count() == 1


def test_a_duplicate_refusal_after_a_lost_answer_means_it_arrived(
        outbox: Outbox, clock: FakeClock) -> None:
    with Open311Fake(honour_idempotency=False) as fake:
        fake.script(Reply(201, drop=True), Reply(400, body=(
            b'[{"code": 400, "description": "Invalid service request: base is a duplicate."}]')))
        relay = _relay(outbox, clock, {"council": Open311Sender(fake.url, "k")})
        submission = make_submission()
        outbox.enqueue(submission)
        [lost] = relay.deliver_due()
        assert lost.ambiguous
        clock.advance(MAX_DELAY)
        [again] = relay.deliver_due()
        assert (again.state, again.detail) == ("delivered", "duplicate_of_earlier_attempt")
        # Without an earlier lost answer, "duplicate" is the council's verdict: a dead letter.
        fake.script(Reply(400, body=b'[{"code": 400, "description": "duplicate"}]'))
        fresh = make_submission()
        outbox.enqueue(fresh)
        assert relay.deliver(fresh.submission_id).state == "dead"


def test_tokens_are_polled_a_bounded_number_of_times_and_kept(
        outbox: Outbox, clock: FakeClock) -> None:
    bulky = make_submission(reference="BULKY001")
    bulky = Submission(**{**bulky.__dict__, "service_code": "BULKY",
                          "fields": {"lat": "52.6", "long": "-1.4"}})
    slow = make_submission(reference="BULKY002")
    slow = Submission(**{**slow.__dict__, "service_code": "BULKY",
                         "fields": {"lat": "52.6", "long": "-1.4"}})
    with CouncilServer(api_key="k", token_waits=2) as council:
        relay = _relay(outbox, clock, {"council": Open311Sender(council.url, "k")},
                       token_polls=4)
        outbox.enqueue(bulky)
        [outcome] = relay.deliver_due()
        assert (outcome.remote_id, outcome.remote_token) == (None, "tok-1001")
        assert outbox.remote_for("BULKY001") == RemoteRef("BULKY001", "council", None,
                                                          "tok-1001")
        for _ in range(4):
            clock.advance(MAX_DELAY)
            relay.deliver_due()
        assert council.token_polls("tok-1001") == 3  # asked until the id came, no more
        ref = outbox.remote_for("BULKY001")
        assert ref is not None
        assert (ref.remote_id, ref.remote_token, ref.waiting_for_id) == (
            "CRM-1001", "tok-1001", False)
        row = outbox.get(bulky.submission_id)
        assert row is not None
        assert row.remote_id == "CRM-1001"
        council.token_waits = 100
        outbox.enqueue(slow)
        relay.deliver_due()
        for _ in range(8):
            clock.advance(MAX_DELAY)
            relay.deliver_due()
        assert council.token_polls("tok-1002") == 4
        ref = outbox.remote_for("BULKY002")
        assert ref is not None
        assert (ref.remote_id, ref.remote_token, ref.waiting_for_id) == (None, "tok-1002", True)


def test_the_reference_map_outlives_the_row_and_holds_no_personal_data(
        outbox: Outbox, clock: FakeClock) -> None:
    with Open311Fake() as fake:
        relay = _relay(outbox, clock, {"council": Open311Sender(fake.url, "k")})
        submission = make_submission(reference="TRACK001", text="Jane Doe, 3 Elm Road")
        outbox.enqueue(submission)
        relay.deliver_due()
    with sqlite3.connect(outbox.path) as conn:  # what retention will do, one day
        conn.execute("DELETE FROM outbox")
        stored = conn.execute("SELECT * FROM remote_refs").fetchall()
    assert outbox.remote_for("TRACK001") == RemoteRef("TRACK001", "council", "SR-00001", None)
    assert outbox.remote_for("NOPE0000") is None
    assert "Jane" not in repr(stored)
    assert "Elm" not in repr(stored)


def test_a_backlog_larger_than_a_page_is_walked_once_in_one_pass(
        outbox: Outbox, clock: FakeClock) -> None:
    from kiosk.outbox import SendResult
    from kiosk.outbox.relay import BATCH

    sent: list[str] = []

    class Counting:
        def send(self, submission: Submission) -> SendResult:
            sent.append(submission.submission_id)
            if submission.destination == "down":
                return SendResult("retry", "connection_error")
            return SendResult("delivered", "http_201", 201, remote_id=submission.reference)

    for index in range(BATCH * 2 + 50):
        outbox.enqueue(make_submission(destination="down" if index % 7 == 0 else "council"))
    relay = _relay(outbox, clock, {"council": Counting(), "down": Counting()})
    outcomes = relay.deliver_due()
    assert len(sent) == len(set(sent)) == len(outcomes)
    assert [o.state for o in outcomes].count("delivered") == outbox.counts()["delivered"]
    # The down destination cost one attempt; every other row went, none twice.
    assert outbox.counts() == {"pending": 65, "delivered": 385, "dead": 0}
    late = make_submission()
    outbox.enqueue(late)  # after the pass began: the next pass's
    assert relay.deliver_due()[-1].submission_id == late.submission_id


def test_a_destination_that_is_up_gets_requests_in_parallel_up_to_its_limit(
        outbox: Outbox, clock: FakeClock) -> None:
    import threading

    from kiosk.outbox import SendResult

    lock = threading.Condition()
    active: list[int] = []
    release = threading.Event()

    class Parallel:
        concurrency = 3

        def __init__(self) -> None:
            self.calls = 0
            self.in_flight = 0

        def send(self, submission: Submission) -> SendResult:
            with lock:
                self.calls += 1
                first = self.calls == 1
                self.in_flight += 1
                active.append(self.in_flight)
                lock.notify_all()
            if not first:  # the first goes alone (the destination is not known to be up)
                assert release.wait(10)
            with lock:
                self.in_flight -= 1
            return SendResult("delivered", "http_201", 201, remote_id=submission.reference)

    sender = Parallel()
    for _ in range(8):
        outbox.enqueue(make_submission())
    relay = _relay(outbox, clock, {"council": sender})
    outcomes: list[object] = []
    passing = threading.Thread(target=lambda: outcomes.extend(relay.deliver_due()))
    passing.start()
    with lock:
        assert lock.wait_for(lambda: sender.in_flight == 3, timeout=10)
    release.set()
    passing.join(10)
    assert active[0] == 1
    assert max(active) == 3
    assert len(outcomes) == 8
    assert outbox.counts()["delivered"] == 8


def test_the_longest_retry_after_of_requests_in_flight_together_wins(
        outbox: Outbox, clock: FakeClock) -> None:
    from kiosk.outbox import SendResult

    sent: list[str] = []

    class Waits:
        concurrency = 3

        def send(self, submission: Submission) -> SendResult:
            sent.append(submission.reference)
            wait = {"WAIT3333": 3.0, "WAIT1111": 1.0}.get(submission.reference)
            if wait is None:
                return SendResult("delivered", "http_201", 201, remote_id="X")
            return SendResult("retry", "http_503", 503, retry_after=wait)

    relay = _relay(outbox, clock, {"council": Waits()})
    outbox.enqueue(make_submission(reference="FIRST001"))
    relay.deliver_due()  # the destination is up: the next rows go together
    for reference in ("WAIT3333", "WAIT1111"):
        outbox.enqueue(make_submission(reference=reference))
    assert [o.detail for o in relay.deliver_due()] == ["http_503", "http_503"]
    clock.advance(2)
    assert relay.deliver_due() == []  # still inside the 3 s the first answer asked for
    clock.advance(1.5)
    assert {o.state for o in relay.deliver_due()} == {"pending"}
    assert sent.count("WAIT1111") == 2
