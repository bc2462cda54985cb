"""The status page a receipt's QR code opens."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from hub.db import ServiceRequest
from hub.state import HubState
from tests.hub.helpers import missed_bin, post


@pytest.fixture
def reported(client: TestClient, app: FastAPI) -> str:
    response = post(client, missed_bin(**{"attribute[kiosk_reference]": "ABCD2345"}))
    assert response.status_code == 200
    request_id: str = response.json()[0]["service_request_id"]
    hub: HubState = app.state.hub
    with hub.sessions.begin() as session:
        session.execute(update(ServiceRequest).values(
            requested_datetime=datetime(2026, 7, 1, 9, 5, tzinfo=UTC)))
    return request_id


def test_open_report(client: TestClient, reported: str) -> None:
    response = client.get("/status/ABCD2345")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<html lang="en">' in page
    assert '<meta name="viewport"' in page
    assert "Demo Borough Council" in page
    assert "Reference ABCD2345" in page
    assert "Report a missed bin collection" in page
    assert "We have received your report" in page
    assert "1 July 2026 at 10:05" in page  # British Summer Time
    assert "<script" not in page.lower()


def test_no_personal_data(client: TestClient, reported: str) -> None:
    page = client.get("/status/ABCD2345").text
    for secret in ("resident@example.org", "14, DE99 1AB", "Bin is by the gate", reported):
        assert secret not in page


@pytest.mark.parametrize("typed", ["abcd2345", "ABCD 2345", "abcd%202345", " Ab Cd 23 45 "])
def test_reference_ignores_case_and_spaces(client: TestClient, reported: str, typed: str) -> None:
    response = client.get(f"/status/{typed}")
    assert response.status_code == 200
    assert "Reference ABCD2345" in response.text


def test_closed_report_with_notes(client: TestClient, app: FastAPI, reported: str) -> None:
    hub: HubState = app.state.hub
    with hub.sessions.begin() as session:
        session.execute(update(ServiceRequest).values(
            status="closed", status_notes="Collected on <Tuesday> & checked",
            updated_datetime=datetime(2026, 7, 2, 15, 30, tzinfo=UTC)))
    page = client.get("/status/ABCD2345").text
    assert "Closed" in page
    assert "We have received your report" not in page
    assert "Collected on &lt;Tuesday&gt; &amp; checked" in page
    assert "2 July 2026 at 16:30" in page


def test_unknown_reference_is_a_friendly_404(client: TestClient) -> None:
    response = client.get("/status/ZZZZ9999")
    assert response.status_code == 404
    page = response.text
    assert '<html lang="en">' in page
    assert "ZZZZ9999" in page
    assert "can take a few minutes to arrive" in page
    assert "detail" not in page


def test_reference_is_escaped(client: TestClient) -> None:
    response = client.get("/status/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert response.status_code == 404
    assert "<script>" not in response.text.lower()
    assert "&lt;SCRIPT&gt;" in response.text
