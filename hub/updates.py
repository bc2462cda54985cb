"""Status updates on the requests the hub received: set by staff, read by everyone else.

A request's status has three values here, in mySociety's extended form: `open` (received),
`in_progress` and `closed`. GeoReport v2 itself knows only `open` and `closed`, so the
request row keeps the Open311 status and the latest public note (`status_notes`), which
`GET requests` publishes, and every change is also kept as a `request_updates` row: the
history the status page shows and `GET servicerequestupdates` publishes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.db import ServiceRequest, normalise_reference
from hub.tracking_db import RequestUpdate

STATES = ("open", "in_progress", "closed")
OPEN311_STATUS = {"open": "open", "in_progress": "open", "closed": "closed"}
MAX_NOTE = 1000
MAX_UPDATES = 1000


@dataclass(frozen=True)
class Update:
    update_id: int
    service_request_id: str
    status: str
    description: str
    updated_datetime: datetime
    staff_name: str


def _update(row: RequestUpdate) -> Update:
    return Update(row.id, row.service_request_id, row.status, row.description,
                  row.updated_datetime, row.staff_name)


class UnknownRequest(LookupError):
    """No request the hub received has this reference (and part)."""


def set_status(sessions: sessionmaker[Session], reference: str, state: str, note: str,
               staff_name: str, now: datetime, part: str = "") -> Update:
    """Record a status change and make it the request's current status, in one transaction
    (so every hub process sharing the database sees both or neither).

    The request is named by its reference and part: "" for a single-destination report, the
    delivery id for one part of a "tell us once" submission (each part has its own status)."""
    if state not in STATES:
        raise ValueError(f"status must be one of {', '.join(STATES)}")
    if len(note) > MAX_NOTE:
        raise ValueError(f"a note may be at most {MAX_NOTE} characters")
    with sessions.begin() as session:
        row = session.scalar(select(ServiceRequest).where(
            ServiceRequest.kiosk_reference == normalise_reference(reference),
            ServiceRequest.kiosk_part == part).with_for_update())
        if row is None:
            raise UnknownRequest(reference)
        update = RequestUpdate(service_request_id=row.service_request_id, status=state,
                               description=note, updated_datetime=now, staff_name=staff_name)
        session.add(update)
        row.status = OPEN311_STATUS[state]
        row.status_notes = note
        row.updated_datetime = now
        session.flush()
        return _update(update)


def history(sessions: sessionmaker[Session], service_request_id: str) -> list[Update]:
    """Every update of one request, newest first."""
    with sessions() as session:
        rows = session.scalars(select(RequestUpdate)
                               .where(RequestUpdate.service_request_id == service_request_id)
                               .order_by(RequestUpdate.updated_datetime.desc(),
                                         RequestUpdate.id.desc())).all()
        return [_update(r) for r in rows]


def current_state(row: ServiceRequest, updates: Sequence[Update]) -> str:
    """The extended status: the newest update's, else what the Open311 status says."""
    if updates:
        return updates[0].status
    return "closed" if row.status == "closed" else "open"


def updates_between(sessions: sessionmaker[Session], start: datetime, end: datetime
                    ) -> list[Update]:
    """Updates made in [start, end], oldest first (as a back office polls them)."""
    with sessions() as session:
        rows = session.scalars(select(RequestUpdate)
                               .where(RequestUpdate.updated_datetime >= start,
                                      RequestUpdate.updated_datetime <= end)
                               .order_by(RequestUpdate.updated_datetime, RequestUpdate.id)
                               .limit(MAX_UPDATES)).all()
        return [_update(r) for r in rows]
