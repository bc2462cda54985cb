"""`POST /kiosk/v1/heartbeat`: accept a terminal's signed state, or refuse it and count why.

A beat is accepted only if every check passes, in this order: the envelope is small enough
and well formed; its device is registered and not revoked; the signature is the device's,
over the exact body received; the body is the fixed heartbeat document for that device;
its `sent_at` is within `WINDOW` of the hub's clock; its sequence number is greater than the
last one accepted. So nobody without a registered terminal's private key can put a terminal
on the fleet page or change what it shows, and a captured beat cannot be sent again.

Refusals are answered 401 (no signature, or not a registered terminal's), 409 (replay), 400
(stale, or signed but malformed) or 413 (too large), and counted by reason in
`heartbeat_refusals`; the answer says no more than the reason's code.
"""

from __future__ import annotations

import binascii
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from hub.db import utcnow
from hub.fleet_db import HISTORY, Device, HeartbeatHistory, HeartbeatLatest, HeartbeatRefusal
from hub.state import hub_state
from kiosk.device_identity import unb64, valid_device_id
from kiosk.heartbeat import MAX_BODY_BYTES, MAX_ENVELOPE_BYTES, HeartbeatBody

log = logging.getLogger(__name__)

PATH = "/kiosk/v1/heartbeat"
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


@dataclass(frozen=True)
class Verdict:
    reason: str | None  # None: accepted

    @property
    def status(self) -> int:
        return 202 if self.reason is None else REFUSALS[self.reason][0]


ACCEPTED = Verdict(None)


@dataclass(frozen=True)
class _Envelope:
    device_id: str
    body: bytes
    signature: bytes


def _envelope(raw: bytes) -> _Envelope | None:
    try:
        outer = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(outer, dict) or set(outer) != {"device_id", "body", "signature"}:
        return None
    device_id, body, signature = outer["device_id"], outer["body"], outer["signature"]
    if not (isinstance(device_id, str) and isinstance(body, str) and isinstance(signature, str)):
        return None
    try:
        signed, sig = body.encode("ascii"), unb64(signature)
    except (UnicodeEncodeError, ValueError, binascii.Error):
        return None
    if len(signed) > MAX_BODY_BYTES or len(sig) != 64:
        return None
    return _Envelope(device_id, signed, sig)


def _signed_by(signing_public: bytes, envelope: _Envelope) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(signing_public).verify(envelope.signature, envelope.body)
    except (InvalidSignature, ValueError):
        return False
    return True


def ingest(sessions: sessionmaker[Session], raw: bytes, now: datetime) -> Verdict:
    """Check one envelope and store it, or count its refusal. Thread-safe: every write
    starts its own transaction with the write, and the sequence is compared in the UPDATE,
    so two copies of one beat arriving together cannot both be accepted."""
    if len(raw) > MAX_ENVELOPE_BYTES:
        return refuse(sessions, "too_large", now)
    envelope = _envelope(raw)
    if envelope is None:
        return refuse(sessions, "unsigned", now)
    if not valid_device_id(envelope.device_id):
        return refuse(sessions, "unknown_device", now)
    with sessions() as session:
        found = session.execute(
            select(Device.signing_public, Device.revoked_at, Device.site, HeartbeatLatest.seq)
            .join(HeartbeatLatest, HeartbeatLatest.device_id == Device.id)
            .where(Device.id == envelope.device_id)).one_or_none()
    if found is None:
        return refuse(sessions, "unknown_device", now)
    signing_public, revoked_at, site, last_seq = found
    if revoked_at is not None:
        return refuse(sessions, "revoked", now)
    if not _signed_by(signing_public, envelope):
        return refuse(sessions, "bad_signature", now)
    # From here on the terminal itself signed what is refused: note it on its row too.
    device_id = envelope.device_id
    try:
        body = HeartbeatBody.parse(envelope.body)
    except ValidationError:
        return refuse(sessions, "malformed", now, device_id)
    if body.device_id != device_id or body.site != site:
        return refuse(sessions, "malformed", now, device_id)
    if abs(body.sent_at_time() - now) > WINDOW:
        return refuse(sessions, "stale", now, device_id)
    if body.seq <= last_seq:
        return refuse(sessions, "replay", now, device_id)
    return _store(sessions, device_id, body.seq, envelope.body.decode("ascii"), now)


def _store(sessions: sessionmaker[Session], device_id: str, seq: int, body: str,
           now: datetime) -> Verdict:
    with sessions() as session:
        beats = session.scalar(
            update(HeartbeatLatest)
            .where(HeartbeatLatest.device_id == device_id, HeartbeatLatest.seq < seq)
            .values(seq=seq, beats=HeartbeatLatest.beats + 1, received_at=now, body=body)
            .returning(HeartbeatLatest.beats))
        if beats is None:  # a copy of this beat won the race
            session.rollback()
            return refuse(sessions, "replay", now, device_id)
        session.add(HeartbeatHistory(device_id=device_id, seq=seq, received_at=now, body=body))
        if beats % PRUNE_EVERY == 0:
            _trim(session, device_id)
        session.commit()
    return ACCEPTED


def _trim(session: Session, device_id: str) -> None:
    session.flush()
    cutoff = session.scalar(
        select(HeartbeatHistory.id).where(HeartbeatHistory.device_id == device_id)
        .order_by(HeartbeatHistory.id.desc()).offset(HISTORY).limit(1))
    if cutoff is not None:
        session.execute(delete(HeartbeatHistory).where(HeartbeatHistory.device_id == device_id,
                                                       HeartbeatHistory.id <= cutoff))


def refuse(sessions: sessionmaker[Session], reason: str, now: datetime,
           device_id: str | None = None) -> Verdict:
    """Count a refusal (and, for a beat its terminal signed, note it on the terminal)."""
    for attempt in range(2):
        with sessions() as session:
            counted = session.execute(
                update(HeartbeatRefusal).where(HeartbeatRefusal.reason == reason)
                .values(count=HeartbeatRefusal.count + 1, last_at=now)).rowcount  # type: ignore[attr-defined]
            if not counted:
                session.add(HeartbeatRefusal(reason=reason, count=1, last_at=now))
            if device_id is not None:
                session.execute(update(HeartbeatLatest).where(HeartbeatLatest.device_id == device_id)
                                .values(last_refusal=reason, last_refusal_at=now))
            try:
                session.commit()
                break
            except IntegrityError:  # another process counted this reason's first refusal
                session.rollback()
                if attempt:
                    raise
    log.debug("heartbeat refused: %s", reason)
    return Verdict(reason)


def answer(verdict: Verdict) -> JSONResponse:
    headers = {"Cache-Control": "no-store"}
    if verdict.reason is None:
        return JSONResponse({"accepted": True}, status_code=verdict.status, headers=headers)
    return JSONResponse({"error": {"code": verdict.reason, "message": REFUSALS[verdict.reason][1]}},
                        status_code=verdict.status, headers=headers)


async def _read_capped(request: Request, limit: int) -> bytes | None:
    """The body, or None once it passes `limit` (the rest is never read)."""
    declared = request.headers.get("content-length", "")
    if declared and (not declared.isdigit() or int(declared) > limit):
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def _heartbeat(request: Request) -> Response:
    hub = hub_state(request)
    raw = await _read_capped(request, MAX_ENVELOPE_BYTES)
    if raw is None:
        verdict = await run_in_threadpool(refuse, hub.sessions, "too_large", utcnow())
    else:
        verdict = await run_in_threadpool(ingest, hub.sessions, raw, utcnow())
    return answer(verdict)


def heartbeat_router() -> APIRouter:
    router = APIRouter()
    router.add_api_route(PATH, _heartbeat, methods=["POST"])
    return router
