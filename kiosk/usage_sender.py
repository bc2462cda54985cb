"""The relay's usage-event loop: batches from the buffer to `{hub}/kiosk/v1/events`.

Beside the heartbeat (`kiosk.heartbeat_sender`), on its own daemon thread, signed the same
way (`kiosk.usage_events.batch_envelope`). A batch is deleted only after a 200; anything else
keeps it, and the same batch (same id) is sent again after a growing pause, so a terminal
offline for a week sends its week when the hub is back, and a batch whose answer was lost is
counted once by the hub. A 422 (the hub says the batch is invalid) drops that batch,
counted, rather than holding back every event behind it. Problems are logged once when they
start and once when they end.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable

import requests

from kiosk.device_identity import DeviceKeys
from kiosk.usage_buffer import UsageBuffer
from kiosk.usage_events import EventBatch, batch_envelope, sent_at

log = logging.getLogger(__name__)

Post = Callable[[str, bytes, float], int]
FIRST_BACKOFF = 5.0
MAX_BACKOFF = 900.0


class UsageSender:
    def __init__(self, buffer: UsageBuffer, keys: DeviceKeys, url: str, *,
                 interval_seconds: float = 60.0, timeout_seconds: float = 10.0,
                 wall: Callable[[], float], post: Post | None = None,
                 rng: random.Random | None = None, first_backoff: float = FIRST_BACKOFF) -> None:
        self.buffer = buffer
        self.keys = keys
        self.url = url
        self.interval = interval_seconds
        self.timeout = timeout_seconds
        self.wall = wall
        self._session: requests.Session | None = None
        if post is None:
            session = self._session = requests.Session()

            def post(url: str, data: bytes, timeout: float) -> int:
                answer = session.post(url, data=data, timeout=timeout, allow_redirects=False,
                                      headers={"Content-Type": "application/json"})
                return answer.status_code

        self.post: Post = post
        self.rng = rng or random.Random()
        self.first_backoff = first_backoff
        self._problem: str | None = None
        self._failures = 0
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.sent = 0  # events the hub accepted, for tests and status

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("usage sender already started")
        self._stop.clear()
        thread = threading.Thread(target=self._run, name="usage-events", daemon=True)
        thread.start()
        self._thread = thread

    def stop(self, timeout: float | None = None) -> None:
        """Stop after the batch in flight; a POST stuck on a silent hub is left to its own
        timeout (a daemon thread): the batch stays in the buffer and goes next time."""
        thread = self._thread
        if thread is not None:
            self._stop.set()
            self._wake.set()
            thread.join(timeout)
            if thread.is_alive():
                log.warning("usage events were still being sent at stop; not waiting")
                return
            self._thread = None
        if self._session is not None:
            self._session.close()
        self.buffer.close()

    def kick(self) -> None:
        self._wake.set()

    def send_once(self) -> str:
        """Send the next batch; a short code: "sent", "empty", "rejected", "unreachable",
        "refused_<status>", "broken"."""
        try:
            batch = self.buffer.cut()
        except Exception as exc:  # noqa: BLE001 - a locked or broken file must not end the loop
            return self._note("broken", f"the usage buffer cannot be read ({type(exc).__name__})")
        if batch is None:
            return self._note("empty", "")
        body = EventBatch(batch_id=batch.batch_id, sent_at=sent_at(self.wall()),
                          events=list(batch.events))
        try:
            status = self.post(self.url, batch_envelope(self.keys, body), self.timeout)
        except requests.RequestException as exc:
            return self._note("unreachable", f"the hub at {self.url} did not take usage events "
                              f"({type(exc).__name__}); they wait on the terminal")
        if status == 200:
            self.buffer.delete_batch(batch.batch_id)
            self.sent += len(batch.events)
            return self._note("sent", "")
        if status == 422:
            gone = self.buffer.reject_batch(batch.batch_id)
            log.error("the hub refused a batch of %d usage events as invalid (422); dropped "
                      "(do the terminal's and the hub's versions match?)", gone)
            return self._note("rejected", "")
        advice = {401: "is this terminal registered with the hub, and not revoked?",
                  403: "is this terminal registered with the hub, and not revoked?",
                  404: "does the hub take usage events (/kiosk/v1/events)?"}.get(
                      status, "usage events wait on the terminal")
        return self._note(f"refused_{status}", f"the hub refused usage events with {status}: "
                          f"{advice}")

    def _note(self, outcome: str, message: str) -> str:
        problem = None if outcome in ("sent", "empty", "rejected") else outcome
        self._failures = 0 if problem is None else self._failures + 1
        if problem != self._problem:
            if problem is None:
                log.info("usage events reach the hub again")
            else:
                log.warning("%s", message)
        self._problem = problem
        return outcome

    def pause_after(self, outcome: str) -> float:
        """How long to wait before the next try: none while batches go through, the
        interval when there is nothing to send, a growing jittered pause after a failure."""
        if outcome in ("sent", "rejected"):
            return 0.0
        if outcome == "empty":
            return self.interval
        backoff = min(MAX_BACKOFF, self.first_backoff * 2.0 ** min(self._failures - 1, 16))
        return backoff * self.rng.uniform(0.8, 1.2)

    def _run(self) -> None:
        while not self._stop.is_set():
            pause = self.pause_after(self.send_once())
            if pause > 0:
                self._wake.wait(pause)
                self._wake.clear()
