"""HubBookings against a small real HTTP server speaking the appointments contract
(tests/kiosk/booking_hub.py): every call's answers arrive as typed outcomes, every failure is
an `Unavailable` with the right reason in time, and no name, postcode or contact detail is in
a URL, a log line or an outcome's repr."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from kiosk.bookings.base import (
    Booked,
    Contact,
    Held,
    HoldExpired,
    NotFound,
    SlotTaken,
    Today,
    TooManyTries,
    Unavailable,
)
from kiosk.bookings.fake import FakeBookings
from kiosk.bookings.hub_client import HubBookings
from kiosk.clock import FakeClock
from kiosk.lookups.base import LookupRequest
from kiosk.lookups.hub_client import HubLookup
from tests.hub_server import free_port
from tests.kiosk.booking_hub import API_KEY, BookingHub, booking_hub

NAME = "Zebedee Canary-Quux"
POSTCODE = "ZZ9 9ZQ"
EMAIL = "zebedee.canary@example.org"
PHONE = "07700900461"
CANARIES = (NAME, "Zebedee", "Canary", POSTCODE, "ZZ99ZQ", EMAIL, PHONE)
HOLDER = "holder-token-0123456789abcdef"
MONDAY = date(2026, 11, 30)
SLOT = "2026-11-30T10:00:00+00:00"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))


@pytest.fixture
def diary(clock: FakeClock) -> FakeBookings:
    return FakeBookings(clock)


@pytest.fixture
def hub(diary: FakeBookings) -> Iterator[BookingHub]:
    with booking_hub(diary) as running:
        yield running


def client(hub: BookingHub, *, key: str = API_KEY, timeout: float = 3.0) -> HubBookings:
    return HubBookings(hub.endpoint, key, timeout_seconds=timeout,
                       connect_timeout_seconds=min(1.0, timeout))


def contact() -> Contact:
    return Contact(NAME, POSTCODE, EMAIL, PHONE)


def book(bookings: HubBookings, start: str = SLOT, type_id: str = "housing-advice",
         site: str = "central-library") -> Booked:
    held = bookings.hold(type_id, site, start, HOLDER, 300, "en")
    assert isinstance(held, Held), held
    booked = bookings.confirm(held.hold, HOLDER, contact(), False, "en")
    assert isinstance(booked, Booked), booked
    return booked


def assert_private(hub: BookingHub, caplog: pytest.LogCaptureFixture, *outcomes: object) -> None:
    for seen in hub.seen:
        assert not any(c.lower() in seen.path.lower() for c in CANARIES), seen.path
    for record in caplog.records:
        assert not any(c in record.getMessage() for c in CANARIES), record.getMessage()
    for outcome in outcomes:
        assert not any(c in repr(outcome) for c in CANARIES), repr(outcome)


# ----- answers ---------------------------------------------------------------------------------

def test_hold_then_confirm_books_and_a_retry_books_nothing_twice(
        hub: BookingHub, diary: FakeBookings, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    bookings = client(hub)
    held = bookings.hold("housing-advice", "central-library", SLOT, HOLDER, 300, "cy")
    assert isinstance(held, Held)
    assert held.booking.status == "held"
    assert held.booking.reference == ""
    assert held.booking.site_label == "Llyfrgell Ganolog"
    assert datetime.fromisoformat(held.expires_at) == datetime(2026, 11, 23, 10, 5, tzinfo=UTC)
    # Holding the same slot again with the same holder is the same hold.
    again = bookings.hold("housing-advice", "central-library", SLOT, HOLDER, 300, "cy")
    assert isinstance(again, Held)
    assert again.hold == held.hold
    booked = bookings.confirm(held.hold, HOLDER, contact(), True, "en")
    assert isinstance(booked, Booked)
    booking = booked.booking
    assert booking.status == "confirmed"
    assert booking.reference.startswith("BK-")
    assert (booking.type, booking.site, booking.start) == ("housing-advice", "central-library", SLOT)
    assert booking.end == "2026-11-30T10:30:00+00:00"
    assert booking.assisted is True
    assert booking.bring.startswith("Your tenancy agreement")
    retry = bookings.confirm(held.hold, HOLDER, contact(), True, "en")
    assert retry == booked
    assert diary.booking_count() == 1
    assert diary.record(booking.reference) == (NAME, "ZZ99ZQ", EMAIL, PHONE, True)
    assert_private(hub, caplog, held, booked)


def test_a_slot_taken_at_hold_offers_the_nearest_free_ones(hub: BookingHub,
                                                           diary: FakeBookings) -> None:
    diary.take("housing-advice", "central-library", SLOT)
    taken = client(hub).hold("housing-advice", "central-library", SLOT, HOLDER, 300, "en")
    assert isinstance(taken, SlotTaken)
    starts = [s.start for s in taken.nearest]
    assert len(starts) == 6
    assert SLOT not in starts
    assert starts == sorted(starts)
    assert "2026-11-30T10:30:00+00:00" in starts
    assert "2026-11-30T09:30:00+00:00" in starts
    assert taken.nearest[0].day_label == "Monday 30 November"
    assert taken.nearest[0].label == "09:30"


def test_a_hold_for_another_slot_releases_the_first(hub: BookingHub, diary: FakeBookings) -> None:
    bookings = client(hub)
    bookings.hold("housing-advice", "central-library", SLOT, HOLDER, 300, "en")
    bookings.hold("housing-advice", "central-library", "2026-11-30T10:30:00+00:00", HOLDER, 300,
                  "en")
    assert diary.active_holds() == 1
    assert SLOT in diary.free_slots("housing-advice", "central-library", MONDAY)


def test_release_is_always_safe(hub: BookingHub, diary: FakeBookings) -> None:
    bookings = client(hub)
    held = bookings.hold("housing-advice", "central-library", SLOT, HOLDER, 300, "en")
    assert isinstance(held, Held)
    assert bookings.release(held.hold, HOLDER) is True
    assert diary.active_holds() == 0
    assert bookings.release(held.hold, HOLDER) is True
    assert bookings.release("no-such-hold", HOLDER) is True


@pytest.mark.parametrize("fault", ["expired", "taken"])
def test_confirm_after_the_hold_expired_or_the_slot_went(hub: BookingHub, diary: FakeBookings,
                                                         fault: str) -> None:
    bookings = client(hub)
    held = bookings.hold("housing-advice", "central-library", SLOT, HOLDER, 300, "en")
    assert isinstance(held, Held)
    if fault == "expired":
        diary.expire_holds()
    else:
        diary.take_next("confirm")
    outcome = bookings.confirm(held.hold, HOLDER, contact(), False, "en")
    assert isinstance(outcome, HoldExpired if fault == "expired" else SlotTaken)
    assert 0 < len(outcome.nearest) <= 6
    assert diary.booking_count() == 0
    unknown = bookings.confirm("never-held", HOLDER, contact(), False, "en")
    assert isinstance(unknown, HoldExpired)


def test_find_cancel_and_change_by_reference_and_postcode(hub: BookingHub,
                                                          diary: FakeBookings) -> None:
    bookings = client(hub)
    reference = book(bookings).booking.reference
    typed = reference.lower().replace("-", " ")
    found = bookings.find(typed, "zz99zq", "en")
    assert isinstance(found, Booked)
    assert found.booking.reference == reference
    other = "2026-12-01T13:30:00+00:00"
    held = bookings.hold("housing-advice", "central-library", other, "other-holder-0123456789", 300,
                         "en")
    assert isinstance(held, Held)
    moved = bookings.change(reference, POSTCODE, held.hold, "other-holder-0123456789", "en")
    assert isinstance(moved, Booked)
    assert (moved.booking.reference, moved.booking.start) == (reference, other)
    assert SLOT in diary.free_slots("housing-advice", "central-library", MONDAY)
    cancelled = bookings.cancel(reference, POSTCODE, "en")
    assert isinstance(cancelled, Booked)
    assert cancelled.booking.status == "cancelled"
    assert bookings.cancel(reference, POSTCODE, "en") == cancelled  # cancelling twice is fine


def test_a_wrong_postcode_is_not_found_and_five_are_too_many(hub: BookingHub) -> None:
    bookings = client(hub)
    reference = book(bookings).booking.reference
    assert isinstance(bookings.find("BK-2222-2222", POSTCODE, "en"), NotFound)
    for _ in range(5):
        assert isinstance(bookings.find(reference, "DE1 2AB", "en"), NotFound)
    assert isinstance(bookings.find(reference, POSTCODE, "en"), TooManyTries)
    assert isinstance(bookings.cancel(reference, POSTCODE, "en"), TooManyTries)


def test_todays_bookings_at_a_site_carry_names_for_staff(hub: BookingHub) -> None:
    bookings = client(hub)
    today = "2026-11-23T14:00:00+00:00"
    reference = book(bookings, today).booking.reference
    book(bookings, "2026-11-30T11:00:00+00:00")
    answer = bookings.today("central-library", "en")
    assert isinstance(answer, Today)
    assert [(r.reference, r.name, r.status, r.type_label) for r in answer.bookings] == [
        (reference, NAME, "confirmed", "Housing advice")]
    assert NAME not in repr(answer)


def test_the_lookup_sources_answer_from_the_same_diary(hub: BookingHub) -> None:
    lookup = HubLookup(hub.endpoint, API_KEY, timeout_seconds=3)
    types = lookup.lookup(LookupRequest("appointment-types", {}, "pl"))
    assert [i.value for i in types.items] == ["housing-advice", "register-birth"]
    assert types.items[0].data["minutes"] == "30"
    sites = lookup.lookup(LookupRequest("appointment-sites", {"type": "register-birth"}, "en"))
    assert [i.value for i in sites.items] == ["central-library", "demo-community-hub"]
    days = lookup.lookup(LookupRequest("appointment-days",
                                       {"type": "housing-advice", "site": "central-library"}, "en"))
    first = days.items[0]
    assert (first.value, first.label) == ("2026-11-23", "Monday 23 November")
    assert first.data == {"date": "2026-11-23", "free": "8", "weekday": "0"}
    times = lookup.lookup(LookupRequest("appointment-times", {
        "type": "housing-advice", "site": "central-library", "day": "2026-11-23"}, "en"))
    assert times.items[0].value == "2026-11-23T10:30:00+00:00"  # past times today left out
    assert times.items[0].data["end"] == "2026-11-23T11:00:00+00:00"
    client(hub).hold("housing-advice", "central-library", "2026-11-23T10:30:00+00:00", HOLDER,
                     300, "en")
    again = lookup.lookup(LookupRequest("appointment-days",
                                        {"type": "housing-advice", "site": "central-library"}, "en"))
    assert again.items[0].data["free"] == "7"  # a held place is not free


# ----- failures -------------------------------------------------------------------------------

def test_a_wrong_key_is_refused(hub: BookingHub) -> None:
    outcome = client(hub, key="wrong").hold("housing-advice", "central-library", SLOT, HOLDER,
                                            300, "en")
    assert outcome == Unavailable("refused")
    assert outcome.detail == "HTTP 403 invalid_api_key"


def test_an_unknown_type_is_refused(hub: BookingHub) -> None:
    outcome = client(hub).hold("tap-dancing", "central-library", SLOT, HOLDER, 300, "en")
    assert outcome == Unavailable("refused")


@pytest.mark.parametrize(("mode", "reason"), [("error_500", "unreachable"),
                                              ("garbage", "bad_answer")])
def test_a_broken_hub(hub: BookingHub, mode: str, reason: str,
                      caplog: pytest.LogCaptureFixture) -> None:
    hub.mode = mode  # type: ignore[assignment]
    bookings = client(hub)
    outcomes = [bookings.hold("housing-advice", "central-library", SLOT, HOLDER, 300, "en"),
                bookings.confirm("h", HOLDER, contact(), False, "en"),
                bookings.find("BK-2222-2222", POSTCODE, "en"),
                bookings.today("central-library", "en")]
    assert all(o == Unavailable(reason) for o in outcomes), outcomes  # type: ignore[arg-type]
    assert bookings.release("h", HOLDER) is False
    assert_private(hub, caplog, *outcomes)


def test_a_hung_hub_times_out_in_time(hub: BookingHub, caplog: pytest.LogCaptureFixture) -> None:
    hub.mode = "hang"
    bookings = client(hub, timeout=0.5)
    started = time.monotonic()
    outcome = bookings.confirm("h", HOLDER, contact(), False, "en")
    assert outcome == Unavailable("timeout")
    assert time.monotonic() - started < 2.5
    assert_private(hub, caplog, outcome)


def test_a_hub_that_is_not_there_is_unreachable(caplog: pytest.LogCaptureFixture) -> None:
    bookings = HubBookings(f"http://127.0.0.1:{free_port()}/kiosk/v1", API_KEY, timeout_seconds=2)
    outcome = bookings.find("BK-2222-2222", POSTCODE, "en")
    assert outcome == Unavailable("unreachable")
    for record in caplog.records:
        assert POSTCODE not in record.getMessage()
        assert "BK-2222" not in record.getMessage()


def test_a_hub_without_appointments_is_not_configured(hub: BookingHub) -> None:
    bookings = HubBookings(hub.endpoint + "/elsewhere", API_KEY, timeout_seconds=2)
    assert bookings.hold("housing-advice", "central-library", SLOT, HOLDER, 300, "en") \
        == Unavailable("not_configured")
