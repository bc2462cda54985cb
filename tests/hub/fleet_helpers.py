"""Terminals for hub tests and the ingestion benchmark: keys in memory, bodies as a device
makes them, envelopes signed as a device signs them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy.orm import Session, sessionmaker

from hub.db import utcnow
from hub.devices import register
from kiosk.device_identity import DeviceKeys, PublicIdentity
from kiosk.heartbeat import (
    HeartbeatBody,
    OutboxState,
    Peripheral,
    Peripherals,
    ScreenState,
    canonical_json,
    envelope,
    sent_at,
)

OK = Peripheral(state="online", level="ok")


def memory_keys(device_id: str, site: str = "central-library") -> DeviceKeys:
    """A device's keys without the key folder (no files, no fsync: the bench makes 10,000)."""
    signing, sealing = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
    raw = (Encoding.Raw, PublicFormat.Raw)
    identity = PublicIdentity(device_id, site, signing.public_key().public_bytes(*raw),
                              sealing.public_key().public_bytes(*raw))
    return DeviceKeys(identity, signing, sealing)


def registered(sessions: sessionmaker[Session], device_id: str, site: str = "central-library",
               council: str = "Demo Borough Council") -> DeviceKeys:
    keys = memory_keys(device_id, site)
    register(sessions, keys.identity, council, utcnow())
    return keys


def make_body(keys: DeviceKeys, seq: int, *, at: datetime | None = None,
              **changes: Any) -> HeartbeatBody:
    """A healthy terminal's beat, with `changes` (model fields) on top."""
    fields: dict[str, Any] = {
        "v": 1, "device_id": keys.identity.device_id, "site": keys.identity.site, "seq": seq,
        "sent_at": sent_at((at or utcnow()).timestamp()), "interval_seconds": 60,
        "app_version": "0.1.0", "profile_version": "v7",
        "peripherals": Peripherals(printer=OK, paper=Peripheral(state="ok", level="ok"),
                                   card_reader=Peripheral(state="ready", level="ok"),
                                   scanner=Peripheral(state="not_monitored", level="unknown")),
        "screen": ScreenState(reporting=True, age_seconds=12),
        "outbox": OutboxState(depth=0, oldest_pending_seconds=None, dead=0),
        "provisioning": None,
    }
    fields.update(changes)
    return HeartbeatBody(**fields)


def beat(keys: DeviceKeys, seq: int, **changes: Any) -> bytes:
    return envelope(keys, make_body(keys, seq, **changes))


def signed_raw(keys: DeviceKeys, body: dict[str, Any]) -> bytes:
    """An envelope around any body at all, validly signed: for bodies no device would make."""
    from kiosk.device_identity import b64

    text = canonical_json(body)
    return canonical_json({"device_id": keys.identity.device_id, "body": text.decode(),
                           "signature": b64(keys.sign(text))})
