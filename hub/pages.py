"""The frame of every staff page: the council's header, who is signed in, a sign-out button,
and the headers that keep these pages out of caches, frames and other sites' reach.

Plain HTML with no JavaScript, styled by one stylesheet (`/static/hub.css`, GOV.UK-like),
so pages work with any browser a council desktop has and a strict CSP can forbid scripts.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from hub.auth import SignedIn, csrf_field
from hub.state import HubState

STYLESHEET = "/static/hub.css"
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def staff_page(hub: HubState, title: str, body: str, account: SignedIn | None = None) -> str:
    """A whole page; `body` is trusted HTML the caller has escaped."""
    council = escape(hub.settings.council_name)
    if account is not None:
        who = (f'<div class="header__account"><span>{escape(account.name)} '
               f'({escape(account.role)})</span>'
               f'<form method="post" action="/sign-out">{csrf_field(account)}'
               '<button class="button button--secondary" type="submit">Sign out</button>'
               "</form></div>")
    else:
        who = ""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)} – {council} hub</title>\n"
        f'<link rel="stylesheet" href="{STYLESHEET}">\n</head>\n<body>\n'
        f'<header class="header"><a class="header__title" href="/">{council} hub</a>{who}'
        f'</header>\n<main class="main" id="main">\n{body}</main>\n</body>\n</html>\n'
    )


def page_response(html: str, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(html, status_code=status_code, headers=HEADERS)


def error_summary(errors: Sequence[tuple[str, str]]) -> str:
    """GOV.UK's error summary: each (field id, message) links to its field."""
    if not errors:
        return ""
    items = "".join(f'<li><a href="#{escape(field)}">{escape(message)}</a></li>'
                    for field, message in errors)
    return ('<div class="error-summary" role="alert"><h2>There is a problem</h2>'
            f"<ul>{items}</ul></div>\n")


def static_router() -> APIRouter:
    """`/static/hub.css`, read once when the app is built."""
    css = resources.files("hub").joinpath("static", "hub.css").read_text(encoding="utf-8")
    router = APIRouter()

    def stylesheet() -> Response:
        return Response(css, media_type="text/css; charset=utf-8",
                        headers={"Cache-Control": "public, max-age=3600",
                                 "X-Content-Type-Options": "nosniff"})

    router.add_api_route(STYLESHEET, stylesheet, methods=["GET"])
    return router
