"""Booking and managing appointments through the `Terminal`, with no Qt: every route.

The assembled demo kiosk is real (outbox, audit log, fake printer, the demo catalogue's
book-appointment, manage-booking and request-callback services); the council's diary is a
`FakeBookings` answering both the appointment lookups and the booking calls, with faults
switched on where a route needs them. Time is a FakeClock on Monday 23 November 2026.
"""

from __future__ import annotations

import gc
import logging
import weakref
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk.assembly import Assembly, assemble
from kiosk.assist import StaffAssist
from kiosk.bookings.base import Booked, Contact, Held
from kiosk.bookings.fake import FakeBookings
from kiosk.clock import FakeClock
from kiosk.journey.booking_pages import BookingDonePage, BookingUnavailablePage, BookingWaitingPage
from kiosk.journey.pages import CheckAnswersPage, ExitPage, QuestionPage, ResultPage
from kiosk.profile import load_profile
from kiosk.session import Phase
from kiosk.terminal import Terminal
from kiosk.terminal_staff import StaffDesk
from peripherals.printer import FakePrinter
from tests.escpos_decode import decode
from tests.kiosk.test_terminal import STAFF_CARD, HeldRunner
from tests.kiosk_fixtures import demo_profile_copy

NAME = "Zebedee Canary-Quux"
EMAIL = "zebedee.canary@example.org"
PHONE = "07700 900461"
POSTCODE = "zz9 9zq"
CANARIES = (NAME, "Zebedee", "Canary", EMAIL, "07700900461", "ZZ9 9ZQ", "ZZ99ZQ")
MONDAY = "2026-11-30"
SLOT = "2026-11-30T10:00:00+00:00"
TYPE, SITE = "housing-advice", "central-library"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))


@pytest.fixture
def assembly(tmp_path: Path, clock: FakeClock) -> Iterator[Assembly]:
    loaded = load_profile(demo_profile_copy(tmp_path, printer="fake"))
    built = assemble(loaded, tmp_path / "state", clock=clock, deliver_immediately=False)
    yield built
    built.close()


@pytest.fixture
def diary(assembly: Assembly, clock: FakeClock) -> FakeBookings:
    fake = FakeBookings(clock)
    assembly.parts.bookings = fake
    assembly.parts.lookup = fake.answering(None)
    return fake


def make_terminal(assembly: Assembly, **kwargs: Any) -> Terminal:
    assert assembly.staff is not None
    desk = StaffDesk(StaffAssist(assembly.staff, assembly.audit, assembly.parts.clock),
                     assembly.parts.clock)
    return Terminal(assembly.parts, staff=desk, **kwargs)


@pytest.fixture
def terminal(assembly: Assembly, diary: FakeBookings) -> Terminal:
    return make_terminal(assembly)


def printer(assembly: Assembly) -> FakePrinter:
    assert isinstance(assembly.printer, FakePrinter)
    return assembly.printer


def to_time(terminal: Terminal, day: str = MONDAY) -> QuestionPage:
    terminal.start()
    terminal.choose_service("book-appointment")
    for page_id, raw in (("type", TYPE), ("site", SITE), ("day", day)):
        shown = terminal.current()
        assert isinstance(shown, QuestionPage), shown
        assert shown.page_id == page_id
        terminal.answer(page_id, raw)
    shown = terminal.current()
    assert isinstance(shown, QuestionPage), shown
    assert shown.page_id == "time"
    return shown


def details(terminal: Terminal) -> CheckAnswersPage:
    for page_id, raw in (("name", NAME), ("contact_method", ("email", "phone")),
                         ("email", EMAIL), ("phone", PHONE), ("postcode", POSTCODE)):
        shown = terminal.current()
        assert isinstance(shown, QuestionPage), shown
        assert shown.page_id == page_id
        terminal.answer(page_id, raw)
    shown = terminal.current()
    assert isinstance(shown, CheckAnswersPage), shown
    return shown


def to_check_answers(terminal: Terminal, slot: str = SLOT) -> CheckAnswersPage:
    to_time(terminal, slot[:10])
    terminal.answer("time", slot)
    return details(terminal)


def book_directly(diary: FakeBookings, start: str = SLOT) -> str:
    held = diary.hold(TYPE, SITE, start, "someone-else-0123456789", 300, "en")
    assert isinstance(held, Held)
    booked = diary.confirm(held.hold, "someone-else-0123456789", Contact(NAME, POSTCODE), False,
                           "en")
    assert isinstance(booked, Booked)
    return booked.booking.reference


def error_of(shown: Any) -> str:
    assert isinstance(shown, QuestionPage), shown
    assert shown.errors, shown
    return shown.errors[0].message


# ----- the happy path ----------------------------------------------------------------------

def test_book_an_appointment_from_type_to_printed_confirmation(
        terminal: Terminal, assembly: Assembly, diary: FakeBookings,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    shown = to_time(terminal)
    assert shown.options[0].value == "2026-11-30T09:30:00+00:00"
    assert shown.options[0].label == "09:30"
    terminal.answer("time", SLOT)
    assert diary.active_holds() == 1
    assert terminal.held == ()  # the hold on the hub does not hold the visit
    assert terminal.bookings.holding
    check = details(terminal)
    rows = {row.page_id: row.value for row in check.rows}
    assert rows["type"] == "Housing advice"
    assert rows["site"] == "Central Library"
    assert rows["day"] == "Monday 30 November"
    assert rows["time"] == "10:00"
    assert check.submit_label == "Book appointment"
    jobs_before = len(printer(assembly).jobs)
    terminal.submit()
    done = terminal.current()
    assert isinstance(done, BookingDonePage), done
    assert done.reference.startswith("BK-")
    assert done.qr_payload == done.reference
    assert done.printed is True
    assert done.title == "Appointment booked"
    assert [(r.label, r.detail) for r in done.rows] == [
        ("What", "Housing advice"),
        ("Where", "Central Library\n1 Library Square, Demo Town, DE99 1AA"),
        ("When", "Monday 30 November 2026, 10:00 to 10:30"),
        ("Bring", "Your tenancy agreement and any letters about your home."),
    ]
    assert terminal.lifecycle.phase is Phase.ACTIVE
    assert diary.record(done.reference) == (NAME, "ZZ99ZQ", EMAIL, "07700900461", False)
    assert diary.booking_count() == 1
    assert not terminal.bookings.holding  # the hold became the booking
    # Nothing went through the outbox.
    assert assembly.outbox.find(done.reference) is None
    # Printed: the reference, what, where, when, what to bring, and the reference as a QR.
    assert len(printer(assembly).jobs) == jobs_before + 1
    paper = decode(printer(assembly).output)
    assert done.reference in paper.text
    for expected in ("Housing advice", "Central Library", "Monday 30 November 2026, 10:00 to 10:30",
                     "Your tenancy agreement", "Appointment booked", "Demo Borough Council"):
        assert expected in paper.text, expected
    assert not any(c in paper.text for c in CANARIES)
    assert paper.images  # the QR code (raster in the demo profile)
    for record in caplog.records:
        assert not any(c in record.getMessage() for c in CANARIES), record.getMessage()
    terminal.finish()
    assert terminal.phase is Phase.ATTRACT
    assert diary.active_holds() == 0


def test_the_visit_is_held_only_while_the_hub_is_asked(assembly: Assembly,
                                                       diary: FakeBookings) -> None:
    runner = HeldRunner()
    terminal = make_terminal(assembly, runner=runner)
    terminal.start()
    terminal.choose_service("book-appointment")
    for page_id, raw in (("type", TYPE), ("site", SITE), ("day", MONDAY), ("time", SLOT)):
        runner.run_all()  # the page's lookup
        assert terminal.held == ()  # lookups never hold the visit
        terminal.answer(page_id, raw)
    waiting = terminal.current()
    assert isinstance(waiting, BookingWaitingPage)
    assert (waiting.title, waiting.can_go_back) == ("Holding this time for you", True)
    assert terminal.held == ("booking",)
    runner.run_all()
    assert terminal.held == ()
    assert isinstance(terminal.current(), QuestionPage)
    # Confirming: held, and no Back while a booking may be being made.
    for page_id, raw in (("name", NAME), ("contact_method", ("phone",)), ("phone", PHONE),
                         ("postcode", POSTCODE)):
        terminal.answer(page_id, raw)
    terminal.submit()
    confirming = terminal.current()
    assert isinstance(confirming, BookingWaitingPage)
    assert (confirming.title, confirming.can_go_back) == ("Booking your appointment", False)
    assert terminal.held == ("booking",)
    terminal.back()
    assert terminal.current() == confirming
    runner.run_all()
    assert isinstance(terminal.current(), BookingDonePage)
    assert terminal.held == ()


def test_the_day_picker_says_how_many_times_are_free(terminal: Terminal) -> None:
    terminal.start()
    terminal.choose_service("book-appointment")
    terminal.answer("type", TYPE)
    terminal.answer("site", SITE)
    day = terminal.current()
    assert isinstance(day, QuestionPage)
    assert day.qtype == "day"
    first = day.options[0]
    assert (first.value, first.label, first.hint) == ("2026-11-23", "Monday 23 November",
                                                      "8 times free")
    saturday = next(o for o in day.options if o.value == "2026-11-28")
    assert saturday.hint == "5 times free"
    assert all(o.value != "2026-11-29" for o in day.options)  # closed on Sundays


# ----- a time taken, a hold run out ----------------------------------------------------------

def test_a_time_taken_before_the_hold_offers_the_nearest(terminal: Terminal,
                                                         diary: FakeBookings) -> None:
    to_time(terminal)
    diary.take(TYPE, SITE, SLOT)  # someone booked it while the resident looked
    terminal.answer("time", SLOT)
    shown = terminal.current()
    assert error_of(shown).startswith("That time has just been taken.")
    assert isinstance(shown, QuestionPage)
    assert shown.page_id == "time"
    assert shown.hint == "These are the nearest free times."
    assert [o.label for o in shown.options] == [
        f"Monday 30 November, {hhmm}" for hhmm in ("09:30", "10:30", "11:00", "11:30", "13:30",
                                                    "14:00")]
    assert diary.active_holds() == 0
    terminal.answer("time", "2026-11-30T10:30:00+00:00")
    assert isinstance(terminal.current(), QuestionPage)
    assert terminal.current().page_id == "name"  # type: ignore[union-attr]
    assert diary.active_holds() == 1


def test_a_nearest_time_on_another_day_answers_the_day_too(terminal: Terminal,
                                                           diary: FakeBookings) -> None:
    friday = "2026-11-27T15:30:00+00:00"
    to_time(terminal, friday[:10])
    for slot in diary.free_slots(TYPE, SITE, date(2026, 11, 27)):
        diary.take(TYPE, SITE, slot)  # Friday afternoon fills up
    terminal.answer("time", friday)
    shown = terminal.current()
    assert isinstance(shown, QuestionPage)
    saturday = next(o for o in shown.options if o.value.startswith("2026-11-28"))
    assert saturday.label.startswith("Saturday 28 November, ")
    terminal.answer("time", saturday.value)
    assert terminal.current().page_id == "name"  # type: ignore[union-attr]
    check = details(terminal)
    rows = {row.page_id: row.value for row in check.rows}
    assert rows["day"] == "Saturday 28 November"
    assert rows["time"] == saturday.label.split(", ")[1]


@pytest.mark.parametrize(("fault", "said"), [
    ("taken", "That time has just been taken."),
    ("expired", "We held that time for 5 minutes and the hold has run out."),
])
def test_a_time_lost_between_choosing_and_confirming(terminal: Terminal, diary: FakeBookings,
                                                     fault: str, said: str) -> None:
    to_check_answers(terminal)
    if fault == "taken":
        diary.take_next("confirm")
    else:
        diary.expire_holds()
    terminal.submit()
    shown = terminal.current()
    assert error_of(shown).startswith(said)
    assert isinstance(shown, QuestionPage)
    assert (shown.page_id, shown.changing) == ("time", True)
    assert diary.booking_count() == 0
    assert not terminal.bookings.holding
    terminal.answer("time", shown.options[0].value)
    check = terminal.current()
    assert isinstance(check, CheckAnswersPage)  # a change: back to check answers, held again
    assert diary.active_holds() == 1
    terminal.submit()
    assert isinstance(terminal.current(), BookingDonePage)
    assert diary.booking_count() == 1


# ----- releasing the hold ----------------------------------------------------------------------

def test_going_back_to_choose_another_time_releases_the_hold(terminal: Terminal,
                                                             diary: FakeBookings) -> None:
    to_time(terminal)
    terminal.answer("time", SLOT)
    assert diary.active_holds() == 1
    terminal.back()
    assert terminal.current().page_id == "time"  # type: ignore[union-attr]
    assert diary.active_holds() == 0
    assert SLOT in diary.free_slots(TYPE, SITE, date(2026, 11, 30))
    terminal.answer("time", SLOT)
    assert diary.active_holds() == 1


def test_changing_the_day_from_check_answers_releases_and_holds_again(
        terminal: Terminal, diary: FakeBookings) -> None:
    to_check_answers(terminal)
    terminal.change("day")
    assert diary.active_holds() == 0
    terminal.answer("day", "2026-12-01")
    assert terminal.current().page_id == "time"  # type: ignore[union-attr]
    terminal.answer("time", "2026-12-01T14:00:00+00:00")
    assert isinstance(terminal.current(), CheckAnswersPage)
    assert diary.active_holds() == 1


@pytest.mark.parametrize("leave", ["start_again", "timeout", "back_out"])
def test_leaving_releases_the_hold(terminal: Terminal, diary: FakeBookings, clock: FakeClock,
                                   leave: str) -> None:
    to_time(terminal)
    terminal.answer("time", SLOT)
    assert diary.active_holds() == 1
    if leave == "start_again":
        terminal.start_again()
    elif leave == "timeout":
        clock.advance(60)
        terminal.tick()
        clock.advance(30)
        terminal.tick()
        assert terminal.phase is Phase.ATTRACT
    else:
        for _ in range(5):
            terminal.back()
        assert terminal.session.engine is None
    assert diary.active_holds() == 0
    assert not terminal.bookings.holding


def test_a_hold_that_arrives_after_the_resident_left_is_released(assembly: Assembly,
                                                                 diary: FakeBookings) -> None:
    runner = HeldRunner()
    terminal = make_terminal(assembly, runner=runner)
    terminal.start()
    terminal.choose_service("book-appointment")
    for page_id, raw in (("type", TYPE), ("site", SITE), ("day", MONDAY), ("time", SLOT)):
        runner.run_all()
        terminal.answer(page_id, raw)
    terminal.back()  # Back from "Holding this time for you"
    runner.run_all()
    assert diary.active_holds() == 0
    assert terminal.current().page_id == "time"  # type: ignore[union-attr]


# ----- the hub down at every step ------------------------------------------------------------

@pytest.mark.parametrize("source", ["appointment-types", "appointment-sites", "appointment-days",
                                    "appointment-times"])
def test_the_hub_down_for_a_source_offers_a_call_back(terminal: Terminal, diary: FakeBookings,
                                                      source: str) -> None:
    diary.fail_sources(source)
    terminal.start()
    terminal.choose_service("book-appointment")
    for page_id, raw in (("type", TYPE), ("site", SITE), ("day", MONDAY)):
        if isinstance(terminal.current(), BookingUnavailablePage):
            break
        terminal.answer(page_id, raw)
    shown = terminal.current()
    assert isinstance(shown, BookingUnavailablePage), shown
    assert shown.title == "We cannot book appointments right now"
    assert "Nothing has been booked" in shown.body
    assert shown.call_back == "Request a call back"
    diary.fail_sources()
    terminal.try_again()
    assert isinstance(terminal.current(), QuestionPage)


@pytest.mark.parametrize("step", ["hold", "confirm"])
def test_the_hub_down_at_hold_or_confirm_never_pretends(terminal: Terminal, diary: FakeBookings,
                                                        step: str) -> None:
    if step == "hold":
        to_time(terminal)
        diary.fail_with("unreachable")
        terminal.answer("time", SLOT)
    else:
        to_check_answers(terminal)
        diary.fail_with("timeout")
        terminal.submit()
    shown = terminal.current()
    assert isinstance(shown, BookingUnavailablePage), shown
    assert shown.page_id == step
    assert diary.booking_count() == 0
    diary.clear_faults()
    terminal.try_again()
    if step == "hold":
        assert terminal.current().page_id == "name"  # type: ignore[union-attr]
    else:
        assert isinstance(terminal.current(), BookingDonePage)
        assert diary.booking_count() == 1


def test_back_from_cannot_book_at_hold_is_the_time_page(terminal: Terminal,
                                                       diary: FakeBookings) -> None:
    to_time(terminal)
    diary.fail_with("unreachable")
    terminal.answer("time", SLOT)
    terminal.back()
    assert terminal.current().page_id == "time"  # type: ignore[union-attr]


def test_a_call_back_instead(terminal: Terminal, assembly: Assembly, diary: FakeBookings) -> None:
    to_check_answers(terminal)
    diary.fail_with("unreachable")
    terminal.submit()
    assert isinstance(terminal.current(), BookingUnavailablePage)
    diary.clear_faults()  # back, as the resident asks for a call back instead
    terminal.bookings.call_back()
    shown = terminal.current()
    assert isinstance(shown, QuestionPage)
    assert (shown.service_title, shown.page_id) == ("Ask us to call you back", "topic")
    assert diary.active_holds() == 0  # the booking journey's hold was let go
    for page_id, raw in (("topic", "appointment"), ("name", NAME), ("phone", PHONE),
                         ("best_time", "morning"), ("details", "")):
        terminal.answer(page_id, raw)
    terminal.submit()
    confirmation = terminal.current()
    assert confirmation.kind == "confirmation"
    row = assembly.outbox.find(confirmation.reference)  # type: ignore[union-attr]
    assert row is not None
    assert row.service_id == "request-callback"
    assert diary.booking_count() == 0


def test_no_diary_at_all_says_so(assembly: Assembly, diary: FakeBookings) -> None:
    assembly.parts.bookings = None
    terminal = make_terminal(assembly)
    to_time(terminal)
    terminal.answer("time", SLOT)
    assert isinstance(terminal.current(), BookingUnavailablePage)


# ----- staff -----------------------------------------------------------------------------------

def test_a_booking_made_with_a_staff_card_on_the_reader_is_assisted(
        terminal: Terminal, diary: FakeBookings) -> None:
    to_check_answers(terminal)
    assert terminal.staff.card_inserted(STAFF_CARD) is not None
    terminal.submit()
    done = terminal.current()
    assert isinstance(done, BookingDonePage)
    assert diary.record(done.reference)[-1] is True  # type: ignore[index]


def test_todays_bookings_for_staff_only(terminal: Terminal, diary: FakeBookings,
                                        assembly: Assembly) -> None:
    reference = book_directly(diary, "2026-11-23T14:00:00+00:00")
    assert terminal.bookings.today_job("en") is None  # nobody signed in: names stay hidden
    terminal.start()
    terminal.staff.card_inserted(STAFF_CARD)
    assert terminal.bookings.can_see_today()
    looks = [r for r in assembly.audit.recent() if r.action == "bookings_today"]
    assert looks == []  # offering the button is not a look
    job = terminal.bookings.today_job("en")
    assert job is not None
    answer = job()
    assert [(b.reference, b.name) for b in answer.bookings] == [(reference, NAME)]  # type: ignore[union-attr]
    looks = [r for r in assembly.audit.recent() if r.action == "bookings_today"]
    assert [(r.role, r.reference) for r in looks] == [("staff", terminal.staff.reference())]


def test_todays_bookings_are_not_shown_when_the_look_cannot_be_audited(
        terminal: Terminal, diary: FakeBookings, assembly: Assembly) -> None:
    book_directly(diary, "2026-11-23T14:00:00+00:00")
    terminal.start()
    terminal.staff.card_inserted(STAFF_CARD)
    assembly.audit.close()  # a locked or lost audit database: the names stay hidden
    assert terminal.bookings.today_job("en") is None


# ----- change or cancel ------------------------------------------------------------------------

def to_details(terminal: Terminal, reference: str, postcode: str = POSTCODE) -> Any:
    terminal.start()
    terminal.choose_service("manage-booking")
    terminal.answer("reference", reference)
    terminal.answer("postcode", postcode)
    return terminal.current()


def test_change_the_time_of_a_booking(terminal: Terminal, diary: FakeBookings,
                                      assembly: Assembly) -> None:
    reference = book_directly(diary)
    found = to_details(terminal, reference.lower().replace("-", " "))
    assert isinstance(found, ResultPage), found
    assert found.title == "Your appointment"
    assert {r.label: r.detail for r in found.rows}["When"] == \
        "Monday 30 November 2026, 10:00 to 10:30"
    terminal.answer("details", "")
    terminal.answer("action", "change")
    day = terminal.current()
    assert isinstance(day, QuestionPage)
    assert day.qtype == "day"  # asked for the booking's own type and site
    terminal.answer("day", "2026-12-02")
    terminal.answer("time", "2026-12-02T13:30:00+00:00")
    check = terminal.current()
    assert isinstance(check, CheckAnswersPage)
    assert check.submit_label == "Change appointment"
    assert diary.active_holds() == 1
    terminal.submit()
    done = terminal.current()
    assert isinstance(done, BookingDonePage)
    assert (done.outcome, done.reference, done.title) == ("changed", reference,
                                                          "Appointment changed")
    assert done.printed is None  # printed only when asked
    moved = diary.find(reference, POSTCODE, "en")
    assert isinstance(moved, Booked)
    assert moved.booking.start == "2026-12-02T13:30:00+00:00"
    assert SLOT in diary.free_slots(TYPE, SITE, date(2026, 11, 30))
    assert diary.active_holds() == 0
    terminal.print_page()
    assert isinstance(terminal.current(), BookingDonePage)
    assert terminal.current().printed is True  # type: ignore[union-attr]
    paper = decode(printer(assembly).output).text
    assert reference in paper
    assert "Wednesday 2 December 2026, 13:30 to 14:00" in paper


def test_cancel_a_booking_after_are_you_sure(terminal: Terminal, diary: FakeBookings) -> None:
    reference = book_directly(diary)
    to_details(terminal, reference)
    terminal.answer("details", "")
    terminal.answer("action", "cancel")
    sure = terminal.current()
    assert isinstance(sure, QuestionPage)
    assert sure.title == "Are you sure you want to cancel this appointment?"
    terminal.answer("sure", "no")
    kept = terminal.current()
    assert isinstance(kept, ExitPage)
    assert diary.booking_count() == 1
    terminal.back()
    terminal.answer("sure", "yes")
    done = terminal.current()
    assert isinstance(done, BookingDonePage)
    assert (done.outcome, done.title) == ("cancelled", "Appointment cancelled")
    assert ("Status", "Cancelled") in [(r.label, r.detail) for r in done.rows]
    assert diary.booking_count("cancelled") == 1
    assert SLOT in diary.free_slots(TYPE, SITE, date(2026, 11, 30))


def test_a_wrong_postcode_is_one_plain_message_and_not_a_wasted_try(
        terminal: Terminal, diary: FakeBookings) -> None:
    reference = book_directly(diary)
    shown = to_details(terminal, reference, "DE1 2AB")
    assert error_of(shown) == ("We cannot find a booking with that reference and postcode. "
                               "Check them against your booking confirmation.")
    assert shown.page_id == "postcode"
    finds = diary.calls.count("find")
    terminal.answer("postcode", "de1 2ab")  # the same again
    assert error_of(terminal.current()).startswith("We cannot find a booking")
    assert diary.calls.count("find") == finds
    terminal.answer("postcode", POSTCODE)
    assert isinstance(terminal.current(), ResultPage)


def test_an_unknown_reference_is_the_same_message(terminal: Terminal, diary: FakeBookings) -> None:
    shown = to_details(terminal, "BK-2222-3333")
    assert error_of(shown).startswith("We cannot find a booking")


def test_too_many_tries_asks_for_staff(terminal: Terminal, diary: FakeBookings) -> None:
    reference = book_directly(diary)
    terminal.start()
    terminal.choose_service("manage-booking")
    terminal.answer("reference", reference)
    for wrong in ("DE1 1AA", "DE1 1AB", "DE1 1AD", "DE1 1AE", "DE1 1AF"):
        terminal.answer("postcode", wrong)
        assert error_of(terminal.current()).startswith("We cannot find a booking")
    terminal.answer("postcode", POSTCODE)
    stop = terminal.current()
    assert isinstance(stop, ExitPage)
    assert stop.title == "We cannot show this booking"
    assert "ask a member of staff" in stop.body
    terminal.back()
    assert terminal.current().page_id == "postcode"  # type: ignore[union-attr]


def test_the_hub_down_when_finding_a_booking(terminal: Terminal, diary: FakeBookings) -> None:
    reference = book_directly(diary)
    diary.fail_with("unreachable")
    shown = to_details(terminal, reference)
    assert isinstance(shown, BookingUnavailablePage)
    assert shown.page_id == "find"
    diary.clear_faults()
    terminal.try_again()
    assert isinstance(terminal.current(), ResultPage)


def test_the_hub_down_when_cancelling(terminal: Terminal, diary: FakeBookings) -> None:
    reference = book_directly(diary)
    to_details(terminal, reference)
    terminal.answer("details", "")
    terminal.answer("action", "cancel")
    diary.fail_with("unreachable")
    terminal.answer("sure", "yes")
    assert isinstance(terminal.current(), BookingUnavailablePage)
    assert diary.booking_count() == 1
    terminal.back()
    assert terminal.current().page_id == "sure"  # type: ignore[union-attr]


def test_a_scanned_confirmation_fills_the_reference(terminal: Terminal, diary: FakeBookings) -> None:
    reference = book_directly(diary)
    terminal.start()
    terminal.choose_service("manage-booking")
    terminal.library_card_scanned(reference)
    shown = terminal.current()
    assert isinstance(shown, QuestionPage)
    assert shown.page_id == "postcode"
    assert terminal.session.library_card is None


def test_a_new_language_finds_the_booking_again_in_it(terminal: Terminal,
                                                     diary: FakeBookings) -> None:
    reference = book_directly(diary)
    to_details(terminal, reference)
    finds = diary.calls.count("find")
    terminal.parts.texts.switch("cy")  # as the window does, hearing preferences_changed
    terminal.set_preferences(terminal.prefs.with_(language="cy"))
    shown = terminal.current()
    assert isinstance(shown, ResultPage)
    assert shown.title == "Eich apwyntiad"
    rows = {r.label: r.detail for r in shown.rows}
    assert rows["Ble"] == "Llyfrgell Ganolog\n1 Library Square, Demo Town, DE99 1AA"
    assert rows["Beth"] == "Cyngor ar dai"
    assert diary.calls.count("find") == finds + 1


def test_nothing_of_a_booking_visit_stays_reachable(terminal: Terminal, diary: FakeBookings,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    """Reference counting alone frees a booking visit: the desk keeps a hold's id, never the
    journey, and the steps it ran hold no session."""
    gc.disable()
    try:
        for minutes in ("10:00", "10:30", "11:00"):
            to_check_answers(terminal, f"{MONDAY}T{minutes}:00+00:00")
            session = weakref.ref(terminal.session)
            engine = weakref.ref(terminal.session.engine)  # type: ignore[arg-type]
            terminal.submit()
            assert isinstance(terminal.current(), BookingDonePage)
            terminal.finish()
            assert session() is None
            assert engine() is None
    finally:
        gc.enable()
    assert "garbage collection" not in caplog.text
    assert diary.booking_count() == 3


def test_a_visit_ended_while_confirming_is_gone_and_its_hold_let_go(
        assembly: Assembly, diary: FakeBookings) -> None:
    runner = HeldRunner()
    terminal = make_terminal(assembly, runner=runner)
    terminal.start()
    terminal.choose_service("book-appointment")
    for page_id, raw in (("type", TYPE), ("site", SITE), ("day", MONDAY), ("time", SLOT)):
        runner.run_all()
        terminal.answer(page_id, raw)
    runner.run_all()
    engine = weakref.ref(terminal.session.engine)  # type: ignore[arg-type]
    terminal.start_again()  # the resident walks away on the name page
    assert engine() is None
    runner.run_all()  # the release
    assert diary.active_holds() == 0


# ----- what a booking's questions say when an answer will not do -----------------------------

BOOK_STEPS = [("type", TYPE), ("site", SITE), ("day", MONDAY), ("time", SLOT), ("name", NAME),
              ("contact_method", ("email", "phone")), ("email", EMAIL), ("phone", PHONE),
              ("postcode", POSTCODE)]


@pytest.mark.parametrize(("page_id", "raw", "message"), [
    ("type", "", "Select what the appointment is for"),
    ("type", "tap-dancing", "Select one of the answers shown"),
    ("site", "", "Select where you would like to go"),
    ("day", "", "Select a day"),
    ("day", "2026-11-29", "Select one of the answers shown"),  # a Sunday: not offered
    ("time", "", "Select a time"),
    ("name", "", "Enter your full name"),
    ("name", "x" * 101, "Your answer must be 100 characters or fewer"),
    ("contact_method", (), "Select email, phone or both"),
    ("email", "name@", "Enter an email address in the correct format, like name@example.com"),
    ("phone", "12345", "Enter a UK phone number, like 01632 960 001 or 07700 900 982"),
    ("postcode", "", "Enter your postcode"),
    ("postcode", "near park", "Enter a full UK postcode, like DE1 2AB"),
])
def test_a_booking_question_refuses_an_answer_plainly(terminal: Terminal, diary: FakeBookings,
                                                      page_id: str, raw: Any,
                                                      message: str) -> None:
    terminal.start()
    terminal.choose_service("book-appointment")
    for step_page, step_raw in BOOK_STEPS:
        if step_page == page_id:
            break
        terminal.answer(step_page, step_raw)
    terminal.answer(page_id, raw)
    shown = terminal.current()
    assert isinstance(shown, QuestionPage)
    assert shown.page_id == page_id
    assert [e.message for e in shown.errors] == [message]
    # The time is held once chosen, and stays held while the resident fixes a later answer.
    held = page_id in ("name", "contact_method", "email", "phone", "postcode")
    assert diary.active_holds() == (1 if held else 0)


def test_the_manage_postcode_refuses_what_is_not_a_postcode(terminal: Terminal) -> None:
    terminal.start()
    terminal.choose_service("manage-booking")
    terminal.answer("reference", "BK-4F7K-2QXD")
    terminal.answer("postcode", "")
    assert error_of(terminal.current()) == "Enter the postcode you gave when you booked"
    terminal.answer("postcode", "nope")
    assert error_of(terminal.current()) == "Enter a full UK postcode, like DE1 2AB"


def test_a_visit_ended_while_booking_keeps_the_booking_and_never_releases_its_hold(
        assembly: Assembly, diary: FakeBookings) -> None:
    """Start again during "Booking your appointment": the hub still books (the resident may
    come back to staff with the printed booking), and the kiosk does not release the hold
    the booking is being made from."""
    runner = HeldRunner()
    terminal = make_terminal(assembly, runner=runner)
    terminal.start()
    terminal.choose_service("book-appointment")
    for page_id, raw in (("type", TYPE), ("site", SITE), ("day", MONDAY), ("time", SLOT)):
        runner.run_all()
        terminal.answer(page_id, raw)
    runner.run_all()
    for page_id, raw in (("name", NAME), ("contact_method", ("phone",)), ("phone", PHONE),
                         ("postcode", POSTCODE)):
        terminal.answer(page_id, raw)
    terminal.submit()
    terminal.start_again()
    runner.run_all()
    assert "release" not in diary.calls
    assert diary.booking_count() == 1
    assert terminal.phase is Phase.ATTRACT
