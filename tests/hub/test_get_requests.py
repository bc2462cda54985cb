"""GET requests and requests/{id}: filters, dates, formats, and what is never published."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from hub.db import ServiceRequest
from hub.state import HubState
from tests.hub.helpers import assert_same_content, error_codes, feedback, missed_bin, post

PERSONAL = ("email", "phone", "first_name", "last_name", "attributes", "kiosk_reference",
            "idempotency_key", "device_id", "account_id")


def _new(client: TestClient, form: list[tuple[str, str]]) -> str:
    response = post(client, form)
    assert response.status_code == 200, response.text
    request_id: str = response.json()[0]["service_request_id"]
    return request_id


def _set(app: FastAPI, request_id: str, **values: object) -> None:
    hub: HubState = app.state.hub
    with hub.sessions.begin() as session:
        session.execute(update(ServiceRequest)
                        .where(ServiceRequest.service_request_id == request_id).values(**values))


def _ids(client: TestClient, query: str = "") -> list[str]:
    response = client.get(f"/open311/v2/requests.json{query}")
    assert response.status_code == 200, response.text
    return [r["service_request_id"] for r in response.json()]


def _street(reference: str) -> list[tuple[str, str]]:
    return [("api_key", "test-key"), ("service_code", "STREET_PROBLEM"),
            ("address_string", "Outside 3 High Street, DE99 1AA"),
            ("description", "Large pothole"), ("email", "someone@example.org"),
            ("phone", "01632960001"), ("first_name", "Ada"), ("last_name", "Lovelace"),
            ("attribute[problem]", "pothole"), ("attribute[contact_method]", "email"),
            ("attribute[kiosk_reference]", reference)]


def test_one_request_in_both_formats(client: TestClient) -> None:
    request_id = _new(client, _street("STRT2345"))
    as_json = client.get(f"/open311/v2/requests/{request_id}.json")
    as_xml = client.get(f"/open311/v2/requests/{request_id}.xml")
    assert as_json.status_code == as_xml.status_code == 200
    assert_same_content(as_xml, as_json)
    [doc] = as_json.json()
    assert doc["service_request_id"] == request_id
    assert doc["status"] == "open"
    assert doc["service_code"] == "STREET_PROBLEM"
    assert doc["service_name"] == "Report a street problem"
    assert doc["address"] == "Outside 3 High Street, DE99 1AA"
    assert doc["description"] == "Large pothole"
    assert doc["agency_responsible"] == "Demo Borough Council"
    requested = datetime.fromisoformat(doc["requested_datetime"])
    assert requested.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - requested) < timedelta(minutes=1)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_no_personal_fields_in_get_answers(client: TestClient, fmt: str) -> None:
    request_id = _new(client, _street("STRT2345"))
    _new(client, missed_bin())
    for url in (f"/open311/v2/requests.{fmt}", f"/open311/v2/requests/{request_id}.{fmt}"):
        text = client.get(url).text
        for secret in ("someone@example.org", "01632960001", "Ada", "Lovelace",
                       "resident@example.org", "STRT2345", "ABCD2345", "14, DE99 1AB"):
            assert secret not in text
        for name in PERSONAL:
            assert f'"{name}"' not in text
            assert f"<{name}>" not in text


def test_address_of_a_personal_page_is_not_published(client: TestClient) -> None:
    request_id = _new(client, missed_bin())
    [doc] = client.get(f"/open311/v2/requests/{request_id}.json").json()
    assert "address" not in doc
    assert doc["description"] == "Bin is by the gate"


def test_unknown_request_is_404(client: TestClient) -> None:
    for fmt in ("json", "xml"):
        response = client.get(f"/open311/v2/requests/1234567890.{fmt}")
        assert response.status_code == 404
    assert error_codes(client.get("/open311/v2/requests/1.json")) == ["unknown_request"]


def test_list_defaults_to_the_last_90_days(client: TestClient, app: FastAPI) -> None:
    recent, old = _new(client, missed_bin()), _new(client, feedback())
    _set(app, old, requested_datetime=datetime.now(UTC) - timedelta(days=100))
    assert _ids(client) == [recent]
    as_xml = client.get("/open311/v2/requests.xml")
    assert_same_content(as_xml, client.get("/open311/v2/requests.json"))


def test_filters_by_code_status_and_ids(client: TestClient, app: FastAPI) -> None:
    bin_id, feedback_id = _new(client, missed_bin()), _new(client, feedback())
    street_id = _new(client, _street("STRT2345"))
    _set(app, street_id, status="closed", status_notes="Repaired")
    assert set(_ids(client, "?service_code=MISSED_BIN,FEEDBACK")) == {bin_id, feedback_id}
    assert _ids(client, "?status=closed") == [street_id]
    assert set(_ids(client, "?status=open")) == {bin_id, feedback_id}
    assert set(_ids(client, "?status=open,closed")) == {bin_id, feedback_id, street_id}
    # service_request_id overrides every other filter.
    assert _ids(client, f"?service_request_id={street_id}&status=open") == [street_id]
    assert set(_ids(client, f"?service_request_id={bin_id},{street_id}")) == {bin_id, street_id}


def test_empty_parameters_are_ignored(client: TestClient) -> None:
    request_id = _new(client, missed_bin())
    query = "?service_request_id=&service_code=&status=&start_date=&end_date="
    assert _ids(client, query) == [request_id]


def test_date_window(client: TestClient, app: FastAPI) -> None:
    request_id = _new(client, missed_bin())
    _set(app, request_id, requested_datetime=datetime(2026, 1, 15, 12, tzinfo=UTC))
    assert _ids(client, "?start_date=2026-01-01T00:00:00Z&end_date=2026-02-01T00:00:00Z") \
        == [request_id]
    assert _ids(client, "?start_date=2026-01-16T00:00:00%2B00:00") == []
    assert _ids(client, "?end_date=2026-01-15") == [request_id]  # a bare date: the whole day
    assert _ids(client, "?start_date=2026-01-01T00:00:00-05:00&end_date=2026-01-15T11:00:00Z"
                ) == []


@pytest.mark.parametrize(("query", "code"), [
    ("?start_date=yesterday", "invalid_start_date"),
    ("?end_date=2026-13-01", "invalid_end_date"),
    ("?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", "date_range_too_long"),
    ("?start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", "invalid_date_range"),
    ("?status=pending", "invalid_status"),
])
def test_bad_queries_are_400(client: TestClient, query: str, code: str) -> None:
    for fmt in ("json", "xml"):
        response = client.get(f"/open311/v2/requests.{fmt}{query}")
        assert response.status_code == 400
    assert error_codes(client.get(f"/open311/v2/requests.json{query}")) == [code]


def test_at_most_1000_results(client: TestClient, app: FastAPI) -> None:
    hub: HubState = app.state.hub
    now = datetime.now(UTC)
    with hub.sessions.begin() as session:
        session.add_all(ServiceRequest(
            service_request_id=str(5000000000 + n), service_code="FEEDBACK",
            service_name="Give feedback", requested_datetime=now, updated_datetime=now)
            for n in range(1005))
    assert len(_ids(client)) == 1000
