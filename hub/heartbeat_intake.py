"""Checking heartbeats and storing them: accept a terminal's signed state, or count why not.

A beat is accepted only if every check passes, in this order: the envelope is small enough
and well formed; its device is registered and not revoked; the signature is the device's,
over the exact body received; the body is the fixed heartbeat document for that device;
its `sent_at` is within `WINDOW` of the hub's clock; its sequence number is greater than the
last one accepted. So nobody without a registered terminal's private key can put a terminal
on the fleet page or change what it shows, and a captured beat cannot be sent again.

Refusals are answered 401 (no signature, or not a registered terminal's), 409 (replay), 400
(stale, or signed but malformed) or 413 (too large), and counted by reason in
`heartbeat_refusals`; the answer says no more than the reason's code.

Beats are taken in batches (`ingest_batch`, fed by `hub.heartbeat_writer`): one read of the
batch's devices, one transaction and one commit for all of them, so the cost of a durable
commit is shared and a flood of refusals is one write per batch, not one per request. The
sequence is compared inside the UPDATE (`WHERE seq < :new`), so two copies of one beat, even
in two hub processes, are never both accepted. Statements are built once, as SQLAlchemy Core,
because building ORM expressions per beat cost more than checking the signature.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import Connection, Engine, Table, bindparam, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hub.fleet_db import HISTORY, Device, HeartbeatHistory, HeartbeatLatest, HeartbeatRefusal
from hub.signed_envelope import Envelope, read_envelope, signed_by
from kiosk.device_identity import valid_device_id
from kiosk.heartbeat import MAX_BODY_BYTES, MAX_ENVELOPE_BYTES, HeartbeatBody

log = logging.getLogger(__name__)

WINDOW = timedelta(minutes=10)
PRUNE_EVERY = 16  # beats between two trims of a terminal's history

REFUSALS: dict[str, tuple[int, str]] = {
    "unsigned": (401, "Send a signed heartbeat: device_id, body and signature"),
    "unknown_device": (401, "This device is not registered with the hub"),
    "revoked": (401, "This device has been revoked"),
    "bad_signature": (401, "The signature does not match the device's key"),
    "replay": (409, "The sequence number is not newer than the last accepted"),
    "stale": (400, "sent_at is too far from the hub's clock"),
    "malformed": (400, "This is not a heartbeat"),
    "too_large": (413, "The heartbeat is too large"),
}
REASONS = tuple(REFUSALS)

_devices = cast(Table, Device.__table__)
_latest = cast(Table, HeartbeatLatest.__table__)
_history = cast(Table, HeartbeatHistory.__table__)
_refusals = cast(Table, HeartbeatRefusal.__table__)
_FIND = (select(_devices.c.id, _devices.c.signing_public, _devices.c.revoked_at, _devices.c.site,
                _latest.c.seq)
         .join(_latest, _latest.c.device_id == _devices.c.id)
         .where(_devices.c.id.in_(bindparam("ids", expanding=True))))
_ADVANCE = (update(_latest)
            .where(_latest.c.device_id == bindparam("d"), _latest.c.seq < bindparam("s"))
            .values(seq=bindparam("s"), beats=_latest.c.beats + 1, received_at=bindparam("at"),
                    body=bindparam("b"))
            .returning(_latest.c.beats))
_RECORD = insert(_history).values(device_id=bindparam("d"), seq=bindparam("s"),
                                  received_at=bindparam("at"), body=bindparam("b"))
_NOTE = (update(_latest).where(_latest.c.device_id == bindparam("d"))
         .values(last_refusal=bindparam("r"), last_refusal_at=bindparam("at")))
_COUNT = (update(_refusals).where(_refusals.c.reason == bindparam("r"))
          .values(count=_refusals.c.count + bindparam("n"), last_at=bindparam("at")))
_CUTOFF = (select(_history.c.id).where(_history.c.device_id == bindparam("d"))
           .order_by(_history.c.id.desc()).offset(HISTORY).limit(1))
_TRIM = delete(_history).where(_history.c.device_id == bindparam("d"),
                               _history.c.id <= bindparam("cut"))


@dataclass(frozen=True)
class Verdict:
    reason: str | None  # None: accepted

    @property
    def status(self) -> int:
        return 202 if self.reason is None else REFUSALS[self.reason][0]


ACCEPTED = Verdict(None)


@dataclass(frozen=True)
class _Registered:
    signing_public: bytes
    revoked: bool
    site: str
    seq: int


def _check(envelope: Envelope, found: _Registered | None, now: datetime
           ) -> tuple[str | None, HeartbeatBody | None]:
    """(refusal, body): the refusal None when the beat may be stored."""
    if found is None:
        return "unknown_device", None
    if found.revoked:
        return "revoked", None
    if not signed_by(found.signing_public, envelope):
        return "bad_signature", None
    try:
        body = HeartbeatBody.parse(envelope.body)
    except ValidationError:
        return "malformed", None
    if body.device_id != envelope.device_id or body.site != found.site:
        return "malformed", None
    if abs(body.sent_at_time() - now) > WINDOW:
        return "stale", None
    if body.seq <= found.seq:
        return "replay", None
    return None, body


def _registered(conn: Connection, envelopes: Sequence[Envelope | None]) -> dict[str, _Registered]:
    ids = sorted({e.device_id for e in envelopes if e is not None and valid_device_id(e.device_id)})
    if not ids:
        return {}
    return {row.id: _Registered(row.signing_public, row.revoked_at is not None, row.site, row.seq)
            for row in conn.execute(_FIND, {"ids": ids})}


def ingest_batch(engine: Engine, raws: Sequence[bytes], now: datetime) -> list[Verdict]:
    """Check every envelope and store the good ones, in one transaction; a verdict each."""
    envelopes = [None if len(raw) > MAX_ENVELOPE_BYTES
                 else read_envelope(raw, max_body=MAX_BODY_BYTES)
                 for raw in raws]
    with engine.connect() as conn:
        devices = _registered(conn, envelopes)
        conn.rollback()  # the reads' snapshot ends here: the writes start their own
        reasons: list[str | None] = []
        notes: list[dict[str, Any]] = []
        records: list[dict[str, Any]] = []
        trims: list[str] = []
        for raw, envelope in zip(raws, envelopes, strict=True):
            if envelope is None:
                reasons.append("too_large" if len(raw) > MAX_ENVELOPE_BYTES else "unsigned")
                continue
            reason, body = _check(envelope, devices.get(envelope.device_id), now)
            device_id = envelope.device_id
            if body is not None:
                text = envelope.body.decode("ascii")
                beats = conn.execute(_ADVANCE, {"d": device_id, "s": body.seq, "at": now,
                                                "b": text}).scalar()
                if beats is None:  # a newer one was stored meanwhile (another batch, process)
                    reason = "replay"
                else:
                    records.append({"d": device_id, "s": body.seq, "at": now, "b": text})
                    if beats % PRUNE_EVERY == 0:
                        trims.append(device_id)
            if reason is not None and reason not in ("unknown_device", "revoked", "bad_signature"):
                # The terminal itself signed what was refused: note it on its row too.
                notes.append({"d": device_id, "r": reason, "at": now})
            reasons.append(reason)
        if records:
            conn.execute(_RECORD, records)
        for device_id in trims:
            cut = conn.execute(_CUTOFF, {"d": device_id}).scalar()
            if cut is not None:
                conn.execute(_TRIM, {"d": device_id, "cut": cut})
        if notes:
            conn.execute(_NOTE, notes)
        _count(conn, Counter(r for r in reasons if r is not None), now)
        conn.commit()
    return [ACCEPTED if r is None else Verdict(r) for r in reasons]


def _count(conn: Connection, refused: Counter[str], now: datetime) -> None:
    """Add to each reason's count: an upsert where the database has one (SQLite, PostgreSQL),
    so the first refusal of a reason, in any process, needs no separate step."""
    dialect = conn.dialect.name
    for reason, n in refused.items():
        if dialect in ("sqlite", "postgresql"):
            make = sqlite_insert if dialect == "sqlite" else postgresql_insert
            statement = make(_refusals).values(reason=reason, count=n, last_at=now)
            conn.execute(statement.on_conflict_do_update(
                index_elements=[_refusals.c.reason],
                set_={"count": _refusals.c.count + n, "last_at": now}))
        elif not conn.execute(_COUNT, {"r": reason, "n": n, "at": now}).rowcount:
            conn.execute(insert(_refusals).values(reason=reason, count=n, last_at=now))


def ingest(engine: Engine, raw: bytes, now: datetime) -> Verdict:
    """One beat on its own (tests, tools); the hub's route batches them."""
    return ingest_batch(engine, [raw], now)[0]


def refusal_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(select(_refusals.c.reason, _refusals.c.count)).all()
    return {str(reason): int(count) for reason, count in rows if count}
