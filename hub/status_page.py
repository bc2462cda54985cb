"""The page a receipt's QR code opens: where a resident's report has got to, on their phone.

Large print, plain words, no JavaScript, nothing that identifies the resident: anyone holding
the receipt (or guessing a reference) sees only the service, the status, dates and the
council's public notes. For a request a kiosk delivered to another back office, the hub asks
that back office (`hub.request_status`); if it cannot, the page says so in plain words.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hub.db import normalise_reference
from hub.request_status import StatusView, status_of
from hub.state import HubState, hub_state

STATUS_WORDS = {"received": "We have received your report", "in_progress": "In progress",
                "closed": "Closed", "cannot_check": "We cannot check this right now"}
HUB_STATES = {"open": "received", "in_progress": "in_progress", "closed": "closed"}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
}

# Black on white, 19px+ base text that scales with the phone's own text size setting.
STYLE = """
body { margin: 0; background: #ffffff; color: #0b0c0c; font-family: Arial, sans-serif;
  font-size: 1.25rem; line-height: 1.5; }
header { background: #0b0c0c; color: #ffffff; padding: 1rem; font-size: 1.25rem;
  font-weight: bold; }
main { padding: 1rem; max-width: 40rem; }
h1 { font-size: 2rem; line-height: 1.2; margin: 0.5rem 0 1rem; }
dl { margin: 0; }
dt { font-weight: bold; margin-top: 1rem; }
dd { margin: 0; }
.status { border-left: 0.4rem solid #0b0c0c; padding-left: 0.8rem; font-size: 1.5rem;
  font-weight: bold; margin: 1rem 0; }
h2 { font-size: 1.5rem; margin: 1.5rem 0 0.5rem; }
h3 { font-size: 1.25rem; margin: 1rem 0 0.5rem; }
.updates { padding-left: 1.2rem; }
.updates li { margin-bottom: 0.8rem; }
"""


def _when(moment: datetime, timezone: str) -> str:
    local = moment.astimezone(zoneinfo.ZoneInfo(timezone))
    return f"{local.day} {MONTHS[local.month - 1]} {local.year} at {local:%H:%M}"


def _page(title: str, council: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)} – {escape(council)}</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<header>{escape(council)}</header>\n<main>\n{body}</main>\n</body>\n</html>\n"
    )


def _details(hub: HubState, view: StatusView, heading: str) -> str:
    """A request's service, dates, public note and history (`heading`: the history's)."""
    timezone = hub.settings.timezone
    service = hub.catalogue.get(view.service_code)
    service_name = service.service_name if service is not None else view.service_name
    rows = []
    if service_name:
        rows.append(("Service", service_name))
    if view.received is not None:
        rows.append(("Received", _when(view.received, timezone)))
    if view.updated is not None:
        rows.append(("Closed" if view.state == "closed" else "Last updated",
                     _when(view.updated, timezone)))
    if view.notes:
        rows.append(("Notes from the council", view.notes))
    details = "".join(f"<dt>{escape(k)}</dt>\n<dd>{escape(v)}</dd>\n" for k, v in rows)
    explain = ""
    if view.state == "cannot_check":
        explain = ("<p>Your report has reached the council, but we cannot check its progress "
                   "right now. Please try again later.</p>\n")
    return (f'<p class="status">{escape(STATUS_WORDS[view.state])}</p>\n'
            f"{explain}<dl>\n{details}</dl>\n{_updates(view, timezone, heading)}")


def _part(hub: HubState, view: StatusView) -> str:
    """One service told under a "tell us once" reference, under its own heading."""
    service = hub.catalogue.get(view.service_code)
    name = service.service_name if service is not None else (view.service_name or view.part)
    return f"<h2>{escape(name)}</h2>\n{_details(hub, view, 'h3')}"


def _found(hub: HubState, view: StatusView) -> str:
    if view.parts:
        told = "".join(_part(hub, part) for part in view.parts)
        middle = (f'<p class="status">{escape(STATUS_WORDS[view.state])}</p>\n'
                  f"<p>We have told {len(view.parts)} "
                  f"{'service' if len(view.parts) == 1 else 'services'}:</p>\n{told}")
    else:
        middle = _details(hub, view, "h2")
    body = (
        f"<h1>Reference {escape(view.reference)}</h1>\n{middle}"
        "<p>Keep your receipt. Use this reference if you contact us about this report.</p>\n"
    )
    return _page(f"Reference {view.reference}", hub.settings.council_name, body)


def _updates(view: StatusView, timezone: str, heading: str = "h2") -> str:
    """The history staff made public, newest first (only for requests the hub received)."""
    if not view.updates:
        return ""
    items = []
    for update in view.updates:
        words = STATUS_WORDS[HUB_STATES[update.status]]
        note = f"<br>{escape(update.description)}" if update.description else ""
        items.append(f"<li><strong>{escape(_when(update.updated_datetime, timezone))}: "
                     f"{escape(words)}</strong>{note}</li>\n")
    return (f'<{heading}>Updates</{heading}>\n<ul class="updates">\n{"".join(items)}</ul>\n')


def _not_found(hub: HubState, reference: str) -> str:
    body = (
        f"<h1>We cannot find reference {escape(reference)}</h1>\n"
        "<p>Reports sent from a kiosk can take a few minutes to arrive. "
        "Please try again in a few minutes.</p>\n"
        "<p>Check that the reference matches the one on your receipt.</p>\n"
    )
    return _page("Reference not found", hub.settings.council_name, body)


def _status(request: Request, reference: str) -> HTMLResponse:
    """Sync on purpose: FastAPI runs it in a worker thread, and it may ask another server."""
    hub = hub_state(request)
    shown = normalise_reference(reference)[:64]
    view = status_of(hub.sessions, hub.tracker, shown) if shown else None
    if view is None:
        return HTMLResponse(_not_found(hub, shown), status_code=404, headers=HEADERS)
    return HTMLResponse(_found(hub, view), headers=HEADERS)


def status_router() -> APIRouter:
    router = APIRouter()
    router.add_api_route("/status/{reference:path}", _status, methods=["GET"],
                         response_class=HTMLResponse)
    return router
