"""The relay's heartbeat loop: one signed POST to the hub at once, then every interval.

Runs on its own daemon thread in the relay process, beside the delivery worker, so a slow
hub never delays a resident's report and a failing heartbeat never stops the relay. Like the
relay's destination health, problems are logged once when they start and once when they
end: an afternoon without the hub is two lines, not two hundred.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import requests

log = logging.getLogger(__name__)

Post = Callable[[str, bytes, float], int]


def _requests_post(session: requests.Session) -> Post:
    def post(url: str, data: bytes, timeout: float) -> int:
        answer = session.post(url, data=data, timeout=timeout, allow_redirects=False,
                              headers={"Content-Type": "application/json"})
        return answer.status_code

    return post


class HeartbeatSender:
    """Posts `make()`'s envelope to `url` every `interval_seconds` until stopped."""

    def __init__(self, make: Callable[[], bytes], url: str, interval_seconds: float,
                 timeout_seconds: float = 10.0, post: Post | None = None) -> None:
        self.make = make
        self.url = url
        self.interval = interval_seconds
        self.timeout = timeout_seconds
        self._session: requests.Session | None = None
        if post is None:
            self._session = requests.Session()
            post = _requests_post(self._session)
        self.post = post
        self._problem: str | None = None
        self._noting = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.sent = 0  # beats the hub accepted, for tests and the relay's own status

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("heartbeat already started")
        self._stop.clear()
        thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)
        thread.start()
        self._thread = thread

    def stop(self, timeout: float | None = None) -> None:
        """Stop after the beat in flight. A POST still waiting on a silent hub after
        `timeout` is left to its own timeout (the thread is a daemon): stopping the relay
        must never wait on, or fail because of, a heartbeat."""
        thread = self._thread
        if thread is not None:
            self._stop.set()
            thread.join(timeout)
            if thread.is_alive():
                log.warning("a heartbeat was still being sent at stop; not waiting for it")
                return
            self._thread = None
        if self._session is not None:
            self._session.close()

    def beat(self) -> str:
        """Send one heartbeat now; what happened as a short code ("accepted", "refused_401",
        "unreachable", "not_made")."""
        try:
            envelope = self.make()
        except Exception as exc:  # noqa: BLE001 - a broken beat must not end the loop
            return self._note("not_made", f"the heartbeat could not be made ({type(exc).__name__})")
        try:
            status = self.post(self.url, envelope, self.timeout)
        except requests.RequestException as exc:
            return self._note("unreachable", f"the hub at {self.url} did not answer "
                              f"({type(exc).__name__}); heartbeats continue")
        if 200 <= status < 300:
            self.sent += 1
            return self._note("accepted", "")
        advice = {401: "is this terminal registered with the hub, and not revoked?",
                  409: "the hub has a newer sequence number from this terminal",
                  400: "is the terminal's clock right?"}.get(status, "heartbeats continue")
        return self._note(f"refused_{status}", f"the hub refused the heartbeat with {status}: "
                          f"{advice}")

    def _note(self, outcome: str, message: str) -> str:
        problem = None if outcome == "accepted" else outcome
        with self._noting:  # a beat sent by hand (a test, a tool) may race the loop's
            changed, self._problem = problem != self._problem, problem
        if changed:
            if problem is None:
                log.info("heartbeats reach the hub again")
            else:
                log.warning("%s", message)
        return outcome

    def _run(self) -> None:
        while not self._stop.is_set():
            self.beat()
            self._stop.wait(self.interval)
