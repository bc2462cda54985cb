"""The hub's own side of appointments: the staff page and its cancel button, iCalendar for a
booking and a site's feed (checked against RFC 5545's rules), and the retention purge."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from hub.app import create_app
from hub.appointments import cli as appointments_cli
from hub.appointments.ical import MAX_OCTETS, Event, calendar, escape_text, fold
from hub.appointments.purge import PurgeTimer, purge
from hub.appointments.tables import Booking
from hub.passwords import Passwords
from hub.settings import HubSettings
from tests.hub.appointment_helpers import MovingClock, book, call, holder
from tests.hub.helpers import BASE_URL, add_account, csrf_token, sign_in

MONDAY_0930 = "2026-12-07T09:30:00+00:00"


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock()


@pytest.fixture
def appt_app(settings: HubSettings, clock: MovingClock) -> Iterator[FastAPI]:
    app = create_app(settings, passwords=Passwords.cheap_for_tests(), clock=clock)
    yield app
    app.state.hub.engine.dispose()


@pytest.fixture
def staff(appt_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(appt_app, base_url=BASE_URL) as browser:
        add_account(appt_app, "sam", "staff")
        sign_in(browser, "sam")
        yield browser


def check_rfc5545(data: bytes) -> list[dict[str, str]]:
    """Strict checks of what RFC 5545 requires of a calendar; the events' properties."""
    assert data.endswith(b"\r\n")
    physical = data.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in physical)
    assert all(len(line) <= MAX_OCTETS for line in physical)  # 3.1: 75 octets
    text = data.decode("utf-8")  # every physical line is whole UTF-8 too:
    for line in physical:
        line.decode("utf-8")
    logical = text.replace("\r\n ", "").split("\r\n")[:-1]  # unfolded
    assert logical[0] == "BEGIN:VCALENDAR"
    assert logical[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in logical
    assert any(p.startswith("PRODID:") for p in logical)
    events, current = [], None
    for line in logical:
        name, _, value = line.partition(":")
        assert re.fullmatch(r"[A-Z-]+", name), line
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            assert current is not None
            events.append(current)
            current = None
        elif current is not None:
            current[name] = value
    for event in events:
        assert {"UID", "DTSTAMP", "DTSTART", "DTEND"} <= set(event)
        for stamp in ("DTSTAMP", "DTSTART", "DTEND", "LAST-MODIFIED"):
            assert re.fullmatch(r"\d{8}T\d{6}Z", event[stamp]), event[stamp]
        assert event["DTSTART"] < event["DTEND"]
        for name in ("SUMMARY", "LOCATION", "DESCRIPTION"):
            assert not re.search(r"(?<!\\)[;,]", event[name]), event[name]  # TEXT escaped
    return events


def test_folding_and_escaping() -> None:
    long = "DESCRIPTION:" + "Llyfrgell Ganolog ŵ ŷ — مرکزی لائبریری " * 6
    folded = fold(long)
    assert all(len(p.encode()) <= MAX_OCTETS for p in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == long
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_a_calendar_passes_the_strict_checks() -> None:
    start = datetime(2026, 12, 8, 10, tzinfo=UTC)
    event = Event(uid="bk-2345-6789@x", start=start, end=start + timedelta(minutes=45),
                  summary="Register a birth (BK-2345-6789)", location="Central Library, 1 "
                  "Library Square, Demo Town, DE99 1AA; ground floor", description="a\nb",
                  cancelled=False, sequence=0, modified=start)
    [read] = check_rfc5545(calendar([event] , name="Appointments", stamp=start))
    assert read["DTSTART"] == "20261208T100000Z"
    assert read["LOCATION"].endswith("DE99 1AA\\; ground floor")


def test_staff_see_a_day_and_cancel(staff: TestClient) -> None:
    kept = book(staff, MONDAY_0930, holder(1))
    cancelled = book(staff, "2026-12-07T10:00:00+00:00", holder(2), site="central-library")
    page = staff.get("/appointments?site=central-library&day=2026-12-07")
    assert page.status_code == 200
    assert "Central Library, Monday 7 December 2026" in page.text
    assert "Ada Canary" in page.text
    assert "ada.canary@example.org" in page.text
    assert "2 booked, 0 cancelled." in page.text
    token = csrf_token(staff, "/appointments")
    done = staff.post("/appointments/cancel", data={
        "csrf_token": token, "reference": cancelled["reference"].lower(),
        "site": "central-library", "day": "2026-12-07"}, follow_redirects=False)
    assert done.status_code == 303
    after = staff.get(done.headers["location"])
    assert f"Booking {cancelled['reference']} was cancelled." in after.text
    assert "1 booked, 1 cancelled." in after.text
    found = call(staff, "/bookings/find", {"reference": cancelled["reference"],
                                           "postcode": "DE99 1AB"})
    assert found.json()["booking"]["status"] == "cancelled"
    refused = staff.post("/appointments/cancel", data={"reference": kept["reference"]},
                         follow_redirects=False)
    assert refused.status_code == 403  # no CSRF token: nothing cancelled
    assert "2026-12-08" in staff.get("/appointments?day=2026-12-07").text  # next-day link
    assert staff.get("/appointments?day=nonsense").status_code == 200


def test_one_booking_as_ics(staff: TestClient) -> None:
    booking = book(staff, MONDAY_0930, holder(1), type_id="register-birth",
                   site="demo-community-hub")
    answer = staff.get(f"/appointments/{booking['reference']}.ics")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/calendar; charset=utf-8"
    [event] = check_rfc5545(answer.content)
    assert event["DTSTART"] == "20261207T093000Z"
    assert event["DTEND"] == "20261207T101500Z"
    assert event["SUMMARY"] == f"Register a birth ({booking['reference']})"
    assert event["STATUS"] == "CONFIRMED"
    for personal in ("Canary", "example.org", "900123"):
        assert personal not in answer.text
    assert staff.get("/appointments/BK-2222-2222.ics").status_code == 404


def test_a_sites_feed_needs_its_token(appt_app: FastAPI, staff: TestClient, database_url: str,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    booking = book(staff, MONDAY_0930, holder(1))
    moved = book(staff, "2026-12-08T11:00:00+00:00", holder(2))
    call(staff, f"/bookings/{moved['reference']}/cancel", {"postcode": "DE99 1AB"})
    assert appointments_cli.main(["feed-token", "central-library", "--database", database_url],
                                 environ={"KIOSK_HUB_PUBLIC_URL": "https://hub.example"}) == 0
    url = capsys.readouterr().out.strip().splitlines()[-1]
    assert url.startswith("https://hub.example/calendar/central-library.ics?token=")
    path = urlsplit(url)
    stranger = TestClient(appt_app)
    feed = stranger.get(f"{path.path}?{path.query}")
    assert feed.status_code == 200
    events = {e["UID"]: e for e in check_rfc5545(feed.content)}
    assert events[f"{booking['reference'].lower()}@appointments.civic-kiosk"]["STATUS"] == \
        "CONFIRMED"
    assert events[f"{moved['reference'].lower()}@appointments.civic-kiosk"]["STATUS"] == \
        "CANCELLED"
    assert events[f"{moved['reference'].lower()}@appointments.civic-kiosk"]["SEQUENCE"] == "1"
    assert "Canary" not in feed.text
    assert stranger.get(path.path).status_code == 403
    assert stranger.get(f"{path.path}?token=guess").status_code == 403
    assert stranger.get(f"/calendar/northfield-library.ics?{path.query}").status_code == 403
    assert appointments_cli.main(["feed-token", "central-library", "--database", database_url],
                                 environ={}) == 0
    assert stranger.get(f"{path.path}?{path.query}").status_code == 403  # replaced
    assert appointments_cli.main(["feed-token", "nowhere", "--database", database_url],
                                 environ={}) == 1
    assert "there is no site 'nowhere'" in capsys.readouterr().err


def test_personal_data_is_blanked_after_the_retention_period(
        appt_app: FastAPI, staff: TestClient, clock: MovingClock) -> None:
    booking = book(staff, MONDAY_0930, holder(1))
    book(staff, "2026-12-09T09:30:00+00:00", holder(2))
    appointments = appt_app.state.appointments
    clock.advance(days=30, hours=16)  # 30 days after Monday's appointment ended: not yet
    assert purge(appointments, 30).blanked == 0
    clock.advance(seconds=1)
    assert purge(appointments, 30).blanked == 1
    assert purge(appointments, 30).blanked == 0
    with appointments.engine.connect() as connection:
        rows = {r.reference: r for r in connection.execute(select(Booking))}
    old = rows[booking["reference"]]
    assert (old.name, old.email, old.phone, old.postcode, old.purged) == ("", "", "", "", True)
    assert old.status == "confirmed"
    assert [r.name for r in rows.values() if not r.purged] == ["Ada Canary"]
    page = staff.get("/appointments?site=central-library&day=2026-12-07")
    assert "Removed after the retention period" in page.text
    assert call(staff, "/bookings/find", {"reference": booking["reference"],
                                          "postcode": "DE99 1AB"}).status_code == 404


def test_the_purge_command(settings: HubSettings, database_url: str,
                           capsys: pytest.CaptureFixture[str]) -> None:
    """The command runs on the real clock: a booking made on a clock set in November 2026
    has ended more than a day before any day this test can run."""
    clock = MovingClock(datetime(2026, 11, 1, 18, tzinfo=UTC))
    app = create_app(settings, passwords=Passwords.cheap_for_tests(), clock=clock)
    try:
        with TestClient(app) as kiosk:
            book(kiosk, "2026-11-02T09:30:00+00:00", holder(1))
    finally:
        app.state.hub.engine.dispose()
    assert appointments_cli.main(["purge", "--days", "1", "--database", database_url],
                                 environ={}) == 0
    assert "blanked the personal data of 1 bookings that ended more than 1 days ago" in \
        capsys.readouterr().out
    assert appointments_cli.main(["purge", "--days", "0", "--database", database_url],
                                 environ={}) == 2


def test_the_hub_runs_the_purge_itself(appt_app: FastAPI) -> None:
    timer = PurgeTimer(appt_app.state.appointments, 30, every=timedelta(hours=6))
    timer.start()
    try:
        deadline = time.monotonic() + 20
        while timer.runs == 0:
            assert time.monotonic() < deadline, "the purge never ran"
            time.sleep(0.01)
    finally:
        timer.close()
    assert timer.runs == 1


def test_the_start_page_links_appointments(staff: TestClient) -> None:
    assert '<a href="/appointments">' in staff.get("/").text
