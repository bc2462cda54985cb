"""Checking and storing a terminal's batch of usage events, and the aggregates it changes.

A batch is taken only from a registered, unrevoked terminal whose Ed25519 signature covers
the exact body received (the heartbeat's envelope, `kiosk.usage_events.batch_envelope`),
and only if every event is one `kiosk.usage_events.UsageEvent` accepts. The site is the
one the terminal was registered at, never what the batch says.

Idempotent by batch id: the batch's row is inserted first, and its primary key is the
guard, so two copies of a batch (a retry after a lost answer, or two hub processes at once)
can never both be stored; the loser's transaction is rolled back and answered "duplicate".
The aggregates (`usage_counts`) change in the same transaction: for each visit the batch
touches, what the visit counted for before (its events already stored) is taken away and
what it counts for now (with the new events) is added, so a visit split across batches, or
arriving out of order, is counted as if it had come whole. Batches of one terminal are
serialised (SQLite's single writer; on PostgreSQL a lock on the terminal's `devices` row)
so two of them never both read a visit's old events.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import Connection, Engine, Table, insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from hub.fleet_db import Device
from hub.signed_envelope import Envelope, read_envelope, signed_by
from hub.usage.measures import ALL, Event, Key, visit_counts
from hub.usage.tables import UsageBatch, UsageCount, UsageEventRow
from kiosk.usage_events import MAX_BATCH_BYTES, MAX_ENVELOPE_BYTES, EventBatch, UsageEvent

log = logging.getLogger(__name__)

FUTURE = timedelta(hours=2)  # a terminal's clock may be this far ahead, not more

_devices = cast(Table, Device.__table__)
_batches = cast(Table, UsageBatch.__table__)
_events = cast(Table, UsageEventRow.__table__)
_counts = cast(Table, UsageCount.__table__)

REFUSALS: dict[str, tuple[int, str]] = {
    "unsigned": (401, "Send a signed batch: device_id, body and signature"),
    "unknown_device": (401, "This device is not registered with the hub"),
    "bad_signature": (401, "The signature does not match the device's key"),
    "revoked": (403, "This device has been revoked"),
    "too_large": (413, "The batch is too large"),
    "invalid": (422, "The batch is not a batch of usage events"),
}


@dataclass(frozen=True)
class Answer:
    status: int
    document: dict[str, Any]

    @classmethod
    def refused(cls, reason: str, detail: str | None = None) -> Answer:
        status, message = REFUSALS[reason]
        return cls(status, {"error": {"code": reason, "message": detail or message}})


def _where(loc: tuple[int | str, ...]) -> str:
    """("events", 3, "hour") -> "events[3].hour"."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "body"


def validation_reason(exc: ValidationError) -> str:
    """Which event, which field, what was expected: never the value that was sent."""
    first = exc.errors(include_input=False, include_url=False)[0]
    loc = tuple(p for p in first["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    message = str(first["msg"]).removeprefix("Value error, ")
    more = exc.error_count() - 1
    return f"{_where(loc)}: {message}" + (f" (and {more} more problems)" if more > 0 else "")


def hour_time(hour: str) -> datetime:
    return datetime.strptime(hour, "%Y-%m-%dT%H").replace(tzinfo=UTC)


def _event(row: Any) -> Event:
    return Event(row.seq, row.kind, row.hour, row.service, row.page, row.reason, row.duration,
                 row.choice, row.value)


def _from_model(event: UsageEvent) -> Event:
    return Event(event.seq, event.kind, hour_time(event.hour), event.service, event.page,
                 event.reason, event.duration, event.choice, event.value)


def _delta(before: Iterable[Event], after: Iterable[Event], zone: ZoneInfo
           ) -> Counter[tuple[str, Key]]:
    change: Counter[tuple[str, Key]] = Counter()
    old, new = visit_counts(before, zone), visit_counts(after, zone)
    if old is not None:
        for key, n in old.counts.items():
            change[(old.month, key)] -= n
    if new is not None:
        for key, n in new.counts.items():
            change[(new.month, key)] += n
    return change


def add_counts(conn: Connection, site: str, device_id: str,
               change: Counter[tuple[str, Key]]) -> None:
    """Add to the aggregates (an upsert; a negative change takes away)."""
    rows = [{"month": month, "site": site, "device_id": device_id if service == ALL else "",
             "service": service, "measure": measure, "key": key, "count": n}
            for (month, (service, measure, key)), n in change.items() if n]
    if not rows:
        return
    make = postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = make(_counts)
    conn.execute(statement.on_conflict_do_update(
        index_elements=[_counts.c.month, _counts.c.site, _counts.c.device_id, _counts.c.service,
                        _counts.c.measure, _counts.c.key],
        set_={"count": _counts.c.count + statement.excluded.count}), rows)


def _stored_events(conn: Connection, device_id: str, visits: list[str]) -> dict[str, list[Event]]:
    found: dict[str, list[Event]] = defaultdict(list)
    for start in range(0, len(visits), 400):
        chunk = visits[start:start + 400]
        rows = conn.execute(select(_events).where(_events.c.device_id == device_id,
                                                  _events.c.visit.in_(chunk)))
        for row in rows:
            found[row.visit].append(_event(row))
    return found


def _check_device(conn: Connection, envelope: Envelope) -> tuple[Answer | None, str]:
    row = conn.execute(select(_devices.c.signing_public, _devices.c.revoked_at, _devices.c.site)
                       .where(_devices.c.id == envelope.device_id)).first()
    if row is None:
        return Answer.refused("unknown_device"), ""
    if not signed_by(row.signing_public, envelope):
        return Answer.refused("bad_signature"), ""
    if row.revoked_at is not None:
        return Answer.refused("revoked"), ""
    return None, str(row.site)


def _too_far_ahead(batch: EventBatch, now: datetime) -> str | None:
    for index, event in enumerate(batch.events):
        if hour_time(event.hour) > now + FUTURE:
            return f"events[{index}].hour: later than the hub's clock allows (check the terminal's clock)"
    return None


def ingest_events(engine: Engine, raw: bytes, now: datetime, zone: ZoneInfo) -> Answer:
    """Check one POSTed batch and store it with its aggregates, in one transaction."""
    if len(raw) > MAX_ENVELOPE_BYTES:
        return Answer.refused("too_large")
    envelope = read_envelope(raw, check_device_id=True)
    if envelope is None:
        return Answer.refused("unsigned")
    if len(envelope.body) > MAX_BATCH_BYTES:
        return Answer.refused("too_large")
    with engine.connect() as conn:
        refusal, site = _check_device(conn, envelope)
    if refusal is not None:
        return refusal
    try:
        batch = EventBatch.parse(envelope.body)
    except ValidationError as exc:
        return Answer.refused("invalid", validation_reason(exc))
    problem = _too_far_ahead(batch, now)
    if problem is not None:
        return Answer.refused("invalid", problem)
    if not store_batch(engine, envelope.device_id, site, batch, now, zone):
        return Answer(200, {"accepted": 0, "duplicate": True})
    return Answer(200, {"accepted": len(batch.events), "duplicate": False})


def store_batch(engine: Engine, device_id: str, site: str, batch: EventBatch, now: datetime,
                zone: ZoneInfo) -> bool:
    """Store a checked batch and change the aggregates, in one transaction; False if a batch
    with its id was stored already (nothing is changed then)."""
    with engine.connect() as conn:
        try:
            conn.execute(insert(_batches).values(batch_id=batch.batch_id, device_id=device_id,
                                                 received_at=now, events=len(batch.events)))
        except IntegrityError:
            conn.rollback()
            return False
        store_rows(conn, device_id, site, batch, zone)
        conn.commit()
    return True


def store_rows(conn: Connection, device_id: str, site: str, batch: EventBatch, zone: ZoneInfo
               ) -> None:
    """The batch's events and the change to the aggregates, on `conn`'s open transaction
    (whose batch row is already inserted)."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(_devices.c.id).where(_devices.c.id == device_id).with_for_update())
    arriving: dict[str, list[Event]] = defaultdict(list)
    for event in batch.events:
        arriving[event.visit].append(_from_model(event))
    stored = _stored_events(conn, device_id, sorted(arriving))
    change: Counter[tuple[str, Key]] = Counter()
    for visit, new in arriving.items():
        old = stored.get(visit, [])
        change.update(_delta(old, old + new, zone))
    conn.execute(insert(_events), [
        {"batch_id": batch.batch_id, "device_id": device_id, "site": site, "visit": e.visit,
         "seq": e.seq, "hour": hour_time(e.hour), "kind": e.kind, "service": e.service,
         "page": e.page, "reason": e.reason, "duration": e.duration, "choice": e.choice,
         "value": e.value} for e in batch.events])
    add_counts(conn, site, device_id, change)


def recount(engine: Engine, zone: ZoneInfo) -> Counter[tuple[str, str, str, str, str, str]]:
    """The aggregates as the raw events say they should be (tests; a rebuild after a time
    zone change): {(month, site, device, service, measure, key): count}."""
    visits: dict[tuple[str, str, str], list[Event]] = defaultdict(list)
    with engine.connect() as conn:
        for row in conn.execute(select(_events)):
            visits[(row.device_id, row.site, row.visit)].append(_event(row))
    total: Counter[tuple[str, str, str, str, str, str]] = Counter()
    for (device_id, site, _), events in visits.items():
        counted = visit_counts(events, zone)
        assert counted is not None
        for (service, measure, key), n in counted.counts.items():
            total[(counted.month, site, device_id if service == ALL else "", service, measure,
                   key)] += n
    return total


def stored_counts(engine: Engine) -> Counter[tuple[str, str, str, str, str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(select(_counts.c.month, _counts.c.site, _counts.c.device_id,
                                   _counts.c.service, _counts.c.measure, _counts.c.key,
                                   _counts.c.count.label("n")).where(_counts.c.count != 0)).all()
    return Counter({(r.month, r.site, r.device_id, r.service, r.measure, r.key): int(r.n)
                    for r in rows})


__all__ = ["Answer", "ingest_events", "recount", "stored_counts"]
