"""Where the requests the hub did not receive itself went: records kiosks report.

A kiosk's relay reports one record per request it delivered to a back office other than
the hub (`POST /kiosk/v1/references`, `hub.reference_intake`). Reports are idempotent: the
same record again changes nothing, a later one may add the back office's id to a token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hub.db import ServiceRequest, normalise_reference
from hub.tracking_db import TrackedReference

StoreResult = Literal["created", "updated", "unchanged"]


@dataclass(frozen=True)
class Tracked:
    reference: str
    destination: str
    remote_id: str | None
    remote_token: str | None
    service_code: str
    delivered_at: datetime


class ReferenceTaken(Exception):
    """The reference belongs to another request: the hub's own, or one sent elsewhere."""


def _tracked(row: TrackedReference) -> Tracked:
    return Tracked(row.reference, row.destination, row.remote_id, row.remote_token,
                   row.service_code, row.delivered_at)


def _store_once(session: Session, record: Tracked, now: datetime) -> StoreResult:
    own = session.scalar(select(ServiceRequest.service_request_id)
                         .where(ServiceRequest.kiosk_reference == record.reference))
    if own is not None:
        raise ReferenceTaken("the hub received a request with this reference itself")
    row = session.get(TrackedReference, record.reference)
    if row is None:
        session.add(TrackedReference(
            reference=record.reference, destination=record.destination,
            remote_id=record.remote_id, remote_token=record.remote_token,
            service_code=record.service_code, delivered_at=record.delivered_at,
            reported_at=now))
        return "created"
    if row.destination != record.destination:
        raise ReferenceTaken("another destination's request has this reference")
    before = _tracked(row)
    # A report never forgets what an earlier one said: a token resolved to an id stays.
    row.remote_id = record.remote_id or row.remote_id
    row.remote_token = record.remote_token or row.remote_token
    row.service_code = record.service_code or row.service_code
    if _tracked(row) == before:
        return "unchanged"
    row.reported_at = now
    return "updated"


def store(sessions: sessionmaker[Session], record: Tracked, now: datetime) -> StoreResult:
    """Keep a kiosk's report; ReferenceTaken when the reference is someone else's."""
    for _attempt in range(3):
        try:
            with sessions.begin() as session:
                return _store_once(session, record, now)
        except IntegrityError:
            continue  # two reports of one reference at once: the second reads the first
    raise ReferenceTaken("the reference could not be stored")


def find(sessions: sessionmaker[Session], reference: str) -> Tracked | None:
    with sessions() as session:
        row = session.get(TrackedReference, normalise_reference(reference))
        return _tracked(row) if row is not None else None


def resolved(sessions: sessionmaker[Session], reference: str, remote_id: str) -> None:
    """The back office turned the token into an id: keep it, so it is asked for once."""
    with sessions.begin() as session:
        row = session.get(TrackedReference, reference)
        if row is not None and row.remote_id is None:
            row.remote_id = remote_id
