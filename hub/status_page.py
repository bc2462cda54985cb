"""The page a receipt's QR code opens: where a resident's report has got to, on their phone.

Large print, plain words, no JavaScript, nothing that identifies the resident: anyone holding
the receipt (or guessing a reference) sees only the service, the status and dates.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hub.db import ServiceRequest, normalise_reference
from hub.state import HubState, hub_state
from hub.store import get_by_reference

STATUS_WORDS = {"open": "We have received your report", "closed": "Closed"}
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


def _found(hub: HubState, row: ServiceRequest, reference: str) -> str:
    timezone = hub.settings.timezone
    status = STATUS_WORDS.get(row.status, row.status.replace("_", " ").capitalize())
    rows = [("Service", row.service_name),
            ("Received", _when(row.requested_datetime, timezone))]
    if row.status == "closed":
        rows.append(("Closed", _when(row.updated_datetime, timezone)))
    elif row.updated_datetime > row.requested_datetime:
        rows.append(("Last updated", _when(row.updated_datetime, timezone)))
    if row.status_notes:
        rows.append(("Notes from the council", row.status_notes))
    details = "".join(f"<dt>{escape(k)}</dt>\n<dd>{escape(v)}</dd>\n" for k, v in rows)
    body = (
        f"<h1>Reference {escape(reference)}</h1>\n"
        f'<p class="status">{escape(status)}</p>\n'
        f"<dl>\n{details}</dl>\n"
        "<p>Keep your receipt. Use this reference if you contact us about this report.</p>\n"
    )
    return _page(f"Reference {reference}", hub.settings.council_name, body)


def _not_found(hub: HubState, reference: str) -> str:
    body = (
        f"<h1>We cannot find reference {escape(reference)}</h1>\n"
        "<p>Reports sent from a kiosk can take a few minutes to arrive. "
        "Please try again in a few minutes.</p>\n"
        "<p>Check that the reference matches the one on your receipt.</p>\n"
    )
    return _page("Reference not found", hub.settings.council_name, body)


def _status(request: Request, reference: str) -> HTMLResponse:
    hub = hub_state(request)
    shown = normalise_reference(reference)[:64]
    row = get_by_reference(hub.sessions, shown) if shown else None
    if row is None:
        return HTMLResponse(_not_found(hub, shown), status_code=404, headers=HEADERS)
    return HTMLResponse(_found(hub, row, shown), headers=HEADERS)


def status_router() -> APIRouter:
    router = APIRouter()
    router.add_api_route("/status/{reference:path}", _status, methods=["GET"],
                         response_class=HTMLResponse)
    return router
