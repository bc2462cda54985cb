"""`POST /kiosk/v1/references`: where a request a kiosk delivered elsewhere went. Kiosk API
key required, idempotent, and no field but the six it names: a resident's answers can never
be stored here."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select

from hub.state import HubState
from hub.tracking_db import TrackedReference
from tests.hub.helpers import API_KEY, missed_bin, post

URL = "/kiosk/v1/references"
KEY = {"X-Api-Key": API_KEY}


def record(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"reference": "WX2Y V3TS", "destination": "county",
                            "remote_id": None, "remote_token": "tok-1001",
                            "service_code": "MISSED_BIN",
                            "delivered_at": "2026-04-03T09:30:00+01:00"}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


def stored(app: FastAPI) -> list[tuple[str, str, str | None, str | None, str]]:
    hub: HubState = app.state.hub
    with hub.sessions() as session:
        rows = session.scalars(select(TrackedReference)).all()
        return [(r.reference, r.destination, r.remote_id, r.remote_token, r.service_code)
                for r in rows]


def test_a_key_is_required(app: FastAPI, client: TestClient) -> None:
    missing = client.post(URL, json=record())
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "missing_api_key"
    wrong = client.post(URL, json=record(), headers={"X-Api-Key": "not-it"})
    assert wrong.status_code == 403
    assert stored(app) == []


def test_reports_are_idempotent(app: FastAPI, client: TestClient) -> None:
    first = client.post(URL, json=record(reference="wx2y v3ts"), headers=KEY)
    assert first.status_code == 200, first.text
    assert first.json() == {"reference": "WX2YV3TS", "result": "created"}
    again = client.post(URL, json=record(), headers=KEY)
    assert again.json()["result"] == "unchanged"
    resolved = client.post(URL, json=record(remote_id="CRM-1001"), headers=KEY)
    assert resolved.json()["result"] == "updated"
    # A later report without the id does not forget it.
    assert client.post(URL, json=record(), headers=KEY).json()["result"] == "unchanged"
    assert stored(app) == [("WX2YV3TS", "county", "CRM-1001", "tok-1001", "MISSED_BIN")]


def test_the_table_has_no_room_for_personal_data(app: FastAPI) -> None:
    hub: HubState = app.state.hub
    columns = {c["name"] for c in inspect(hub.engine).get_columns("tracked_references")}
    assert columns == {"reference", "destination", "remote_id", "remote_token", "service_code",
                       "delivered_at", "reported_at"}


@pytest.mark.parametrize("field", ["email", "first_name", "description", "address_string",
                                   "attributes", "lat", "phone"])
def test_any_other_field_is_refused(app: FastAPI, client: TestClient, field: str) -> None:
    canary = "canary-resident@example.org"
    response = client.post(URL, json=record(**{field: canary}), headers=KEY)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "unexpected_field"
    assert error["input"] == field
    assert canary not in response.text
    assert stored(app) == []


@pytest.mark.parametrize(("overrides", "field"), [
    ({"reference": "a-b!"}, "reference"),
    ({"reference": "x" * 65}, "reference"),
    ({"reference": None}, "reference"),
    ({"destination": "../etc"}, "destination"),
    ({"destination": ""}, "destination"),
    ({"remote_id": "a\nb"}, "remote_id"),
    ({"remote_token": 12}, "remote_token"),
    ({"remote_id": "x" * 256}, "remote_id"),
    ({"service_code": "x" * 101}, "service_code"),
    ({"delivered_at": "yesterday"}, "delivered_at"),
    ({"delivered_at": "2026-05-06T07:08:09"}, "delivered_at"),
])
def test_bad_values_name_the_field_not_the_value(app: FastAPI, client: TestClient,
                                                 overrides: dict[str, Any], field: str) -> None:
    response = client.post(URL, json=record(**overrides), headers=KEY)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["input"] == field
    for value in overrides.values():
        if isinstance(value, str) and len(value) > 3:
            assert value not in response.json()["error"]["message"]
    assert stored(app) == []


def test_a_reference_someone_else_has_is_a_conflict(app: FastAPI, client: TestClient) -> None:
    assert post(client, missed_bin(**{"attribute[kiosk_reference]": "ABCD2345"})).status_code == 200
    own = client.post(URL, json=record(reference="ABCD2345"), headers=KEY)
    assert own.status_code == 409
    assert own.json()["error"]["code"] == "reference_taken"
    client.post(URL, json=record(), headers=KEY)
    other = client.post(URL, json=record(destination="webhook"), headers=KEY)
    assert other.status_code == 409
    assert stored(app) == [("WX2YV3TS", "county", None, "tok-1001", "MISSED_BIN")]


def test_body_rules_are_the_lookups(client: TestClient) -> None:
    assert client.post(URL, content=b"reference=x", headers={
        **KEY, "Content-Type": "application/x-www-form-urlencoded"}).status_code == 415
    assert client.post(URL, content=b"[1]", headers={
        **KEY, "Content-Type": "application/json"}).status_code == 400
    assert client.get(URL, headers=KEY).status_code == 405


def test_the_log_holds_no_reference(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("INFO", logger="hub.references"):
        client.post(URL, json=record(), headers=KEY)
        client.post(URL, json=record(email="x@example.org"), headers=KEY)
    lines = [r.getMessage() for r in caplog.records]
    assert lines == ["reference report destination=county result=created",
                     "reference report refused=unexpected_field"]
