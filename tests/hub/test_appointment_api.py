"""The appointments contract from the kiosk's side: the four lookups and the seven POSTs,
their errors, idempotency, expiry on the hub's clock, and nothing personal in the log."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from hub.app import create_app
from hub.passwords import Passwords
from hub.settings import HubSettings
from tests.hub.appointment_helpers import (
    KEY,
    MovingClock,
    book,
    call,
    confirm_body,
    first_free,
    hold_body,
    holder,
    lookup,
)
from tests.hub.helpers import API_KEY


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock()


@pytest.fixture
def appt_app(settings: HubSettings, clock: MovingClock) -> Iterator[FastAPI]:
    app = create_app(settings, passwords=Passwords.cheap_for_tests(), clock=clock)
    yield app
    app.state.hub.engine.dispose()


@pytest.fixture
def kiosk(appt_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(appt_app) as client:
        yield client


def test_the_four_lookups(kiosk: TestClient) -> None:
    types = lookup(kiosk, "appointment-types", "cy")
    assert [t["value"] for t in types] == ["housing-advice", "register-birth"]
    assert types[0]["label"] == "Cyngor ar dai"
    assert types[1]["data"]["minutes"] == "45"
    assert "babi" in types[1]["data"]["bring"]
    sites = lookup(kiosk, "appointment-sites", type="register-birth")
    assert [s["value"] for s in sites] == ["central-library", "demo-community-hub"]
    assert sites[0]["data"]["address"] == "1 Library Square, Demo Town, DE99 1AA"
    days = lookup(kiosk, "appointment-days", "pl", type="register-birth", site="central-library")
    assert days[0]["value"] == "2026-12-08"
    assert days[0]["label"] == "wtorek 8 grudnia"
    assert days[0]["data"] == {"date": "2026-12-08", "free": "6", "weekday": "1"}
    assert len(days) == 16  # Tuesdays and Thursdays, 8 weeks from Sunday 6 December
    assert days[-1]["value"] == "2027-01-28"
    hub_days = [d["value"] for d in lookup(kiosk, "appointment-days", type="register-birth",
                                           site="demo-community-hub")]
    assert hub_days[:5] == ["2026-12-07", "2026-12-11", "2026-12-14", "2026-12-18", "2026-12-21"]
    assert not {"2026-12-25", "2026-12-28", "2027-01-01"} & set(hub_days)  # bank holidays
    times = lookup(kiosk, "appointment-times", type="register-birth", site="central-library",
                   day="2026-12-08")
    assert [t["label"] for t in times] == ["10:00", "10:45", "11:30", "12:15", "14:00", "14:45"]
    assert times[0]["value"] == "2026-12-08T10:00:00+00:00"
    assert times[0]["data"] == {"start": "2026-12-08T10:00:00+00:00",
                                "end": "2026-12-08T10:45:00+00:00"}
    assert lookup(kiosk, "appointment-sites", type="no-such-type") == []
    assert lookup(kiosk, "appointment-days", type="housing-advice", site="nowhere") == []
    refused = kiosk.post("/kiosk/v1/lookups/appointment-times", headers=KEY, json={
        "inputs": {"type": "housing-advice", "site": "central-library", "day": "8/12/2026"}})
    assert refused.status_code == 422
    assert refused.json()["error"] == {"code": "invalid_input", "input": "day",
                                       "message": "day must be a date like 2026-12-08 "
                                       "(YYYY-MM-DD)"}


def test_past_times_today_are_left_out(kiosk: TestClient, clock: MovingClock) -> None:
    clock.advance(hours=16, minutes=5)  # Monday 7 December 10:05
    times = lookup(kiosk, "appointment-times", type="housing-advice", site="central-library",
                   day="2026-12-07")
    assert times[0]["label"] == "10:30"
    days = lookup(kiosk, "appointment-days", type="housing-advice", site="central-library")
    assert days[0]["data"]["free"] == str(2 * 10)  # 10:30-12:30, 13:30-16:30: 2 places each


def test_hold_then_confirm(kiosk: TestClient) -> None:
    start = first_free(kiosk, "register-birth")
    held = call(kiosk, "/holds", hold_body(start, holder(1), "register-birth", language="cy"))
    assert held.status_code == 201
    doc = held.json()
    assert doc["expires_at"] == "2026-12-06T18:05:00+00:00"  # the default 300 s
    assert doc["booking"] == {
        "reference": "", "status": "held", "type": "register-birth",
        "type_label": "Cofrestru genedigaeth", "site": "central-library",
        "site_label": "Llyfrgell Ganolog", "site_address": "1 Library Square, Demo Town, DE99 1AA",
        "start": "2026-12-08T10:00:00+00:00", "end": "2026-12-08T10:45:00+00:00",
        "bring": doc["booking"]["bring"], "assisted": False}
    assert "babi" in doc["booking"]["bring"]
    again = call(kiosk, "/holds", hold_body(start, holder(1), "register-birth"))
    assert again.json()["hold"] == doc["hold"]  # the same hold
    confirmed = call(kiosk, f"/holds/{doc['hold']}/confirm",
                     confirm_body(holder(1), assisted=True, terminal="kiosk-7"))
    assert confirmed.status_code == 201
    booking = confirmed.json()["booking"]
    assert booking["status"] == "confirmed"
    assert booking["assisted"] is True
    assert booking["reference"][:3] == "BK-"
    assert len(booking["reference"]) == 12
    assert not {"name", "email", "phone", "postcode"} & set(booking)
    retried = call(kiosk, f"/holds/{doc['hold']}/confirm", confirm_body(holder(1)))
    assert retried.status_code == 200
    assert retried.json()["booking"] == booking
    other = call(kiosk, "/holds", hold_body(start, holder(2), "register-birth"))
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "slot_taken"


def test_slot_taken_offers_the_nearest(kiosk: TestClient) -> None:
    start = first_free(kiosk, "register-birth", index=2)  # 11:30 on Tuesday 8 December
    book(kiosk, start, holder(1), type_id="register-birth")
    taken = call(kiosk, "/holds", hold_body(start, holder(2), "register-birth", language="pl"))
    assert taken.status_code == 409
    body = taken.json()
    assert body["error"]["code"] == "slot_taken"
    nearest = body["nearest"]
    assert len(nearest) == 6
    assert [n["start"][11:16] for n in nearest[:4]] == ["10:00", "10:45", "12:15", "14:00"]
    assert nearest[0]["label"] == "10:00"
    assert nearest[0]["day_label"] == "wtorek 8 grudnia"
    assert start not in [n["start"] for n in nearest]


def test_hold_refusals(kiosk: TestClient) -> None:
    start = first_free(kiosk)
    cases = [
        (hold_body(start, holder(), type_id="no-such"), 404, "unknown_type", None),
        (hold_body(start, holder(), site="nowhere"), 404, "unknown_site", None),
        (hold_body("2026-12-08T10:10:00+00:00", holder()), 422, "invalid_input", "start"),
        (hold_body("2026-12-08T10:00:00", holder()), 422, "invalid_input", "start"),
        (hold_body("tomorrow", holder()), 422, "invalid_input", "start"),
        (hold_body(start, "short"), 422, "invalid_input", "holder"),
        (hold_body(start, holder(), hold_seconds="long"), 422, "invalid_input", "hold_seconds"),
        (hold_body(start, holder(), language="Welsh"), 422, "invalid_input", "language"),
        (hold_body("2026-12-25T10:00:00+00:00", holder()), 422, "invalid_input", "start"),
    ]
    for body, status, code, field in cases:
        answer = call(kiosk, "/holds", body)
        assert answer.status_code == status, (body, answer.text)
        assert answer.json()["error"]["code"] == code
        assert answer.json()["error"].get("input") == field
    assert call(kiosk, "/holds", hold_body(start, holder()), headers={}).status_code == 401
    assert call(kiosk, "/holds", hold_body(start, holder()),
                headers={"X-Api-Key": "wrong"}).status_code == 403


def test_a_slot_already_begun_is_taken(kiosk: TestClient, clock: MovingClock) -> None:
    start = first_free(kiosk)  # Monday 09:30
    clock.advance(hours=15, minutes=31)  # Monday 09:31
    answer = call(kiosk, "/holds", hold_body(start, holder()))
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "slot_taken"
    assert answer.json()["nearest"][0]["start"] == "2026-12-07T10:00:00+00:00"


def test_hold_seconds_are_clamped_and_a_new_choice_releases_the_old(kiosk: TestClient) -> None:
    first, second = first_free(kiosk, "register-birth"), first_free(kiosk, "register-birth", index=1)
    short = call(kiosk, "/holds", hold_body(first, holder(1), "register-birth", hold_seconds=5))
    assert short.json()["expires_at"] == "2026-12-06T18:01:00+00:00"
    long = call(kiosk, "/holds", hold_body(second, holder(1), "register-birth",
                                           hold_seconds=86400))
    assert long.json()["expires_at"] == "2026-12-06T18:15:00+00:00"
    # The first slot (capacity 1) is free again: the holder moved on.
    assert call(kiosk, "/holds", hold_body(first, holder(2), "register-birth")).status_code == 201
    stale = call(kiosk, f"/holds/{short.json()['hold']}/confirm", confirm_body(holder(1)))
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "hold_expired"


def test_expiry_on_the_hubs_clock_frees_the_place(kiosk: TestClient, clock: MovingClock) -> None:
    start = first_free(kiosk, "register-birth")
    held = call(kiosk, "/holds", hold_body(start, holder(1), "register-birth", hold_seconds=120))
    assert call(kiosk, "/holds", hold_body(start, holder(2), "register-birth")).status_code == 409
    clock.advance(seconds=119)
    assert call(kiosk, "/holds", hold_body(start, holder(2), "register-birth")).status_code == 409
    clock.advance(seconds=1)
    days = lookup(kiosk, "appointment-days", type="register-birth", site="central-library")
    assert days[0]["data"]["free"] == "6"  # counted free as soon as it expires
    late = call(kiosk, f"/holds/{held.json()['hold']}/confirm", confirm_body(holder(1)))
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "hold_expired"
    assert late.json()["nearest"][0]["start"] == start  # still free: offered back
    assert call(kiosk, "/holds", hold_body(start, holder(2), "register-birth")).status_code == 201
    unknown = call(kiosk, "/holds/0123456789abcdef/confirm", confirm_body(holder(1)))
    assert unknown.status_code == 409
    assert unknown.json() == {
        "error": {"code": "hold_expired", "message": unknown.json()["error"]["message"]},
        "nearest": []}


def test_release_is_always_safe(kiosk: TestClient) -> None:
    start = first_free(kiosk, "register-birth")
    held = call(kiosk, "/holds", hold_body(start, holder(1), "register-birth")).json()
    assert call(kiosk, f"/holds/{held['hold']}/release", {"holder": holder(2)}).status_code == 204
    assert call(kiosk, "/holds", hold_body(start, holder(2), "register-birth")).status_code == 409
    released = call(kiosk, f"/holds/{held['hold']}/release", {"holder": holder(1)})
    assert released.status_code == 204
    assert released.content == b""
    assert call(kiosk, f"/holds/{held['hold']}/release", {"holder": holder(1)}).status_code == 204
    assert call(kiosk, "/holds/nothing/release", {"holder": holder(1)}).status_code == 204
    assert call(kiosk, "/holds", hold_body(start, holder(2), "register-birth")).status_code == 201


def test_confirm_needs_a_name_and_a_postcode(kiosk: TestClient) -> None:
    held = call(kiosk, "/holds", hold_body(first_free(kiosk), holder(1))).json()
    path = f"/holds/{held['hold']}/confirm"
    for change, field in (({"name": " "}, "name"), ({"postcode": "not one"}, "postcode"),
                          ({"email": "ada-at-example"}, "email"), ({"assisted": "yes"}, "assisted"),
                          ({"name": "x" * 101}, "name"), ({"holder": None}, "holder")):
        answer = call(kiosk, path, {**confirm_body(holder(1)), **change})
        assert answer.status_code == 422, change
        assert answer.json()["error"]["input"] == field
        assert "Canary" not in answer.text
    body = confirm_body(holder(1))
    del body["email"], body["phone"]
    assert call(kiosk, path, body).status_code == 201


def test_find_cancel_and_the_postcode_limit(kiosk: TestClient, clock: MovingClock) -> None:
    booking = book(kiosk, first_free(kiosk), holder(1))
    reference = booking["reference"]
    typed = reference.lower().replace("-", " ")
    found = call(kiosk, "/bookings/find", {"reference": typed, "postcode": "DE991AB",
                                           "language": "ro"})
    assert found.status_code == 200
    assert found.json()["booking"]["site_label"] == "Biblioteca Centrală"
    assert found.json()["booking"]["reference"] == reference
    unknown = call(kiosk, "/bookings/find", {"reference": "BK-2222-2222", "postcode": "DE99 1AB"})
    wrong = call(kiosk, "/bookings/find", {"reference": reference, "postcode": "DE99 2DE"})
    assert unknown.status_code == wrong.status_code == 404
    assert unknown.json() == wrong.json()  # a wrong postcode says no more than no booking
    for _ in range(3):
        assert call(kiosk, f"/bookings/{reference}/cancel",
                    {"postcode": "DE99 9ZZ"}).status_code == 404
    assert call(kiosk, "/bookings/find", {"reference": reference,
                                          "postcode": "DE99 9ZZ"}).status_code == 404  # 5th
    limited = call(kiosk, "/bookings/find", {"reference": reference, "postcode": "DE99 1AB"})
    assert limited.status_code == 429
    assert limited.json() == {"error": {"code": "too_many_tries",
                                        "message": limited.json()["error"]["message"]}}
    clock.advance(hours=1)
    assert call(kiosk, "/bookings/find", {"reference": reference,
                                          "postcode": "DE99 1AB"}).status_code == 200
    cancelled = call(kiosk, f"/bookings/{typed}/cancel", {"postcode": "de99 1ab"})
    assert cancelled.status_code == 200
    assert cancelled.json()["booking"]["status"] == "cancelled"
    twice = call(kiosk, f"/bookings/{reference}/cancel", {"postcode": "DE99 1AB"})
    assert twice.status_code == 200
    assert twice.json() == cancelled.json()
    # Its place is free again: both places of the slot can be held.
    for n in (2, 3):
        assert call(kiosk, "/holds", hold_body(booking["start"], holder(n))).status_code == 201


def test_change_moves_the_booking_in_one_go(kiosk: TestClient) -> None:
    old_start = first_free(kiosk, "register-birth")
    new_start = first_free(kiosk, "register-birth", index=3)
    booking = book(kiosk, old_start, holder(1), type_id="register-birth")
    held = call(kiosk, "/holds", hold_body(new_start, holder(9), "register-birth")).json()
    body = {"postcode": "DE99 1AB", "hold": held["hold"], "holder": holder(9)}
    moved = call(kiosk, f"/bookings/{booking['reference']}/change", body)
    assert moved.status_code == 200, moved.text
    doc = moved.json()["booking"]
    assert (doc["reference"], doc["start"], doc["status"]) == (booking["reference"], new_start,
                                                               "confirmed")
    assert call(kiosk, f"/bookings/{booking['reference']}/change", body).json() == moved.json()
    assert call(kiosk, "/holds", hold_body(old_start, holder(2), "register-birth")
                ).status_code == 201  # the old place is free
    assert call(kiosk, "/holds", hold_body(new_start, holder(3), "register-birth")
                ).status_code == 409  # the new one is the booking's
    gone = call(kiosk, f"/bookings/{booking['reference']}/change",
                {**body, "hold": "0123456789abcdef"})
    assert gone.status_code == 409
    assert gone.json()["error"]["code"] == "hold_expired"
    wrong = call(kiosk, f"/bookings/{booking['reference']}/change",
                 {**body, "postcode": "DE99 2DE"})
    assert wrong.status_code == 404
    assert wrong.json()["error"]["code"] == "not_found"


def test_today_at_a_site(kiosk: TestClient, clock: MovingClock) -> None:
    clock.advance(hours=14)  # Monday 7 December 08:00
    first = book(kiosk, "2026-12-07T10:00:00+00:00", holder(1))
    book(kiosk, "2026-12-07T09:30:00+00:00", holder(2))
    book(kiosk, "2026-12-08T09:30:00+00:00", holder(3))  # tomorrow
    call(kiosk, f"/bookings/{first['reference']}/cancel", {"postcode": "DE99 1AB"})
    today = call(kiosk, "/today", {"site": "central-library", "language": "cy"})
    assert today.status_code == 200
    rows = today.json()["bookings"]
    assert [(r["start"][11:16], r["status"]) for r in rows] == [("09:30", "confirmed"),
                                                                ("10:00", "cancelled")]
    assert rows[0]["name"] == "Ada Canary"
    assert rows[0]["type_label"] == "Cyngor ar dai"
    assert set(rows[0]) == {"reference", "start", "end", "type_label", "name", "assisted",
                            "status"}
    assert call(kiosk, "/today", {"site": "nowhere"}).status_code == 404


def test_nothing_personal_in_the_log(kiosk: TestClient, caplog: pytest.LogCaptureFixture
                                     ) -> None:
    with caplog.at_level(logging.DEBUG):
        booking = book(kiosk, first_free(kiosk), holder(1))
        call(kiosk, "/bookings/find", {"reference": booking["reference"], "postcode": "DE99 1AB"})
        call(kiosk, "/bookings/find", {"reference": booking["reference"], "postcode": "DE99 7XY"})
        call(kiosk, "/today", {"site": "central-library"})
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("hub")]
    assert "appointments action=confirm status=201" in " ".join(lines)
    for secret in ("Canary", "example.org", "900123", "DE99 1AB", "DE99 7XY", "DE991AB",
                   booking["reference"], holder(1)):
        assert secret not in caplog.text


def test_a_database_failure_is_503_and_logs_nothing_personal(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = HubSettings(database_url=f"sqlite:///{tmp_path / 'hub.db'}",
                           api_keys=frozenset({API_KEY}))
    app = create_app(settings, passwords=Passwords.cheap_for_tests(), clock=MovingClock())
    try:
        with TestClient(app) as client, caplog.at_level(logging.DEBUG):
            held = call(client, "/holds", hold_body(first_free(client), holder(1))).json()
            with app.state.hub.engine.begin() as connection:
                connection.execute(text("DROP TABLE appointment_bookings"))
            failed = call(client, f"/holds/{held['hold']}/confirm", confirm_body(holder(1)))
            assert failed.status_code == 503
            assert failed.json()["error"]["code"] == "unavailable"
        assert "appointments action=confirm failed=OperationalError" in caplog.text
        for personal in ("Canary", "example.org", "900123", "DE99 1AB"):
            assert personal not in caplog.text
    finally:
        app.state.hub.engine.dispose()


def test_the_horizon_is_a_setting(settings: HubSettings) -> None:
    shorter = HubSettings(database_url=settings.database_url, api_keys=settings.api_keys,
                          appointment_horizon_weeks=2)
    app = create_app(shorter, passwords=Passwords.cheap_for_tests(), clock=MovingClock())
    try:
        with TestClient(app) as client:
            days = lookup(client, "appointment-days", type="register-birth",
                          site="central-library")
            assert [d["value"] for d in days] == ["2026-12-08", "2026-12-10", "2026-12-15",
                                                  "2026-12-17"]
            beyond = call(client, "/holds", hold_body("2026-12-22T10:00:00+00:00", holder(),
                                                      "register-birth"))
            assert beyond.status_code == 409
            assert lookup(client, "appointment-times", type="register-birth",
                          site="central-library", day="2026-12-22") == []
    finally:
        app.state.hub.engine.dispose()
