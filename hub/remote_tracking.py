"""Asking another back office where a request kiosks delivered to it has got to.

For a reference the hub did not receive itself, a kiosk has reported the destination and
the id (or token) that back office gave it (`hub.tracked`). If the hub's settings file has a
section for that destination, the hub asks its Open311 server: `tokens/{token}` first when
there is no id yet (the id it gives is kept), then `requests/{id}`. Answers are cached for
the destination's `cache_seconds` (a resident pressing "check again" and a phone reloading
the status page cost one request a minute, not one each), a failure for a few seconds.

Every failure is `CannotCheck` with a short reason for the log: a timeout, a refused
connection, an error status, an HTML page, a body that is no request. The caller then says
"we cannot check this right now"; nothing of the answer's body is ever shown or logged.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

import requests

from hub.remote_answers import BadAnswer, State, first_record, moment, state_of
from hub.settings_file import TrackedDestination
from hub.tracked import Tracked

log = logging.getLogger("hub.tracking")

MAX_BODY = 256 * 1024
FAILURE_CACHE_SECONDS = 10.0
CACHE_ENTRIES = 2000
CONNECT_TIMEOUT = 3.0


@dataclass(frozen=True)
class RemoteStatus:
    """What the back office says, in the hub's terms."""

    state: State
    status: str
    notes: str
    service_name: str
    requested: datetime | None
    updated: datetime | None


class CannotCheck(Exception):
    """The back office could not be asked or gave no usable answer; `reason` is a code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


Outcome = RemoteStatus | CannotCheck
Resolved = Callable[[str, str], None]


class RemoteTracker:
    """One per hub process; thread-safe (lookups run in worker threads)."""

    def __init__(self, destinations: Mapping[str, TrackedDestination], *,
                 on_resolved: Resolved | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 http: requests.Session | None = None) -> None:
        self._destinations = dict(destinations)
        self._on_resolved = on_resolved
        self._clock = clock
        self._http = http or requests.Session()
        self._cache: OrderedDict[str, tuple[float, Outcome]] = OrderedDict()
        self._lock = threading.Lock()

    def knows(self, destination: str) -> bool:
        """Whether the settings file says how to ask this destination."""
        return destination in self._destinations

    def close(self) -> None:
        self._http.close()

    def status(self, tracked: Tracked) -> RemoteStatus:
        """The request's status at its back office; CannotCheck if that cannot be had now."""
        settings = self._destinations.get(tracked.destination)
        if settings is None:
            raise CannotCheck("not_configured")
        now = self._clock()
        with self._lock:
            cached = self._cache.get(tracked.reference)
            if cached is not None and cached[0] > now:
                outcome = cached[1]
                if isinstance(outcome, CannotCheck):
                    raise outcome
                return outcome
        outcome = self._ask(settings, tracked)
        keep = settings.cache_seconds if isinstance(outcome, RemoteStatus) else min(
            FAILURE_CACHE_SECONDS, settings.cache_seconds)
        with self._lock:
            self._cache[tracked.reference] = (self._clock() + keep, outcome)
            self._cache.move_to_end(tracked.reference)
            while len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)
        if isinstance(outcome, CannotCheck):
            log.info("tracking destination=%s cannot_check=%s", tracked.destination,
                     outcome.reason)
            raise outcome
        return outcome

    def _ask(self, settings: TrackedDestination, tracked: Tracked) -> Outcome:
        """At most `timeout_seconds` in all, the token's request and the request's together:
        a resident is waiting at a kiosk whose own timeout is only a little longer."""
        deadline = time.monotonic() + settings.timeout_seconds
        try:
            remote_id = tracked.remote_id
            if remote_id is None and tracked.remote_token:
                remote_id = self._resolve(settings, tracked, deadline)
                if remote_id is None:  # the back office has it, but has no id for it yet
                    return RemoteStatus("received", "open", "", "", None, None)
            if remote_id is None:
                return CannotCheck("no_remote_id")
            record = self._get(settings, f"requests/{quote(remote_id, safe='')}", deadline)
            return RemoteStatus(
                state=state_of(record.get("status", "")),
                status=record.get("status", "").lower(),
                notes=record.get("status_notes", "")[:2000],
                service_name=record.get("service_name", "")[:200],
                requested=moment(record.get("requested_datetime", "")),
                updated=moment(record.get("updated_datetime", "")),
            )
        except CannotCheck as failed:
            return failed

    def _resolve(self, settings: TrackedDestination, tracked: Tracked, deadline: float
                 ) -> str | None:
        token = tracked.remote_token or ""
        record = self._get(settings, f"tokens/{quote(token, safe='')}", deadline)
        remote_id = record.get("service_request_id", "").strip() or None
        if remote_id is not None and self._on_resolved is not None:
            try:
                self._on_resolved(tracked.reference, remote_id[:255])
            except Exception as exc:  # noqa: BLE001 - keeping the id is an optimisation
                log.warning("tracking: could not keep a resolved id: %s", type(exc).__name__)
        return remote_id

    def _get(self, settings: TrackedDestination, path: str, deadline: float
             ) -> Mapping[str, str]:
        left = deadline - time.monotonic()
        if left <= 0:
            raise CannotCheck("timeout")
        url = f"{settings.base()}/{path}.{settings.format}"
        params: dict[str, str] = {}
        if settings.jurisdiction_id:
            params["jurisdiction_id"] = settings.jurisdiction_id
        if settings.api_key is not None:
            params["api_key"] = settings.api_key.get_secret_value()
        accept = "application/json" if settings.format == "json" else "text/xml"
        try:
            with self._http.get(url, params=params, timeout=(min(CONNECT_TIMEOUT, left), left),
                                allow_redirects=False, stream=True,
                                headers={"Accept": accept}) as response:
                body = self._read(response, deadline)
                status = response.status_code
                content_type = response.headers.get("content-type", "")
        except requests.Timeout:
            raise CannotCheck("timeout") from None
        except requests.ConnectionError:
            raise CannotCheck("unreachable") from None
        except requests.RequestException as exc:
            raise CannotCheck(type(exc).__name__.lower()[:40]) from None
        if status != 200:
            raise CannotCheck(f"http_{status}")
        try:
            return first_record(body, content_type)
        except BadAnswer as bad:
            raise CannotCheck(bad.reason) from None

    @staticmethod
    def _read(response: requests.Response, deadline: float) -> bytes:
        """The body, at most MAX_BODY bytes, by the deadline (a trickle counts)."""
        body = bytearray()
        for chunk in response.iter_content(16 * 1024):
            body += chunk
            if len(body) > MAX_BODY:
                raise CannotCheck("answer_too_large")
            if time.monotonic() > deadline:
                raise CannotCheck("timeout")
        return bytes(body)
