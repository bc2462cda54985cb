"""`/advisor`, the advisor console, and `/join/{token}`, the interpreter's page: the two web
pages of advisor calls (docs/calls.md §1), and the scripts they run under /static/calls/.

The console is for advisors and managers (`require_role("advisor", "manager")`). It is
plain HTML that works without a build step; `console.js` does the live parts through the
advisor JSON API (§2.2) and `mesh.js` joins the call. `mesh.js` is served from the kiosk
package (kiosk/calls/web/mesh.js), so the console, the interpreter and the kiosk run one
copy of it.

The interpreter's page is public: its link is the invitation (§2). A token that names no
live invitation gets a plain page with no script that says the link has expired, the same
for a malformed one, so the page tells a stranger nothing about which calls exist.

These pages run scripts and use the camera, so their headers differ from the staff pages'
in exactly that: scripts and connections from the hub's own origin, camera and microphone
for this origin only. Everything else (no caching, no referrer, no framing) is the same;
"no referrer" matters most here, because the interpreter's URL carries the invitation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from hub.auth import SignedIn, require_role
from hub.calls import invites
from hub.pages import HEADERS, page_response, staff_page
from hub.state import hub_state

Advisor = Annotated[SignedIn, Depends(require_role("advisor", "manager"))]
STATIC = "/static/calls/"
CALL_PAGE_HEADERS = {
    **HEADERS,
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
                               "connect-src 'self'; media-src 'self' blob: mediastream:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "Permissions-Policy": "camera=(self), microphone=(self), display-capture=(), "
                          "geolocation=()",
}
# An invitation token is 32 random bytes, URL-safe base64 (docs/calls.md §2.1): anything
# else cannot be one, and is turned away before the database is asked.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
_OUTCOMES = (("resolved", "Resolved", "The resident's enquiry was dealt with on the call"),
             ("callback_booked", "Call back booked", "Someone will call the resident back"),
             ("referred", "Referred", "Passed to another team or organisation"))


def _static_files() -> dict[str, tuple[Traversable, str]]:
    here = resources.files("hub").joinpath("static", "calls")
    return {
        "console.js": (here.joinpath("console.js"), "text/javascript"),
        "console-call.js": (here.joinpath("console-call.js"), "text/javascript"),
        "join.js": (here.joinpath("join.js"), "text/javascript"),
        "console.css": (here.joinpath("console.css"), "text/css"),
        "mesh.js": (resources.files("kiosk").joinpath("calls", "web", "mesh.js"),
                    "text/javascript"),
    }


def _scripts(*names: str) -> str:
    return "".join(f'<script src="{STATIC}{name}"></script>\n' for name in names)


def _stylesheet() -> str:
    return f'<link rel="stylesheet" href="{STATIC}console.css">\n'


def _outcome_fieldset() -> str:
    radios = "".join(
        f'<div class="radio"><input type="radio" name="outcome" id="outcome-{value}" '
        f'value="{value}" aria-describedby="outcome-{value}-hint">'
        f'<label for="outcome-{value}">{label}</label> '
        f'<span class="hint" id="outcome-{value}-hint">{hint}</span></div>'
        for value, label, hint in _OUTCOMES)
    return ('<div class="form-group" id="outcome-group"><fieldset>'
            '<legend class="label">Outcome of the call</legend>'
            '<span class="error-message" id="outcome-error" hidden></span>'
            f"{radios}</fieldset></div>")


def console_body(account: SignedIn) -> str:
    """The console's HTML; console.js brings it to life."""
    return (
        _stylesheet()
        + f'<div id="console" class="console" data-csrf="{escape(account.csrf_token)}">\n'
        '<h1>Advisor console</h1>\n'
        '<noscript><p class="console__alert">The console needs JavaScript. '
        "Turn it on for this site, or use another browser.</p></noscript>\n"
        '<div id="console-alert" class="console__alert" role="alert" hidden></div>\n'
        '<p id="console-status" class="console__status" role="status" aria-live="polite"></p>\n'
        # Availability and queue.
        '<section id="queue-section" aria-labelledby="queue-heading">\n'
        '<div class="console__availability">'
        '<input type="checkbox" id="available" class="console__switch" disabled>'
        '<label for="available" class="label">I am available to answer calls</label></div>\n'
        '<h2 id="queue-heading" tabindex="-1">Residents waiting</h2>\n'
        '<p id="queue-count">Loading the queue…</p>\n'
        '<button type="button" class="button" id="answer-next" disabled>Answer next call</button>\n'
        '<table id="queue-table" class="console__queue" hidden>\n'
        '<caption class="visually-hidden">Residents waiting for an advisor, longest '
        "wait first</caption>\n"
        '<thead><tr><th scope="col">Site</th><th scope="col">Service</th>'
        '<th scope="col">Language</th><th scope="col">Interpreter</th>'
        '<th scope="col">Waiting</th><th scope="col"><span class="visually-hidden">'
        "Answer</span></th></tr></thead>\n<tbody></tbody></table>\n</section>\n"
        # The call.
        '<section id="call-section" aria-labelledby="call-heading" hidden>\n'
        '<h2 id="call-heading" tabindex="-1">Call with a resident</h2>\n'
        '<div class="call__videos">'
        '<figure class="call__main"><video id="resident-video" autoplay playsinline '
        'aria-label="The resident\'s video"></video><figcaption>Resident</figcaption></figure>'
        '<figure class="call__tile" id="interpreter-figure" hidden>'
        '<video id="interpreter-video" autoplay playsinline aria-label="The interpreter\'s '
        'video"></video><figcaption>Interpreter</figcaption></figure>'
        '<figure class="call__tile"><video id="own-video" autoplay playsinline muted '
        'aria-label="Your own video"></video><figcaption>You</figcaption></figure></div>\n'
        '<div class="call__controls">'
        '<button type="button" class="button button--secondary" id="mute" aria-pressed="false">'
        "Mute my microphone</button> "
        '<button type="button" class="button button--secondary" id="camera" '
        'aria-pressed="false">Turn my camera off</button></div>\n'
        '<h3 id="captions-heading">Captions for the resident</h3>\n'
        '<div class="form-group"><label class="label" for="caption-input">Type a message'
        "</label>"
        '<span class="hint" id="caption-hint">The resident sees it as you type. Press Enter '
        "to finish the message.</span>"
        '<textarea class="input textarea" id="caption-input" rows="2" maxlength="500" '
        'aria-describedby="caption-hint" autocomplete="off"></textarea></div>\n'
        '<ol id="captions-sent" class="call__log" aria-label="Messages you have sent"></ol>\n'
        '<h3>What the resident types</h3>\n'
        '<ol id="resident-log" class="call__log" aria-live="polite" '
        'aria-label="The resident\'s messages"></ol>\n'
        '<p id="resident-typing" class="call__typing"></p>\n'
        '<h3 id="summary-heading">Journey summary</h3>\n'
        '<p id="summary-empty" class="hint">The resident has not shared what they entered '
        "at the kiosk.</p>\n"
        '<p id="summary-service" hidden></p><dl id="summary-list" class="summary" hidden></dl>\n'
        '<h3>Interpreter</h3>\n'
        '<button type="button" class="button button--secondary" id="invite">Invite an '
        "interpreter</button>\n"
        '<div id="invite-result" class="form-group" hidden>'
        '<label class="label" for="invite-link">Link for the interpreter</label>'
        '<span class="hint" id="invite-hint">Send this link to the interpreter. It works '
        "until the call ends.</span>"
        '<input class="input call__link" id="invite-link" readonly aria-describedby="invite-hint">'
        ' <button type="button" class="button button--secondary" id="copy-link">Copy link'
        "</button></div>\n"
        '<h3 id="end-heading">End the call</h3>\n'
        '<form id="end-form" novalidate>'
        + _outcome_fieldset()
        + '<div class="form-group"><label class="label" for="end-note">Note (optional)</label>'
        '<span class="hint" id="end-note-hint">For the council\'s records, up to 500 '
        "characters. The resident never sees it.</span>"
        '<textarea class="input textarea" id="end-note" rows="3" maxlength="500" '
        'aria-describedby="end-note-hint"></textarea></div>'
        '<button type="submit" class="button button--warning" id="end-call">End call</button> '
        '<button type="button" class="button button--secondary" id="back-to-queue" hidden>'
        "Back to the queue</button></form>\n</section>\n</div>\n"
        + _scripts("mesh.js", "console.js", "console-call.js")
    )


def interpreter_body(call_id: str, token: str) -> str:
    return (
        _stylesheet()
        + f'<div id="join" class="console" data-call-id="{escape(call_id)}" '
        f'data-token="{escape(token)}">\n'
        "<h1>Interpreting a council call</h1>\n"
        '<noscript><p class="console__alert">This page needs JavaScript.</p></noscript>\n'
        '<div id="join-alert" class="console__alert" role="alert" hidden></div>\n'
        '<p id="join-status" class="console__status" role="status" aria-live="polite"></p>\n'
        '<div id="join-start"><p>A council advisor has asked you to interpret a video call '
        "with a resident. The others will see and hear you. Nothing is recorded.</p>"
        '<button type="button" class="button" id="join-call">Join the call</button></div>\n'
        '<section id="join-call-section" aria-labelledby="join-heading" hidden>'
        '<h2 id="join-heading" tabindex="-1">In the call</h2>'
        '<div class="call__videos" id="join-videos">'
        '<figure class="call__tile"><video id="own-video" autoplay playsinline muted '
        'aria-label="Your own video"></video><figcaption>You</figcaption></figure></div>'
        '<div class="call__controls">'
        '<button type="button" class="button button--secondary" id="mute" aria-pressed="false">'
        "Mute my microphone</button> "
        '<button type="button" class="button button--warning" id="leave">Leave the call'
        "</button></div>"
        '<p class="hint">Leaving does not end the call for the resident and the advisor.</p>'
        "<h3>Messages in the call</h3>"
        '<ol id="join-log" class="call__log" aria-live="polite" aria-label="Messages in the '
        'call"></ol></section>\n</div>\n'
        + _scripts("mesh.js", "join.js")
    )


def _expired(request: Request) -> HTMLResponse:
    body = ("<h1>This link has expired</h1>\n"
            "<p>The call it was for has ended, or the link is not complete. Ask the advisor "
            "who sent it for a new link.</p>\n")
    return page_response(staff_page(hub_state(request), "Link expired", body), 404)


def console_router() -> APIRouter:
    """The two pages, and /static/calls/*, read once when the app is built."""
    files = {name: (path.read_bytes(), kind) for name, (path, kind) in _static_files().items()}
    router = APIRouter()

    @router.get("/advisor")
    def console(request: Request, account: Advisor) -> HTMLResponse:
        html = staff_page(hub_state(request), "Advisor console", console_body(account), account)
        return HTMLResponse(html, headers=CALL_PAGE_HEADERS)

    @router.get("/join/{token}")
    async def join(request: Request, token: str) -> HTMLResponse:
        if not _TOKEN.fullmatch(token):
            return _expired(request)
        found = await run_in_threadpool(invites.call_for_invite, hub_state(request).engine,
                                        token)
        if found is None:
            return _expired(request)
        # The link's own token is the interpreter's credential in the signalling hello.
        html = staff_page(hub_state(request), "Interpreting a call",
                          interpreter_body(found.call_id, token))
        return HTMLResponse(html, headers=CALL_PAGE_HEADERS)

    for name, (content, kind) in files.items():
        router.add_api_route(STATIC + name, _serving(content, kind), methods=["GET"],
                             name=f"calls_static_{name}")
    return router


def _serving(content: bytes, kind: str) -> Callable[[], Response]:
    def static_file() -> Response:
        # no-cache, not max-age: a console left open for a day picks up a new mesh.js.
        return Response(content, media_type=f"{kind}; charset=utf-8",
                        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})

    return static_file
