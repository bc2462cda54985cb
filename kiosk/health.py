"""Device status: one model of every peripheral's health plus network, hub and outbox.

Staff see it in the staff panel, IT will see it in the hub heartbeat. Each *probe* answers
for one part of the terminal with `Check`s: a stable `id`, a `level`, a stable `state` id
and a message key, never free text, so the same status can be shown in any language and
compared between terminals. Probes may block (a printer or hub that does not answer takes
its timeout), so `HealthMonitor.refresh` runs off the GUI thread.

Like Home Assistant's coordinator, the monitor logs only transitions: one line when a check
changes state (a warning when it becomes a fault, info otherwise), none while it stays the
same, so a printer out of paper all weekend is two log lines, not thousands. Nothing here
ever sees resident data.
"""

from __future__ import annotations

import enum
import hashlib
import importlib.metadata
import logging
import platform
import socket
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from urllib.parse import urlsplit

from kiosk.clock import Clock
from kiosk.outbox.relay_ipc import RelayStatus
from kiosk.outbox.store import State
from peripherals.printer.base import PrinterStatus

log = logging.getLogger(__name__)


class Level(enum.StrEnum):
    OK = "ok"
    WARNING = "warning"
    FAULT = "fault"
    UNKNOWN = "unknown"


_SEVERITY = {Level.OK: 0, Level.UNKNOWN: 1, Level.WARNING: 2, Level.FAULT: 3}


@dataclass(frozen=True)
class Check:
    """One line of device status. `key` is a message key, `params` fill its placeholders."""

    id: str
    level: Level
    state: str
    params: Mapping[str, str | int] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"health.{self.id.split(':')[0]}.{self.state}"

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "level": str(self.level), "state": self.state,
                "params": dict(self.params)}


@dataclass(frozen=True)
class DeviceStatus:
    checked_at: datetime
    checks: tuple[Check, ...]
    versions: tuple[tuple[str, str], ...]

    def check(self, check_id: str) -> Check | None:
        return next((c for c in self.checks if c.id == check_id), None)

    @property
    def worst(self) -> Level:
        return max((c.level for c in self.checks), key=_SEVERITY.__getitem__, default=Level.OK)

    def as_dict(self) -> dict[str, object]:
        """For the hub heartbeat: ids and numbers only."""
        return {"checked_at": self.checked_at.isoformat(), "worst": str(self.worst),
                "checks": [c.as_dict() for c in self.checks], "versions": dict(self.versions)}


class Probe(Protocol):
    """One part of the terminal. `id` prefixes the ids of the checks it returns."""

    id: str

    def checks(self) -> Sequence[Check]: ...


# --- probes ----------------------------------------------------------------------------------


class StatusSource(Protocol):
    def status(self) -> PrinterStatus: ...


_PRINTER_STATE = {
    PrinterStatus.ONLINE: ("online", Level.OK),
    PrinterStatus.PAPER_NEAR_END: ("online", Level.OK),
    PrinterStatus.PAPER_OUT: ("online", Level.OK),
    PrinterStatus.OFFLINE: ("offline", Level.FAULT),
    PrinterStatus.COVER_OPEN: ("cover_open", Level.FAULT),
    PrinterStatus.UNKNOWN: ("unknown", Level.UNKNOWN),
}
_PAPER_STATE = {
    PrinterStatus.ONLINE: ("ok", Level.OK),
    PrinterStatus.PAPER_NEAR_END: ("near_end", Level.WARNING),
    PrinterStatus.PAPER_OUT: ("out", Level.FAULT),
}


class PrinterProbe:
    """The printer and its paper, from one status query (ESC/POS `DLE EOT` where it can)."""

    id = "printer"

    def __init__(self, printer: StatusSource) -> None:
        self.printer = printer

    def checks(self) -> Sequence[Check]:
        status = self.printer.status()
        state, level = _PRINTER_STATE[status]
        paper_state, paper_level = _PAPER_STATE.get(status, ("unknown", Level.UNKNOWN))
        return (Check("printer", level, state), Check("paper", paper_level, paper_state))


class ReaderSource(Protocol):
    def status(self) -> str: ...


_READER_LEVEL = {"ready": Level.OK, "no_reader": Level.FAULT, "service_down": Level.FAULT,
                 "unavailable": Level.FAULT}


class CardReaderProbe:
    """The staff card reader's own status id (`ready`, `no_reader`, ...), or not fitted."""

    id = "card_reader"

    def __init__(self, reader: ReaderSource | None) -> None:
        self.reader = reader

    def checks(self) -> Sequence[Check]:
        if self.reader is None:
            return (Check("card_reader", Level.OK, "not_fitted"),)
        state = str(self.reader.status())
        return (Check("card_reader", _READER_LEVEL.get(state, Level.UNKNOWN), state),)


class NetworkProbe:
    """Whether the terminal has a route to the hub: a UDP `connect` asks the kernel for a
    route and sends nothing, so this costs no traffic and cannot hang on a silent host."""

    id = "network"

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or ""
        self.port = parts.port or (443 if parts.scheme == "https" else 80)

    def checks(self) -> Sequence[Check]:
        try:
            infos = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_DGRAM)
        except OSError:
            return (Check("network", Level.FAULT, "no_dns"),)
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            try:
                probe.connect(address)
            except OSError:
                return (Check("network", Level.FAULT, "no_route"),)
        return (Check("network", Level.OK, "connected"),)


class RelayStatusSource(Protocol):
    """The relay's own view, over its socket (`kiosk.outbox.RelayClient`): each destination's
    health as its last send saw it, and the dead letters. Raises when no relay answers."""

    def status(self) -> RelayStatus: ...


_RELAY_HEALTH = {
    "up": ("up", Level.OK),
    "failing": ("failing", Level.WARNING),
    "auth": ("refused", Level.FAULT),
    None: ("not_tried", Level.UNKNOWN),
}


class RelayProbe:
    """The relay and, through it, each back office and each report it gave up on. The screen
    never calls a back office itself (it has no need of a route to one): the relay is the only
    sender, and it knows how its last attempt for each destination went.

    Each dead letter is a check of its own (`dead:<reference>`: service, destination, reason,
    whether it can be retried), so staff can name it on the phone to IT and IT can retry it
    from the maintenance screen; beyond the relay's bounded list, one line counts the rest."""

    id = "relay"

    def __init__(self, source: RelayStatusSource, names: Sequence[str]) -> None:
        self.source = source
        self.names = tuple(names)

    def checks(self) -> Sequence[Check]:
        try:
            status = self.source.status()
        except Exception:  # noqa: BLE001 - any failure to answer means it is not running
            return (Check("relay", Level.FAULT, "not_running"),
                    *(Check(f"hub:{name}", Level.UNKNOWN, "not_tried", {"name": name})
                      for name in self.names))
        found: list[Check] = [Check("relay", Level.OK, "running")]
        for name in self.names:
            state, level = _RELAY_HEALTH.get(status.destinations.get(name),
                                             ("not_tried", Level.UNKNOWN))
            found.append(Check(f"hub:{name}", level, state, {"name": name}))
        for letter in status.dead_letters:
            found.append(Check(f"dead:{letter.reference}", Level.FAULT,
                               "retryable" if letter.retryable else "erased",
                               {"reference": letter.reference, "service": letter.service,
                                "destination": letter.destination, "reason": letter.reason}))
        more = status.dead_total - len(status.dead_letters)
        if more > 0:
            found.append(Check("dead_more", Level.FAULT, "more", {"count": more}))
        return tuple(found)


class OutboxCounts(Protocol):
    def counts(self) -> Mapping[State, int]: ...

    def oldest_pending_age(self, now: float) -> float | None: ...

    def expired_count(self) -> int: ...


class OutboxProbe:
    """Submissions waiting, and how long the oldest has waited. A backlog over an hour, or
    any dead letter, needs IT; a few waiting for minutes is a brief network blip. Reports the
    retention limit expired (their contents destroyed) are the loudest: an alert until IT
    dismisses them."""

    id = "outbox"

    def __init__(self, outbox: OutboxCounts, wall: Callable[[], float] = time.time,
                 *, stale_seconds: float = 3600.0) -> None:
        self.outbox = outbox
        self.wall = wall
        self.stale_seconds = stale_seconds

    def checks(self) -> Sequence[Check]:
        counts = self.outbox.counts()
        waiting, dead = int(counts.get("pending", 0)), int(counts.get("dead", 0))
        oldest = self.outbox.oldest_pending_age(self.wall())
        minutes = round(oldest / 60) if oldest is not None else 0
        expired = int(self.outbox.expired_count())
        params: dict[str, str | int] = {"waiting": waiting, "dead": dead, "minutes": minutes,
                                        "expired": expired}
        if expired:
            return (Check("outbox", Level.FAULT, "expired", params),)
        if dead:
            return (Check("outbox", Level.FAULT, "dead_letters", params),)
        if waiting and oldest is not None and oldest > self.stale_seconds:
            return (Check("outbox", Level.FAULT, "stuck", params),)
        if waiting:
            return (Check("outbox", Level.WARNING, "waiting", params),)
        return (Check("outbox", Level.OK, "empty", params),)


# --- versions --------------------------------------------------------------------------------


def versions(profile_bytes: bytes, catalogue: Iterable[tuple[str, int]],
             extra: Mapping[str, str] | None = None) -> tuple[tuple[str, str], ...]:
    """What IT needs to say which build and configuration a terminal runs."""
    try:
        app = importlib.metadata.version("civic-kiosk")
    except importlib.metadata.PackageNotFoundError:
        app = "unknown"
    rows = [("app", app), ("python", platform.python_version())]
    rows += sorted((extra or {}).items())
    rows.append(("profile", hashlib.sha256(profile_bytes).hexdigest()[:12]))
    rows += [(f"service:{sid}", str(version)) for sid, version in catalogue]
    return tuple(rows)


# --- the monitor -----------------------------------------------------------------------------


class HealthMonitor:
    """Runs the probes and keeps the latest `DeviceStatus`. Safe to call from any thread."""

    def __init__(self, probes: Sequence[Probe], clock: Clock,
                 device_versions: tuple[tuple[str, str], ...] = ()) -> None:
        self.probes = tuple(probes)
        self.clock = clock
        self.versions = device_versions
        self._lock = threading.Lock()
        self._latest: dict[str, Check] = {}
        self._from_probe: dict[str, set[str]] = {}
        self.latest: DeviceStatus | None = None

    def refresh(self, only: Collection[str] | None = None) -> DeviceStatus:
        """Ask every probe (or those whose id is in `only`) and log what changed."""
        fresh: list[Check] = []
        asked: dict[str, set[str]] = {}
        for probe in self.probes:
            if only is not None and probe.id not in only:
                continue
            try:
                found = list(probe.checks())
            # A probe that breaks must not stop the others; it shows as unknown.
            except Exception as exc:  # noqa: BLE001
                log.debug("health probe %s failed: %s", probe.id, type(exc).__name__)
                found = [Check(probe.id, Level.UNKNOWN, "probe_failed")]
            fresh.extend(found)
            asked[probe.id] = {check.id for check in found}
        with self._lock:
            # A check a probe no longer returns (a dead letter retried) leaves the status.
            for probe_id, ids in asked.items():
                for gone in self._from_probe.get(probe_id, set()) - ids:
                    self._latest.pop(gone, None)
                    log.debug("%s: no longer reported", gone)
                self._from_probe[probe_id] = ids
            for check in fresh:
                self._log_transition(self._latest.get(check.id), check)
                self._latest[check.id] = check
            status = DeviceStatus(self.clock.now(), tuple(self._latest.values()), self.versions)
            self.latest = status
        return status

    @staticmethod
    def _log_transition(before: Check | None, after: Check) -> None:
        """A warning when a check gets worse (a fault, or paper running low), one info line
        when it gets better again; a move to or from unknown (a printer that is off cannot
        say whether it has paper) is only debug, so one fault is one line each way."""
        was = before.level if before is not None else Level.OK
        if before is not None and before.state == after.state:
            return
        worse = _SEVERITY[after.level] > _SEVERITY[was]
        if worse and after.level in (Level.FAULT, Level.WARNING):
            log.warning("%s: %s (was %s)", after.id, after.state,
                        before.state if before is not None else "not checked")
        elif (not worse and was in (Level.FAULT, Level.WARNING)
              and after.level is not Level.UNKNOWN):
            log.info("%s: %s (was %s)", after.id, after.state, before.state if before else "")
        else:
            log.debug("%s: %s", after.id, after.state)
