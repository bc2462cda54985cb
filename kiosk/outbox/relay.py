"""The relay: takes due rows from the outbox to their destinations, and copes when it can't.

Retries use full-jitter exponential backoff (AWS, "Exponential Backoff and Jitter") so a
fleet of kiosks coming back from one back-office outage does not arrive all at once. A row
that fails never holds up the rows behind it. Destination health is logged only when it
changes, as Home Assistant's update coordinator does: an outage is one line, not one per
retry.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Literal, Protocol

from kiosk.outbox.crypto import PayloadUnreadable
from kiosk.outbox.lock import RelayLock
from kiosk.outbox.open311 import Sender, SendResult
from kiosk.outbox.store import Outbox, OutboxRow, State, UnknownSubmission

logger = logging.getLogger(__name__)

BASE_DELAY = 2.0
MAX_DELAY = 15 * 60.0
MAX_ATTEMPTS = 50
MAX_RETRY_AFTER = 3600.0

Health = Literal["up", "failing", "auth"]


class Uniform(Protocol):
    """The one method of `random.Random` the relay needs, so tests can pin the jitter."""

    def uniform(self, a: float, b: float) -> float: ...


@dataclass(frozen=True)
class Outcome:
    """What one delivery attempt left behind; `delivered` lets the UI say "sent"."""

    submission_id: str
    state: State
    detail: str
    attempts: int
    next_attempt_at: float | None = None
    remote_id: str | None = None
    remote_token: str | None = None

    @property
    def delivered(self) -> bool:
        return self.state == "delivered"


def backoff_delay(attempts: int, rng: Uniform, base: float = BASE_DELAY,
                  cap: float = MAX_DELAY) -> float:
    """Full jitter: uniform in [0, min(cap, base * 2**attempts)]; attempts made so far."""
    return rng.uniform(0.0, min(cap, base * 2.0 ** min(attempts, 64)))


class Relay:
    """Delivers an outbox's rows. Only one relay per outbox file may deliver at a time."""

    def __init__(
        self,
        outbox: Outbox,
        senders: Mapping[str, Sender],
        clock: Callable[[], float],
        rng: Uniform,
        *,
        base_delay: float = BASE_DELAY,
        max_delay: float = MAX_DELAY,
        max_attempts: int = MAX_ATTEMPTS,
        max_retry_after: float = MAX_RETRY_AFTER,
    ) -> None:
        self._outbox = outbox
        self._senders = dict(senders)
        self._clock = clock
        self._rng = rng
        self._base, self._cap = base_delay, max_delay
        self._max_attempts = max_attempts
        self._max_retry_after = max_retry_after
        self._lock = RelayLock(outbox.path.with_name(outbox.path.name + ".relay.lock"))
        self._busy = threading.Lock()
        self._health: dict[str, Health] = {}
        self._hold_until: dict[str, float] = {}

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the outbox's relay lock; RelayBusy if another relay has it. Re-entrant."""
        self._lock.acquire()
        try:
            yield
        finally:
            self._lock.release()

    @property
    def outbox(self) -> Outbox:
        return self._outbox

    @property
    def destinations(self) -> tuple[str, ...]:
        """The destinations this relay can send to, in profile order."""
        return tuple(self._senders)

    def health(self, destination: str) -> Health | None:
        """The destination's state as of the last attempt; None before any attempt."""
        return self._health.get(destination)

    def deliver_due(self) -> list[Outcome]:
        """Attempt every due row once.

        After a destination fails with a retryable error, its other rows wait for the next
        pass: while a back office is down, each pass costs one request (and at most one
        timeout) per destination instead of one per queued row, so `deliver` stays quick.
        """
        with self._busy, self.exclusive():
            now = self._clock()
            horizon = max(self._cap, self._max_retry_after)
            outcomes: list[Outcome] = []
            failing: set[str] = set()
            for row in self._outbox.pending_due(now, horizon=horizon):
                if row.destination in failing or self._held(row.destination, now):
                    continue
                outcome = self._attempt(row)
                outcomes.append(outcome)
                if outcome.state == "pending":
                    failing.add(row.destination)
            return outcomes

    def deliver(self, submission_id: str, *, wait: float | None = None) -> Outcome:
        """Attempt one row now, whatever its schedule: used straight after Send.

        With `wait`, give up after that many seconds if a delivery pass is running, and
        report the row as still pending ("busy") rather than keep a resident waiting.
        """
        if not self._busy.acquire(timeout=-1 if wait is None else wait):
            return self._unchanged(submission_id, "busy")
        try:
            with self.exclusive():
                row = self._outbox.get(submission_id)
                if row is None:
                    raise UnknownSubmission(submission_id)
                if row.state != "pending":
                    return _outcome(row, f"already_{row.state}")
                if self._held(row.destination, self._clock()):
                    return _outcome(row, "deferred")
                return self._attempt(row)
        finally:
            self._busy.release()

    def _unchanged(self, submission_id: str, detail: str) -> Outcome:
        row = self._outbox.get(submission_id)
        if row is None:
            raise UnknownSubmission(submission_id)
        return _outcome(row, detail)

    def _held(self, destination: str, now: float) -> bool:
        until = self._hold_until.get(destination)
        # A hold further away than any Retry-After we honour means the clock went back.
        return until is not None and now < until <= now + self._max_retry_after

    def _attempt(self, row: OutboxRow) -> Outcome:
        sender = self._senders.get(row.destination)
        if sender is None:
            return self._dead(row, "unknown_destination", attempted=False)
        try:
            submission = self._outbox.open_payload(row.submission_id)
        except PayloadUnreadable:
            return self._dead(row, "payload_unreadable", attempted=False)
        try:
            result = sender.send(submission)
        except Exception as exc:  # noqa: BLE001 - a sender bug must not stop the queue
            # Only the type: an exception's message may quote the submission.
            logger.error("sender for %s raised %s", row.destination, type(exc).__name__)
            result = SendResult("retry", "sender_error")
        self._note_health(row.destination, result)
        attempts = row.attempts + 1
        if result.kind == "delivered":
            self._outbox.mark_delivered(row.submission_id, remote_id=result.remote_id,
                                        remote_token=result.remote_token)
            return Outcome(row.submission_id, "delivered", result.detail, attempts,
                           remote_id=result.remote_id, remote_token=result.remote_token)
        if result.kind == "permanent":
            return self._dead(row, result.detail, attempted=True)
        if attempts >= self._max_attempts:
            logger.error("submission %s gave up after %d attempts", row.submission_id, attempts)
            return self._dead(row, result.detail, attempted=True)
        delay = backoff_delay(row.attempts, self._rng, self._base, self._cap)
        now = self._clock()
        if result.retry_after is not None:
            retry_after = min(result.retry_after, self._max_retry_after)
            delay = max(delay, retry_after)
            self._hold_until[row.destination] = now + retry_after
        next_at = now + delay
        self._outbox.mark_retry(row.submission_id, next_attempt_at=next_at, error=result.detail)
        return Outcome(row.submission_id, "pending", result.detail, attempts, next_at)

    def _dead(self, row: OutboxRow, detail: str, *, attempted: bool) -> Outcome:
        self._outbox.mark_dead(row.submission_id, error=detail, attempted=attempted)
        logger.warning("submission %s dead-lettered (%s)", row.submission_id, detail)
        return Outcome(row.submission_id, "dead", detail, row.attempts + int(attempted))

    def _note_health(self, destination: str, result: SendResult) -> None:
        if result.kind != "retry":
            health: Health = "up"
        elif result.status in (401, 403):
            health = "auth"
        else:
            health = "failing"
        previous = self._health.get(destination)
        self._health[destination] = health
        if health == previous:
            return
        if health == "up":
            if previous is not None:
                logger.info("destination %s recovered", destination)
        elif health == "auth":
            logger.error("destination %s refuses our credentials (%s): check its api_key "
                         "in the profile; submissions are kept and retried",
                         destination, result.detail)
        else:
            logger.warning("destination %s unavailable (%s); submissions are kept and retried",
                           destination, result.detail)


def _outcome(row: OutboxRow, detail: str) -> Outcome:
    return Outcome(row.submission_id, row.state, detail, row.attempts, row.next_attempt_at,
                   row.remote_id, row.remote_token)


class RelayWorker:
    """Runs a relay on a daemon thread: every interval, or at once when kicked."""

    def __init__(self, relay: Relay, interval_seconds: float = 30.0,
                 on_pass: Callable[[list[Outcome]], None] | None = None) -> None:
        self._relay = relay
        self._interval = interval_seconds
        self._on_pass = on_pass
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._held = ExitStack()

    def start(self) -> None:
        """Take the relay lock (RelayBusy if another relay has it), then start delivering."""
        if self._thread is not None:
            raise RuntimeError("relay worker already started")
        self._held.enter_context(self._relay.exclusive())
        self._stop.clear()
        self._wake.set()  # first pass at once: rows may have waited through a restart
        thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)
        try:
            thread.start()
        except BaseException:
            self._held.close()
            raise
        self._thread = thread

    def kick(self) -> None:
        self._wake.set()

    def stop(self, timeout: float | None = None) -> None:
        """Stop and join the thread, then release the lock; TimeoutError if it won't end."""
        thread = self._thread
        if thread is None:
            return
        self._stop.set()
        self._wake.set()
        thread.join(timeout)
        if thread.is_alive():
            raise TimeoutError("relay thread is still delivering; call stop() again")
        self._thread = None
        self._held.close()

    def _run(self) -> None:
        while True:
            self._wake.wait(self._interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                outcomes = self._relay.deliver_due()
                if self._on_pass is not None:
                    self._on_pass(outcomes)
            except Exception as exc:  # noqa: BLE001 - the next pass may succeed
                logger.error("relay pass failed: %s", type(exc).__name__)
