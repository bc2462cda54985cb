"""Discovery, the service list and service definitions, in both formats."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient

from tests.hub.helpers import assert_same_content, error_codes, xml_plain


def test_discovery_in_both_formats(client: TestClient) -> None:
    as_json = client.get("/open311/v2/discovery.json")
    as_xml = client.get("/open311/v2/discovery.xml")
    assert as_json.status_code == as_xml.status_code == 200
    assert_same_content(as_xml, as_json)
    body = as_json.json()
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert body["changeset"].endswith("+00:00")
    assert "Demo Borough Council" in body["contact"]


def test_service_list_in_both_formats(client: TestClient) -> None:
    as_json = client.get("/open311/v2/services.json")
    as_xml = client.get("/open311/v2/services.xml")
    assert_same_content(as_xml, as_json)
    services = as_json.json()
    assert [s["service_code"] for s in services] == [
        "MISSED_BIN", "STREET_PROBLEM", "FEEDBACK", "MOVED-COUNCIL-TAX", "MOVED-ELECTORAL",
        "MOVED-WASTE", "MOVED-LIBRARIES", "MOVED-HOUSING-BENEFIT", "BLUE_BADGE", "BUS_PASS",
        "CALL_BACK"]
    assert all(s["metadata"] is True and s["type"] == "realtime" for s in services)
    root = ET.fromstring(as_xml.content)
    assert root.tag == "services"
    assert root.find("service/metadata") is not None
    assert root.findtext("service/metadata") == "true"


@pytest.mark.parametrize("code", ["MISSED_BIN", "STREET_PROBLEM", "FEEDBACK", "BLUE_BADGE",
                                  "BUS_PASS", "CALL_BACK"])
def test_service_definition_in_both_formats(client: TestClient, code: str) -> None:
    as_json = client.get(f"/open311/v2/services/{code}.json")
    as_xml = client.get(f"/open311/v2/services/{code}.xml")
    assert as_json.status_code == as_xml.status_code == 200
    assert_same_content(as_xml, as_json)
    root = ET.fromstring(as_xml.content)
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == code
    plain = xml_plain(root)
    assert plain["attributes"][-1]["code"] == "kiosk_reference"
    assert plain["attributes"][-1]["automated"] == "hidden_field"


def test_definition_xml_matches_the_spec_layout(client: TestClient) -> None:
    root = ET.fromstring(client.get("/open311/v2/services/MISSED_BIN.xml").content)
    first = root.find("attributes/attribute")
    assert first is not None
    assert [child.tag for child in first] == [
        "variable", "code", "datatype", "required", "datatype_description", "order",
        "description", "values"]
    keys = [v.findtext("key") for v in first.findall("values/value")]
    assert keys == ["general", "recycling", "food", "garden"]
    assert first.findtext("required") == "true"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_is_404(client: TestClient, fmt: str) -> None:
    response = client.get(f"/open311/v2/services/NOPE.{fmt}")
    assert response.status_code == 404
    if fmt == "json":
        assert error_codes(response) == ["unknown_service"]
    else:
        root = ET.fromstring(response.content)
        assert root.tag == "errors"
        assert root.findtext("error/code") == "unknown_service"
        assert "NOPE" in (root.findtext("error/description") or "")
