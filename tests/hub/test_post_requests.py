"""POST requests: acceptance, every refusal, and idempotent retries."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from hub.db import ServiceRequest
from hub.state import HubState
from tests.hub.helpers import API_KEY, error_codes, feedback, missed_bin, post


def _rows(app: FastAPI) -> list[ServiceRequest]:
    hub: HubState = app.state.hub
    with hub.sessions() as session:
        return list(session.scalars(select(ServiceRequest)))


def _count(app: FastAPI) -> int:
    hub: HubState = app.state.hub
    with hub.sessions() as session:
        return session.scalar(select(func.count()).select_from(ServiceRequest)) or 0


def test_accepts_a_missed_bin_report_as_json(client: TestClient, app: FastAPI) -> None:
    response = post(client, missed_bin())
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body = response.json()
    assert len(body) == 1
    request_id = body[0]["service_request_id"]
    assert isinstance(request_id, str)
    assert request_id.isdigit()
    assert "within 2 working days" in body[0]["service_notice"]
    [row] = _rows(app)
    assert row.service_request_id == request_id
    assert row.service_code == "MISSED_BIN"
    assert row.service_name == "Report a missed bin collection"
    assert row.status == "open"
    assert row.kiosk_reference == "ABCD2345"
    assert row.address_string == "14, DE99 1AB"
    assert row.email == "resident@example.org"
    assert row.agency_responsible == "Demo Borough Council"
    assert json.loads(row.attributes) == {
        "bin_type": "general", "collection_date": "2026-03-27", "contact_method": "email",
        "kiosk_reference": "ABCD2345"}
    assert row.requested_datetime.utcoffset() is not None


def test_accepts_a_report_as_xml(client: TestClient) -> None:
    response = post(client, missed_bin(), fmt="xml")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == "service_requests"
    assert (root.findtext("request/service_request_id") or "").isdigit()
    assert root.find("request/service_notice") is not None


def test_multivalue_attributes_and_the_kiosks_address_for_feedback(
        client: TestClient, app: FastAPI) -> None:
    response = post(client, feedback(topics=("bins", "libraries")))
    assert response.status_code == 200, response.text
    [row] = _rows(app)
    assert json.loads(row.attributes)["topics"] == ["bins", "libraries"]
    assert row.address_string == "1 Library Square, Demo Town, DE99 1AA"


def test_reference_is_stored_normalised(client: TestClient, app: FastAPI) -> None:
    assert post(client, missed_bin(**{"attribute[kiosk_reference]": "abcd 2345"})
                ).status_code == 200
    assert _rows(app)[0].kiosk_reference == "ABCD2345"


def test_lat_long_is_a_location(client: TestClient, app: FastAPI) -> None:
    response = post(client, missed_bin(address_string=None, lat="52.92", long="-1.47"))
    assert response.status_code == 200, response.text
    row = _rows(app)[0]
    assert (row.lat, row.long) == (52.92, -1.47)


@pytest.mark.parametrize(("form", "code"), [
    (missed_bin(api_key=None), "missing_api_key"),
    (missed_bin(api_key=""), "missing_api_key"),
    (missed_bin(api_key="wrong"), "invalid_api_key"),
])
def test_api_key_refusals_are_403(client: TestClient, app: FastAPI,
                                  form: list[tuple[str, str]], code: str) -> None:
    for fmt in ("json", "xml"):
        response = post(client, form, fmt=fmt)
        assert response.status_code == 403
        if fmt == "json":
            assert error_codes(response) == [code]
        else:
            assert ET.fromstring(response.content).findtext("error/code") == code
    assert _count(app) == 0


def test_unknown_service_is_404(client: TestClient) -> None:
    response = post(client, missed_bin(service_code="NOPE"))
    assert response.status_code == 404
    assert error_codes(response) == ["unknown_service"]


@pytest.mark.parametrize(("form", "code"), [
    (missed_bin(service_code=""), "missing_service_code"),
    (missed_bin(address_string=None), "missing_location"),
    (missed_bin(address_string="   "), "missing_location"),
    (missed_bin(lat="52.9"), "invalid_location"),
    (missed_bin(address_string=None, lat="north", long="1"), "invalid_lat"),
    (missed_bin(address_string=None, lat="95", long="1"), "invalid_lat"),
    (missed_bin(**{"attribute[bin_type]": None}), "missing_attribute"),
    (missed_bin(**{"attribute[bin_type]": ""}), "missing_attribute"),
    (missed_bin(**{"attribute[bin_type]": "purple"}), "invalid_attribute"),
    (missed_bin(**{"attribute[colour]": "red"}), "unknown_attribute"),
    (missed_bin(**{"attribute[collection_date]": "last tuesday"}), "invalid_attribute"),
    (missed_bin(description="x" * 4001), "description_too_long"),
    (missed_bin(email="not an email"), "invalid_email"),
    (feedback(topics=("bins", "potholes")), "invalid_attribute"),
    (feedback(topics=()), "missing_attribute"),
])
def test_bad_requests_are_400(client: TestClient, app: FastAPI,
                              form: list[tuple[str, str]], code: str) -> None:
    response = post(client, form)
    assert response.status_code == 400, response.text
    assert code in error_codes(response)
    assert _count(app) == 0


def test_number_attribute_must_be_a_number(client: TestClient) -> None:
    form = [("api_key", API_KEY), ("service_code", "STREET_PROBLEM"),
            ("address_string", "Outside 3 High Street"), ("attribute[problem]", "fly_tipping"),
            ("attribute[hazardous]", "no"), ("attribute[contact_method]", "none")]
    assert post(client, [*form, ("attribute[amount]", "lots")]).status_code == 400
    assert post(client, [*form, ("attribute[amount]", "3")]).status_code == 200


def test_single_value_attribute_sent_twice_is_400(client: TestClient) -> None:
    form = [*missed_bin(), ("attribute[bin_type]", "food")]
    response = post(client, form)
    assert response.status_code == 400
    assert error_codes(response) == ["invalid_attribute"]


def test_description_of_exactly_4000_is_accepted(client: TestClient) -> None:
    assert post(client, missed_bin(description="x" * 4000)).status_code == 200


def test_every_problem_is_reported_at_once(client: TestClient) -> None:
    form = missed_bin(address_string=None, **{"attribute[bin_type]": None,
                                              "attribute[colour]": "red"})
    codes = error_codes(post(client, form))
    assert sorted(codes) == ["missing_attribute", "missing_location", "unknown_attribute"]


def test_xml_errors_are_escaped(client: TestClient) -> None:
    response = post(client, missed_bin(**{"attribute[bin_type]": "<b>&\"x\x01"}), fmt="xml")
    assert response.status_code == 400
    root = ET.fromstring(response.content)
    assert "<b>&" in (root.findtext("error/description") or "")


def test_json_body_is_refused(client: TestClient) -> None:
    response = client.post("/open311/v2/requests.json", json=dict(missed_bin()))
    assert response.status_code == 400
    assert error_codes(response) == ["unsupported_content_type"]


def test_idempotency_key_replays_the_first_answer(client: TestClient, app: FastAPI) -> None:
    headers = {"Idempotency-Key": "submission-1"}
    first = post(client, missed_bin(), headers=headers)
    second = post(client, missed_bin(), headers=headers)
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    as_xml = post(client, missed_bin(), fmt="xml", headers=headers)
    assert ET.fromstring(as_xml.content).findtext("request/service_request_id") == \
        first.json()[0]["service_request_id"]
    assert _count(app) == 1
    assert _rows(app)[0].idempotency_key == "submission-1"


def test_different_idempotency_keys_make_different_requests(
        client: TestClient, app: FastAPI) -> None:
    post(client, missed_bin(), headers={"Idempotency-Key": "a"})
    post(client, missed_bin(**{"attribute[kiosk_reference]": "WXYZ7899"}),
         headers={"Idempotency-Key": "b"})
    assert _count(app) == 2


def test_reused_kiosk_reference_is_refused(client: TestClient, app: FastAPI) -> None:
    assert post(client, missed_bin()).status_code == 200
    again = post(client, missed_bin(**{"attribute[kiosk_reference]": "abcd2345"}))
    assert again.status_code == 400
    assert error_codes(again) == ["duplicate_reference"]
    assert _count(app) == 1


def test_requests_without_reference_or_key_are_all_kept(client: TestClient, app: FastAPI) -> None:
    for _ in range(3):
        assert post(client, missed_bin(**{"attribute[kiosk_reference]": None})
                    ).status_code == 200
    assert _count(app) == 3
