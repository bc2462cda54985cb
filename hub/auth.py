"""What a hub page needs to know about sign-in: who is signed in, with which role, and the
CSRF field its forms must carry.

Every route is signed-in-only unless its path is on the allowlist in `hub.public_routes`:
`hub.gate.SignInGate` turns strangers away (a page to the sign-in page with 303, anything
else with 401) and refuses a POST, PUT, PATCH or DELETE without the session's CSRF token,
before any route runs. A route then asks for the roles it serves:

    from typing import Annotated
    from fastapi import APIRouter, Depends, Request
    from fastapi.responses import HTMLResponse, RedirectResponse
    from hub.auth import SignedIn, csrf_field, require_role
    from hub.pages import page_response, staff_page
    from hub.state import hub_state

    def fleet_router() -> APIRouter:
        router = APIRouter()

        @router.get("/fleet")
        def fleet(request: Request,
                  account: Annotated[SignedIn, Depends(require_role("it", "manager"))]
                  ) -> HTMLResponse:
            form = ('<form method="post" action="/fleet/restart">'
                    f'{csrf_field(account)}<button class="button">Restart</button></form>')
            return page_response(staff_page(hub_state(request), "Fleet", form, account))

        @router.post("/fleet/restart")   # the gate has already checked the CSRF token
        def restart(account: Annotated[SignedIn, Depends(require_role("it"))]
                    ) -> RedirectResponse:
            ...

        return router

`require_role()` with no roles admits any signed-in account. A signed-in account without
the role gets 403 (a page, or JSON for an API). Scripts that POST JSON send the token in
the `X-CSRF-Token` header instead of the form field; the token is `account.csrf_token`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape

from fastapi import Request

from hub.accounts import ROLES, Role
from hub.settings import HubSettings
from hub.staff_sessions import LIFETIME, SignedIn

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "NotPermitted",
    "SignInRequired",
    "SignedIn",
    "csrf_field",
    "require_role",
    "session_cookie",
    "signed_in_account",
]

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class SignInRequired(Exception):
    """Nobody is signed in (only reachable from a route on the public allowlist)."""


class NotPermitted(Exception):
    """Signed in, but the account's role is not one the route serves."""

    def __init__(self, account: SignedIn, roles: frozenset[Role]) -> None:
        super().__init__(f"{account.role} may not use this page")
        self.account = account
        self.roles = roles


def signed_in_account(request: Request) -> SignedIn | None:
    """The account `SignInGate` found for this request, if any."""
    account = getattr(request.state, "signed_in", None)
    return account if isinstance(account, SignedIn) else None


def require_role(*roles: Role) -> Callable[[Request], Awaitable[SignedIn]]:
    """A FastAPI dependency: the signed-in account if its role is one of `roles` (any role
    when none are given); otherwise 403, or the sign-in page/401 if nobody is signed in."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown role(s) {sorted(unknown)}: roles are {', '.join(ROLES)}")
    allowed = frozenset(roles or ROLES)

    async def dependency(request: Request) -> SignedIn:
        account = signed_in_account(request)
        if account is None:
            raise SignInRequired()
        if account.role not in allowed:
            raise NotPermitted(account, allowed)
        return account

    return dependency


def csrf_field(account: SignedIn) -> str:
    """The hidden input every form on a signed-in page must contain."""
    return f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(account.csrf_token)}">'


def session_cookie(settings: HubSettings) -> str:
    """The `__Host-` prefix makes browsers insist on Secure, Path=/ and no Domain."""
    return "__Host-hub_session" if settings.secure_cookies else "hub_session"


def sign_in_cookie(settings: HubSettings) -> str:
    """The sign-in form's own CSRF token (double submit), before there is a session."""
    return "__Host-hub_sign_in" if settings.secure_cookies else "hub_sign_in"


def cookie_options(settings: HubSettings, max_age: int = int(LIFETIME.total_seconds())
                   ) -> dict[str, object]:
    return {"max_age": max_age, "path": "/", "secure": settings.secure_cookies,
            "httponly": True, "samesite": "strict"}
