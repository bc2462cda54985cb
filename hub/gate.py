"""The door every request passes: public paths go straight through, anything else needs a
signed-in session, and a state-changing request also needs that session's CSRF token.

Closed by default, so a route nobody remembered to protect is still protected: the only
routes open to strangers are those in `hub.public_routes.PUBLIC_ROUTES`. A browser is sent to
the sign-in page (303, with the page it wanted as `next`); anything that did not ask for
HTML gets 401 JSON. A path no route matches goes on to the router's plain 404 (no endpoint
can run for it, and the routes are no secret: the code is open), so a kiosk pointed at a
wrong URL is told "not found", not "sign in". The account found is put on `request.state.signed_in` for
`hub.auth.require_role`. The CSRF token is read from the `X-CSRF-Token` header or, for a
form, its `csrf_token` field (the form body is read here and handed on unchanged).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Sequence
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.formparsers import MultiPartException
from starlette.requests import HTTPConnection
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.auth import CSRF_FIELD, CSRF_HEADER, NotPermitted, SignedIn, SignInRequired, session_cookie
from hub.db import utcnow
from hub.pages import page_response, staff_page
from hub.public_routes import is_public
from hub.staff_sessions import signed_in
from hub.state import HubState

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_FORM_BYTES = 1024 * 1024
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def wants_html(headers: Headers) -> bool:
    """A browser navigating asks for text/html; fetch(), curl and API clients do not."""
    return "text/html" in headers.get("accept", "").lower()


def _error_json(status: int, code: str, message: str, headers: dict[str, str] | None = None
                ) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status,
                        headers={"Cache-Control": "no-store", **(headers or {})})


def sign_in_required(connection: HTTPConnection) -> Response:
    if wants_html(connection.headers):
        wanted = connection.url.path
        if connection.url.query:
            wanted += "?" + connection.url.query
        target = "/sign-in" if wanted == "/" else "/sign-in?next=" + quote(wanted, safe="")
        return RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})
    return _error_json(401, "sign_in_required", "Sign in to the hub first",
                       {"WWW-Authenticate": 'Cookie realm="kiosk-hub"'})


def not_permitted(hub: HubState, headers: Headers, account: SignedIn) -> Response:
    if not wants_html(headers):
        return _error_json(403, "not_permitted", f"The {account.role} role may not use this")
    body = ("<h1>You cannot use this page</h1>\n"
            f"<p>Your account ({account.role}) does not give access to this page. "
            "If you need it for your work, ask IT to change your account's role.</p>\n"
            '<p><a href="/">Go to the hub\'s start page</a></p>\n')
    return page_response(staff_page(hub, "Not permitted", body, account), 403)


def _csrf_refused(hub: HubState, headers: Headers, account: SignedIn) -> Response:
    if not wants_html(headers):
        return _error_json(403, "csrf_failed", f"Send the session's token in {CSRF_HEADER}")
    body = ("<h1>This form has expired</h1>\n"
            "<p>Nothing was changed. Go back, reload the page and try again.</p>\n")
    return page_response(staff_page(hub, "Form expired", body, account), 403)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands on a body already read, then whatever comes next."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _read_body(receive: Receive) -> bytes | None:
    """The whole body, or None if it is too large or the client went away."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _form_token(scope: Scope, body: bytes, receive: Receive) -> str:
    request = Request(scope, _replay(body, receive))
    try:
        async with request.form() as form:
            value = form.get(CSRF_FIELD)
    except MultiPartException:
        return ""
    return value if isinstance(value, str) else ""


class SignInGate:
    """ASGI middleware: installed by `install_gate`, outside every route."""

    def __init__(self, app: ASGIApp, hub: HubState, routes: Callable[[], Sequence[BaseRoute]]
                 ) -> None:
        self.app = app
        self.hub = hub
        self.routes = routes  # the app's routes as they are now, added ones included

    def _routed(self, scope: Scope) -> bool:
        return any(route.matches(scope)[0] is not Match.NONE for route in self.routes())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] not in ("http", "websocket") or is_public(scope["path"])
                or not self._routed(scope)):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        token = connection.cookies.get(session_cookie(self.hub.settings), "")
        account = None
        if token:
            account = await run_in_threadpool(signed_in, self.hub.sessions, token, utcnow())
        if account is None:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 4401})
                return
            await sign_in_required(connection)(scope, receive, send)
            return
        scope.setdefault("state", {})["signed_in"] = account
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            given = connection.headers.get(CSRF_HEADER, "")
            media_type = connection.headers.get("content-type", "").split(";")[0].strip().lower()
            if not given and media_type in FORM_TYPES:
                body = await _read_body(receive)
                if body is None:
                    await _error_json(413, "body_too_large", "The form is too large")(
                        scope, receive, send)
                    return
                given = await _form_token(scope, body, receive)
                receive = _replay(body, receive)
            if not hmac.compare_digest(given.encode("utf-8", "replace"),
                                       account.csrf_token.encode()):
                await _csrf_refused(self.hub, connection.headers, account)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def install_gate(app: FastAPI, hub: HubState) -> None:
    """The gate, and answers for the refusals `hub.auth.require_role` raises."""

    async def on_sign_in_required(request: Request, exc: Exception) -> Response:
        return sign_in_required(request)

    async def on_not_permitted(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, NotPermitted)
        return not_permitted(hub, request.headers, exc.account)

    app.add_exception_handler(SignInRequired, on_sign_in_required)
    app.add_exception_handler(NotPermitted, on_not_permitted)
    app.add_middleware(SignInGate, hub=hub, routes=lambda: app.router.routes)
