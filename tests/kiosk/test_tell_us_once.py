"""Tell us once, end to end: one submission, one reference, one delivery per service.

Three real servers on 127.0.0.1 (an Open311 back office, a signed webhook receiver, an SMTP
mailbox over STARTTLS), the three-delivery fixture service (tests/kiosk/fixtures/catalogues/
tell-us-once), the real outbox and relay. The webhook's back office is down at first: the
other two are delivered at once, that one is retried with backoff until it is back, and the
receipt, the rows and Track my request say the truth at each step.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest

from kiosk.assembly import Assembly, assemble
from kiosk.catalogue import load_catalogue
from kiosk.clock import FakeClock
from kiosk.journey.pages import CheckAnswersPage, ConfirmationPage
from kiosk.lookups.base import LookupRequest
from kiosk.lookups.request_status import TrackingLookup
from kiosk.outbox import MAX_DELAY, Open311Sender, Relay, ReportContext
from kiosk.outbox.email_sender import EmailSender
from kiosk.outbox.webhook import WebhookSender
from kiosk.profile import Open311Destination, load_profile
from kiosk.resident import ResidentSession
from peripherals.receipt_document import TextBlock
from tests.kiosk.open311_fake import Open311Fake
from tests.kiosk.smtp_server import PASSWORD, USER, Mailbox
from tests.kiosk.webhook_receiver import Scripted, WebhookReceiver
from tests.kiosk_fixtures import demo_profile_copy

TELL = Path(__file__).parent / "fixtures" / "catalogues" / "tell-us-once"
SECRET = "s" * 40
CANARY = "7 Canary Wharf Row"


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[Open311Fake, WebhookReceiver, Mailbox]]:
    with Open311Fake() as council, WebhookReceiver(SECRET) as elections, \
            Mailbox(tmp_path) as libraries:
        yield council, elections, libraries


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[Assembly]:
    loaded = load_profile(demo_profile_copy(tmp_path, printer="fake"))
    clock = FakeClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    assembly = assemble(loaded, tmp_path / "state", clock=clock, deliver_immediately=False)
    yield assembly
    assembly.close()


def _relay(kiosk: Assembly, clock: FakeClock,
           servers: tuple[Open311Fake, WebhookReceiver, Mailbox]) -> Relay:
    council, elections, libraries = servers
    context = ReportContext(load_catalogue(TELL), "central-library", "Central Library")
    open311 = Open311Sender.from_destination(Open311Destination.model_validate({
        "type": "open311", "endpoint": council.url, "api_key": "k",
        "status_url": "https://council.example/track/{reference}", "timeout_seconds": 5}))
    senders = {
        "council": open311,
        # Each request a second after the last: the receiver refuses a replayed signature, and
        # this test's retries come within the same real second.
        "elections": WebhookSender(elections.url, SECRET, context=context, timeout_seconds=5.0,
                                   clock=partial(next, itertools.count(int(time.time())))),
        "libraries": EmailSender("127.0.0.1", libraries.port, from_address="kiosk@council.example",
                                 to=["libraries@council.example"], context=context,
                                 ca_file=str(libraries.cert), username=USER, password=PASSWORD,
                                 timeout_seconds=10.0),
    }
    return Relay(kiosk.outbox, senders, clock.epoch, random.Random(5))


def _lines(kiosk_receipt: object) -> list[str]:
    blocks = getattr(kiosk_receipt, "blocks", ())
    return [line for b in blocks if isinstance(b, TextBlock) for line in b.text.split("\n")]


def _track(lookup: TrackingLookup, reference: str) -> dict[str, str]:
    result = lookup.lookup(LookupRequest("request-status", {"reference": reference}, "en"))
    return {item.label: item.data["state"] for item in result.items
            if item.value.startswith("part:")}


def test_one_service_down_the_others_delivered_that_one_retried(
        kiosk: Assembly, servers: tuple[Open311Fake, WebhookReceiver, Mailbox]) -> None:
    council, elections, libraries = servers
    clock = kiosk.parts.clock
    assert isinstance(clock, FakeClock)
    elections.script(Scripted(503), Scripted(503))  # the electoral register's system is down
    relay = _relay(kiosk, clock, servers)
    parts = replace(kiosk.parts, catalogue=load_catalogue(TELL),
                    deliver_now=lambda sid: relay.deliver(sid).delivered)
    session = ResidentSession(parts)
    session.choose("moved")
    session.answer("new_address", CANARY)
    session.answer("tell", ("council_tax", "electoral", "libraries"))
    page = session.answer("library_card", "LIB-77")
    assert isinstance(page, CheckAnswersPage)

    submissions = session.prepare_submissions()
    assert [(s.part, s.destination, s.service_code) for s in submissions] == [
        ("council_tax", "council", "MOVED_COUNCIL_TAX"), ("electoral", "elections",
                                                          "MOVED_ELECTORAL"),
        ("libraries", "libraries", "MOVED_LIBRARIES")]
    assert len({s.reference for s in submissions}) == 1
    assert "LIB-77" not in submissions[0].to_json()  # council tax is not told the card
    outcome = session.deliver_and_print(submissions)
    reference = outcome.reference

    # Step 1: two delivered at once, the webhook refused with 503 and waiting.
    assert not outcome.delivered
    assert [(p.part, p.delivered) for p in outcome.parts] == [
        ("council_tax", True), ("electoral", False), ("libraries", True)]
    lines = _lines(outcome.receipt)
    assert "Council Tax: sent" in lines
    assert "Electoral register: waiting to be sent" in lines
    assert "Libraries: sent" in lines
    assert CANARY not in "\n".join(lines)
    confirmation = session.finish(outcome)
    assert isinstance(confirmation, ConfirmationPage)
    assert confirmation.told == ("Council Tax", "Electoral register", "Libraries")
    assert len(council.received) == 1
    assert len(libraries.messages) == 1
    assert elections.deliveries == []
    rows = {r.part: r for r in kiosk.outbox.find_all(reference)}
    assert {p: (r.state, r.has_payload) for p, r in rows.items()} == {
        "council_tax": ("delivered", False), "electoral": ("pending", True),
        "libraries": ("delivered", False)}
    assert rows["electoral"].attempts == 1
    moved = load_catalogue(TELL).service("moved")
    lookup = TrackingLookup(None, kiosk.outbox, {"moved": moved.title}.get,
                            {("moved", d.id): d.label for d in moved.deliveries}.get)
    assert _track(lookup, reference) == {"Council Tax": "received", "Electoral register": "waiting",
                                         "Libraries": "received"}

    # Step 2: the relay retries only the electoral row (still down once more).
    clock.advance(MAX_DELAY)
    [retry] = relay.deliver_due()
    assert (retry.submission_id, retry.state) == (submissions[1].submission_id, "pending")
    assert len(council.received) == 1  # not sent again
    assert _track(lookup, reference)["Electoral register"] == "waiting"

    # Step 3: back up: delivered once, its payload erased; nothing else sent twice.
    clock.advance(MAX_DELAY)
    [done] = relay.deliver_due()
    assert done.state == "delivered"
    assert len(elections.deliveries) == 1
    assert elections.deliveries[0].headers["x-kiosk-reference"] == reference
    assert len(council.received) == 1
    assert len(libraries.messages) == 1
    assert all(r.state == "delivered" and not r.has_payload
               for r in kiosk.outbox.find_all(reference))
    assert set(_track(lookup, reference).values()) == {"received"}


def test_a_headless_visit_through_the_terminal_tells_only_the_services_chosen(
        kiosk: Assembly) -> None:
    """The screen's whole path, without Qt: choose, answer, Send, confirmation. Nothing is
    delivered at once here (no relay), so every service told is "waiting to be sent"."""
    from kiosk.terminal import Terminal

    parts = replace(kiosk.parts, catalogue=load_catalogue(TELL))
    terminal = Terminal(parts)
    terminal.start()
    terminal.choose_service("moved")
    terminal.answer("new_address", CANARY)
    terminal.answer("tell", ("electoral", "libraries"))
    terminal.answer("library_card", "")
    assert isinstance(terminal.current(), CheckAnswersPage)
    terminal.submit()
    shown = terminal.current()
    assert isinstance(shown, ConfirmationPage)
    assert shown.told == ("Electoral register", "Libraries")
    assert not shown.delivered
    rows = kiosk.outbox.find_all(shown.reference)
    assert [(r.part, r.destination, r.state) for r in rows] == [
        ("electoral", "elections", "pending"), ("libraries", "libraries", "pending")]
    outcome = terminal.session.outcome
    assert outcome is not None
    lines = _lines(outcome.receipt)
    assert "Electoral register: waiting to be sent" in lines
    assert not any(line.startswith("Council Tax") for line in lines)
    assert kiosk.outbox.open_payload(rows[0].submission_id).fields == {
        "address_string": CANARY}  # the electoral register is not told the library card


def test_send_asks_for_every_service_at_once_not_one_after_another(kiosk: Assembly) -> None:
    """A back office that is down makes its delivery wait out the relay's answer time; asked
    one after another, that wait would be added to every other service's, with the resident
    watching. Here each "deliver now" only returns once all three have been asked: done one
    after another, the first would wait on the barrier until it broke."""
    import threading

    from kiosk.terminal import Terminal

    asked = threading.Barrier(3, timeout=10)

    def deliver_now(submission_id: str) -> bool:
        asked.wait()
        return True

    parts = replace(kiosk.parts, catalogue=load_catalogue(TELL), deliver_now=deliver_now)
    terminal = Terminal(parts)
    terminal.start()
    terminal.choose_service("moved")
    terminal.answer("new_address", CANARY)
    terminal.answer("tell", ("council_tax", "electoral", "libraries"))
    terminal.answer("library_card", "")
    terminal.submit()
    shown = terminal.current()
    assert isinstance(shown, ConfirmationPage)
    assert not asked.broken
    assert shown.delivered
    outcome = terminal.session.outcome
    assert outcome is not None
    assert {"Council Tax: sent", "Electoral register: sent", "Libraries: sent"} <= set(
        _lines(outcome.receipt))
