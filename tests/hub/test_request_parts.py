""""Tell us once" at the council's hub: one kiosk reference, one request per part.

The end-to-end test runs a real hub process (`python -m hub`, on SQLite and on PostgreSQL)
with the three-delivery fixture service, and the kiosk's real outbox, Relay and
Open311Sender sending all three parts to it. The in-process tests check what staff and
residents see of a reference with several parts, and that a staff status names one part.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from fastapi import FastAPI
from fastapi.testclient import TestClient

from hub.app import create_app
from hub.passwords import Passwords
from hub.settings import HubSettings
from kiosk.assembly import Assembly, assemble
from kiosk.catalogue import load_catalogue
from kiosk.clock import FakeClock
from kiosk.journey.pages import CheckAnswersPage
from kiosk.outbox import Open311Sender, Relay
from kiosk.outbox.open311_request import FormOptions, form
from kiosk.profile import load_profile
from kiosk.resident import ResidentSession
from tests.hub.helpers import API_KEY, add_account, csrf_token, post, sign_in
from tests.hub_server import running_hub
from tests.kiosk_fixtures import demo_profile_copy

TELL = Path(__file__).parent.parent / "kiosk" / "fixtures" / "catalogues" / "tell-us-once"
CODES = ("MOVED_COUNCIL_TAX", "MOVED_ELECTORAL", "MOVED_LIBRARIES")
NAMES = ("Tell us you have moved: Council Tax", "Tell us you have moved: Electoral register",
         "Tell us you have moved: Libraries")
KEY = {"X-Api-Key": API_KEY}
HTML = {"Accept": "text/html"}
REFERENCE = "AB2CD3EF"


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[Assembly]:
    loaded = load_profile(demo_profile_copy(tmp_path, printer="fake"))
    clock = FakeClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    assembly = assemble(loaded, tmp_path / "state", clock=clock, deliver_immediately=False)
    yield assembly
    assembly.close()


def _requests_at(open311_url: str) -> list[dict[str, Any]]:
    response = requests.get(f"{open311_url}/requests.json", timeout=10)
    response.raise_for_status()
    found: list[dict[str, Any]] = response.json()
    return found


def test_three_parts_through_the_real_relay_reach_a_real_hub(
        kiosk: Assembly, database_url: str, tmp_path: Path) -> None:
    with running_hub(tmp_path / "hub", catalogue=TELL, database_url=database_url) as hub:
        sender = Open311Sender(hub.open311_url, hub.api_key, timeout_seconds=10.0)
        clock = kiosk.parts.clock
        assert isinstance(clock, FakeClock)
        # Every delivery goes to the hub's Open311 endpoint, as a council's own hub takes them.
        relay = Relay(kiosk.outbox, dict.fromkeys(("council", "elections", "libraries"), sender),
                      clock.epoch, random.Random(5))
        parts = replace(kiosk.parts, catalogue=load_catalogue(TELL),
                        deliver_now=lambda sid: relay.deliver(sid).delivered)
        session = ResidentSession(parts)
        session.choose("moved")
        session.answer("new_address", "7 Canary Wharf Row")
        session.answer("tell", ("council_tax", "electoral", "libraries"))
        assert isinstance(session.answer("library_card", "LIB-77"), CheckAnswersPage)
        submissions = session.prepare_submissions()
        outcome = session.deliver_and_print(submissions)
        try:
            assert outcome.delivered, hub.output()
            assert [(p.part, p.delivered) for p in outcome.parts] == [
                ("council_tax", True), ("electoral", True), ("libraries", True)]
            reference = outcome.reference
            received = _requests_at(hub.open311_url)
            assert sorted(r["service_code"] for r in received) == sorted(CODES)
            assert len({r["service_request_id"] for r in received}) == 3

            # The same part again under a new submission: a duplicate. The same submission
            # again (its Idempotency-Key): the first answer, nothing new stored.
            options = FormOptions(api_key=hub.api_key)
            first = submissions[0]
            body = form(first, options)
            again = requests.post(f"{hub.open311_url}/requests.json", data=body, timeout=10,
                                  headers={"Idempotency-Key": uuid.uuid4().hex})
            assert again.status_code == 400
            assert again.json()[0]["code"] == "duplicate_reference"
            assert "part council_tax" in again.json()[0]["description"]
            replayed = requests.post(f"{hub.open311_url}/requests.json", data=body, timeout=10,
                                     headers={"Idempotency-Key": first.submission_id})
            assert replayed.status_code == 200, replayed.text
            council_tax = next(r for r in received if r["service_code"] == CODES[0])
            assert replayed.json()[0]["service_request_id"] == council_tax["service_request_id"]
            assert len(_requests_at(hub.open311_url)) == 3

            page = requests.get(hub.status_url(reference), timeout=10)
            assert page.status_code == 200
            for name in NAMES:
                assert f"<h2>{name}</h2>" in page.text
            assert "7 Canary Wharf Row" not in page.text
            assert "LIB-77" not in page.text
        finally:
            sender.close()


@pytest.fixture
def tell_app(database_url: str) -> Iterator[FastAPI]:
    settings = HubSettings(database_url=database_url, api_keys=frozenset({API_KEY}),
                           catalogue_dir=TELL)
    app = create_app(settings, passwords=Passwords.cheap_for_tests())
    yield app
    app.state.hub.engine.dispose()


@pytest.fixture
def tell(tell_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(tell_app, base_url="https://testserver") as client:
        yield client


def _part(client: TestClient, code: str, part: str | None, reference: str = REFERENCE,
          **extra: str) -> Any:
    body = [("api_key", API_KEY), ("service_code", code), ("address_string", "1 High St"),
            ("attribute[kiosk_reference]", reference)]
    if part is not None:
        body.append(("attribute[kiosk_part]", part))
    body.extend(extra.items())
    return post(client, body)


@pytest.fixture
def three(tell: TestClient) -> dict[str, str]:
    """The three parts of REFERENCE, received: part -> service request id."""
    ids = {}
    for code, part in zip(CODES, ("council_tax", "electoral", "libraries"), strict=True):
        response = _part(tell, code, part)
        assert response.status_code == 200, response.text
        ids[part] = response.json()[0]["service_request_id"]
    return ids


def test_a_delivery_service_takes_kiosk_part_and_checks_it(tell: TestClient) -> None:
    definition = tell.get(f"/open311/v2/services/{CODES[0]}.json").json()
    codes = {a["code"]: a for a in definition["attributes"]}
    assert codes["kiosk_part"]["variable"] is False
    too_long = _part(tell, CODES[0], "x" * 65)
    assert too_long.status_code == 400
    assert "attribute[kiosk_part] is longer than 64" in too_long.text
    # Without a part, the reference is a single request's, and taken once only.
    assert _part(tell, CODES[0], None, "XY2ZA3BC").status_code == 200
    assert _part(tell, CODES[1], None, "XY2ZA3BC").json()[0]["code"] == "duplicate_reference"


def test_the_status_page_and_request_status_list_every_part(
        tell: TestClient, three: dict[str, str]) -> None:
    page = tell.get(f"/status/{REFERENCE.lower()}")
    assert page.status_code == 200
    assert "We have told 3 services" in page.text
    assert [n for n in NAMES if f"<h2>{n}</h2>" in page.text] == list(NAMES)
    rows = tell.post("/kiosk/v1/lookups/request-status", headers=KEY,
                     json={"inputs": {"reference": REFERENCE}, "language": "en"}).json()["items"]
    assert rows[0]["data"]["state"] == "received"
    parts = {r["value"]: (r["label"], r["hint"], r["data"]["state"]) for r in rows
             if r["value"].startswith("part:")}
    assert parts == {
        "part:council_tax": ("Council Tax", "Received by the council", "received"),
        "part:electoral": ("Electoral register", "Received by the council", "received"),
        "part:libraries": ("Libraries", "Received by the council", "received")}
    welsh = tell.post("/kiosk/v1/lookups/request-status", headers=KEY,
                      json={"inputs": {"reference": REFERENCE}, "language": "cy"}).json()
    assert "Treth Gyngor" in [r["label"] for r in welsh["items"]]


def test_staff_set_the_status_of_the_part_they_chose(
        tell_app: FastAPI, tell: TestClient, three: dict[str, str]) -> None:
    add_account(tell_app, "sam", "staff")
    sign_in(tell, "sam")
    page = tell.get(f"/requests?reference={REFERENCE}", headers=HTML)
    assert page.text.count('name="part"') == 3
    assert 'id="status-2"' in page.text
    token = csrf_token(tell, "/requests")
    done = tell.post("/requests/status", follow_redirects=False, data={
        "csrf_token": token, "reference": REFERENCE, "part": "electoral",
        "status": "closed", "note": "Added to the register"})
    assert done.status_code == 303
    statuses = {r["service_request_id"]: r["status"]
                for r in tell.get("/open311/v2/requests.json").json()}
    assert statuses == {three["council_tax"]: "open", three["electoral"]: "closed",
                        three["libraries"]: "open"}
    rows = tell.post("/kiosk/v1/lookups/request-status", headers=KEY,
                     json={"inputs": {"reference": REFERENCE}}).json()["items"]
    assert rows[0]["data"]["state"] == "in_progress"  # one closed, two not yet
    assert {r["value"]: r["data"]["state"] for r in rows if r["value"].startswith("part:")} \
        == {"part:council_tax": "received", "part:electoral": "closed",
            "part:libraries": "received"}
    assert "Added to the register" in tell.get(f"/status/{REFERENCE}").text
    # An error is shown on the form that was sent, and its summary links to that form.
    refused = tell.post("/requests/status", headers=HTML, data={
        "csrf_token": token, "reference": REFERENCE, "part": "libraries", "status": ""})
    assert refused.status_code == 400
    assert 'href="#status-3"' in refused.text
    # A part the reference does not have is not found, and changes nothing.
    unknown = tell.post("/requests/status", headers=HTML, data={
        "csrf_token": token, "reference": REFERENCE, "part": "nothing", "status": "closed"})
    assert unknown.status_code == 404
    assert [r["status"] for r in tell.get("/open311/v2/requests.json").json()].count(
        "closed") == 1
