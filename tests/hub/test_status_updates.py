"""Status updates from the hub's requests page: signed-in staff only, CSRF on the form, and
every reader sees the change: `GET requests` (status, status_notes), mySociety's
`servicerequestupdates`, and the receipt's status page."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from hub.state import HubState
from hub.tracking_db import RequestUpdate
from tests.hub.helpers import add_account, csrf_token, missed_bin, post, sign_in

HTML = {"Accept": "text/html"}
REFERENCE = "ABCD2345"


@pytest.fixture
def received(client: TestClient) -> str:
    response = post(client, missed_bin(**{"attribute[kiosk_reference]": REFERENCE}))
    assert response.status_code == 200, response.text
    request_id: str = response.json()[0]["service_request_id"]
    return request_id


def set_status(browser: TestClient, status: str, note: str = "", reference: str = "abcd 2345"
               ) -> object:
    token = csrf_token(browser, "/requests")
    return browser.post("/requests/status", data={
        "csrf_token": token, "reference": reference, "status": status, "note": note},
        follow_redirects=False)


def test_strangers_are_sent_to_sign_in(browser: TestClient, received: str) -> None:
    page = browser.get(f"/requests?reference={REFERENCE}", headers=HTML, follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/sign-in?next=")
    refused = browser.post("/requests/status", data={"reference": REFERENCE,
                                                     "status": "closed"}, headers=HTML,
                           follow_redirects=False)
    assert refused.status_code == 303
    assert REFERENCE not in page.text + refused.text


def test_an_advisor_may_not_set_a_status(app: FastAPI, browser: TestClient, received: str
                                         ) -> None:
    add_account(app, "ada", "advisor")
    sign_in(browser, "ada")
    assert browser.get("/requests", headers=HTML).status_code == 403
    token = csrf_token(browser, "/")
    refused = browser.post("/requests/status", headers=HTML, data={
        "csrf_token": token, "reference": REFERENCE, "status": "closed"})
    assert refused.status_code == 403
    assert browser.get(f"/open311/v2/requests/{received}.json").json()[0]["status"] == "open"


@pytest.mark.parametrize("role", ["staff", "manager", "it"])
def test_the_roles_that_may_find_a_request(app: FastAPI, browser: TestClient, received: str,
                                           role: str) -> None:
    add_account(app, "pat", role)
    sign_in(browser, "pat")
    page = browser.get("/requests?reference=abcd2345")
    assert page.status_code == 200
    assert "ABCD2345" in page.text
    assert "Report a missed bin collection" in page.text
    # Staff need the reference, not the person: nothing the resident typed is shown.
    for secret in ("resident@example.org", "14, DE99 1AB", "Bin is by the gate", received):
        assert secret not in page.text


def test_a_form_without_its_token_changes_nothing(staff_client: TestClient, received: str
                                                  ) -> None:
    refused = staff_client.post("/requests/status", headers=HTML, data={
        "reference": REFERENCE, "status": "closed", "note": "Done"})
    assert refused.status_code == 403
    assert "This form has expired" in refused.text
    wrong = staff_client.post("/requests/status", headers=HTML, data={
        "csrf_token": "x" * 43, "reference": REFERENCE, "status": "closed"})
    assert wrong.status_code == 403
    doc = staff_client.get(f"/open311/v2/requests/{received}.json").json()[0]
    assert (doc["status"], doc["status_notes"]) == ("open", "")


def test_setting_a_status_is_seen_everywhere(app: FastAPI, staff_client: TestClient,
                                             client: TestClient, received: str) -> None:
    done = set_status(staff_client, "in_progress", "A crew is on its way")
    assert done.status_code == 303
    assert done.headers["location"] == f"/requests?reference={REFERENCE}&saved=1"
    page = staff_client.get(done.headers["location"]).text
    assert "The status was saved" in page
    assert "A crew is on its way" in page
    assert "sam" in page  # the history says who set it (staff page only)

    doc = client.get(f"/open311/v2/requests/{received}.json").json()[0]
    assert doc["status"] == "open"  # GeoReport v2 knows open and closed only
    assert doc["status_notes"] == "A crew is on its way"
    status_page = client.get("/status/ABCD2345").text
    assert "In progress" in status_page
    assert "A crew is on its way" in status_page

    assert set_status(staff_client, "closed", "Collected on Tuesday").status_code == 303
    listed = client.get("/open311/v2/requests.json", params={"status": "closed"}).json()
    assert [(r["service_request_id"], r["status"], r["status_notes"]) for r in listed] == [
        (received, "closed", "Collected on Tuesday")]
    assert client.get("/open311/v2/requests.json", params={"status": "open"}).json() == []
    status_page = client.get("/status/ABCD2345").text
    assert "Closed" in status_page
    assert status_page.index("Collected on Tuesday") < status_page.index("A crew is on its way")
    assert "sam" not in status_page  # who set it is never published


def test_bad_forms_say_what_is_wrong(staff_client: TestClient, received: str) -> None:
    missing = set_status(staff_client, "")
    assert missing.status_code == 400
    assert "Select the request&#x27;s status" in missing.text
    long_note = set_status(staff_client, "closed", "x" * 1001)
    assert long_note.status_code == 400
    assert "1000 characters or fewer" in long_note.text
    unknown = set_status(staff_client, "closed", reference="ZZZZ9999")
    assert unknown.status_code == 404
    assert "No request has the reference" in unknown.text


def test_a_note_is_escaped_everywhere(staff_client: TestClient, client: TestClient,
                                      received: str) -> None:
    set_status(staff_client, "closed", "<script>alert(1)</script> & done")
    for page in (staff_client.get(f"/requests?reference={REFERENCE}").text,
                 client.get("/status/ABCD2345").text):
        assert "<script>alert(1)" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; done" in page


def test_servicerequestupdates_in_the_mysociety_form(staff_client: TestClient,
                                                     client: TestClient, received: str) -> None:
    set_status(staff_client, "in_progress", "On its way")
    set_status(staff_client, "closed", "Collected")
    as_json = client.get("/open311/v2/servicerequestupdates.json")
    assert as_json.status_code == 200
    updates = as_json.json()
    assert [(u["service_request_id"], u["status"], u["description"]) for u in updates] == [
        (received, "in_progress", "On its way"), (received, "closed", "Collected")]
    first = updates[0]
    assert set(first) == {"update_id", "service_request_id", "status", "description",
                          "updated_datetime", "media_url"}
    assert first["media_url"] == ""
    assert re.fullmatch(r"\d+", first["update_id"])
    assert datetime.fromisoformat(first["updated_datetime"]).tzinfo is not None
    as_xml = client.get("/open311/v2/servicerequestupdates.xml")
    root = ET.fromstring(as_xml.content)
    assert root.tag == "service_requests_updates"
    assert [child.tag for child in root] == ["request_update", "request_update"]
    assert [{field.tag: field.text or "" for field in item} for item in root] == updates


def test_servicerequestupdates_date_window(app: FastAPI, staff_client: TestClient,
                                           client: TestClient, received: str) -> None:
    set_status(staff_client, "in_progress", "Old")
    hub: HubState = app.state.hub
    with hub.sessions.begin() as session:
        session.execute(update(RequestUpdate).values(
            updated_datetime=datetime(2026, 1, 10, 12, 0, tzinfo=UTC)))
    set_status(staff_client, "closed", "New")

    def descriptions(**params: str) -> list[str]:
        response = client.get("/open311/v2/servicerequestupdates.json", params=params)
        assert response.status_code == 200, response.text
        return [u["description"] for u in response.json()]

    assert descriptions() == ["New"]  # the last 90 days
    assert descriptions(start_date="2026-01-10T00:00:00Z", end_date="2026-01-11T00:00:00Z") == [
        "Old"]
    assert descriptions(start_date="2026-01-01", end_date="2026-01-09") == []
    now = datetime.now(UTC)
    assert descriptions(start_date=(now - timedelta(hours=1)).isoformat()) == ["New"]
    assert descriptions(start_date="", end_date="") == ["New"]  # empty is absent


@pytest.mark.parametrize(("query", "code"), [
    ("start_date=yesterday", "invalid_start_date"),
    ("start_date=2026-03-01&end_date=2026-02-01", "invalid_date_range"),
    ("start_date=2026-01-01&end_date=2026-06-01", "date_range_too_long"),
])
def test_servicerequestupdates_bad_dates(client: TestClient, query: str, code: str) -> None:
    response = client.get(f"/open311/v2/servicerequestupdates.json?{query}")
    assert response.status_code == 400
    assert [e["code"] for e in response.json()] == [code]


def test_two_updates_at_once_are_both_kept(app: FastAPI, staff_client: TestClient,
                                           received: str) -> None:
    """The update row and the request row change in one transaction: the request always
    shows the newest update's status and note."""
    for n in range(5):
        set_status(staff_client, "in_progress" if n % 2 else "closed", f"note {n}")
    doc = staff_client.get(f"/open311/v2/requests/{received}.json").json()[0]
    updates = staff_client.get("/open311/v2/servicerequestupdates.json").json()
    assert len(updates) == 5
    assert doc["status_notes"] == updates[-1]["description"] == "note 4"
    assert doc["status"] == "closed"


@pytest.mark.parametrize(("role", "linked"), [("staff", True), ("manager", True), ("it", True),
                                              ("advisor", False)])
def test_the_start_page_links_the_requests_page(app: FastAPI, browser: TestClient, role: str,
                                                linked: bool) -> None:
    add_account(app, "pat", role)
    sign_in(browser, "pat")
    assert ('href="/requests"' in browser.get("/").text) == linked
