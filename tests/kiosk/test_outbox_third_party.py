"""The kiosk pointed at an Open311 server nobody here wrote (tests/kiosk/council_server.py):
it needs lat/long, answers with whole request objects, refuses in Django style, chokes with an
HTML 500 on a report without coordinates, and gives tokens for batch services."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from kiosk.clock import FakeClock
from kiosk.outbox import MAX_DELAY, Open311Sender, Outbox, Relay, RemoteRef
from kiosk.profile import Open311Destination
from tests.kiosk.council_server import CouncilServer
from tests.kiosk.missed_bin_reports import answers, demo_service, report, typed_address

KEY = bytes(range(32))
API_KEY = "council-key"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def outbox(tmp_path: Path, clock: FakeClock) -> Iterator[Outbox]:
    with Outbox(tmp_path / "outbox.db", KEY, clock.epoch) as box:
        yield box


@pytest.fixture
def council() -> Iterator[CouncilServer]:
    with CouncilServer(api_key=API_KEY) as server:
        yield server


def _sender(council: CouncilServer, **profile: Any) -> Open311Sender:
    destination = Open311Destination.model_validate({
        "type": "open311", "endpoint": council.url, "api_key": API_KEY,
        "status_url": "https://council.example/track/{reference}",
        "reference_attribute": None, "timeout_seconds": 5, **profile})
    return Open311Sender.from_destination(destination,
                                          site_address="1 Library Square, Demo Town, DE99 1AA")


def _relay(outbox: Outbox, clock: FakeClock, sender: Open311Sender, **options: int) -> Relay:
    return Relay(outbox, {"council": sender}, clock.epoch, random.Random(3), **options)


def _drain(relay: Relay, clock: FakeClock, passes: int = 12) -> None:
    for _ in range(passes):
        relay.deliver_due()
        clock.advance(MAX_DELAY)


def test_the_missed_bin_report_is_delivered_with_coordinates(
        outbox: Outbox, clock: FakeClock, council: CouncilServer) -> None:
    submission = report(demo_service(), answers(), reference="MBCOORD1")
    outbox.enqueue(submission)
    relay = _relay(outbox, clock, _sender(council, location="latlong", uprn_attribute="uprn",
                                          groups={"MISSED_BIN": "Waste"}))
    [outcome] = relay.deliver_due()
    assert (outcome.state, outcome.remote_id) == ("delivered", "CRM-1001")
    [posted] = council.posted
    assert (posted.one("lat"), posted.one("long")) == ("52.60088", "-1.47190")
    assert posted.one("address_id") == "990000001014"
    assert posted.one("attribute[uprn]") == "990000001014"
    assert posted.one("attribute[group]") == "Waste"
    assert posted.one("attribute[bin_type]") == "general"
    assert posted.headers["kiosk-reference"] == "MBCOORD1"
    assert posted.headers["idempotency-key"] == submission.submission_id
    assert outbox.remote_for("MBCOORD1") == RemoteRef("MBCOORD1", "council", "CRM-1001", None)


def test_the_demo_report_with_only_an_address_is_a_precise_dead_letter(
        outbox: Outbox, clock: FakeClock, council: CouncilServer) -> None:
    submission = report(demo_service(), typed_address())
    outbox.enqueue(submission)
    relay = _relay(outbox, clock, _sender(council, location="latlong"))
    [outcome] = relay.deliver_due()
    assert (outcome.state, outcome.detail) == ("dead", "needs_latlong")
    row = outbox.get(submission.submission_id)
    assert row is not None
    assert row.last_reason == "The back office needs lat/long; this report has only an address"
    assert (row.attempts, row.has_payload) == (1, True)  # kept, encrypted, for staff
    assert council.posted == []  # never sent, never retried


def test_a_misconfigured_destination_ends_the_500s_as_poison_not_weeks_of_retries(
        outbox: Outbox, clock: FakeClock, council: CouncilServer) -> None:
    """The issue's story: location "any" lets the address-only report go, the server answers
    500 with an HTML page each time, and other reports keep arriving and being delivered."""
    relay = _relay(outbox, clock, _sender(council, location="any"), poison_after=5)
    stuck = report(demo_service(), typed_address(), reference="MBSTUCK1")
    outbox.enqueue(stuck)
    for _ in range(8):
        outbox.enqueue(report(demo_service(), answers()))
        relay.deliver_due()
        clock.advance(MAX_DELAY)
    row = outbox.get(stuck.submission_id)
    assert row is not None
    assert (row.state, row.last_error, row.attempts) == ("dead", "poison", 5)
    assert row.last_reason == (
        "Refused with a server error 5 times while other reports to council were delivered, "
        "so the fault is in this report: Server error at the back office (HTTP 500; an HTML "
        "page titled \"KeyError at /open311/v2/requests.json\")")
    assert len(council.accepted()) == 8
    assert relay.health("council") == "up"


def test_bad_rows_end_as_dead_letters_with_distinct_readable_reasons(
        tmp_path: Path, clock: FakeClock, council: CouncilServer) -> None:
    good = report(demo_service(), answers())
    unknown_code = replace(report(demo_service(), answers()),
                           service_code="MISSED_BIN_V2")
    no_location = replace(report(demo_service(), answers()),
                          fields={"description": "x"})
    reasons: dict[str, str] = {}
    with Outbox(tmp_path / "a.db", KEY, clock.epoch) as box:
        relay = _relay(box, clock, _sender(council, location="latlong"))
        for submission in (good, unknown_code, no_location):
            box.enqueue(submission)
        _drain(relay, clock, 2)
        for submission in (good, unknown_code, no_location):
            row = box.get(submission.submission_id)
            assert row is not None
            reasons[submission.submission_id] = f"{row.state}: {row.last_reason}"
    assert reasons == {
        good.submission_id: "delivered: None",
        unknown_code.submission_id:
            "dead: The back office does not know service code MISSED_BIN_V2: check the "
            "service's service_code in the catalogue against the back office's services "
            "(HTTP 400; server said: Unknown service code.)",
        no_location.submission_id:
            "dead: The back office needs lat/long; this report has no location of its own "
            "(the kiosk's address is not enough here)",
    }
    # A wrong key is IT's to fix, not the report's fault: it waits, with its own reason.
    with Outbox(tmp_path / "b.db", KEY, clock.epoch) as box:
        wrong = Open311Sender(council.url, "old-key", reference_attribute=None,
                              location="latlong")
        relay = _relay(box, clock, wrong)
        waiting = report(demo_service(), answers())
        box.enqueue(waiting)
        _drain(relay, clock, 3)
        row = box.get(waiting.submission_id)
        assert row is not None
        assert (row.state, row.last_error) == ("pending", "http_403_api_key")
        assert row.last_reason == (
            "The back office refused the kiosk's API key: check api_key for this destination "
            "in the profile; reports are kept and retried (HTTP 403; server said: Invalid API "
            "key.)")
        assert relay.health("council") == "auth"


def test_a_batch_service_answers_with_a_token_and_the_id_follows(
        outbox: Outbox, clock: FakeClock, council: CouncilServer) -> None:
    bulky = replace(report(demo_service(), answers(), reference="BULKYREF"),
                    service_code="BULKY")
    outbox.enqueue(bulky)
    relay = _relay(outbox, clock, _sender(council, location="latlong", format="xml"))
    [outcome] = relay.deliver_due()
    assert (outcome.state, outcome.remote_token) == ("delivered", "tok-1001")
    assert outbox.remote_for("BULKYREF") == RemoteRef("BULKYREF", "council", None, "tok-1001")
    _drain(relay, clock, 4)
    assert council.token_polls("tok-1001") == 3
    assert outbox.remote_for("BULKYREF") == RemoteRef("BULKYREF", "council", "CRM-1001",
                                                      "tok-1001", token_polls=3)
