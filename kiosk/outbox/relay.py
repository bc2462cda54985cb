"""The relay: takes due rows from the outbox to their destinations, and copes when it can't.

Retries use full-jitter exponential backoff (AWS, "Exponential Backoff and Jitter") so a
fleet of kiosks coming back from one back-office outage does not arrive all at once. A row
that fails never holds up the rows behind it.

Poison rows (a server error that one row keeps getting while its destination accepts
others) become dead letters without marking the destination down: see `poison`.

Ambiguous outcomes: each row is marked durably before its request leaves (`mark_sending`).
A request whose answer was lost, or a mark a killed relay left behind, counts on the row as
ambiguous, so every duplicate a back office without idempotency may hold is explained.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Protocol

from kiosk.outbox.crypto import PayloadUnreadable
from kiosk.outbox.lock import RelayLock
from kiosk.outbox.open311 import Sender, SendResult
from kiosk.outbox.poison import PassView, PoisonJudge, server_error
from kiosk.outbox.store import Outbox, OutboxRow, State, UnknownSubmission
from kiosk.outbox.tokens import TOKEN_POLL_BASE, TOKEN_POLLS, poll_tokens
from kiosk.outbox.watch import DestinationWatch, Health
from kiosk.submission import Submission

logger = logging.getLogger(__name__)

__all__ = ["BASE_DELAY", "MAX_ATTEMPTS", "MAX_DELAY", "MAX_RETRY_AFTER", "POISON_AFTER",
           "PROBE_LIMIT", "TOKEN_POLLS", "Health", "Outcome", "Relay", "backoff_delay"]

BASE_DELAY = 2.0
MAX_DELAY = 15 * 60.0
MAX_ATTEMPTS = 50
MAX_RETRY_AFTER = 3600.0
POISON_AFTER = 5
PROBE_LIMIT = 3
BATCH = 200


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
    reason: str = ""
    ambiguous: bool = False

    @property
    def delivered(self) -> bool:
        return self.state == "delivered"


def backoff_delay(attempts: int, rng: Uniform, base: float = BASE_DELAY,
                  cap: float = MAX_DELAY) -> float:
    """Full jitter: uniform in [0, min(cap, base * 2**attempts)]; attempts made so far."""
    return rng.uniform(0.0, min(cap, base * 2.0 ** min(attempts, 64)))


@dataclass(frozen=True)
class _Ready:
    """A row about to be sent: marked as sending, its report decrypted."""

    row: OutboxRow
    sender: Sender
    submission: Submission
    ambiguous_before: int


def _send(ready: _Ready) -> SendResult:
    """The request itself (on a pool thread during a pass); a sender's bug is a retry."""
    try:
        return ready.sender.send(ready.submission)
    except Exception as exc:  # noqa: BLE001 - a sender bug must not stop the queue
        # Only the type: an exception's message may quote the submission.
        logger.error("sender for %s raised %s", ready.row.destination, type(exc).__name__)
        return SendResult("retry", "sender_error",
                          reason=f"The kiosk's sender failed ({type(exc).__name__})")


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
        poison_after: int = POISON_AFTER,
        probe_limit: int = PROBE_LIMIT,
        token_polls: int = TOKEN_POLLS,
    ) -> None:
        self._outbox = outbox
        self._senders = dict(senders)
        self._clock = clock
        self._rng = rng
        self._base, self._cap = base_delay, max_delay
        self._max_attempts = max_attempts
        self._max_retry_after = max_retry_after
        self._poison_after = poison_after
        self._probe_limit = max(1, probe_limit)
        self._token_polls = token_polls
        self._lock = RelayLock(outbox.path.with_name(outbox.path.name + ".relay.lock"))
        self._busy = threading.Lock()
        self._watch = DestinationWatch()
        self._poison = PoisonJudge(outbox, self._watch, poison_after)
        # Requests in flight at once during a pass: the most any sender allows.
        self._window = max([1, *(int(getattr(s, "concurrency", 1)) for s in self._senders.values())])
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
        return self._watch.health(destination)

    def deliver_due(self) -> list[Outcome]:
        """Attempt every due row once, then ask about any tokens due.

        After a destination fails without answering (a timeout, a refused connection) or asks
        us to wait, its other rows wait for the next pass: while a back office is down, each
        pass costs one request (and at most one timeout) per destination instead of one per
        queued row, so `deliver` stays quick. Server errors allow `probe_limit` in a row.

        A destination that is up (its last answer was a delivery) gets up to its sender's
        `concurrency` requests in flight at once, so a backlog drains at the back office's
        pace rather than one round trip at a time; one that is not is probed one request at a
        time. Results are judged in the order the rows were sent.
        """
        with self._busy, self.exclusive():
            now = self._clock()
            horizon = max(self._cap, self._max_retry_after)
            seen = PassView(self._probe_limit)
            slots: list[Outcome | None] = []
            flight: deque[tuple[int, _Ready, bool, Future[SendResult]]] = deque()
            busy: Counter[str] = Counter()

            def settle_oldest() -> None:
                index, ready, prior_ok, future = flight.popleft()
                busy[ready.row.destination] -= 1
                result = future.result()
                outcome = self._conclude(ready, result, deferred_health=True, checkpoint=False)
                slots[index] = outcome
                seen.judge(index, ready.row, outcome.state, result, prior_ok)

            with ThreadPoolExecutor(self._window, thread_name_prefix="relay-send") as pool:
                for row in self._due(now, horizon):
                    destination = row.destination
                    while flight and (len(flight) >= self._window
                                      or busy[destination] >= self._parallel(destination)):
                        settle_oldest()
                    if destination in seen.down or self._held(destination, now):
                        continue
                    ready = self._prepare(row)
                    slots.append(ready if isinstance(ready, Outcome) else None)
                    if isinstance(ready, Outcome):
                        continue
                    prior_ok = self._watch.other_delivered_last(destination, row.submission_id)
                    flight.append((len(slots) - 1, ready, prior_ok, pool.submit(_send, ready)))
                    busy[destination] += 1
                while flight:
                    settle_oldest()
            outcomes = [outcome for outcome in slots if outcome is not None]
            for index, reason in self._poison.settle(seen).items():
                outcomes[index] = _poisoned(outcomes[index], reason)
            self._outbox.checkpoint()
            poll_tokens(self._outbox, self._senders, self._clock(), polls=self._token_polls,
                        cap=self._cap)
            return outcomes

    def _parallel(self, destination: str) -> int:
        """Requests allowed in flight: the sender's concurrency once the destination is up."""
        if self._watch.health(destination) != "up":
            return 1
        return max(1, int(getattr(self._senders.get(destination), "concurrency", 1)))

    def _due(self, now: float, horizon: float) -> Iterator[OutboxRow]:
        """Every due row once, read a page at a time (a backlog of 10,000 rows after an
        outage stays a few hundred rows in memory)."""
        after: tuple[float, int] | None = None
        done: set[str] = set()
        newest = self._outbox.last_row_id()  # rows sent to us during the pass wait for the next
        while True:
            page = self._outbox.due_batch(now, through_id=newest, horizon=horizon, after=after,
                                          limit=BATCH)
            if not page:
                return
            for key, row in page:
                if row.submission_id not in done:  # rescheduled into this pass's window
                    done.add(row.submission_id)
                    yield row
                after = key
            # Delivered payloads leave the WAL file once per page, not once per row.
            self._outbox.checkpoint()

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
                prior_ok = self._watch.other_delivered_last(row.destination, submission_id)
                outcome, result = self._attempt(row, deferred_health=True)
                if outcome.state == "pending" and result is not None and server_error(result):
                    if prior_ok:  # the destination took another row last: this row's fault
                        reason = self._poison.strike(row, result)
                        return outcome if reason is None else _poisoned(outcome, reason)
                    self._watch.set_health(row.destination, "failing", result.detail)
                return outcome
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

    def _attempt(self, row: OutboxRow, *, deferred_health: bool = False
                 ) -> tuple[Outcome, SendResult | None]:
        """Send one row and record the result. With `deferred_health`, a server error leaves
        the destination's health for the caller to judge (poison or outage)."""
        ready = self._prepare(row)
        if isinstance(ready, Outcome):
            return ready, None
        result = _send(ready)
        return self._conclude(ready, result, deferred_health=deferred_health), result

    def _prepare(self, row: OutboxRow) -> _Ready | Outcome:
        """Everything before the request: the sender, the decrypted report, the durable
        "sending" mark. An Outcome when the row can never be sent."""
        sender = self._senders.get(row.destination)
        if sender is None:
            return self._dead(row, "unknown_destination", attempted=False, reason=(
                f"The profile has no destination named {row.destination!r} any more"))
        try:
            submission = self._outbox.open_payload(row.submission_id)
        except PayloadUnreadable:
            return self._dead(row, "payload_unreadable", attempted=False, reason=(
                "The stored report cannot be decrypted (wrong key or damaged row); it was "
                "never sent"))
        left_over = self._outbox.mark_sending(row.submission_id)
        if left_over:
            logger.warning("submission %s: the last relay stopped while sending it, so that "
                           "attempt is ambiguous (it may have arrived)", row.submission_id)
        return _Ready(row, sender, submission, row.ambiguous + int(left_over))

    def _conclude(self, ready: _Ready, result: SendResult, *, deferred_health: bool = False,
                  checkpoint: bool = True) -> Outcome:
        """Record what one request came to; without `checkpoint`, the caller checkpoints the
        WAL after a page of rows."""
        row, ambiguous_before = ready.row, ready.ambiguous_before
        if result.ambiguous:
            logger.warning("submission %s: request sent, answer lost (%s); marked ambiguous",
                           row.submission_id, result.detail)
        if result.kind == "permanent" and result.detail.endswith("_duplicate") and (
                ambiguous_before > 0):
            # An earlier attempt whose answer was lost did arrive: the council has it.
            result = SendResult("delivered", "duplicate_of_earlier_attempt", result.status,
                                reason="The back office already had this report from an "
                                "earlier attempt whose answer was lost")
        self._note(row, result, deferred_health)
        attempts = row.attempts + 1
        if result.kind == "delivered":
            poll_at = self._clock() + TOKEN_POLL_BASE if result.remote_token else None
            self._outbox.mark_delivered(row.submission_id, remote_id=result.remote_id,
                                        remote_token=result.remote_token, next_poll_at=poll_at,
                                        checkpoint=checkpoint)
            return Outcome(row.submission_id, "delivered", result.detail, attempts,
                           remote_id=result.remote_id, remote_token=result.remote_token,
                           reason=result.reason, ambiguous=result.ambiguous)
        if result.kind == "permanent":
            return self._dead(row, result.detail, attempted=True, reason=result.reason,
                              ambiguous=result.ambiguous)
        if attempts >= self._max_attempts:
            logger.error("submission %s gave up after %d attempts", row.submission_id, attempts)
            return self._dead(row, result.detail, attempted=True, ambiguous=result.ambiguous,
                              reason=f"Gave up after {attempts} attempts: {result.reason}")
        delay = backoff_delay(row.attempts, self._rng, self._base, self._cap)
        now = self._clock()
        if result.retry_after is not None:
            retry_after = min(result.retry_after, self._max_retry_after)
            delay = max(delay, retry_after)
            # The longest wait asked for wins: answers to requests in flight together may
            # each carry one.
            until = now + retry_after
            if self._held(row.destination, now):
                until = max(until, self._hold_until[row.destination])
            self._hold_until[row.destination] = until
        next_at = now + delay
        self._outbox.mark_retry(row.submission_id, next_attempt_at=next_at, error=result.detail,
                                reason=result.reason or None, ambiguous=result.ambiguous)
        return Outcome(row.submission_id, "pending", result.detail, attempts, next_at,
                       reason=result.reason, ambiguous=result.ambiguous)

    def _note(self, row: OutboxRow, result: SendResult, deferred_health: bool) -> None:
        if result.kind == "delivered":
            self._watch.note_outcome(row.destination, row.submission_id, True)
            self._watch.set_health(row.destination, "up", result.detail)
        elif result.kind == "retry":
            self._watch.note_outcome(row.destination, row.submission_id, False)
            if deferred_health and server_error(result):
                return
            auth = result.status in (401, 403) or result.detail.endswith("_api_key")
            self._watch.set_health(row.destination, "auth" if auth else "failing",
                                   result.detail)
        # A refusal (4xx) says the server answers, not that it takes reports: no change.

    def _dead(self, row: OutboxRow, detail: str, *, attempted: bool, reason: str = "",
              ambiguous: bool = False) -> Outcome:
        self._outbox.mark_dead(row.submission_id, error=detail, attempted=attempted,
                               reason=reason or None, ambiguous=ambiguous)
        logger.warning("submission %s dead-lettered (%s)", row.submission_id, detail)
        return Outcome(row.submission_id, "dead", detail, row.attempts + int(attempted),
                       reason=reason, ambiguous=ambiguous)


def _poisoned(outcome: Outcome, reason: str) -> Outcome:
    return replace(outcome, state="dead", detail="poison", next_attempt_at=None, reason=reason)


def _outcome(row: OutboxRow, detail: str) -> Outcome:
    return Outcome(row.submission_id, row.state, detail, row.attempts, row.next_attempt_at,
                   row.remote_id, row.remote_token, row.last_reason or "")
