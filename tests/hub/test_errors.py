"""Open311 routes answer every failure with an `errors` document, never FastAPI's `detail`."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.hub.helpers import error_codes


@pytest.mark.parametrize("path", [
    "/open311/v2/services.html",
    "/open311/v2/discovery.rss",
    "/open311/v2/services/MISSED_BIN.csv",
    "/open311/v2/requests.txt",
    "/open311/v2/requests/1234567890.yaml",
])
def test_unknown_format_is_400_in_xml(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == "errors"
    assert root.findtext("error/code") == "unknown_format"


def test_unknown_format_on_post_is_400(client: TestClient) -> None:
    response = client.post("/open311/v2/requests.html", content="api_key=x",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400
    assert ET.fromstring(response.content).findtext("error/code") == "unknown_format"


def test_unknown_path_is_an_open311_404(client: TestClient) -> None:
    response = client.get("/open311/v2/nothing.json")
    assert response.status_code == 404
    assert "detail" not in response.text
    assert error_codes(response) == ["404"]
    as_xml = client.get("/open311/v2/services")
    assert as_xml.status_code == 404
    assert ET.fromstring(as_xml.content).tag == "errors"


def test_wrong_method_is_405_with_allow(client: TestClient) -> None:
    response = client.delete("/open311/v2/requests.json")
    assert response.status_code == 405
    assert error_codes(response) == ["405"]
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "POST"}
    assert response.json()[0]["description"].startswith("DELETE is not allowed here: use ")
    as_xml = client.post("/open311/v2/services.xml")
    assert as_xml.status_code == 405
    assert as_xml.headers["allow"] == "GET"
    assert ET.fromstring(as_xml.content).findtext("error/code") == "405"


def test_outside_open311_errors_stay_plain(client: TestClient) -> None:
    response = client.get("/not-here")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_fastapi_validation_errors_become_open311_errors(app: FastAPI) -> None:
    def probe(fmt: str, count: int) -> dict[str, int]:
        return {"count": count}

    app.add_api_route("/open311/v2/probe.{fmt}", probe, methods=["GET"])
    with TestClient(app) as client:
        response = client.get("/open311/v2/probe.json?count=many")
        assert response.status_code == 400
        assert "detail" not in response.text
        assert error_codes(response) == ["int_parsing"]
        as_xml = client.get("/open311/v2/probe.xml")
        assert as_xml.status_code == 400
        assert ET.fromstring(as_xml.content).findtext("error/code") == "missing"
