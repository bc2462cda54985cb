"""No page or API of the hub answers a stranger, except the paths on the public allowlist.

The crawl walks every route the app has, so a route added later is checked without anyone
remembering to add it here; the allowlist it checks against is the one the gate uses.
"""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI, WebSocket
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocketDisconnect

from hub.public_routes import PUBLIC_ROUTES, is_public

SAMPLE = {"fmt": "json"}
HTML = {"Accept": "text/html,application/xhtml+xml"}
JSON = {"Accept": "application/json"}


def _concrete(path: str) -> str:
    """A request path for a route's template: each parameter given a harmless value."""
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: SAMPLE.get(m.group(1), "ABCD2345"), path)


def _routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path template) of every route, included routers flattened; a WebSocket
    route's method is "WEBSOCKET"."""
    found: list[tuple[str, str]] = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        assert isinstance(route, Route | APIRoute | WebSocketRoute), f"unexpected route kind " \
            f"{route!r}: the crawl must learn to walk it (a Mount would hide its own routes)"
        assert context.path is not None
        if isinstance(route, WebSocketRoute):
            found.append(("WEBSOCKET", context.path))
            continue
        for method in sorted(context.methods or ()):
            found.append((method, context.path))
    return found


def test_the_app_has_routes_of_both_kinds(app: FastAPI) -> None:
    paths = {path for _, path in _routes(app)}
    assert any(is_public(_concrete(p)) for p in paths)
    assert any(not is_public(_concrete(p)) for p in paths)


def test_no_route_answers_a_stranger_unless_public(app: FastAPI, browser: TestClient) -> None:
    checked = []
    for method, template in _routes(app):
        if method == "WEBSOCKET":
            continue
        path = _concrete(template)
        for accept in (HTML, JSON):
            response = browser.request(method, path, headers=accept, follow_redirects=False)
            if is_public(path):  # answered by the route itself, not turned away by the gate
                assert "sign_in_required" not in response.text, (method, path)
                assert not response.headers.get("location", "").startswith("/sign-in"), \
                    (method, path)
                continue
            if accept is HTML and method == "GET":
                assert response.status_code == 303, (method, path, response.status_code)
                assert response.headers["location"].startswith("/sign-in"), (method, path)
            elif accept is HTML:
                assert response.status_code == 303, (method, path, response.status_code)
            else:
                assert response.status_code == 401, (method, path, response.status_code)
                assert response.json()["error"]["code"] == "sign_in_required"
            checked.append((method, template))
    assert ("GET", "/") in checked
    assert ("POST", "/sign-out") in checked


def _close_code(client: TestClient, path: str) -> int:
    """How the socket at `path` ends for a stranger who says a meaningless hello."""
    try:
        with client.websocket_connect(path) as socket:
            socket.send_text('{"type": "hello"}')
            socket.receive_text()
    except WebSocketDisconnect as closed:
        return int(closed.code)
    raise AssertionError(f"{path} sent a stranger a message")


def test_no_websocket_answers_a_stranger_unless_public(app: FastAPI, browser: TestClient
                                                      ) -> None:
    """The gate closes a stranger's WebSocket (4401) before the route runs; a public one is
    answered by its route, which checks the credential in the first message itself."""
    sockets = [_concrete(p) for m, p in _routes(app) if m == "WEBSOCKET"]
    assert sockets
    for path in sockets:
        if is_public(path):
            assert _close_code(browser, path) != 4401, path
        else:
            assert _close_code(browser, path) == 4401, path

    async def forgot_to_protect(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("resident data")

    app.add_api_websocket_route("/reports/live", forgot_to_protect)
    assert _close_code(browser, "/reports/live") == 4401


def test_public_kiosk_and_open311_posts_refuse_without_a_key(app: FastAPI, client: TestClient
                                                             ) -> None:
    """Public by path, protected by API key: each such POST refuses a stranger itself."""
    posts = [p for m, p in _routes(app) if m == "POST" and p.startswith(("/kiosk/", "/open311/"))]
    assert posts
    for template in posts:
        path = _concrete(template)
        response = client.post(path, data={"service_code": "MISSED_BIN"})
        assert response.status_code in (401, 403), (path, response.status_code)


def test_every_allowlist_entry_matches_a_route(app: FastAPI) -> None:
    paths = [_concrete(p) for _, p in _routes(app)]
    for entry in PUBLIC_ROUTES:
        assert any(entry.matches(p) for p in paths), f"{entry.path} is public but no route " \
            "uses it: remove it from hub/public_routes.py"
        assert entry.reason
        assert not entry.prefix or entry.path.endswith("/")


def test_a_new_route_is_protected_without_asking(app: FastAPI, browser: TestClient) -> None:
    def forgot_to_protect() -> dict[str, str]:
        return {"secret": "resident data"}

    app.add_api_route("/reports/everything.json", forgot_to_protect, methods=["GET", "POST"])
    for method in ("GET", "POST"):
        response = browser.request(method, "/reports/everything.json")
        assert response.status_code == 401
        assert "resident data" not in response.text


@pytest.mark.parametrize("path", ["/open311", "/open311/v2evil", "/statusx", "/kiosk/v1",
                                  "/sign-in/extra", "/static", "/%2Fstatus/x", "/admin"])
def test_paths_with_no_route_are_plain_404(browser: TestClient, path: str) -> None:
    """Near misses of public prefixes are not public: they match no route, so no endpoint
    can run; a kiosk pointed at a wrong URL hears "not found", not "sign in"."""
    for accept in (HTML, JSON):
        response = browser.get(path, headers=accept, follow_redirects=False)
        assert response.status_code == 404, (path, response.status_code)


def test_a_route_answers_a_stranger_the_same_for_every_method(browser: TestClient) -> None:
    for method in ("GET", "HEAD", "PUT", "DELETE"):
        response = browser.request(method, "/", headers=JSON)
        assert response.status_code == 401, method
