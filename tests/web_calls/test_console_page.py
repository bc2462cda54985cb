"""The advisor console's page and the interpreter's page, as HTTP sees them (TestClient on a
SQLite hub): who may open them, what they load, their headers, and the expired-link page.
The pages at work in a browser are tests/web_calls/test_console_browser.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from hub.app import create_app
from hub.passwords import Passwords
from hub.settings import HubSettings
from tests.hub.calls_helpers import CALLS
from tests.hub.helpers import API_KEY, BASE_URL, add_account, csrf_token, sign_in

HTML = {"Accept": "text/html"}
INVITE = "Zx9_invitation-token-0123456789abcdefABCDEF"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[FastAPI]:
    settings = HubSettings(database_url=f"sqlite:///{tmp_path / 'hub.db'}",
                           api_keys=frozenset({API_KEY}))
    app = create_app(settings, passwords=Passwords.cheap_for_tests())
    yield app
    app.state.hub.engine.dispose()


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url=BASE_URL) as client:
        yield client


class _Parts(HTMLParser):
    """Labels, form controls, scripts and headings of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.label_for: set[str] = set()
        self.controls: list[dict[str, str | None]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.headings: list[str] = []
        self.buttons: list[str] = []
        self._in: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "label" and a.get("for"):
            self.label_for.add(str(a["for"]))
        if tag in ("input", "textarea", "select") and a.get("type") != "hidden":
            self.controls.append(a)
        if tag == "script":
            self.scripts.append(a.get("src") or "inline")
        if tag == "link" and a.get("rel") == "stylesheet":
            self.styles.append(str(a.get("href")))
        if tag in ("h1", "h2", "h3", "button"):
            self._in, self._text = tag, ""

    def handle_data(self, data: str) -> None:
        if self._in:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            (self.buttons if tag == "button" else self.headings).append(self._text.strip())
            self._in = None


def parts(html: str) -> _Parts:
    parser = _Parts()
    parser.feed(html)
    return parser


def test_the_console_needs_an_advisor_or_a_manager(app: FastAPI, browser: TestClient) -> None:
    page = browser.get("/advisor", headers=HTML, follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/sign-in?next=%2Fadvisor"
    assert browser.get("/advisor", headers={"Accept": "application/json"}).status_code == 401
    add_account(app, "sam", "staff")
    sign_in(browser, "sam")
    assert browser.get("/advisor", headers=HTML).status_code == 403
    browser.cookies.clear()
    add_account(app, "mo", "manager")
    sign_in(browser, "mo")
    assert browser.get("/advisor", headers=HTML).status_code == 200


def test_the_console_loads_its_scripts_and_every_control_is_labelled(
        app: FastAPI, browser: TestClient) -> None:
    add_account(app, "ada", "advisor")
    sign_in(browser, "ada")
    page = browser.get("/advisor", headers=HTML)
    assert page.status_code == 200
    found = parts(page.text)
    assert found.scripts == ["/static/calls/mesh.js", "/static/calls/console.js",
                              "/static/calls/console-call.js"]
    assert "/static/calls/console.css" in found.styles
    assert "Advisor console" in found.headings
    assert {"Residents waiting", "Call with a resident", "Captions for the resident",
            "Journey summary", "End the call"} <= set(found.headings)
    assert {"Answer next call", "Invite an interpreter", "End call", "Copy link",
            "Mute my microphone", "Turn my camera off"} <= set(found.buttons)
    unlabelled = [c for c in found.controls if c.get("id") not in found.label_for]
    assert unlabelled == []
    # The session's CSRF token rides on the page for console.js's JSON calls.
    match = re.search(r'data-csrf="([^"]+)"', page.text)
    assert match is not None
    assert f'value="{match.group(1)}"' in page.text  # the sign-out form's, the same token
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "connect-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["permissions-policy"].startswith("camera=(self), microphone=(self)")


def test_the_scripts_are_served_and_mesh_js_is_the_kiosks_own_copy(browser: TestClient) -> None:
    mesh = browser.get("/static/calls/mesh.js")
    assert mesh.status_code == 200
    assert mesh.headers["content-type"] == "text/javascript; charset=utf-8"
    assert mesh.content == resources.files("kiosk").joinpath(
        "calls", "web", "mesh.js").read_bytes()
    for name, kind in (("console.js", "text/javascript"), ("console-call.js", "text/javascript"),
                       ("join.js", "text/javascript"),
                       ("console.css", "text/css")):
        response = browser.get(f"/static/calls/{name}")
        assert response.status_code == 200, name
        assert response.headers["content-type"] == f"{kind}; charset=utf-8"
        assert response.headers["x-content-type-options"] == "nosniff"
    assert browser.get("/static/calls/other.js").status_code == 404
    assert browser.get("/static/calls/console.js?name=mesh.js").content == \
        browser.get("/static/calls/console.js").content


def _interpreter_link(app: FastAPI, browser: TestClient) -> tuple[str, str, str]:
    """A real invitation: a kiosk queues (kiosk API), an advisor answers and invites
    (advisor API). (call id, the kiosk's token, the link's path)."""
    queued = browser.post(CALLS, headers={"X-Api-Key": API_KEY}, json={
        "terminal": "kiosk-1", "site": "central-library", "service": None, "language": "en",
        "interpreter": "pl"})
    assert queued.status_code == 201, queued.text
    call_id, token = queued.json()["call_id"], queued.json()["token"]
    add_account(app, "ada", "advisor")
    sign_in(browser, "ada")
    csrf = {"X-CSRF-Token": csrf_token(browser)}
    assert browser.post(f"/advisor/calls/{call_id}/answer", headers=csrf).status_code == 200
    invited = browser.post(f"/advisor/calls/{call_id}/invite", headers=csrf)
    assert invited.status_code == 200, invited.text
    browser.cookies.clear()  # the interpreter is nobody the hub knows
    return call_id, token, invited.json()["link"]


def _expired(page: Response) -> None:
    assert page.status_code == 404
    assert "This link has expired" in page.text
    assert "<script" not in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "sign-in" not in page.text.lower()


def test_a_bad_or_expired_link_gets_a_plain_page(app: FastAPI, browser: TestClient) -> None:
    for token in ("short", "has%20space-in-it-0123456789", INVITE):
        _expired(browser.get(f"/join/{token}", headers=HTML, follow_redirects=False))
    call_id, token, link = _interpreter_link(app, browser)
    assert browser.get(link, headers=HTML).status_code == 200
    ended = browser.post(f"{CALLS}/{call_id}/end", headers={"X-Api-Key": API_KEY},
                         json={"token": token, "reason": "resident_ended"})
    assert ended.status_code == 200, ended.text
    _expired(browser.get(link, headers=HTML, follow_redirects=False))  # ended with the call


def test_a_live_link_opens_the_interpreters_page(app: FastAPI, browser: TestClient) -> None:
    call_id, _, link = _interpreter_link(app, browser)
    assert re.fullmatch(r"/join/[A-Za-z0-9_-]{40,}", link), link
    page = browser.get(link, headers=HTML)
    assert page.status_code == 200
    found = parts(page.text)
    assert found.scripts == ["/static/calls/mesh.js", "/static/calls/join.js"]
    assert f'data-call-id="{call_id}"' in page.text
    # The link's token is the interpreter's credential in the signalling hello.
    assert f'data-token="{link.removeprefix("/join/")}"' in page.text
    assert {"Join the call", "Leave the call"} <= set(found.buttons)
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    assert "Sign out" not in page.text
