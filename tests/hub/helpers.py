"""Shared test helpers: valid submissions per demo service, and XML <-> JSON comparison."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from hub.accounts import Role
from hub.accounts import add_account as add_to_database

API_KEY = "test-key"
BASE_URL = "https://testserver"
PASSWORD = "correct horse battery"

LIST_TAGS = {
    "services": "service", "attributes": "attribute", "values": "value",
    "endpoints": "endpoint", "formats": "format", "service_requests": "request",
    "errors": "error",
}


def missed_bin(**overrides: Any) -> list[tuple[str, str]]:
    """A complete missed-bin report, as the kiosk's outbox sends it."""
    form = {
        "api_key": API_KEY,
        "service_code": "MISSED_BIN",
        "address_string": "14, DE99 1AB",
        "description": "Bin is by the gate",
        "email": "resident@example.org",
        "attribute[bin_type]": "general",
        "attribute[collection_date]": "2026-03-27",
        "attribute[contact_method]": "email",
        "attribute[kiosk_reference]": "ABCD2345",
    }
    form.update(overrides)
    return [(k, v) for k, v in form.items() if v is not None]


def feedback(topics: tuple[str, ...] = ("bins", "roads"), **overrides: Any
             ) -> list[tuple[str, str]]:
    form = {
        "api_key": API_KEY,
        "service_code": "FEEDBACK",
        # Feedback has no location of its own: the kiosk sends its site's address.
        "address_string": "1 Library Square, Demo Town, DE99 1AA",
        "description": "The library staff were very helpful",
        "attribute[feedback_type]": "compliment",
        "attribute[kiosk_reference]": "FBCK2345",
    }
    form.update(overrides)
    items = [(k, v) for k, v in form.items() if v is not None]
    items += [("attribute[topics][]", t) for t in topics]
    return items


def post(client: TestClient, form: list[tuple[str, str]], fmt: str = "json",
         headers: dict[str, str] | None = None) -> Response:
    response: Response = client.post(
        f"/open311/v2/requests.{fmt}", content=urlencode(form),
        headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})
    return response


def xml_plain(element: ET.Element) -> Any:
    """An XML document as the same nested lists/dicts its JSON twin holds, leaves as text."""
    if element.tag in LIST_TAGS:
        return [xml_plain(child) for child in element]
    if len(element):
        return {child.tag: xml_plain(child) for child in element}
    return element.text or ""


def json_plain(value: Any) -> Any:
    """JSON with every leaf as the text XML would carry, for comparing the two formats."""
    if isinstance(value, list):
        return [json_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: json_plain(v) for k, v in value.items()}
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def assert_same_content(xml_response: Response, json_response: Response) -> None:
    assert xml_response.headers["content-type"] == "text/xml; charset=utf-8"
    assert json_response.headers["content-type"] == "application/json; charset=utf-8"
    root = ET.fromstring(xml_response.content)
    plain = xml_plain(root)
    assert plain == json_plain(json_response.json())


def error_codes(response: Response) -> list[str]:
    body = response.json()
    assert isinstance(body, list)
    return [e["code"] for e in body]


def add_account(app: FastAPI, name: str, role: Role, password: str = PASSWORD) -> None:
    hub = app.state.hub
    add_to_database(hub.sessions, hub.passwords, name, role, password, by="test")


def sign_in_token(client: TestClient, next_path: str = "") -> str:
    """Open the sign-in page, as a browser would first, and read its form's token."""
    page = client.get("/sign-in" + (f"?next={next_path}" if next_path else ""),
                      follow_redirects=False)
    assert page.status_code == 200, page.text
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match is not None
    return match.group(1)


def sign_in(client: TestClient, name: str, password: str = PASSWORD, next_path: str = "",
            expect: int = 303) -> Response:
    token = sign_in_token(client, next_path)
    response: Response = client.post("/sign-in", data={
        "csrf_token": token, "name": name, "password": password, "next": next_path or "/"},
        follow_redirects=False)
    assert response.status_code == expect, response.text
    return response


def csrf_token(client: TestClient, path: str = "/") -> str:
    """The session's CSRF token, read from a signed-in page's sign-out form."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match is not None
    return match.group(1)
