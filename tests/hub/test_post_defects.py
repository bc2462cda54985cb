"""The Open311 defects of issue 10, part 6: the body's encoding, percent-escapes, the method,
and a request with no location. Each is checked in-process and on the real server."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import pytest
import requests
from fastapi.testclient import TestClient

from hub.formats import Open311Error
from hub.intake import parse_form_body
from tests.hub.helpers import API_KEY, feedback, missed_bin
from tests.hub_server import HubProcess, running_hub

NAME = "Siân Ćwik-Øster ☃"
FORM = "application/x-www-form-urlencoded"

Post = Callable[[bytes, str, str], tuple[int, Any, dict[str, str]]]


def _raw(form: list[tuple[str, str]], override: dict[str, bytes] | None = None) -> bytes:
    """A form body with values percent-encoded, except those given raw in `override`. The
    kiosk reference (optional) is left out, so one hub can take the same form many times."""
    parts = []
    for name, value in form:
        if name == "attribute[kiosk_reference]":
            continue
        raw = (override or {}).get(name)
        parts.append(quote(name).encode() + b"=" + (raw if raw is not None else
                                                     quote(value).encode()))
    return b"&".join(parts)


@pytest.fixture(scope="module")
def real_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    with running_hub(tmp_path_factory.mktemp("hub"), api_keys=(API_KEY,)) as hub:
        yield hub


@pytest.fixture(params=["in-process", "real server"])
def poster(request: pytest.FixtureRequest, client: TestClient
           ) -> Iterator[tuple[Post, Callable[[str], Any]]]:
    """POST a raw body (and GET a request back) in-process, or to a real `python -m hub`
    (one for the whole module: starting it is most of these tests' time)."""
    if request.param == "in-process":
        def post(body: bytes, content_type: str, path: str = "requests.json"
                 ) -> tuple[int, Any, dict[str, str]]:
            response = client.post(f"/open311/v2/{path}", content=body,
                                   headers={"Content-Type": content_type})
            return response.status_code, _body(response.content), dict(response.headers)

        def get(request_id: str) -> Any:
            return client.get(f"/open311/v2/requests/{request_id}.json").json()

        yield post, get
        return
    hub: HubProcess = request.getfixturevalue("real_hub")

    def post_real(body: bytes, content_type: str, path: str = "requests.json"
                  ) -> tuple[int, Any, dict[str, str]]:
        response = requests.post(f"{hub.open311_url}/{path}", data=body,
                                 headers={"Content-Type": content_type}, timeout=10)
        return response.status_code, _body(response.content), dict(response.headers)

    def get_real(request_id: str) -> Any:
        return requests.get(f"{hub.open311_url}/requests/{request_id}.json", timeout=10).json()

    yield post_real, get_real


def _body(content: bytes) -> Any:
    import json

    try:
        return json.loads(content)
    except ValueError:
        return ET.fromstring(content)


def _codes(body: Any) -> list[str]:
    return [e["code"] for e in body]


def test_raw_utf8_without_a_charset_is_read_as_utf8(poster: tuple[Post, Any]) -> None:
    post, get = poster
    body = _raw(missed_bin(description="x"), {"description": f"Bin by {NAME}".encode()})
    status, answer, _ = post(body, FORM)
    assert status == 200, answer
    [doc] = get(answer[0]["service_request_id"])
    assert doc["description"] == f"Bin by {NAME}"  # not "SiÃ¢n ..."


def test_percent_escaped_utf8_and_a_declared_latin1_charset(poster: tuple[Post, Any]) -> None:
    post, get = poster
    status, answer, _ = post(_raw(missed_bin(description=f"Escaped {NAME}")), FORM)
    assert status == 200, answer
    assert get(answer[0]["service_request_id"])[0]["description"] == f"Escaped {NAME}"
    latin = _raw(missed_bin(description="x"), {"description": "Café".encode("latin-1")})
    status, answer, _ = post(latin, f"{FORM}; charset=ISO-8859-1")
    assert status == 200, answer
    assert get(answer[0]["service_request_id"])[0]["description"] == "Café"


@pytest.mark.parametrize("raw", [b"Caf\xe9", b"%C3%28", b"\xff\xfe", b"ok%E2%82"])
def test_invalid_utf8_is_a_400(poster: tuple[Post, Any], raw: bytes) -> None:
    post, _ = poster
    status, answer, _ = post(_raw(missed_bin(), {"description": raw}), FORM)
    assert status == 400
    assert _codes(answer) == ["invalid_encoding"]
    assert "not valid UTF-8" in answer[0]["description"]


@pytest.mark.parametrize("raw", [b"100%", b"%ZZbin", b"%4", b"50%-off"])
def test_invalid_percent_escapes_are_a_400(poster: tuple[Post, Any], raw: bytes) -> None:
    post, _ = poster
    status, answer, _ = post(_raw(missed_bin(), {"description": raw}), FORM)
    assert status == 400
    assert _codes(answer) == ["invalid_encoding"]
    assert "invalid percent-escape" in answer[0]["description"]


def test_an_unknown_charset_is_a_400(poster: tuple[Post, Any]) -> None:
    post, _ = poster
    status, answer, _ = post(_raw(missed_bin()), f"{FORM}; charset=klingon")
    assert (status, _codes(answer)) == (400, ["unsupported_charset"])


def test_a_wrong_method_is_a_405_naming_the_right_ones(poster: tuple[Post, Any],
                                                        client: TestClient) -> None:
    response = client.put("/open311/v2/requests.xml", content=b"")
    assert response.status_code == 405
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "POST"}
    assert ET.fromstring(response.content).findtext("error/code") == "405"
    post, _ = poster
    status, answer, headers = post(_raw(missed_bin()), FORM, "services.json")
    assert (status, _codes(answer)) == (405, ["405"])
    assert headers["allow"] == "GET"


@pytest.mark.parametrize("form", [
    feedback(address_string=None),
    missed_bin(address_string=None),
    missed_bin(address_string="  ", address_id=""),
])
def test_a_request_with_no_location_is_a_400(poster: tuple[Post, Any],
                                             form: list[tuple[str, str]]) -> None:
    post, _ = poster
    status, answer, _ = post(_raw(form), FORM)
    assert status == 400
    assert "missing_location" in _codes(answer)


@pytest.mark.parametrize("location", [
    {"address_string": "1 Library Square"}, {"address_id": "990000001001"},
    {"lat": "52.60012", "long": "-1.47021"},
])
def test_any_one_location_will_do(poster: tuple[Post, Any], location: dict[str, str]) -> None:
    post, _ = poster
    form = feedback(address_string=None) + list(location.items())
    status, answer, _ = post(_raw(form), FORM)
    assert status == 200, answer


def test_an_oversized_body_is_a_413(client: TestClient) -> None:
    body = _raw(missed_bin()) + b"&description=" + b"x" * 300_000
    response = client.post("/open311/v2/requests.json", content=body,
                           headers={"Content-Type": FORM})
    assert response.status_code == 413
    assert response.json()[0]["code"] == "body_too_large"


def test_the_parser_on_its_own() -> None:
    assert parse_form_body(b"a=1&b=x+y&b=%E2%98%83&&c&d=", None) == [
        ("a", "1"), ("b", "x y"), ("b", "☃"), ("c", ""), ("d", "")]
    assert parse_form_body("n=Siân".encode(), "utf-8") == [("n", "Siân")]
    with pytest.raises(Open311Error) as error:
        parse_form_body(b"n=%G0", None)
    assert error.value.status == 400
