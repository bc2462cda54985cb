"""Every terminal event path makes exactly the expected usage events (headless, through the
`Terminal` with the demo's fakes), into the real buffer file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk.assembly import Assembly, assemble
from kiosk.bookings.fake import FakeBookings
from kiosk.calls.fake import FakeCalls
from kiosk.clock import FakeClock
from kiosk.journey.booking_pages import BookingDonePage
from kiosk.journey.pages import ConfirmationPage, ExitPage
from kiosk.preferences import Preferences
from kiosk.profile import load_profile
from kiosk.session import EndReason
from kiosk.terminal import Terminal
from kiosk.usage_buffer import UsageBuffer
from kiosk.usage_events import UsageEvent
from kiosk.usage_recorder import UsageRecorder
from tests.kiosk import test_booking_journey as booking
from tests.kiosk.test_terminal import STAFF_CARD, make_terminal, to_check_answers
from tests.kiosk.test_terminal_calls import CALLS
from tests.kiosk_fixtures import demo_profile_copy

FEEDBACK_PAGES = ["feedback_type", "topics", "message", "happened_on", "wants_reply"]


class Sink:
    def __init__(self) -> None:
        self.events: list[UsageEvent] = []

    def append(self, event: UsageEvent) -> None:
        self.events.append(event)

    def described(self) -> list[tuple[Any, ...]]:
        """Each event without its visit, seq and hour: (kind, the other fields in order)."""
        out = []
        for event in self.events:
            fields = json.loads(event.to_json())
            out.append((fields.pop("kind"), *(fields[k] for k in
                        ("service", "page", "reason", "duration", "choice", "value")
                        if k in fields)))
        return out


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))


@pytest.fixture
def assembly(tmp_path: Path, clock: FakeClock) -> Iterator[Assembly]:
    loaded = load_profile(demo_profile_copy(tmp_path, printer="fake", calls=CALLS,
                                            lookups={"type": "fake"}))
    built = assemble(loaded, tmp_path / "state", clock=clock, deliver_immediately=False)
    yield built
    built.close()


@pytest.fixture
def terminal(assembly: Assembly) -> Terminal:
    return make_terminal(assembly)


@pytest.fixture
def sink(terminal: Terminal, clock: FakeClock) -> Sink:
    sink = Sink()
    visits = iter(f"{n:016x}" for n in range(1, 100))
    UsageRecorder(terminal, sink, clock, new_visit_id=lambda: next(visits))
    return sink


def feedback_pages() -> list[tuple[str, ...]]:
    return [("page_reached", "feedback", page) for page in FEEDBACK_PAGES]


def test_a_sent_report_rated_and_answered(terminal: Terminal, sink: Sink, clock: FakeClock) -> None:
    to_check_answers(terminal)
    terminal.rate_visit(4)  # not yet: only on a confirmation or exit page
    terminal.submit()
    assert isinstance(terminal.current(), ConfirmationPage)
    clock.advance(200)
    terminal.rate_visit(5)
    terminal.rate_visit(1)  # one answer a visit: the second touch changes nothing
    terminal.contacted_before("maybe")  # not one of the answers
    terminal.contacted_before("no")
    terminal.finish()
    assert sink.described() == [
        ("visit_started",), ("service_chosen", "feedback"), *feedback_pages(),
        ("page_reached", "feedback", "check_answers"), ("page_reached", "feedback", "confirmation"),
        ("submitted", "feedback"), ("satisfaction", "5"), ("avoidable_contact", "no"),
        ("visit_ended", "finished", "3-5"),
    ]
    assert [e.seq for e in sink.events] == list(range(len(sink.events)))
    assert {e.visit for e in sink.events} == {"0000000000000001"}
    assert {e.hour for e in sink.events} == {"2026-11-23T10"}
    assert terminal.feedback.rating is None  # forgotten with the visit


def test_a_timeout_after_choosing_a_service(terminal: Terminal, sink: Sink,
                                             clock: FakeClock) -> None:
    terminal.start()
    terminal.choose_service("feedback")
    clock.advance(61)
    terminal.tick()
    clock.advance(31)
    terminal.tick()
    assert sink.described() == [("visit_started",), ("service_chosen", "feedback"),
                                ("page_reached", "feedback", "feedback_type"),
                                ("visit_ended", "timeout", "1-3")]


def test_start_again_back_to_the_menu_and_the_same_service_again(terminal: Terminal,
                                                                 sink: Sink) -> None:
    terminal.start()
    terminal.choose_service("feedback")
    terminal.answer("feedback_type", "compliment")
    terminal.set_preferences(terminal.prefs.with_(language="cy"))  # a re-render: no new page
    terminal.back()
    terminal.back()  # to the menu
    terminal.choose_service("feedback")
    terminal.start_again()
    terminal.start()
    terminal.finish()
    first = "0000000000000001"
    assert sink.described() == [
        ("visit_started",), ("service_chosen", "feedback"), *feedback_pages()[:2],
        ("accessibility", "language", "cy"), ("page_reached", "feedback", "feedback_type"),
        ("service_chosen", "feedback"), ("page_reached", "feedback", "feedback_type"),
        ("visit_ended", "start_again", "0-1"),
        ("visit_started",), ("visit_ended", "finished", "0-1"),
    ]
    assert [e.visit for e in sink.events].count(first) == 9
    assert sink.events[-1].visit == "0000000000000002"
    assert sink.events[-2].seq == 0


def test_an_exit_page_with_its_questions(terminal: Terminal, sink: Sink) -> None:
    terminal.start()
    terminal.choose_service("missed-bin")
    terminal.answer("address", "DE99 1AB")
    terminal.answer("address__list", "990000001014")
    terminal.answer("bin_type", "garden")
    terminal.answer("garden_subscription", "no")
    assert isinstance(terminal.current(), ExitPage)
    terminal.rate_visit(2)
    terminal.contacted_before("not_sure")
    terminal.finish()
    kinds = sink.described()
    assert kinds[-4:] == [("exit_page", "missed-bin", "no_garden_subscription"),
                          ("satisfaction", "2"), ("avoidable_contact", "not_sure"),
                          ("visit_ended", "finished", "0-1")]
    assert ("page_reached", "missed-bin", "garden_subscription") in kinds
    assert not any(k[0] == "submitted" for k in kinds)


def test_accessibility_choices_only_what_changed(terminal: Terminal, sink: Sink) -> None:
    terminal.set_preferences(terminal.prefs.with_(text_size="extra_large"))  # on the attract screen
    terminal.start()
    prefs = terminal.prefs
    terminal.set_preferences(prefs.with_(read_aloud=True, colours="yellow", slow_speech=True))
    terminal.set_preferences(terminal.prefs.with_(text_size="large", language="pl"))
    terminal.set_preferences(terminal.prefs)  # nothing changed
    terminal.finish()  # the reset to the defaults at the wipe is no resident's choice
    terminal.start()
    terminal.finish()
    assert sink.described() == [
        ("visit_started",), ("accessibility", "text_size", "2"),
        ("accessibility", "read_aloud", "on"), ("accessibility", "colours", "yellow"),
        ("accessibility", "text_size", "1.5"), ("accessibility", "language", "pl"),
        ("visit_ended", "finished", "0-1"), ("visit_started",), ("visit_ended", "finished", "0-1"),
    ]
    assert terminal.prefs == Preferences()


def test_staff_assist_is_counted_once_and_ends_by_staff(terminal: Terminal, sink: Sink) -> None:
    terminal.start()
    terminal.staff.card_inserted(STAFF_CARD)
    terminal.staff.card_removed()
    terminal.staff.card_inserted(STAFF_CARD)
    terminal.staff.card_removed()
    terminal.enter_maintenance()  # IT take the terminal: the visit ends
    assert sink.described() == [("visit_started",), ("staff_assist",),
                                ("visit_ended", "staff", "0-1")]


@pytest.fixture
def queue(assembly: Assembly) -> FakeCalls:
    assembly.parts.calls = FakeCalls()
    return assembly.parts.calls


def test_an_advisor_call_and_a_visit_ended_in_the_call(assembly: Assembly, queue: FakeCalls,
                                                       clock: FakeClock) -> None:
    terminal = Terminal(assembly.parts)
    sink = Sink()
    UsageRecorder(terminal, sink, clock)
    terminal.start()
    terminal.choose_service("feedback")
    terminal.calls.talk()
    terminal.calls.join(None, False)
    queue.answer()
    terminal.calls.poll()
    assert terminal.calls.phase == "in_call"
    terminal.end(EndReason.STAFF)
    assert sink.described() == [("visit_started",), ("service_chosen", "feedback"),
                                ("page_reached", "feedback", "feedback_type"),
                                ("advisor_call", "feedback"), ("visit_ended", "call", "0-1")]


def test_an_advisor_call_from_the_menu_has_no_service(assembly: Assembly, queue: FakeCalls,
                                                      clock: FakeClock) -> None:
    terminal = Terminal(assembly.parts)
    sink = Sink()
    UsageRecorder(terminal, sink, clock)
    terminal.start()
    terminal.calls.talk()
    terminal.calls.join(None, False)
    queue.answer()
    terminal.calls.poll()
    terminal.calls.end_call()
    terminal.calls.close()
    terminal.finish()
    assert sink.described() == [("visit_started",), ("advisor_call",),
                                ("visit_ended", "finished", "0-1")]


def test_a_booking_confirmed_is_submitted(assembly: Assembly, clock: FakeClock) -> None:
    diary = FakeBookings(clock)
    assembly.parts.bookings = diary
    assembly.parts.lookup = diary.answering(None)
    terminal = make_terminal(assembly)
    sink = Sink()
    UsageRecorder(terminal, sink, clock)
    booking.to_check_answers(terminal)
    terminal.submit()
    assert isinstance(terminal.current(), BookingDonePage)
    terminal.rate_visit(3)
    terminal.finish()
    assert sink.described()[-7:] == [
        ("page_reached", "book-appointment", "postcode"),
        ("page_reached", "book-appointment", "check_answers"),
        ("page_reached", "book-appointment", "confirm"),  # waiting for the diary
        ("page_reached", "book-appointment", "confirmation"), ("submitted", "book-appointment"),
        ("satisfaction", "3"), ("visit_ended", "finished", "0-1")]


def test_events_land_in_the_buffer_file(terminal: Terminal, clock: FakeClock,
                                        tmp_path: Path) -> None:
    buffer = UsageBuffer(tmp_path / "usage.db")
    UsageRecorder(terminal, buffer, clock)
    terminal.start()
    terminal.finish()
    batch = buffer.cut()
    assert batch is not None
    assert [e.kind for e in batch.events] == ["visit_started", "visit_ended"]
    assert (tmp_path / "usage.db").stat().st_mode & 0o777 == 0o600
    buffer.close()


def test_a_failing_sink_never_stops_a_visit(terminal: Terminal, clock: FakeClock,
                                            caplog: pytest.LogCaptureFixture) -> None:
    class Broken:
        def append(self, event: UsageEvent) -> None:
            raise OSError("disk full")

    UsageRecorder(terminal, Broken(), clock)
    to_check_answers(terminal)
    terminal.submit()
    terminal.finish()
    assert terminal.phase.name == "ATTRACT"
    assert "was not recorded: OSError" in caplog.text
