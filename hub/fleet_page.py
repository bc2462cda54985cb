"""`/fleet` and `/fleet/{device_id}`: every terminal as its own signed heartbeats describe it,
for IT only (`require_role("it")`).

Silent and faulty terminals come first, and every condition is written out in words beside
its colour. Everything shown from a heartbeat is a short code the hub validated on arrival,
escaped again here all the same.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta
from html import escape
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from hub.auth import SignedIn, require_role
from hub.db import utcnow
from hub.fleet_view import (
    REFUSAL_WORDS,
    Condition,
    Terminal,
    duration,
    fleet,
    peripheral_line,
    refusals,
    seconds_words,
    terminal,
    words,
)
from hub.heartbeat_intake import WINDOW
from hub.pages import page_response, staff_page
from hub.state import HubState, hub_state
from kiosk.heartbeat import HeartbeatBody

IT = Annotated[SignedIn, Depends(require_role("it"))]
_TAG = {Condition.SILENT: "tag--silent", Condition.FAULT: "tag--fault",
        Condition.ATTENTION: "tag--attention", Condition.OK: "tag--ok",
        Condition.REVOKED: "tag--revoked"}


def _when(hub: HubState, moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "Never"
    local = moment.astimezone(zoneinfo.ZoneInfo(hub.settings.timezone))
    ago = "under a minute ago" if now - moment < timedelta(minutes=1) else f"{duration(now - moment)} ago"
    return f"{local:%d %b %Y %H:%M:%S} ({ago})"


def _tag(condition: Condition) -> str:
    return f'<strong class="tag {_TAG[condition]}">{escape(condition.words)}</strong>'


def _problems(t: Terminal) -> str:
    if not t.problems:
        return ""
    return "<ul class=\"problems\">" + "".join(f"<li>{escape(p)}</li>" for p in t.problems) + "</ul>"


def _peripherals(body: HeartbeatBody | None) -> str:
    if body is None:
        return "—"
    return "<br>".join(escape(peripheral_line(name, p)) for name, p in body.peripherals)


def _outbox(body: HeartbeatBody | None) -> str:
    if body is None:
        return "—"
    box = body.outbox
    if not box.depth:
        text = "Empty"
    else:
        oldest = box.oldest_pending_seconds
        text = f"{box.depth} waiting" + (f", oldest {seconds_words(oldest)}" if oldest is not None else "")
    if box.dead:
        text += f"; {box.dead} dead letters"
    return escape(text)


def _provisioning(body: HeartbeatBody | None) -> str:
    if body is None:
        return "—"
    result = body.provisioning
    if result is None:
        return "None yet"
    parts = [words(result.outcome)]
    if result.version:
        parts.append(f"version {result.version}")
    if result.reason:
        parts.append(f"({words(result.reason)})")
    if result.at:
        parts.append(f"at {result.at}")
    return escape(" ".join(parts))


def _code(value: str | None) -> str:
    return "—" if value is None else f"<code>{escape(value)}</code>"


def _fleet_body(hub: HubState, terminals: list[Terminal], now: datetime) -> str:
    counts = {c: sum(1 for t in terminals if t.condition is c) for c in Condition}
    summary = ", ".join(f"{counts[c]} {c.words.lower()}" for c in Condition if counts[c])
    rows = []
    for t in terminals:
        body = t.body
        rows.append(
            f'<tr id="terminal-{escape(t.id)}">'
            f'<td><a href="/fleet/{escape(t.id)}">{escape(t.id)}</a><br>{escape(t.site)}<br>'
            f'<a href="/report?terminal={escape(t.id)}">usage</a></td>'
            f"<td>{_tag(t.condition)}{_problems(t)}</td>"
            f"<td>{escape(_when(hub, t.last_seen, now))}</td>"
            f"<td>{_code(body.profile_version if body else None)}</td>"
            f"<td>{_code(body.app_version if body else None)}</td>"
            f"<td>{_peripherals(body)}</td>"
            f"<td>{_outbox(body)}</td>"
            f"<td>{_provisioning(body)}</td></tr>")
    if rows:
        table = ('<table class="fleet"><thead><tr><th scope="col">Terminal</th>'
                 '<th scope="col">Condition</th><th scope="col">Last heard from</th>'
                 '<th scope="col">Profile</th><th scope="col">App</th>'
                 '<th scope="col">Devices</th><th scope="col">Outbox</th>'
                 '<th scope="col">Last profile update</th></tr></thead>\n<tbody>'
                 + "\n".join(rows) + "</tbody></table>\n")
    else:
        table = ("<p>No terminals are registered yet. Register one with "
                 "<code>kiosk-hub device register IDENTITY.json</code>.</p>\n")
    return (f"<h1>Fleet</h1>\n<p>{len(terminals)} terminals"
            f"{': ' + escape(summary) if summary else ''}. Terminals not heard from for three of "
            "their heartbeat intervals, and those reporting a fault, are listed first.</p>\n"
            f"{table}{_refusals_table(hub, now)}")


def _refusals_table(hub: HubState, now: datetime) -> str:
    found = refusals(hub.sessions)
    intro = (f"<h2>Refused heartbeats</h2>\n<p>Heartbeats are accepted only when signed by a "
             f"registered terminal's key, newer than its last, and sent within "
             f"{int(WINDOW.total_seconds() // 60)} minutes of the hub's clock.</p>\n")
    if not found:
        return intro + "<p>None refused.</p>\n"
    rows = "".join(f"<tr><td>{escape(REFUSAL_WORDS.get(r.reason, r.reason))}</td>"
                   f"<td>{r.count}</td><td>{escape(_when(hub, r.last_at, now))}</td></tr>"
                   for r in found)
    return (intro + '<table class="refusals"><thead><tr><th scope="col">Why</th>'
            '<th scope="col">How many</th><th scope="col">Last</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>\n")


def _terminal_body(hub: HubState, t: Terminal, history: list[tuple[datetime, HeartbeatBody | None]],
                   now: datetime) -> str:
    body = t.body
    screen = "—"
    if body is not None:
        age = body.screen.age_seconds
        screen = ("Reporting" if body.screen.reporting else "Not reporting") + (
            f" (last {seconds_words(age)} ago)" if age is not None else " (never)")
    details = [
        ("Condition", _tag(t.condition) + _problems(t)),
        ("Site", escape(t.site)),
        ("Council", escape(t.council) or "—"),
        ("Registered", escape(_when(hub, t.registered_at, now))),
        ("Revoked", escape(_when(hub, t.revoked_at, now)) if t.revoked_at else "No"),
        ("Last heard from", escape(_when(hub, t.last_seen, now))),
        ("Profile version", _code(body.profile_version if body else None)),
        ("App version", _code(body.app_version if body else None)),
        ("Devices", _peripherals(body)),
        ("Screen's device status", escape(screen)),
        ("Outbox", _outbox(body)),
        ("Last profile update", _provisioning(body)),
        ("Heartbeat interval", escape(f"{body.interval_seconds} seconds") if body else "—"),
    ]
    if t.last_refusal is not None:
        details.append(("Last refused heartbeat",
                        escape(f"{REFUSAL_WORDS.get(t.last_refusal, t.last_refusal)}, "
                               f"{_when(hub, t.last_refusal_at, now)}")))
    summary = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in details)
    rows = []
    for received, beat in history:
        if beat is None:
            rows.append(f"<tr><td>{escape(_when(hub, received, now))}</td>"
                        '<td colspan="5">unreadable</td></tr>')
            continue
        rows.append(f"<tr><td>{escape(_when(hub, received, now))}</td><td>{beat.seq}</td>"
                    f"<td>{_code(beat.profile_version)} / {_code(beat.app_version)}</td>"
                    f"<td>{_peripherals(beat)}</td><td>{_outbox(beat)}</td>"
                    f"<td>{_provisioning(beat)}</td></tr>")
    recent = ('<table class="history"><thead><tr><th scope="col">Received</th>'
              '<th scope="col">Sequence</th><th scope="col">Profile / app</th>'
              '<th scope="col">Devices</th><th scope="col">Outbox</th>'
              '<th scope="col">Last profile update</th></tr></thead><tbody>'
              + "".join(rows) + "</tbody></table>\n") if rows else "<p>No heartbeats yet.</p>\n"
    return (f'<p><a href="/fleet">Back to the fleet</a></p>\n<h1>Terminal {escape(t.id)}</h1>\n'
            f'<dl class="summary">{summary}</dl>\n'
            f'<p><a href="/report?terminal={escape(t.id)}">Usage report for this terminal</a></p>\n'
            f"<h2>Recent heartbeats</h2>\n{recent}")


async def _fleet(request: Request, account: IT) -> HTMLResponse:
    hub = hub_state(request)
    now = utcnow()

    def build() -> str:
        return _fleet_body(hub, fleet(hub.sessions, now), now)

    body = await run_in_threadpool(build)
    return page_response(staff_page(hub, "Fleet", body, account))


async def _one(request: Request, device_id: str, account: IT) -> HTMLResponse:
    hub = hub_state(request)
    now = utcnow()
    found = await run_in_threadpool(terminal, hub.sessions, device_id[:64], now)
    if found is None:
        body = (f"<h1>No terminal {escape(device_id[:64])}</h1>\n<p>No terminal with this id is "
                'registered. <a href="/fleet">See the whole fleet</a>.</p>\n')
        return page_response(staff_page(hub, "Not found", body, account), 404)
    t, history = found
    return page_response(staff_page(hub, f"Terminal {t.id}", _terminal_body(hub, t, history, now),
                                    account))


def fleet_router() -> APIRouter:
    router = APIRouter()
    router.add_api_route("/fleet", _fleet, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route("/fleet/{device_id}", _one, methods=["GET"], response_class=HTMLResponse)
    return router
