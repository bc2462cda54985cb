"""IT's register of terminals: which device ids exist, with which public keys, and which are
revoked. Only the command line changes it (`kiosk-hub device ...`); a heartbeat from an id
not here, or revoked, is refused.

An id is registered once. A revoked terminal stays revoked: a re-enrolled machine makes a
new key pair and is registered under a new id, so nothing signed with the old key is ever
accepted again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hub.fleet_db import Device, HeartbeatLatest
from kiosk.device_identity import PublicIdentity


class DeviceError(Exception):
    """A refusal to show whoever ran the command, as one line."""


@dataclass(frozen=True)
class DeviceInfo:
    id: str
    site: str
    council: str
    registered_at: datetime
    revoked_at: datetime | None
    last_seen: datetime | None


def register(sessions: sessionmaker[Session], identity: PublicIdentity, council: str,
             now: datetime) -> None:
    with sessions() as session:
        existing = session.get(Device, identity.device_id)
        if existing is not None:
            state = "revoked" if existing.revoked_at is not None else "registered"
            raise DeviceError(f"device {identity.device_id} is already {state}; a terminal is "
                              "registered once (a re-enrolled one gets a new device id)")
        session.add(Device(id=identity.device_id, site=identity.site, council=council,
                           signing_public=identity.signing_public,
                           sealing_public=identity.sealing_public, registered_at=now))
        session.flush()
        session.add(HeartbeatLatest(device_id=identity.device_id, seq=0, beats=0))
        try:
            session.commit()
        except IntegrityError:
            raise DeviceError(f"device {identity.device_id} was registered meanwhile") from None


def revoke(sessions: sessionmaker[Session], device_id: str, now: datetime) -> datetime:
    """Revoke at once; returns when it was revoked (earlier, if it already was)."""
    with sessions() as session:
        device = session.get(Device, device_id)
        if device is None:
            raise DeviceError(f"no device {device_id} is registered (see `kiosk-hub device list`)")
        if device.revoked_at is None:
            device.revoked_at = now
            session.commit()
        return device.revoked_at


def devices(sessions: sessionmaker[Session]) -> list[DeviceInfo]:
    with sessions() as session:
        rows = session.execute(
            select(Device, HeartbeatLatest.received_at)
            .join(HeartbeatLatest, HeartbeatLatest.device_id == Device.id, isouter=True)
            .order_by(Device.site, Device.id)).all()
        return [DeviceInfo(d.id, d.site, d.council, d.registered_at, d.revoked_at, seen)
                for d, seen in rows]
