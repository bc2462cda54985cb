"""Booking in the real window, offscreen: the kiosk's hub client (lookups and appointments)
over real HTTP to a small server speaking the appointments contract (tests/kiosk/
booking_hub.py, with a FakeBookings diary behind it). The day picker's tiles; book, with the
booking printed and its QR code holding the reference; cancel by reference and postcode,
printed; the hub down and a call back instead; today's bookings in the staff panel."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import ImageOps
from PySide6.QtWidgets import QLabel
from pyzbar import pyzbar

from kiosk.bookings.base import Booked, Contact, Held
from kiosk.bookings.fake import FakeBookings
from kiosk.clock import FakeClock
from peripherals.cards import FakeCardReader
from peripherals.printer import FakePrinter
from tests.escpos_decode import decode
from tests.kiosk.booking_hub import API_KEY, BookingHub, booking_hub
from tests.kiosk_fixtures import demo_profile_copy
from ui.demo_controls import DEMO_STAFF_CARD
from ui.driving import choose, page_name, tap, type_text, widget

NAME = "Zebedee Canary-Quux"
POSTCODE = "ZZ9 9ZQ"
SLOT = "2026-11-30T10:00:00+00:00"


@pytest.fixture
def diary(clock: FakeClock) -> FakeBookings:
    return FakeBookings(clock)


@pytest.fixture
def hub(diary: FakeBookings) -> Iterator[BookingHub]:
    with booking_hub(diary) as running:
        yield running


@pytest.fixture
def kiosk(make_kiosk, tmp_path: Path, hub: BookingHub):
    path = demo_profile_copy(tmp_path, printer="fake", card_reader={"type": "fake"},
                             lookups={"type": "hub", "endpoint": hub.endpoint,
                                      "api_key": API_KEY, "timeout_seconds": 3,
                                      "connect_timeout_seconds": 1})
    return make_kiosk(profile=path)


def wait_page(qtbot, window, name: str) -> None:
    qtbot.waitUntil(lambda: page_name(window) == name, timeout=10000)


def printed(kiosk) -> FakePrinter:
    printer = kiosk.assembly.printer
    assert isinstance(printer, FakePrinter)
    return printer


def scanned(kiosk) -> list[str]:
    """Every QR code on the last printed job, read back as a phone would read it."""
    codes = []
    for image in decode(printed(kiosk).jobs[-1]).images:
        framed = ImageOps.expand(image.convert("L"), border=24, fill=255)
        codes += [found.data.decode() for found in pyzbar.decode(framed)]
    return codes


def to_days(qtbot, window) -> None:
    tap(window, "start")
    tap(window, "service-book-appointment")
    wait_page(qtbot, window, "question:type")
    choose(window, "housing-advice")
    wait_page(qtbot, window, "question:site")
    choose(window, "central-library")
    wait_page(qtbot, window, "question:day")


def test_the_day_picker_shows_days_as_large_tiles(qtbot, kiosk) -> None:
    window = kiosk.window
    to_days(qtbot, window)
    monday = widget(window, "option-2026-11-23")
    assert monday.accessibleName() == "Monday 23 November, 8 times free"
    assert "Mon" in monday.caption()
    assert "23 Nov" in monday.caption()
    assert monday.height() > window.theme.target_px  # three lines: a large touch target
    assert monday.width() >= window.theme.target_px
    assert widget(window, "month:2026-11").text() == "November 2026"
    assert widget(window, "month:2026-12").text() == "December 2026"
    headers = [widget(window, f"weekday-{n}").text() for n in range(6)]
    assert headers == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]  # closed on Sundays
    tap(window, "option-2026-11-30")
    assert widget(window, "option-2026-11-30").isChecked()
    tap(window, "option-2026-12-01")
    assert not widget(window, "option-2026-11-30").isChecked()
    tap(window, "continue")
    wait_page(qtbot, window, "question:time")


def test_book_and_print(qtbot, kiosk, diary: FakeBookings, hub: BookingHub) -> None:
    window = kiosk.window
    to_days(qtbot, window)
    tap(window, "option-2026-11-30")
    tap(window, "continue")
    wait_page(qtbot, window, "question:time")
    choose(window, SLOT)
    wait_page(qtbot, window, "question:name")
    assert diary.active_holds() == 1
    type_text(window, "answer", NAME)
    tap(window, "continue")
    tap(window, "option-phone")
    tap(window, "continue")
    type_text(window, "answer", "07700 900461")
    tap(window, "continue")
    type_text(window, "answer", POSTCODE)
    tap(window, "continue")
    assert page_name(window) == "check_answers"
    jobs = len(printed(kiosk).jobs)
    tap(window, "submit")
    wait_page(qtbot, window, "booking_done:confirmed")
    reference = widget(window, "reference").text()
    assert reference.startswith("BK-")
    assert widget(window, "value-2").text() == "Monday 30 November 2026, 10:00 to 10:30"
    assert widget(window, "printState").text() == (
        "Your booking has printed. Take it from the printer.")
    assert not widget(window, "print").isVisible()
    assert not widget(window, "bookingCode").pixmap().isNull()
    assert len(printed(kiosk).jobs) == jobs + 1
    paper = decode(printed(kiosk).jobs[-1]).text
    assert reference in paper
    assert "Your tenancy agreement" in paper
    assert NAME not in paper
    assert POSTCODE not in paper
    assert scanned(kiosk) == [reference]
    assert diary.booking_count() == 1
    # Nothing personal travelled in a URL.
    assert not any(NAME in s.path or "ZZ9" in s.path for s in hub.seen)
    tap(window, "finish")
    wait_page(qtbot, window, "attract")


def test_cancel_and_print(qtbot, kiosk, diary: FakeBookings) -> None:
    held = diary.hold("housing-advice", "central-library", SLOT, "another-kiosk-0123456789", 300,
                      "en")
    assert isinstance(held, Held)
    booked = diary.confirm(held.hold, "another-kiosk-0123456789", Contact(NAME, POSTCODE), False,
                           "en")
    assert isinstance(booked, Booked)
    reference = booked.booking.reference
    window = kiosk.window
    tap(window, "start")
    tap(window, "service-manage-booking")
    window.scanner.scanned.emit(reference)  # the QR code on the confirmation
    qtbot.waitUntil(lambda: page_name(window) == "question:postcode", timeout=5000)
    type_text(window, "answer", POSTCODE.lower())
    tap(window, "continue")
    wait_page(qtbot, window, "result:details")
    assert widget(window, "row-detail-2").text() == "Monday 30 November 2026, 10:00 to 10:30"
    tap(window, "continue")
    choose(window, "cancel")
    assert page_name(window) == "question:sure"
    choose(window, "yes")
    wait_page(qtbot, window, "booking_done:cancelled")
    assert widget(window, "title").text() == "Appointment cancelled"
    assert diary.booking_count("cancelled") == 1
    tap(window, "print")
    qtbot.waitUntil(lambda: widget(window, "printState").isVisible(), timeout=10000)
    assert widget(window, "printState").text() == (
        "Your booking has printed. Take it from the printer.")
    paper = decode(printed(kiosk).jobs[-1]).text
    assert "Appointment cancelled" in paper
    assert "Status\nCancelled" in paper or "Cancelled" in paper
    assert scanned(kiosk) == [reference]


def test_the_hub_down_offers_a_call_back(qtbot, kiosk, hub: BookingHub) -> None:
    hub.mode = "error_500"
    window = kiosk.window
    tap(window, "start")
    tap(window, "service-book-appointment")
    wait_page(qtbot, window, "booking_unavailable:type")
    assert widget(window, "title").text() == "We cannot book appointments right now"
    assert "Nothing has been booked" in widget(window, "body").text()
    tap(window, "callBack")
    wait_page(qtbot, window, "question:topic")


def test_todays_bookings_in_the_staff_panel(qtbot, kiosk, diary: FakeBookings) -> None:
    held = diary.hold("housing-advice", "central-library", "2026-11-23T14:00:00+00:00",
                      "another-kiosk-0123456789", 300, "en")
    assert isinstance(held, Held)
    diary.confirm(held.hold, "another-kiosk-0123456789", Contact(NAME, POSTCODE), True, "en")
    window = kiosk.window
    reader = kiosk.assembly.card_reader
    assert isinstance(reader, FakeCardReader)
    reader.insert(DEMO_STAFF_CARD)
    qtbot.waitUntil(lambda: kiosk.staff.panel is not None, timeout=5000)
    tap(window, "staff-bookings_today")
    qtbot.waitUntil(lambda: window.findChild(QLabel, "booking-name-0") is not None,
                    timeout=10000)
    assert widget(window, "booking-time-0").text() == "14:00"
    assert widget(window, "booking-type-0").text() == "Housing advice"
    assert widget(window, "booking-name-0").text() == f"{NAME} (booked with staff help)"
    reader.remove()
    qtbot.waitUntil(lambda: kiosk.staff.panel is None, timeout=5000)
    assert window.findChild(QLabel, "booking-name-0") is None or not any(
        w.isVisible() for w in window.findChildren(QLabel, "booking-name-0"))
