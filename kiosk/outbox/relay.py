"""The relay: takes due rows from the outbox to their destinations, and copes when it can't.

Retries use full-jitter exponential backoff (AWS, "Exponential Backoff and Jitter") so a
fleet of kiosks coming back from one back-office outage does not arrive all at once. A row
that fails never holds up the rows behind it.

Poison rows: a server error (5xx) that one row keeps getting while the same destination
accepts other rows is that row's fault (a back office that chokes on its location, say), not
an outage. After a 5xx the pass tries the destination's next row too (up to `probe_limit`
5xx in a row before it treats the destination as down); a row whose 5xx came while the
destination delivered another row, in the same pass or just before, earns a strike, and
`poison_after` strikes make it a dead letter with the server's reason. Such 5xx never mark
the destination down.

Ambiguous outcomes: each row is marked durably before its request leaves (`mark_sending`).
A request whose answer was lost, or a mark a killed relay left behind, counts on the row as
ambiguous, so every duplicate a back office without idempotency may hold is explained.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Protocol

from kiosk.outbox.crypto import PayloadUnreadable
from kiosk.outbox.lock import RelayLock
from kiosk.outbox.open311 import Sender, SendResult
from kiosk.outbox.store import Outbox, OutboxRow, State, UnknownSubmission
from kiosk.outbox.tokens import TOKEN_POLL_BASE, TOKEN_POLLS, poll_tokens
from kiosk.outbox.watch import DestinationWatch, Health

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


def _server_error(result: SendResult) -> bool:
    """A 5xx answer that does not ask us to wait: the row or the server may be at fault."""
    return result.status is not None and result.status >= 500 and result.retry_after is None


@dataclass
class _Pass:
    """One delivery pass's view of each destination."""

    delivered: set[str] = field(default_factory=set)
    down: set[str] = field(default_factory=set)
    streak: dict[str, int] = field(default_factory=dict)
    # destination -> (index in outcomes, row, result, the destination's prior answer was OK)
    server_errors: dict[str, list[tuple[int, OutboxRow, SendResult, bool]]] = field(
        default_factory=dict)


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
        """
        with self._busy, self.exclusive():
            now = self._clock()
            horizon = max(self._cap, self._max_retry_after)
            outcomes: list[Outcome] = []
            seen = _Pass()
            for row in self._due(now, horizon):
                destination = row.destination
                if destination in seen.down or self._held(destination, now):
                    continue
                prior_ok = self._watch.other_delivered_last(destination, row.submission_id)
                outcome, result = self._attempt(row, deferred_health=True, checkpoint=False)
                outcomes.append(outcome)
                if outcome.state == "delivered":
                    seen.delivered.add(destination)
                    seen.streak[destination] = 0
                elif outcome.state == "pending" and result is not None and _server_error(result):
                    seen.server_errors.setdefault(destination, []).append(
                        (len(outcomes) - 1, row, result, prior_ok))
                    seen.streak[destination] = seen.streak.get(destination, 0) + 1
                    if seen.streak[destination] >= self._probe_limit:
                        seen.down.add(destination)
                elif outcome.state == "pending":
                    seen.down.add(destination)
            self._settle_server_errors(seen, outcomes)
            self._outbox.checkpoint()
            poll_tokens(self._outbox, self._senders, self._clock(), polls=self._token_polls,
                        cap=self._cap)
            return outcomes

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
                if outcome.state == "pending" and result is not None and _server_error(result):
                    if prior_ok:  # the destination took another row last: this row's fault
                        return self._strike(outcome, row, result)
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

    def _attempt(self, row: OutboxRow, *, deferred_health: bool = False,
                 checkpoint: bool = True) -> tuple[Outcome, SendResult | None]:
        """Send one row and record the result. With `deferred_health`, a server error leaves
        the destination's health for the caller to judge (poison or outage); without
        `checkpoint`, the caller checkpoints the WAL after a page of rows."""
        sender = self._senders.get(row.destination)
        if sender is None:
            return self._dead(row, "unknown_destination", attempted=False, reason=(
                f"The profile has no destination named {row.destination!r} any more")), None
        try:
            submission = self._outbox.open_payload(row.submission_id)
        except PayloadUnreadable:
            return self._dead(row, "payload_unreadable", attempted=False, reason=(
                "The stored report cannot be decrypted (wrong key or damaged row); it was "
                "never sent")), None
        left_over = self._outbox.mark_sending(row.submission_id)
        if left_over:
            logger.warning("submission %s: the last relay stopped while sending it, so that "
                           "attempt is ambiguous (it may have arrived)", row.submission_id)
        ambiguous_before = row.ambiguous + int(left_over)
        try:
            result = sender.send(submission)
        except Exception as exc:  # noqa: BLE001 - a sender bug must not stop the queue
            # Only the type: an exception's message may quote the submission.
            logger.error("sender for %s raised %s", row.destination, type(exc).__name__)
            result = SendResult("retry", "sender_error",
                                reason=f"The kiosk's sender failed ({type(exc).__name__})")
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
                           reason=result.reason, ambiguous=result.ambiguous), result
        if result.kind == "permanent":
            return self._dead(row, result.detail, attempted=True, reason=result.reason,
                              ambiguous=result.ambiguous), result
        if attempts >= self._max_attempts:
            logger.error("submission %s gave up after %d attempts", row.submission_id, attempts)
            return self._dead(row, result.detail, attempted=True, ambiguous=result.ambiguous,
                              reason=f"Gave up after {attempts} attempts: {result.reason}"
                              ), result
        delay = backoff_delay(row.attempts, self._rng, self._base, self._cap)
        now = self._clock()
        if result.retry_after is not None:
            retry_after = min(result.retry_after, self._max_retry_after)
            delay = max(delay, retry_after)
            self._hold_until[row.destination] = now + retry_after
        next_at = now + delay
        self._outbox.mark_retry(row.submission_id, next_attempt_at=next_at, error=result.detail,
                                reason=result.reason or None, ambiguous=result.ambiguous)
        return Outcome(row.submission_id, "pending", result.detail, attempts, next_at,
                       reason=result.reason, ambiguous=result.ambiguous), result

    def _note(self, row: OutboxRow, result: SendResult, deferred_health: bool) -> None:
        if result.kind == "delivered":
            self._watch.note_outcome(row.destination, row.submission_id, True)
            self._watch.set_health(row.destination, "up", result.detail)
        elif result.kind == "retry":
            self._watch.note_outcome(row.destination, row.submission_id, False)
            if deferred_health and _server_error(result):
                return
            auth = result.status in (401, 403) or result.detail.endswith("_api_key")
            self._watch.set_health(row.destination, "auth" if auth else "failing",
                                   result.detail)
        # A refusal (4xx) says the server answers, not that it takes reports: no change.

    def _settle_server_errors(self, seen: _Pass, outcomes: list[Outcome]) -> None:
        """End of a pass: each 5xx is the row's fault (a strike) if the destination took
        another row in this pass, or took another row last and did not look down after."""
        for destination, failures in seen.server_errors.items():
            delivered = destination in seen.delivered
            looks_down = destination in seen.down and not delivered
            struck = False
            for index, row, result, prior_ok in failures:
                if delivered or (prior_ok and not looks_down):
                    outcomes[index] = self._strike(outcomes[index], row, result)
                    struck = True
            if not delivered and not struck:
                self._watch.set_health(destination, "failing", failures[-1][2].detail)

    def _strike(self, outcome: Outcome, row: OutboxRow, result: SendResult) -> Outcome:
        strikes = self._outbox.add_strike(row.submission_id)
        if strikes < self._poison_after:
            return outcome
        reason = (f"Refused with a server error {strikes} times while other reports to "
                  f"{row.destination} were delivered, so the fault is in this report: "
                  f"{result.reason}")
        # The row was rescheduled by its attempt; as a dead letter it must not be sent again.
        self._outbox.mark_dead(row.submission_id, error="poison", attempted=False, reason=reason)
        logger.warning("submission %s dead-lettered as poison after %d server errors (%s)",
                       row.submission_id, strikes, result.detail)
        return replace(outcome, state="dead", detail="poison", next_attempt_at=None,
                       reason=reason)

    def _dead(self, row: OutboxRow, detail: str, *, attempted: bool, reason: str = "",
              ambiguous: bool = False) -> Outcome:
        self._outbox.mark_dead(row.submission_id, error=detail, attempted=attempted,
                               reason=reason or None, ambiguous=ambiguous)
        logger.warning("submission %s dead-lettered (%s)", row.submission_id, detail)
        return Outcome(row.submission_id, "dead", detail, row.attempts + int(attempted),
                       reason=reason, ambiguous=ambiguous)


def _outcome(row: OutboxRow, detail: str) -> Outcome:
    return Outcome(row.submission_id, row.state, detail, row.attempts, row.next_attempt_at,
                   row.remote_id, row.remote_token, row.last_reason or "")
