"""The fleet page: IT only; silent and faulty terminals first, their problems in words; one
page per terminal with its recent beats."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from hub.db import utcnow
from hub.devices import revoke
from hub.heartbeat_intake import ingest
from kiosk.heartbeat import OutboxState, Peripheral, ProvisioningResult, ScreenState
from tests.hub.fleet_helpers import OK, beat, make_body, registered
from tests.hub.helpers import add_account, sign_in

HTML = {"Accept": "text/html"}


@pytest.fixture
def it_browser(app: FastAPI, browser: TestClient) -> TestClient:
    add_account(app, "ivy", "it")
    sign_in(browser, "ivy")
    return browser


def order(page: str) -> list[str]:
    return re.findall(r'<tr id="terminal-([a-z0-9-]+)"', page)


def row(page: str, device_id: str) -> str:
    return page.split(f'id="terminal-{device_id}"')[1].split("</tr>")[0]


@pytest.mark.parametrize("path", ["/fleet", "/fleet/kiosk-0001"])
def test_strangers_are_sent_to_sign_in(app: FastAPI, browser: TestClient, path: str) -> None:
    registered(app.state.hub.sessions, "kiosk-0001")
    page = browser.get(path, headers=HTML, follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/sign-in?next=")
    api = browser.get(path, headers={"Accept": "application/json"})
    assert api.status_code == 401
    assert "kiosk-0001" not in page.text + api.text


@pytest.mark.parametrize("role", ["staff", "advisor", "manager"])
def test_other_roles_may_not_see_the_fleet(app: FastAPI, browser: TestClient, role: str) -> None:
    registered(app.state.hub.sessions, "kiosk-0001")
    add_account(app, "sam", role)
    sign_in(browser, "sam")
    page = browser.get("/fleet", headers=HTML)
    assert page.status_code == 403
    assert "kiosk-0001" not in page.text


def test_an_empty_fleet_says_how_to_register(it_browser: TestClient) -> None:
    page = it_browser.get("/fleet")
    assert page.status_code == 200
    assert "kiosk-hub device register" in page.text
    assert "None refused." in page.text


def test_silent_and_faulty_terminals_come_first_in_words(app: FastAPI,
                                                          it_browser: TestClient) -> None:
    sessions = app.state.hub.sessions
    engine = app.state.hub.engine
    now = utcnow()
    keys = {name: registered(sessions, name) for name in
            ("a-working", "b-paper-low", "c-printer-off", "d-gone-quiet", "e-never", "f-revoked",
             "g-rolled-back", "h-screen-down")}
    good = ingest(engine, beat(keys["a-working"], 1), now)
    assert good.reason is None
    low = Peripheral(state="near_end", level="warning")
    assert ingest(engine, beat(keys["b-paper-low"], 1, peripherals=make_body(
        keys["b-paper-low"], 1).peripherals.model_copy(update={"paper": low})), now).reason is None
    off = Peripheral(state="offline", level="fault")
    assert ingest(engine, beat(keys["c-printer-off"], 1, peripherals=make_body(
        keys["c-printer-off"], 1).peripherals.model_copy(update={"printer": off})), now).reason is None
    an_hour_ago = now - timedelta(hours=1)
    assert ingest(engine, beat(keys["d-gone-quiet"], 1, at=an_hour_ago), an_hour_ago).reason is None
    assert ingest(engine, beat(keys["f-revoked"], 1), now).reason is None
    revoke(sessions, "f-revoked", now)
    failed = ProvisioningResult(outcome="rolled_back", version="9", reason="health_check")
    assert ingest(engine, beat(keys["g-rolled-back"], 1, provisioning=failed), now).reason is None
    assert ingest(engine, beat(keys["h-screen-down"], 1, screen=ScreenState(
        reporting=False, age_seconds=900)), now).reason is None

    page = it_browser.get("/fleet").text
    assert order(page) == ["d-gone-quiet", "e-never", "c-printer-off", "g-rolled-back",
                           "h-screen-down", "b-paper-low", "a-working", "f-revoked"]
    assert "Not heard from" in row(page, "d-gone-quiet")
    assert "No heartbeat for 60 minutes" in row(page, "d-gone-quiet")
    assert "Never heard from" in row(page, "e-never")
    assert "Fault" in row(page, "c-printer-off")
    assert "<li>Printer: offline</li>" in row(page, "c-printer-off")
    assert "Last profile update rolled back (health check)" in row(page, "g-rolled-back")
    assert "The screen has not reported its devices for 15 minutes" in row(page, "h-screen-down")
    assert "Needs attention" in row(page, "b-paper-low")
    assert "Paper: near end" in row(page, "b-paper-low")
    assert "Working" in row(page, "a-working")
    assert "Revoked" in row(page, "f-revoked")
    assert "8 terminals: 2 not heard from, 3 fault, 1 needs attention, 1 working, 1 revoked" in page


def test_dead_letters_and_a_stuck_outbox_are_faults(app: FastAPI, it_browser: TestClient) -> None:
    sessions = app.state.hub.sessions
    engine = app.state.hub.engine
    keys = registered(sessions, "kiosk-0001")
    stuck = OutboxState(depth=4, oldest_pending_seconds=3 * 3600, dead=1)
    assert ingest(engine, beat(keys, 1, outbox=stuck), utcnow()).reason is None
    found = row(it_browser.get("/fleet").text, "kiosk-0001")
    assert "Fault" in found
    assert "1 reports could not be delivered (dead letters)" in found
    assert "Reports waiting for 3 hours" in found
    assert "4 waiting, oldest 3 hours; 1 dead letters" in found


def test_a_terminal_page_shows_its_recent_beats(app: FastAPI, it_browser: TestClient) -> None:
    sessions = app.state.hub.sessions
    engine = app.state.hub.engine
    keys = registered(sessions, "kiosk-0001")
    for seq, depth in ((11, 0), (12, 2), (13, 1)):
        waiting = OutboxState(depth=depth, oldest_pending_seconds=60 if depth else None, dead=0)
        assert ingest(engine, beat(keys, seq, outbox=waiting), utcnow()).reason is None
    page = it_browser.get("/fleet/kiosk-0001")
    assert page.status_code == 200
    assert "<h1>Terminal kiosk-0001</h1>" in page.text
    history = page.text.split("Recent heartbeats")[1]
    seqs = re.findall(r"</td><td>(\d+)</td>", history)
    assert seqs == ["13", "12", "11"]
    assert "Printer: online" in history
    assert "Demo Borough Council" in page.text


def test_an_unknown_terminal_page_is_404(it_browser: TestClient) -> None:
    page = it_browser.get("/fleet/nobody-here")
    assert page.status_code == 404
    assert "No terminal nobody-here" in page.text


def test_a_terminal_with_every_peripheral_ok_says_working(app: FastAPI, it_browser) -> None:
    engine = app.state.hub.engine
    keys = registered(app.state.hub.sessions, "kiosk-0001")
    assert ingest(engine, beat(keys, 1), utcnow()).reason is None
    assert OK.level == "ok"
    found = row(it_browser.get("/fleet").text, "kiosk-0001")
    assert '<strong class="tag tag--ok">Working</strong>' in found
    assert "problems" not in found
