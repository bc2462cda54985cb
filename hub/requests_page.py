"""`/requests`: staff find a resident's request by its reference and set its status.

For council staff, managers and IT (`require_role("staff", "manager", "it")`). Setting a
status (received, in progress, closed) with a public note records an update: the status page
and "Track my request" show it at once, `GET requests` publishes the Open311 status (open or
closed) and the note as `status_notes`, and `GET servicerequestupdates` publishes the update.
The page shows nothing that identifies the resident: staff need the reference, not the
person, to say where a request has got to.

A request a kiosk delivered to another back office is shown as far as the hub knows it; its
status is kept by that back office and cannot be set here.

A "tell us once" reference is several requests, one per service told (its part): each is
shown with its own status form, which names the request by reference and part, so a status
is always set on the one request staff chose.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from html import escape
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from hub.auth import SignedIn, csrf_field, require_role
from hub.db import normalise_reference, utcnow
from hub.pages import error_summary, page_response, staff_page
from hub.request_status import StatusView, status_of
from hub.state import HubState, hub_state
from hub.status_page import HUB_STATES, STATUS_WORDS
from hub.updates import MAX_NOTE, STATES, UnknownRequest, set_status
from kiosk.journey.validation import clean_text

Staff = Annotated[SignedIn, Depends(require_role("staff", "manager", "it"))]
CHOICES = (("open", "Received", "The council has the request; nobody has started on it yet"),
           ("in_progress", "In progress", "Someone is dealing with it"),
           ("closed", "Closed", "Nothing more will be done: say why in the note"))
WHERE_WORDS = {"report": "the kiosk's report of where it was sent",
               "destination": "the back office it was sent to"}


def _when(hub: HubState, moment: datetime | None) -> str:
    if moment is None:
        return "—"
    local = moment.astimezone(zoneinfo.ZoneInfo(hub.settings.timezone))
    return f"{local:%d %b %Y %H:%M}"


def _find_form(reference: str) -> str:
    return ('<form method="get" action="/requests" class="form-group">'
            '<label class="label" for="reference">Reference</label>'
            '<span class="hint" id="reference-hint">As printed on the resident\'s receipt, '
            "for example ABCD 2345</span>"
            f'<input class="input" id="reference" name="reference" value="{escape(reference)}" '
            'aria-describedby="reference-hint" autocomplete="off" spellcheck="false">'
            ' <button class="button" type="submit">Find</button></form>\n')


def _service_name(hub: HubState, view: StatusView) -> str:
    if view.parts:
        return f"{len(view.parts)} services told (below)"
    service = hub.catalogue.get(view.service_code)
    return service.service_name if service is not None else (view.service_name or
                                                            view.service_code or "—")


def _summary(hub: HubState, view: StatusView) -> str:
    rows = [("Reference", view.reference), ("Service", _service_name(hub, view)),
            ("Status", STATUS_WORDS[view.state]), ("Received", _when(hub, view.received))]
    if view.updated is not None:
        rows.append(("Last updated", _when(hub, view.updated)))
    rows.append(("Public note", view.notes or "None"))
    return '<dl class="summary">' + "".join(
        f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows) + "</dl>\n"


def _history(hub: HubState, view: StatusView) -> str:
    if not view.updates:
        return "<p>No status has been set yet.</p>\n"
    rows = "".join(
        f"<tr><td>{escape(_when(hub, u.updated_datetime))}</td>"
        f"<td>{escape(STATUS_WORDS[HUB_STATES[u.status]])}</td>"
        f"<td>{escape(u.description) or '—'}</td><td>{escape(u.staff_name)}</td></tr>"
        for u in view.updates)
    return ('<table><thead><tr><th scope="col">When</th><th scope="col">Status</th>'
            '<th scope="col">Public note</th><th scope="col">Set by</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>\n")


def _status_form(account: SignedIn, view: StatusView, chosen: str, note: str,
                 errors: dict[str, str], suffix: str = "") -> str:
    """The form for one request; `suffix` keeps element ids apart when a reference has
    several parts (errors are keyed by those ids)."""
    radios = []
    for value, label, hint in CHOICES:
        checked = " checked" if value == chosen else ""
        radios.append(
            f'<div class="radio"><input type="radio" id="status{suffix}-{value}" name="status" '
            f'value="{value}"{checked}> <label for="status{suffix}-{value}">{escape(label)}'
            f'</label> <span class="hint">{escape(hint)}</span></div>')
    status_error = errors.get(f"status{suffix}", "")
    note_error = errors.get(f"note{suffix}", "")

    def group(name: str, error: str) -> str:
        return "form-group form-group--error" if error else "form-group"

    return (
        '<h2>Set the status</h2>\n'
        f'<form method="post" action="/requests/status">{csrf_field(account)}'
        f'<input type="hidden" name="reference" value="{escape(view.reference)}">'
        f'<input type="hidden" name="part" value="{escape(view.part)}">'
        f'<fieldset class="{group("status", status_error)}" id="status{suffix}">'
        '<legend class="label">Status</legend>'
        + (f'<span class="error-message">{escape(status_error)}</span>' if status_error else "")
        + "".join(radios) + "</fieldset>"
        f'<div class="{group("note", note_error)}">'
        f'<label class="label" for="note{suffix}">Note for the resident (optional)</label>'
        '<span class="hint">Public: shown on the status page and the kiosk, and published '
        f"over Open311. Never a name or an address. At most {MAX_NOTE} characters.</span>"
        + (f'<span class="error-message">{escape(note_error)}</span>' if note_error else "")
        + f'<textarea class="input textarea" id="note{suffix}" name="note" rows="4">'
        f"{escape(note)}"
        "</textarea></div>"
        '<button class="button" type="submit">Save the status</button></form>\n')


def _parts(hub: HubState, account: SignedIn, view: StatusView, part: str, chosen: str,
           note: str, errors: dict[str, str]) -> str:
    """Each service told under a "tell us once" reference: its summary, form and history.
    What was typed (`chosen`, `note`, `errors`) belongs to the form of `part` only."""
    shown = []
    for index, one in enumerate(view.parts, start=1):
        mine = one.part == part
        shown.append(f"<h2>{escape(_service_name(hub, one))}</h2>\n" + _summary(hub, one)
                     + _status_form(account, one, chosen if mine and chosen else _state_of(one),
                                    note if mine else "", errors if mine else {}, f"-{index}")
                     + "<h3>History</h3>\n" + _history(hub, one))
    return "".join(shown)


def _suffix(view: StatusView | None, part: str) -> str:
    """The element id suffix of `part`'s form ("" when the reference has no parts)."""
    if view is None or not view.parts:
        return ""
    return next((f"-{i}" for i, one in enumerate(view.parts, start=1) if one.part == part), "")


def _page(hub: HubState, account: SignedIn, reference: str, view: StatusView | None, *,
          saved: bool = False, chosen: str = "", note: str = "",
          errors: dict[str, str] | None = None, part: str = "") -> str:
    errors = errors or {}
    body = ["<h1>Residents' requests</h1>\n",
            error_summary([(field, message) for field, message in errors.items()])]
    if saved:
        body.append('<div class="notice" role="status"><strong>The status was saved.</strong> '
                    "The resident sees it on the status page and at the kiosk now.</div>\n")
    body.append(_find_form(reference))
    if reference and view is None:
        body.append(f"<p>No request has the reference <strong>{escape(reference)}</strong>. "
                    "Check it against the receipt. A request made in the last few minutes may "
                    "not have arrived yet.</p>\n")
    elif view is not None and view.parts:
        body.append(_summary(hub, view))
        body.append(_parts(hub, account, view, part, chosen, note, errors))
    elif view is not None:
        body.append(_summary(hub, view))
        if view.where == "hub":
            body.append(_status_form(account, view, chosen or _state_of(view), note, errors))
            body.append("<h2>History</h2>\n" + _history(hub, view))
        else:
            body.append("<p>This request was sent to another of the council's systems, which "
                        "keeps its status: it cannot be changed here. What is shown comes from "
                        f"{escape(WHERE_WORDS[view.where])}.</p>\n")
    return staff_page(hub, "Residents' requests", "".join(body), account)


def _state_of(view: StatusView) -> str:
    return {"received": "open", "in_progress": "in_progress", "closed": "closed"}.get(
        view.state, "open")


def _lookup(hub: HubState, reference: str) -> StatusView | None:
    return status_of(hub.sessions, hub.tracker, reference) if reference else None


def _show(request: Request, account: Staff, reference: str = "", saved: str = ""
          ) -> HTMLResponse:
    """Sync on purpose: FastAPI runs it in a worker thread (it may ask another server)."""
    hub = hub_state(request)
    shown = normalise_reference(reference)[:64]
    view = _lookup(hub, shown)
    return page_response(_page(hub, account, shown, view, saved=saved == "1" and view is not None))


async def _save(request: Request, account: Staff) -> Response:
    hub = hub_state(request)
    async with request.form() as form:
        fields = {name: form.get(name) for name in ("reference", "part", "status", "note")}
    text = {name: value if isinstance(value, str) else "" for name, value in fields.items()}
    reference = normalise_reference(text["reference"])[:64]
    part = text["part"][:64]
    state = text["status"]
    note = clean_text(text["note"], multiline=True)
    errors: dict[str, str] = {}
    if state not in STATES:
        errors["status"] = "Select the request's status"
    if note is None:
        errors["note"] = "The note has characters that cannot be shown: type it again"
        note = ""
    elif len(note) > MAX_NOTE:
        errors["note"] = f"The note must be {MAX_NOTE} characters or fewer"
    if not errors:
        try:
            await run_in_threadpool(set_status, hub.sessions, reference, state, note,
                                    account.name, utcnow(), part)
        except UnknownRequest:
            pass  # shown below as "no request has the reference"
        else:
            return RedirectResponse(f"/requests?reference={quote(reference)}&saved=1",
                                    status_code=303, headers={"Cache-Control": "no-store"})
    view = await run_in_threadpool(_lookup, hub, reference)
    status = 400 if errors else 404
    suffix = _suffix(view, part)  # errors name the fields of the form that was sent
    errors = {f"{field}{suffix}": message for field, message in errors.items()}
    return page_response(_page(hub, account, reference, view, chosen=state, note=note,
                               errors=errors, part=part), status)


def requests_router() -> APIRouter:
    router = APIRouter()
    router.add_api_route("/requests", _show, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route("/requests/status", _save, methods=["POST"])
    return router
