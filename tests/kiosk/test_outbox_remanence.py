"""Remanence: after delivery and after a dead letter, no outbox file (db, -wal, -shm) holds a
canary the resident typed, in plain text, UTF-16 or base64, though the back office echoed it
in every answer (errors, HTML pages) and the relay kept reasons for staff."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.clock import FakeClock
from kiosk.outbox import MAX_DELAY, Open311Sender, Outbox, Relay
from kiosk.submission import Submission
from tests.kiosk.open311_fake import Open311Fake, Reply, make_submission
from tests.kiosk.test_outbox_crypto import _encodings, _hits
from tests.kiosk.test_relay import RecordingRandom

KEY = bytes(range(32))
CANARY = "CANARY-b41e-PRIYA-PATEL-DE991AB"


def _echo_page(status: int) -> Reply:
    page = (f"<html><head><title>Error for {CANARY}</title></head><body>{CANARY} at "
            f"1 High St, {CANARY}</body></html>").encode()
    return Reply(status, body=page, content_type="text/html")


def _echo_error(status: int) -> Reply:
    return Reply(status, body=(f'[{{"code": "bad_value", "description": "{CANARY} is not '
                               f'allowed in {CANARY}"}}]').encode())


Scenario = Callable[[Outbox, Relay, Open311Fake, FakeClock, Submission], str]


def _delivered(box: Outbox, relay: Relay, fake: Open311Fake, clock: FakeClock,
               submission: Submission) -> str:
    box.enqueue(submission)
    fake.script(Reply(201, drop=True))  # first the answer is lost (ambiguous), then it goes
    relay.deliver_due()
    clock.advance(MAX_DELAY)
    relay.deliver_due()
    return "delivered"


def _refused(box: Outbox, relay: Relay, fake: Open311Fake, clock: FakeClock,
             submission: Submission) -> str:
    box.enqueue(submission)
    fake.script(_echo_error(400))
    relay.deliver_due()
    return "dead"


def _poison(box: Outbox, relay: Relay, fake: Open311Fake, clock: FakeClock,
            submission: Submission) -> str:
    box.enqueue(submission)
    for _ in range(3):
        fake.script(_echo_page(500))
        box.enqueue(make_submission())  # others keep going through
        relay.deliver_due()
        clock.advance(MAX_DELAY)
    return "dead"


def _gave_up(box: Outbox, relay: Relay, fake: Open311Fake, clock: FakeClock,
             submission: Submission) -> str:
    box.enqueue(submission)
    fake.set_default(_echo_page(503))
    for _ in range(4):
        relay.deliver_due()
        clock.advance(MAX_DELAY)
    return "dead"


def _unsendable(box: Outbox, relay: Relay, fake: Open311Fake, clock: FakeClock,
                submission: Submission) -> str:
    box.enqueue(replace(submission, fields={"description": CANARY}))  # no location
    fake.script(Reply(201))  # a neighbour goes, so the back office saw the canary elsewhere
    box.enqueue(replace(make_submission(), attributes={"details": CANARY}))
    relay.deliver_due()
    return "dead"


@pytest.mark.parametrize("scenario", [_delivered, _refused, _poison, _gave_up, _unsendable],
                         ids=["delivered", "refused", "poison", "gave-up", "unsendable"])
def test_no_canary_on_disk_after_delivery_or_dead_letter(tmp_path: Path,
                                                         scenario: Scenario) -> None:
    clock = FakeClock()
    db = tmp_path / "outbox.db"
    submission = make_submission(text=CANARY, attributes={"details": CANARY,
                                                          "tags": [CANARY, "x"]})
    with Outbox(db, KEY, clock.epoch) as box, Open311Fake(honour_idempotency=False) as fake:
        # One request at a time: a scripted answer goes to the row sent first (with several
        # in flight, whichever request reached the fake first took it: the poison case flaked).
        sender = Open311Sender(fake.url, "key", location="any", concurrency=1)
        relay = Relay(box, {"council": sender},
                      clock.epoch, RecordingRandom(), poison_after=3, max_attempts=4)
        expected = scenario(box, relay, fake, clock, submission)
        row = box.get(submission.submission_id)
        assert row is not None
        assert row.state == expected
        assert CANARY.lower() not in (row.last_reason or "").lower()
        assert fake.received  # the back office did get the canary, and echoed it
        box.checkpoint()
        assert _hits(db, _encodings(CANARY)) == []
    assert _hits(db, _encodings(CANARY)) == []  # and after closing, -wal folded in
