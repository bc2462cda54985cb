"""The sign-in and sign-out pages, and the start page a signed-in account lands on.

The sign-in form has its own CSRF token before any session exists (a double submit: the
same random value in a SameSite=Strict cookie and in the form), so another site cannot sign
a browser in to an account of its choosing. A successful sign-in always starts a new
session, so a session token planted before sign-in is worth nothing after it.
"""

from __future__ import annotations

import hmac
import secrets
from html import escape
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from hub.accounts import ROLE_DESCRIPTIONS, SIGNED_OUT, record
from hub.auth import (
    CSRF_FIELD,
    SignedIn,
    cookie_options,
    require_role,
    session_cookie,
    sign_in_cookie,
)
from hub.db import utcnow
from hub.pages import error_summary, page_response, staff_page
from hub.sign_in_check import WINDOW, Outcome, try_sign_in
from hub.staff_sessions import IDLE, LIFETIME, end_session, signed_in
from hub.state import HubState, hub_state

SIGN_IN_FORM_AGE = 3600
MAX_FIELD = 2048


def safe_next(text: str) -> str:
    """Where to go after signing in: a path on this hub only, never another site."""
    if not text.startswith("/") or text.startswith(("//", "/\\")) or len(text) > 2000:
        return "/"
    if any(ord(c) < 32 or c == "\\" for c in text):
        return "/"
    parts = urlsplit(text)
    if parts.scheme or parts.netloc or parts.path in ("/sign-in", "/sign-out"):
        return "/"
    return text


def client_address(request: Request) -> str:
    return request.client.host if request.client is not None else ""


def _form(hub: HubState, token: str, next_path: str, name: str = "",
          errors: tuple[tuple[str, str], ...] = ()) -> str:
    problems = dict(errors)

    def group(field: str, label: str, kind: str, value: str, autocomplete: str) -> str:
        message = problems.get(field)
        error = f'<span class="error-message" id="{field}-error">{escape(message)}</span>' \
            if message else ""
        described = f' aria-describedby="{field}-error"' if message else ""
        css = "input input--error" if message else "input"
        return (f'<div class="form-group{" form-group--error" if message else ""}">'
                f'<label class="label" for="{field}">{label}</label>{error}'
                f'<input class="{css}" id="{field}" name="{field}" type="{kind}" '
                f'value="{escape(value)}" autocomplete="{autocomplete}" spellcheck="false"'
                f"{described}></div>\n")

    return (
        f"{error_summary(errors)}<h1>Sign in to the hub</h1>\n"
        '<form method="post" action="/sign-in" novalidate>\n'
        f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(token)}">\n'
        f'<input type="hidden" name="next" value="{escape(next_path)}">\n'
        + group("name", "Account name", "text", name, "username")
        + group("password", "Password", "password", "", "current-password")
        + '<button class="button" type="submit">Sign in</button>\n</form>\n'
        "<p>If you have forgotten your password, ask IT to reset it.</p>\n"
    )


def _sign_in_page(hub: HubState, next_path: str, name: str = "",
                  errors: tuple[tuple[str, str], ...] = (), status: int = 200) -> HTMLResponse:
    """The form with a fresh token, in its cookie too."""
    token = secrets.token_urlsafe(32)
    title = "Sign in" if not errors else "Error: sign in"
    response = page_response(staff_page(hub, title, _form(hub, token, next_path, name, errors)),
                             status)
    response.set_cookie(sign_in_cookie(hub.settings), token,
                        **cookie_options(hub.settings, SIGN_IN_FORM_AGE))  # type: ignore[arg-type]
    return response


async def _show_sign_in(request: Request) -> Response:
    hub = hub_state(request)
    next_path = safe_next(request.query_params.get("next", "/"))
    token = request.cookies.get(session_cookie(hub.settings), "")
    if token:
        account = await run_in_threadpool(signed_in, hub.sessions, token, utcnow())
        if account is not None:
            return RedirectResponse(next_path, status_code=303)
    return _sign_in_page(hub, next_path)


def _text(value: object) -> str:
    return value[:MAX_FIELD] if isinstance(value, str) else ""


async def _sign_in(request: Request) -> Response:
    hub = hub_state(request)
    async with request.form(max_files=0, max_fields=10) as form:
        name, password = _text(form.get("name")).strip(), _text(form.get("password"))
        given, next_path = _text(form.get(CSRF_FIELD)), safe_next(_text(form.get("next")))
    expected = request.cookies.get(sign_in_cookie(hub.settings), "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        return _sign_in_page(hub, next_path, name, (
            ("name", "The sign-in page had expired. Enter your account name and password "
                     "again"),), 400)
    errors = []
    if not name:
        errors.append(("name", "Enter your account name"))
    if not password:
        errors.append(("password", "Enter your password"))
    if errors:
        return _sign_in_page(hub, next_path, name, tuple(errors), 400)
    attempt = await run_in_threadpool(try_sign_in, hub.sessions, hub.passwords, name, password,
                                      client_address(request), utcnow())
    if attempt.outcome is Outcome.LOCKED:
        minutes = int(WINDOW.total_seconds() // 60)
        return _sign_in_page(hub, next_path, name, (
            ("name", f"There have been too many failed attempts to sign in. Wait {minutes} "
                     "minutes and try again, or ask IT to reset your password"),), 429)
    if attempt.outcome is Outcome.REFUSED:
        return _sign_in_page(hub, next_path, name, (
            ("name", "Enter a correct account name and password"),), 400)
    response = RedirectResponse(next_path, status_code=303,
                                headers={"Cache-Control": "no-store"})
    response.set_cookie(session_cookie(hub.settings), attempt.token,
                        **cookie_options(hub.settings))  # type: ignore[arg-type]
    response.delete_cookie(sign_in_cookie(hub.settings), path="/",
                           secure=hub.settings.secure_cookies, httponly=True, samesite="strict")
    return response


def _forget(hub: HubState, account: SignedIn, client: str) -> None:
    end_session(hub.sessions, account.token_digest)
    with hub.sessions() as session:
        record(session, SIGNED_OUT, account_name=account.name, client=client)
        session.commit()


async def _sign_out(request: Request,
                    account: Annotated[SignedIn, Depends(require_role())]) -> Response:
    hub = hub_state(request)
    await run_in_threadpool(_forget, hub, account, client_address(request))
    response = RedirectResponse("/sign-in", status_code=303, headers={"Cache-Control": "no-store"})
    response.delete_cookie(session_cookie(hub.settings), path="/",
                           secure=hub.settings.secure_cookies, httponly=True, samesite="strict")
    return response


def _start(request: Request, account: Annotated[SignedIn, Depends(require_role())]
           ) -> HTMLResponse:
    hub = hub_state(request)
    body = (f"<h1>Hello, {escape(account.name)}</h1>\n"
            '<dl class="summary">'
            f"<dt>Your role</dt><dd>{escape(account.role)}: "
            f"{escape(ROLE_DESCRIPTIONS[account.role])}</dd></dl>\n"
            f"<p>Your session ends after {int(IDLE.total_seconds() // 60)} minutes without use, "
            f"and after {int(LIFETIME.total_seconds() // 3600)} hours in any case. Sign out "
            "when you leave the desk.</p>\n")
    pages = [(path, title) for path, title, roles in STAFF_PAGES if account.role in roles]
    if pages:
        body += "<h2>Pages</h2>\n<ul>" + "".join(
            f'<li><a href="{path}">{escape(title)}</a></li>' for path, title in pages) + "</ul>\n"
    return page_response(staff_page(hub, "Start", body, account))


# The staff pages the start page links to, with the roles that may use each.
STAFF_PAGES = (("/requests", "Residents' requests: find one, set its status",
                ("staff", "manager", "it")),
               ("/appointments", "Appointments: bookings by site and day",
                ("staff", "manager", "it")),
               ("/fleet", "The fleet of kiosks", ("it",)))


def sign_in_router() -> APIRouter:
    router = APIRouter()
    router.add_api_route("/sign-in", _show_sign_in, methods=["GET"])
    router.add_api_route("/sign-in", _sign_in, methods=["POST"])
    router.add_api_route("/sign-out", _sign_out, methods=["POST"])
    router.add_api_route("/", _start, methods=["GET"], response_class=HTMLResponse)
    return router
