"""What the fleet page says about each terminal: its condition, and its problems in words.

Kept apart from the HTML so the rules (when a terminal is silent, faulty or needs a look) are
read and tested on their own. A terminal is *silent* when nothing has been accepted from it
for more than three of its own intervals (or ever); *faulty* when what it last said has a
fault in it; *needs attention* for a warning (paper low, reports waiting). Silent and faulty
terminals come first; revoked ones last.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.fleet_db import HISTORY, Device, HeartbeatHistory, HeartbeatLatest, HeartbeatRefusal
from kiosk.heartbeat import HeartbeatBody, Peripheral

STALE_INTERVALS = 3
STUCK_OUTBOX = timedelta(hours=1)
# Outcomes of the provisioning agent that mean the terminal did not take its new profile.
FAILED_PROVISIONING = frozenset({"failed", "rejected", "rolled_back", "rolled-back", "error",
                                 "unreadable"})
PERIPHERAL_NAMES = {"printer": "Printer", "paper": "Paper", "card_reader": "Card reader",
                    "scanner": "Scanner"}
REFUSAL_WORDS = {
    "unsigned": "Not a signed heartbeat",
    "unknown_device": "From a device that is not registered",
    "revoked": "From a revoked device",
    "bad_signature": "Signature does not match (altered or forged)",
    "replay": "Replayed (sequence number not newer)",
    "stale": "Clock more than 10 minutes from the hub's",
    "malformed": "Signed, but not a heartbeat this hub understands",
    "too_large": "Too large",
}


class Condition(enum.IntEnum):
    """In the order the fleet page lists them."""

    SILENT = 0
    FAULT = 1
    ATTENTION = 2
    OK = 3
    REVOKED = 4

    @property
    def words(self) -> str:
        return {0: "Not heard from", 1: "Fault", 2: "Needs attention", 3: "Working",
                4: "Revoked"}[self.value]


@dataclass(frozen=True)
class Terminal:
    id: str
    site: str
    council: str
    registered_at: datetime
    revoked_at: datetime | None
    last_seen: datetime | None
    body: HeartbeatBody | None
    last_refusal: str | None
    last_refusal_at: datetime | None
    condition: Condition
    problems: tuple[str, ...]


def words(code: str) -> str:
    """A short code as words: "cover_open" -> "cover open"."""
    return code.replace("_", " ")


def duration(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 120:
        return f"{seconds} seconds"
    if seconds < 2 * 3600:
        return f"{seconds // 60} minutes"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} hours"
    return f"{seconds // 86400} days"


def seconds_words(seconds: int) -> str:
    return duration(timedelta(seconds=seconds))


def peripheral_line(name: str, peripheral: Peripheral) -> str:
    return f"{PERIPHERAL_NAMES[name]}: {words(peripheral.state)}"


def parse_body(text: str | None) -> HeartbeatBody | None:
    if text is None:
        return None
    try:
        return HeartbeatBody.parse(text.encode("ascii"))
    except (ValidationError, UnicodeEncodeError):
        return None


def _problems(body: HeartbeatBody) -> tuple[list[str], list[str]]:
    """(faults, warnings) in words."""
    faults: list[str] = []
    warnings: list[str] = []
    if not body.screen.reporting:
        age = body.screen.age_seconds
        faults.append("The screen has not reported its devices" if age is None else
                      f"The screen has not reported its devices for {seconds_words(age)}")
    for name, peripheral in body.peripherals:
        if name == "scanner":
            continue
        if peripheral.level == "fault":
            faults.append(peripheral_line(name, peripheral))
        elif peripheral.level == "warning":
            warnings.append(peripheral_line(name, peripheral))
    outbox = body.outbox
    if outbox.dead:
        faults.append(f"{outbox.dead} reports could not be delivered (dead letters)")
    oldest = outbox.oldest_pending_seconds
    if oldest is not None and oldest > STUCK_OUTBOX.total_seconds():
        faults.append(f"Reports waiting for {seconds_words(oldest)}")
    elif outbox.depth:
        warnings.append(f"{outbox.depth} reports waiting to be sent")
    result = body.provisioning
    if result is not None and result.outcome in FAILED_PROVISIONING:
        reason = f" ({words(result.reason)})" if result.reason else ""
        faults.append(f"Last profile update {words(result.outcome)}{reason}")
    return faults, warnings


def classify(device: Device, latest: HeartbeatLatest | None, now: datetime) -> Terminal:
    body = parse_body(latest.body if latest is not None else None)
    seen = latest.received_at if latest is not None else None
    refusal = latest.last_refusal if latest is not None else None
    refused_at = latest.last_refusal_at if latest is not None else None
    problems: list[str] = []
    if refusal is not None and refused_at is not None and (seen is None or refused_at > seen):
        problems.append(f"Its last heartbeat was refused: {REFUSAL_WORDS.get(refusal, refusal)}")
    if device.revoked_at is not None:
        condition = Condition.REVOKED
    elif seen is None or body is None:
        condition = Condition.SILENT
        problems.insert(0, "Never heard from" if seen is None else "Its last heartbeat is unreadable")
    else:
        faults, warnings = _problems(body)
        silent_after = timedelta(seconds=STALE_INTERVALS * body.interval_seconds)
        if now - seen > silent_after:
            condition = Condition.SILENT
            problems.insert(0, f"No heartbeat for {duration(now - seen)}")
        elif faults:
            condition = Condition.FAULT
        elif warnings:
            condition = Condition.ATTENTION
        else:
            condition = Condition.OK
        problems += faults + warnings
    return Terminal(device.id, device.site, device.council, device.registered_at,
                    device.revoked_at, seen, body, refusal, refused_at, condition, tuple(problems))


def fleet(sessions: sessionmaker[Session], now: datetime) -> list[Terminal]:
    """Every registered terminal, silent and faulty first, then by site and id."""
    with sessions() as session:
        rows = session.execute(
            select(Device, HeartbeatLatest)
            .join(HeartbeatLatest, HeartbeatLatest.device_id == Device.id, isouter=True)).all()
    terminals = [classify(device, latest, now) for device, latest in rows]
    return sorted(terminals, key=lambda t: (t.condition, t.site, t.id))


def terminal(sessions: sessionmaker[Session], device_id: str, now: datetime
             ) -> tuple[Terminal, list[tuple[datetime, HeartbeatBody | None]]] | None:
    """One terminal and its recent beats, newest first; None if no such terminal."""
    with sessions() as session:
        device = session.get(Device, device_id)
        if device is None:
            return None
        latest = session.get(HeartbeatLatest, device_id)
        history = session.execute(
            select(HeartbeatHistory.received_at, HeartbeatHistory.body)
            .where(HeartbeatHistory.device_id == device_id)
            .order_by(HeartbeatHistory.id.desc()).limit(HISTORY)).all()
    return classify(device, latest, now), [(at, parse_body(body)) for at, body in history]


def refusals(sessions: sessionmaker[Session]) -> Sequence[HeartbeatRefusal]:
    with sessions() as session:
        return list(session.scalars(select(HeartbeatRefusal).order_by(HeartbeatRefusal.reason)))
