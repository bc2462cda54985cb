"""Tracking requests kiosks delivered to another back office: the hub asks that server (a
third-party-style one written in tests/track_council.py, on 127.0.0.1) for the receipt's
status page and the `request-status` lookup, tokens first, caching answers, and saying "we
cannot check this right now" for every way the server can fail."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from hub.app import create_app
from hub.db import utcnow
from hub.passwords import Passwords
from hub.remote_tracking import CannotCheck, RemoteTracker
from hub.settings import HubSettings
from hub.settings_file import TrackedDestination
from hub.state import HubState
from hub.tracked import Tracked, find
from tests.hub.helpers import API_KEY, add_account, csrf_token, missed_bin, post, sign_in
from tests.track_council import TrackCouncil

KEY = {"X-Api-Key": API_KEY}
REFERENCE = "AB2CD3EF"


@pytest.fixture
def council() -> Iterator[TrackCouncil]:
    with TrackCouncil(key_for_reads=True) as server:
        yield server


def destination(council: TrackCouncil, **overrides: Any) -> TrackedDestination:
    values: dict[str, Any] = {"endpoint": council.url, "api_key": SecretStr(council.api_key),
                              "jurisdiction_id": "county.example.gov.uk",
                              "timeout_seconds": 1.0, "cache_seconds": 0}
    values.update(overrides)
    return TrackedDestination(**values)


def make_app(database_url: str, council: TrackCouncil, **overrides: Any) -> FastAPI:
    settings = HubSettings(database_url=database_url, api_keys=frozenset({API_KEY}),
                           destinations={"county": destination(council, **overrides)})
    return create_app(settings, passwords=Passwords.cheap_for_tests())


@pytest.fixture
def tracking(database_url: str, council: TrackCouncil) -> Iterator[TestClient]:
    app = make_app(database_url, council)
    with TestClient(app) as client:
        yield client
    app.state.hub.engine.dispose()


def report(client: TestClient, council: TrackCouncil, *, token: bool = True,
           reference: str = REFERENCE, destination_name: str = "county") -> str:
    remote_id, handle = council.add(token=token)
    body = {"reference": reference, "destination": destination_name,
            "remote_id": None if token else remote_id, "remote_token": handle or None,
            "service_code": "MISSED_BIN", "delivered_at": "2026-04-03T09:30:00+01:00"}
    response = client.post("/kiosk/v1/references", json=body, headers=KEY)
    assert response.status_code == 200, response.text
    return remote_id


def track(client: TestClient, language: str = "en") -> dict[str, tuple[str, str | None]]:
    response = client.post("/kiosk/v1/lookups/request-status", headers=KEY,
                           json={"inputs": {"reference": REFERENCE.lower()}, "language": language})
    assert response.status_code == 200, response.text
    return {i["value"]: (i["label"], i["hint"]) for i in response.json()["items"]}


def test_tokens_first_then_the_request_itself(tracking: TestClient, council: TrackCouncil
                                              ) -> None:
    remote_id = report(tracking, council)
    rows = track(tracking)  # the token has no id yet: the back office has it, that is all
    assert rows["status"] == ("Status", "Received by the council")
    assert rows["reference"] == ("Reference", "AB2C D3EF")
    assert rows["service"] == ("Service", "Report a missed bin collection")
    assert rows["received"] == ("Received", "3 April 2026")
    council.update(remote_id, "in_progress", "Crew booked for Tuesday")
    rows = track(tracking)
    assert rows["status"] == ("Status", "In progress")
    assert rows["notes"] == ("Notes from the council", "Crew booked for Tuesday")
    assert rows["updated"] == ("Last updated", "5 April 2026")
    hub: HubState = tracking.app.state.hub  # type: ignore[attr-defined]
    kept = find(hub.sessions, REFERENCE)
    assert kept is not None
    assert kept.remote_id == remote_id
    assert council.token_polls[f"tok-{remote_id[4:]}"] == 2
    # The server wanted its key and jurisdiction on reads: the hub sent them.
    assert all(q.get("api_key") == [council.api_key] for q in council.queries)
    assert all(q.get("jurisdiction_id") == ["county.example.gov.uk"] for q in council.queries)


def test_the_status_page_shows_what_the_back_office_says(tracking: TestClient,
                                                         council: TrackCouncil) -> None:
    remote_id = report(tracking, council, token=False)
    council.update(remote_id, "fixed", "Bin emptied <b>today</b>")
    page = tracking.get(f"/status/{REFERENCE.lower()}")
    assert page.status_code == 200
    assert "Closed" in page.text
    assert "Bin emptied &lt;b&gt;today&lt;/b&gt;" in page.text
    assert "Report a missed bin collection" in page.text
    assert remote_id not in page.text
    assert council.api_key not in page.text


@pytest.mark.parametrize("fault", ["html", "garbage", "django500", "slow"])
def test_a_failing_back_office_is_said_in_plain_words(database_url: str, council: TrackCouncil,
                                                       fault: str,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    council.slow_seconds = 2.0
    app = make_app(database_url, council, timeout_seconds=0.5)
    with TestClient(app) as client:
        report(client, council, token=False)
        council.fault = fault
        with caplog.at_level(logging.INFO, logger="hub.tracking"):
            page = client.get(f"/status/{REFERENCE}")
            rows = track(client, "cy")
    app.state.hub.engine.dispose()
    assert page.status_code == 200
    assert "We cannot check this right now" in page.text
    assert "3 April 2026" in page.text
    for raw in ("Bad gateway", "Server error", "hello", "world", "Traceback"):
        assert raw not in page.text
        assert raw not in str(rows)
    assert rows["status"][1] is not None
    assert "Allwn ni ddim gwirio" in rows["status"][1]
    lines = [r.getMessage() for r in caplog.records]
    assert lines
    assert all(line.startswith("tracking destination=county cannot_check=")
                         for line in lines)
    assert council.api_key not in caplog.text


def test_answers_are_cached(database_url: str, council: TrackCouncil) -> None:
    remote_id, _ = council.add(token=False)
    now = [100.0]
    tracker = RemoteTracker({"county": destination(council, cache_seconds=60)},
                            clock=lambda: now[0])
    tracked = Tracked(REFERENCE, "county", remote_id, None, "MISSED_BIN", utcnow())
    try:
        assert tracker.status(tracked).state == "received"
        council.update(remote_id, "closed", "Done")
        now[0] += 59
        assert tracker.status(tracked).state == "received"  # cached
        assert council.gets[f"/open311/v2/requests/{remote_id}.json"] == 1
        now[0] += 2
        assert tracker.status(tracked).state == "closed"
        council.fault = "html"
        now[0] += 61
        with pytest.raises(CannotCheck, match="http_502"):
            tracker.status(tracked)
        council.fault = None
        with pytest.raises(CannotCheck):  # a failure is kept for a few seconds too
            tracker.status(tracked)
        now[0] += 11
        assert tracker.status(tracked).notes == "Done"
    finally:
        tracker.close()


def test_xml_back_offices_and_unknown_ids(database_url: str, council: TrackCouncil) -> None:
    remote_id, _ = council.add(token=False)
    council.update(remote_id, "action_scheduled")
    tracker = RemoteTracker({"county": destination(council, format="xml")})
    try:
        found = tracker.status(Tracked(REFERENCE, "county", remote_id, None, "", utcnow()))
        assert found.state == "in_progress"
        with pytest.raises(CannotCheck, match="http_404"):  # Django's {"detail": "Not found."}
            tracker.status(Tracked("XY2ZA3BC", "county", "CRM-9", None, "", utcnow()))
    finally:
        tracker.close()


def test_a_destination_the_hub_cannot_ask(tracking: TestClient, council: TrackCouncil) -> None:
    """A webhook or mailbox, or a back office with no section in the settings file: the
    kiosk's report says it was received, and that is all that is shown."""
    report(tracking, council, destination_name="mailbox")
    rows = track(tracking)
    assert rows["status"] == ("Status", "Received by the council")
    assert "notes" not in rows
    assert sum(council.gets.values()) == 0


def test_the_hubs_own_requests_answer_in_the_residents_language(app: FastAPI,
                                                                client: TestClient) -> None:
    post(client, missed_bin(**{"attribute[kiosk_reference]": REFERENCE}))
    add_account(app, "sam", "staff")
    with TestClient(app, base_url="https://testserver") as browser:
        sign_in(browser, "sam")
        token = csrf_token(browser, "/requests")
        browser.post("/requests/status", data={"csrf_token": token, "reference": REFERENCE,
                                               "status": "in_progress", "note": "Ar y ffordd"})
    rows = track(client, "cy")
    assert rows["status"] == ("Statws", "Yn cael sylw")
    assert rows["service"][1] == "Rhoi gwybod am fin na chafodd ei gasglu"
    assert rows["notes"] == ("Nodiadau gan y cyngor", "Ar y ffordd")
    data = client.post("/kiosk/v1/lookups/request-status", headers=KEY, json={
        "inputs": {"reference": REFERENCE}}).json()["items"][0]["data"]
    assert data == {"state": "in_progress", "reference": REFERENCE, "service_code": "MISSED_BIN",
                    "checked": "hub"}


def test_an_unknown_reference_has_no_rows(client: TestClient) -> None:
    response = client.post("/kiosk/v1/lookups/request-status", headers=KEY,
                           json={"inputs": {"reference": "XY2Z A3BC"}})
    assert response.json()["items"] == []
    bad = client.post("/kiosk/v1/lookups/request-status", headers=KEY,
                      json={"inputs": {"reference": "no!"}})
    assert bad.status_code == 422
    assert bad.json()["error"]["input"] == "reference"
