"""POST /kiosk/v1/lookups/{source}: auth, every refusal, the answer's shape, and the log line."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from hub.app import create_app
from hub.lookup_sources import demo_sources
from hub.settings import HubSettings
from tests.hub.helpers import API_KEY

URL = "/kiosk/v1/lookups"
KEY = {"X-Api-Key": API_KEY}
CANARY = "DE99 1AB"


@pytest.fixture
def lookups(settings: HubSettings) -> Iterator[TestClient]:
    app = create_app(settings, lookup_sources=demo_sources(lambda: date(2026, 3, 2)))
    with TestClient(app) as client:
        yield client


def ask(client: TestClient, source: str, body: object, headers: dict[str, str] | None = None
        ) -> Response:
    response: Response = client.post(f"{URL}/{source}", json=body,
                                     headers=KEY if headers is None else headers)
    return response


def error(response: Response) -> dict[str, str]:
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    found: dict[str, str] = body["error"]
    return found


def test_addresses_answer_shape(lookups: TestClient) -> None:
    response = ask(lookups, "addresses", {"inputs": {"postcode": "de99 1ab"}, "language": "cy"})
    assert response.status_code == 200
    body = response.json()
    assert body["source"] == "addresses"
    assert len(body["items"]) == 8
    first = body["items"][0]
    assert first == {
        "value": "990000001001",
        "label": "1 Library Lane, Demo Town, DE99 1AB",
        "hint": None,
        "data": {"uprn": "990000001001", "lat": "52.60012", "long": "-1.47021", "saon": "",
                 "paon": "1", "street": "Library Lane", "locality": "", "town": "Demo Town",
                 "postcode": "DE99 1AB"},
    }


def test_missing_and_wrong_api_key(lookups: TestClient) -> None:
    body = {"inputs": {"postcode": CANARY}}
    missing = ask(lookups, "addresses", body, headers={})
    assert missing.status_code == 401
    assert error(missing)["code"] == "missing_api_key"
    wrong = ask(lookups, "addresses", body, headers={"X-Api-Key": "not-the-key"})
    assert wrong.status_code == 403
    assert error(wrong)["code"] == "invalid_api_key"
    # An unknown source behind a wrong key is still a refused key: names are not probed.
    assert ask(lookups, "secret-source", body, headers={"X-Api-Key": "x"}).status_code == 403
    # The key belongs in the header; Open311's form field is not read here.
    assert ask(lookups, "addresses", {**body, "api_key": API_KEY}, headers={}).status_code == 401


def test_unknown_source_is_a_json_404(lookups: TestClient) -> None:
    response = ask(lookups, "appointments", {"inputs": {}})
    assert response.status_code == 404
    found = error(response)
    assert found["code"] == "unknown_source"
    assert "this hub has addresses, " in found["message"]  # the names it has, sorted
    assert ", bin-collections" in found["message"]


def test_routing_errors_are_json(lookups: TestClient) -> None:
    wrong_method = lookups.get(f"{URL}/addresses", headers=KEY)
    assert wrong_method.status_code == 405
    assert wrong_method.headers["allow"] == "POST"
    assert error(wrong_method)["code"] == "method_not_allowed"
    nowhere = lookups.post("/kiosk/v1/nothing", json={}, headers=KEY)
    assert nowhere.status_code == 404
    assert error(nowhere)["code"] == "not_found"


@pytest.mark.parametrize(("body", "code", "input_name"), [
    ({"inputs": {}}, "missing_input", "postcode"),
    ({}, "missing_input", "postcode"),
    ({"inputs": {"postcode": "   "}}, "missing_input", "postcode"),
    ({"inputs": {"postcode": 1234}}, "invalid_input", "postcode"),
    ({"inputs": {"postcode": "X" * 201}}, "invalid_input", "postcode"),
    ({"inputs": {"postcode": "not a postcode"}}, "invalid_input", "postcode"),
    ({"inputs": {"postcode": "DE99 1AB", "note": ["a"]}}, "invalid_input", "note"),
    ({"inputs": ["DE99 1AB"]}, "invalid_inputs", None),
    ({"inputs": {"postcode": "DE99 1AB"}, "language": "Welsh"}, "invalid_language", None),
])
def test_bad_inputs_are_422_naming_the_input(lookups: TestClient, body: object, code: str,
                                            input_name: str | None) -> None:
    response = ask(lookups, "addresses", body)
    assert response.status_code == 422
    found = error(response)
    assert found["code"] == code
    assert found.get("input") == input_name
    assert "not a postcode" not in found["message"]  # the value is never echoed


def test_bad_uprn_names_the_input(lookups: TestClient) -> None:
    response = ask(lookups, "bin-collections", {"inputs": {"uprn": "12ab"}})
    assert response.status_code == 422
    assert error(response) == {"code": "invalid_input", "input": "uprn",
                               "message": "uprn must be a UPRN (up to 12 digits)"}


def test_bin_collections_count_is_optional_and_checked(lookups: TestClient) -> None:
    """The demo's Tuesday round on Monday 2 March 2026, asked for 2 (default) and 5 dates."""
    two = ask(lookups, "bin-collections", {"inputs": {"uprn": "990000001014"}})
    assert two.status_code == 200
    food = two.json()["items"][2]
    assert food["value"] == "food"
    assert food["data"]["dates"] == "2026-03-03,2026-03-10"
    five = ask(lookups, "bin-collections",
               {"inputs": {"uprn": "990000001014", "count": "5", "colour": "ignored"}})
    food = five.json()["items"][2]
    # Good Friday does not touch a Tuesday round; Easter Monday moves Tuesday 7 April.
    assert food["data"]["dates"] == "2026-03-03,2026-03-10,2026-03-17,2026-03-24,2026-03-31"
    assert food["hint"] == ("Tuesday 3 March, Tuesday 10 March, Tuesday 17 March, "
                            "Tuesday 24 March, Tuesday 31 March")
    assert (food["data"]["next"], food["data"]["then"]) == ("2026-03-03", "2026-03-10")
    for count in ("0", "11", "two"):
        refused = ask(lookups, "bin-collections",
                      {"inputs": {"uprn": "990000001014", "count": count}})
        assert refused.status_code == 422
        assert error(refused) == {"code": "invalid_input", "input": "count",
                                  "message": "count must be a whole number from 1 to 10"}
    not_text = ask(lookups, "bin-collections", {"inputs": {"uprn": "990000001014", "count": 3}})
    assert error(not_text)["input"] == "count"


def test_body_must_be_a_json_object(lookups: TestClient) -> None:
    not_json = lookups.post(f"{URL}/addresses", content=b"{postcode",
                            headers={**KEY, "Content-Type": "application/json"})
    assert not_json.status_code == 400
    assert error(not_json)["code"] == "invalid_json"
    a_list = ask(lookups, "addresses", ["DE99 1AB"])
    assert a_list.status_code == 400
    assert error(a_list)["code"] == "invalid_body"
    form = lookups.post(f"{URL}/addresses", data={"postcode": CANARY}, headers=KEY)
    assert form.status_code == 415
    assert error(form)["code"] == "unsupported_content_type"
    huge = lookups.post(f"{URL}/addresses", content=b" " * 20_000,
                        headers={**KEY, "Content-Type": "application/json"})
    assert huge.status_code == 413


def test_one_log_line_per_lookup_without_inputs(lookups: TestClient,
                                                caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="hub"):
        ask(lookups, "addresses", {"inputs": {"postcode": CANARY}})
        ask(lookups, "addresses", {"inputs": {"postcode": "DE99 9ZZ"}})
        ask(lookups, "bin-collections", {"inputs": {"uprn": "990000001014"}})
        ask(lookups, "addresses", {"inputs": {"postcode": "nonsense"}})
        ask(lookups, "bogus-source-name", {"inputs": {}})
    messages = [r.getMessage() for r in caplog.records if r.name == "hub.lookups"]
    assert [m.rsplit(" ms=", 1)[0] for m in messages] == [
        "lookup source=addresses items=8",
        "lookup source=addresses items=0",
        "lookup source=bin-collections items=3",
        "lookup source=addresses refused=invalid_input",
        "lookup source=(unknown) refused=unknown_source",
    ]
    for text in (caplog.text, *messages):
        for secret in (CANARY, "DE99 9ZZ", "990000001014", "nonsense", "bogus"):
            assert secret not in text
