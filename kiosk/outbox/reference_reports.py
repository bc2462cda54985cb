"""Telling the hub where requests went that it did not receive itself ("Track my request").

A receipt's QR code opens the hub's status page, and the kiosk's Track my request asks the
hub. For a report the relay delivered to another back office (a county's Open311 server, a
webhook, a mailbox), the hub knows nothing unless told. After each relay pass, this reporter
finds the deliveries to such destinations and sends the hub one small record per request:

    POST {hub}/kiosk/v1/references   X-Api-Key: <the kiosk key>
    {"reference": ..., "destination": ..., "remote_id": ..., "remote_token": ...,
     "service_code": ..., "delivered_at": ...}

No personal data: the record is built from the outbox row's metadata, never its payload.
Records wait in a small SQLite file beside the outbox (`reference_reports.db`) until the hub
has them: a hub that is down is asked again later (backoff up to an hour), without holding
up deliveries. A refusal that cannot change (422, or 409 "the reference is someone else's")
is dropped with a log line. The hub answers a repeat `unchanged`, so a record sent twice
(a crash between sending and noting) does no harm.

Which destinations: every one but the hub itself, that is every destination except an
Open311 one at the same address (scheme, host and port) as the profile's hub lookups.
Without a hub lookups section there is nowhere to report, and nothing is kept.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from kiosk.catalogue import Catalogue
from kiosk.lookups.settings import HubLookupSettings
from kiosk.outbox.db import create_private_file
from kiosk.outbox.store import Outbox
from kiosk.profile import Open311Destination, Profile

log = logging.getLogger(__name__)

FILE_NAME = "reference_reports.db"
LOOK_BACK = 14 * 24 * 3600.0  # deliveries this recent are checked for a record
KEEP = 30 * 24 * 3600.0  # records are kept this long (sent ones, to stay sent; others, trying)
BATCH = 50
FIRST_RETRY = 30.0
MAX_RETRY = 3600.0
_SCHEMA = """
CREATE TABLE IF NOT EXISTS reports (
    reference TEXT PRIMARY KEY,
    destination TEXT NOT NULL,
    remote_id TEXT,
    remote_token TEXT,
    service_code TEXT NOT NULL,
    delivered_at REAL NOT NULL,
    sent_at REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    last_error TEXT
) STRICT
"""


@dataclass(frozen=True)
class Record:
    reference: str
    destination: str
    remote_id: str | None
    remote_token: str | None
    service_code: str
    delivered_at: float

    def body(self) -> dict[str, Any]:
        moment = datetime.fromtimestamp(self.delivered_at, UTC).isoformat(timespec="seconds")
        return {"reference": self.reference, "destination": self.destination,
                "remote_id": self.remote_id, "remote_token": self.remote_token,
                "service_code": self.service_code, "delivered_at": moment}


class ReferenceReporter:
    """Runs on the relay's thread after each pass (`after_pass`); thread-safe all the same."""

    def __init__(self, outbox: Outbox, path: Path, endpoint: str, api_key: str,
                 destinations: Iterable[str], service_codes: Mapping[str, str], *,
                 clock: Callable[[], float] = time.time, timeout_seconds: float = 5.0,
                 http: requests.Session | None = None) -> None:
        self._outbox = outbox
        self._url = endpoint.rstrip("/") + "/references"
        self._api_key = api_key
        self._destinations = frozenset(destinations)
        self._codes = dict(service_codes)
        self._clock = clock
        self._timeout = timeout_seconds
        self._http = http or requests.Session()
        self._lock = threading.Lock()
        create_private_file(path)
        self._conn = sqlite3.connect(path, timeout=5.0, isolation_level=None,
                                     check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute(_SCHEMA)

    @property
    def destinations(self) -> frozenset[str]:
        return self._destinations

    def close(self) -> None:
        with self._lock:
            self._conn.close()
        self._http.close()

    def after_pass(self, outcomes: object = None) -> None:
        """The relay's pass is over: note new deliveries, then send what is due."""
        try:
            self.note_deliveries()
            self.send_due()
        except Exception as exc:  # noqa: BLE001 - reporting must never stop the relay
            log.error("reference reports failed: %s", type(exc).__name__)

    def note_deliveries(self) -> int:
        """Keep a record for each recent delivery to a reported destination; how many new."""
        now = self._clock()
        added = 0
        for row in self._outbox.delivered_since(now - LOOK_BACK):
            if row.destination not in self._destinations or row.delivered_at is None:
                continue
            code = self._codes.get(row.service_id or "", "")
            with self._lock:
                added += self._conn.execute(
                    "INSERT OR IGNORE INTO reports (reference, destination, remote_id, "
                    "remote_token, service_code, delivered_at, next_attempt_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (row.reference, row.destination, row.remote_id, row.remote_token, code,
                     row.delivered_at, now)).rowcount
        with self._lock:
            self._conn.execute("DELETE FROM reports WHERE delivered_at < ?", (now - KEEP,))
        return added

    def waiting(self) -> int:
        with self._lock:
            return int(self._conn.execute(
                "SELECT count(*) FROM reports WHERE sent_at IS NULL").fetchone()[0])

    def send_due(self) -> int:
        """Send due records, oldest first, stopping at the first the hub cannot take now
        (one timeout per pass while the hub is down, not one per record); how many sent."""
        now = self._clock()
        with self._lock:
            rows = self._conn.execute(
                "SELECT reference, destination, remote_id, remote_token, service_code, "
                "delivered_at, attempts FROM reports WHERE sent_at IS NULL "
                "AND next_attempt_at <= ? ORDER BY delivered_at LIMIT ?", (now, BATCH)).fetchall()
        sent = 0
        for *values, attempts in rows:
            record = Record(*values)
            verdict = self._send(record)
            if verdict == "retry":
                self._later(record.reference, attempts + 1, now)
                log.info("reference reports: the hub cannot take them now; %d waiting",
                         self.waiting())
                break
            with self._lock:
                self._conn.execute("UPDATE reports SET sent_at = ?, last_error = ? "
                                   "WHERE reference = ?",
                                   (now, None if verdict == "sent" else verdict, record.reference))
            sent += verdict == "sent"
        if sent:
            log.info("reference reports: %d sent to the hub", sent)
        return sent

    def _later(self, reference: str, attempts: int, now: float) -> None:
        delay = min(MAX_RETRY, FIRST_RETRY * 2 ** min(attempts - 1, 16))
        with self._lock:
            self._conn.execute("UPDATE reports SET attempts = ?, next_attempt_at = ? "
                               "WHERE reference = ?", (attempts, now + delay, reference))

    def _send(self, record: Record) -> str:
        """"sent", "retry", or the reason a record is dropped for good."""
        try:
            response = self._http.post(self._url, json=record.body(), timeout=self._timeout,
                                       headers={"X-Api-Key": self._api_key},
                                       allow_redirects=False)
        except requests.RequestException as exc:
            log.warning("reference report not sent: %s", type(exc).__name__)
            return "retry"
        status = response.status_code
        response.close()
        if status == 200:
            return "sent"
        if status in (409, 422):
            # The hub will never take this record: keep the reason, never send it again.
            log.warning("reference report refused by the hub (HTTP %d): dropped", status)
            return f"http_{status}"
        log.warning("reference report not taken (HTTP %d): will try again", status)
        return "retry"


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


def reported_destinations(profile: Profile) -> list[str]:
    """Every destination that is not the hub the profile's lookups ask."""
    lookups = profile.lookups
    if not isinstance(lookups, HubLookupSettings):
        return []
    hub = _origin(str(lookups.endpoint))
    return [name for name, destination in profile.destinations.items()
            if not (isinstance(destination, Open311Destination)
                    and _origin(str(destination.endpoint)) == hub)]


def reporter_for(profile: Profile, catalogue: Catalogue, state_dir: Path, outbox: Outbox
                 ) -> ReferenceReporter | None:
    """The relay's reporter, or None when there is no hub to report to or nothing to report."""
    lookups = profile.lookups
    destinations = reported_destinations(profile)
    if not isinstance(lookups, HubLookupSettings) or not destinations:
        return None
    codes = {s.id: s.destination.service_code for s in catalogue if s.destination is not None}
    return ReferenceReporter(outbox, state_dir / FILE_NAME, str(lookups.endpoint),
                             str(lookups.api_key), destinations, codes,
                             timeout_seconds=lookups.timeout_seconds)
