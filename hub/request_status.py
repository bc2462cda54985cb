"""Where a reference has got to, wherever the request went: one answer for the receipt's
status page and the kiosk's "Track my request".

A request the hub received itself answers from its own rows and the updates staff made.
One a kiosk delivered elsewhere answers from what that back office says (`remote_tracking`)
when the hub knows how to ask it, else from the kiosk's report alone ("received"). A back
office that cannot be asked now gives `cannot_check`: the request was delivered, its
progress cannot be seen at the moment.

A "tell us once" reference the hub received as several requests (one per part) answers as a
whole (`parts` holds each part's own view, in the order they arrived): received while every
part is, closed once every part is, otherwise in progress.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session, sessionmaker

from hub.db import ServiceRequest, normalise_reference
from hub.remote_tracking import CannotCheck, RemoteTracker
from hub.store import requests_by_reference
from hub.tracked import Tracked, find
from hub.updates import Update, current_state, history

State = Literal["received", "in_progress", "closed", "cannot_check"]
Where = Literal["hub", "destination", "report"]
_FROM_HUB: dict[str, State] = {"open": "received", "in_progress": "in_progress",
                               "closed": "closed"}


@dataclass(frozen=True)
class StatusView:
    """What may be said publicly about a request: never who made it or what they wrote."""

    reference: str
    state: State
    service_code: str
    service_name: str
    received: datetime | None
    updated: datetime | None
    notes: str
    updates: tuple[Update, ...] = ()
    where: Where = "hub"
    part: str = ""  # this view's part of a "tell us once" reference ("" for a whole one)
    parts: tuple[StatusView, ...] = ()  # the parts, when the reference has several


def _whole(reference: str, parts: tuple[StatusView, ...]) -> StatusView:
    states = {p.state for p in parts}
    state: State = ("received" if states == {"received"} else
                    "closed" if states == {"closed"} else "in_progress")
    received = min((p.received for p in parts if p.received is not None), default=None)
    updated = max((p.updated for p in parts if p.updated is not None), default=None)
    return StatusView(reference, state, "", "", received, updated, "", parts=parts)


def _own(row: ServiceRequest, reference: str, sessions: sessionmaker[Session]) -> StatusView:
    updates = tuple(history(sessions, row.service_request_id))
    state = current_state(row, updates)
    updated = row.updated_datetime if row.updated_datetime > row.requested_datetime else None
    return StatusView(reference, _FROM_HUB[state], row.service_code,
                      row.service_name, row.requested_datetime, updated, row.status_notes,
                      updates, "hub", row.kiosk_part)


def _elsewhere(tracked: Tracked, tracker: RemoteTracker) -> StatusView:
    if not tracker.knows(tracked.destination):
        return StatusView(tracked.reference, "received", tracked.service_code, "",
                          tracked.delivered_at, None, "", where="report")
    try:
        remote = tracker.status(tracked)
    except CannotCheck:
        return StatusView(tracked.reference, "cannot_check", tracked.service_code, "",
                          tracked.delivered_at, None, "", where="destination")
    updated = remote.updated
    received = remote.requested or tracked.delivered_at
    if updated is not None and updated <= received:
        updated = None
    return StatusView(tracked.reference, remote.state, tracked.service_code,
                      remote.service_name, received, updated, remote.notes, where="destination")


def status_of(sessions: sessionmaker[Session], tracker: RemoteTracker, reference: str
              ) -> StatusView | None:
    """The status of `reference` (any case or spacing), or None if no request has it.
    Blocking (it may ask another server): run it off the event loop."""
    shown = normalise_reference(reference)[:64]
    if not shown:
        return None
    rows = requests_by_reference(sessions, shown)
    if len(rows) == 1 and not rows[0].kiosk_part:
        return _own(rows[0], shown, sessions)
    if rows:
        return _whole(shown, tuple(_own(row, shown, sessions) for row in rows))
    tracked = find(sessions, shown)
    if tracked is not None:
        return _elsewhere(tracked, tracker)
    return None
