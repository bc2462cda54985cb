"""Reading and writing service requests, with idempotent creation.

A kiosk's outbox retries until it hears back, so the same submission can arrive twice (the
first answer lost on the way back). The outbox sends its submission id as `Idempotency-Key`;
a repeat gets the first answer and creates nothing.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hub.catalogue_export import ServiceDefinition
from hub.db import ServiceRequest, normalise_reference, utcnow
from hub.formats import Open311Error
from hub.intake import Accepted

MAX_RESULTS = 1000


def new_request_id() -> str:
    """Ten digits: easy to read over the phone, and never mistaken for a kiosk reference."""
    return str(10**9 + secrets.randbelow(9 * 10**9))


@dataclass(frozen=True)
class Created:
    service_request_id: str
    service_notice: str
    account_id: str
    replayed: bool = False


def _created(row: ServiceRequest, replayed: bool) -> Created:
    return Created(row.service_request_id, row.service_notice, row.account_id, replayed)


def _by_key(session: Session, key: str) -> ServiceRequest | None:
    return session.scalar(select(ServiceRequest).where(ServiceRequest.idempotency_key == key))


def replay(sessions: sessionmaker[Session], idempotency_key: str) -> Created | None:
    """The first answer for this key, checked before validation: a catalogue changed since
    the first attempt must not turn a stored request into a refusal on its retry."""
    with sessions() as session:
        earlier = _by_key(session, idempotency_key)
        return None if earlier is None else _created(earlier, replayed=True)


def _reference_taken(session: Session, reference: str, part: str) -> bool:
    """A "tell us once" reference has one request per part: only the same part is a twin."""
    found = session.scalar(select(ServiceRequest.service_request_id)
                           .where(ServiceRequest.kiosk_reference == reference,
                                  ServiceRequest.kiosk_part == part))
    return found is not None


def create_request(sessions: sessionmaker[Session], service: ServiceDefinition,
                   accepted: Accepted, idempotency_key: str | None, agency: str) -> Created:
    """Store a checked request durably; the caller answers only after this returns."""
    reference = normalise_reference(accepted.kiosk_reference) if accepted.kiosk_reference else None
    part = accepted.kiosk_part
    now = utcnow()
    for _attempt in range(5):
        with sessions() as session:
            if idempotency_key is not None:
                earlier = _by_key(session, idempotency_key)
                if earlier is not None:
                    return _created(earlier, replayed=True)
            if reference is not None and _reference_taken(session, reference, part):
                # A twin of this request may have committed between the two reads (another
                # hub process, PostgreSQL's read committed): its key then answers the retry.
                earlier = _by_key(session, idempotency_key) if idempotency_key else None
                if earlier is not None:
                    return _created(earlier, replayed=True)
                used = f"kiosk_reference {reference}" + (f" part {part}" if part else "")
                raise Open311Error(400, f"{used} has already been used", "duplicate_reference")
            request_id = new_request_id()
            if session.get(ServiceRequest, request_id) is not None:
                continue
            fields = accepted.fields
            row = ServiceRequest(
                service_request_id=request_id,
                service_code=service.service_code,
                service_name=service.service_name,
                status="open",
                status_notes="",
                service_notice=service.notice,
                description=fields["description"],
                address_string=fields["address_string"],
                address_id=fields["address_id"],
                lat=accepted.lat,
                long=accepted.long,
                email=fields["email"],
                phone=fields["phone"],
                first_name=fields["first_name"],
                last_name=fields["last_name"],
                device_id=fields["device_id"],
                account_id=fields["account_id"],
                media_url=fields["media_url"],
                attributes=json.dumps(accepted.attributes, ensure_ascii=False, sort_keys=True),
                kiosk_reference=reference,
                kiosk_part=part,
                idempotency_key=idempotency_key,
                requested_datetime=now,
                updated_datetime=now,
                expected_datetime=None,
                agency_responsible=agency,
            )
            session.add(row)
            try:
                session.commit()
            except IntegrityError:
                # Lost a race with a twin of this request (or drew a taken id): look again.
                session.rollback()
                continue
            return _created(row, replayed=False)
    raise Open311Error(400, "The request could not be stored; try again", "busy")


@dataclass(frozen=True)
class RequestQuery:
    """A parsed `GET requests` query: ids override everything else, as the spec says."""

    ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None


def find_requests(sessions: sessionmaker[Session], query: RequestQuery) -> Sequence[ServiceRequest]:
    statement = select(ServiceRequest)
    if query.ids:
        statement = statement.where(ServiceRequest.service_request_id.in_(query.ids))
    else:
        if query.service_codes:
            statement = statement.where(ServiceRequest.service_code.in_(query.service_codes))
        if query.statuses:
            statement = statement.where(ServiceRequest.status.in_(query.statuses))
        if query.start is not None:
            statement = statement.where(ServiceRequest.requested_datetime >= query.start)
        if query.end is not None:
            statement = statement.where(ServiceRequest.requested_datetime <= query.end)
    statement = statement.order_by(ServiceRequest.requested_datetime.desc(),
                                   ServiceRequest.service_request_id).limit(MAX_RESULTS)
    with sessions() as session:
        return session.scalars(statement).all()


def get_request(sessions: sessionmaker[Session], request_id: str) -> ServiceRequest | None:
    with sessions() as session:
        return session.get(ServiceRequest, request_id)


def requests_by_reference(sessions: sessionmaker[Session], reference: str
                     ) -> Sequence[ServiceRequest]:
    """Every request under one reference: one, or one per part of a "tell us once"
    submission, in the order they arrived."""
    with sessions() as session:
        return session.scalars(select(ServiceRequest).where(
            ServiceRequest.kiosk_reference == normalise_reference(reference))
            .order_by(ServiceRequest.requested_datetime, ServiceRequest.kiosk_part)).all()
