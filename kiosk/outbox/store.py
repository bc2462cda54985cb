"""The outbox: where a submission waits, encrypted and fsync'd, until the council has it.

The confirmation screen tells a resident their report is saved, so `enqueue` must not return
before the row would survive a crash or power cut: every connection runs WAL with
`synchronous=FULL`, which fsyncs the log on each commit. SQLite rather than files because
it gives atomic, crash-consistent updates of one row's state for free (the argument Anki
makes for keeping profiles in SQLite).

Timestamps (`accepted_at`, `next_attempt_at`, `delivered_at`) are epoch seconds from the
injected clock, not monotonic ones, because a retry schedule must survive a reboot. The
relay guards against the wall clock jumping backwards (see `pending_due`'s horizon).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Literal, cast

from kiosk.outbox import remote_refs
from kiosk.outbox.accept import DuplicateReference, Enqueued, check_batch, insert_rows
from kiosk.outbox.crypto import PayloadCipher, PayloadUnreadable
from kiosk.outbox.db import OutboxError, connect, create_private_file, migrate
from kiosk.outbox.dead_letters import (
    DiscardResult,
    HistoryEntry,
    RequeueResult,
    discard_row,
    erase_marked,
    expire_rows,
    history_of,
    note,
    requeue_row,
)
from kiosk.outbox.remote_refs import RemoteRef
from kiosk.submission import Submission

logger = logging.getLogger(__name__)
# How long erasing waits for other connections to let the WAL be emptied.
SETTLE_SECONDS = 5.0

State = Literal["pending", "delivered", "dead"]
_COLUMNS = (
    "submission_id, reference, destination, created_at, accepted_at, state, attempts, "
    "next_attempt_at, last_error, remote_id, remote_token, delivered_at, payload IS NOT NULL, "
    "service_id, dead_at, erased_at, discarded_at, "
    "sending_at IS NOT NULL, ambiguous, poison_strikes, last_reason, part"
)
__all__ = ["DuplicateReference", "Enqueued", "Outbox", "OutboxRow", "State", "UnknownSubmission"]



class UnknownSubmission(LookupError):
    """No row has this submission id."""


@dataclass(frozen=True)
class OutboxRow:
    """A row's metadata. Never the payload: nothing outside the relay needs to read it."""

    submission_id: str
    reference: str
    destination: str
    created_at: str
    accepted_at: float
    state: State
    attempts: int
    next_attempt_at: float | None
    last_error: str | None
    remote_id: str | None
    remote_token: str | None
    delivered_at: float | None
    has_payload: bool
    service_id: str | None = None
    dead_at: float | None = None
    # When the payload was destroyed without delivery (discarded, or expired by retention).
    erased_at: float | None = None
    # When IT dismissed the dead letter (`kiosk outbox discard`): no longer counted or listed.
    discarded_at: float | None = None
    # A request was on its way when the last relay stopped: its outcome is unknown.
    in_flight: bool = False
    # Attempts whose request left but whose answer was lost (each may have arrived).
    ambiguous: int = 0
    # Server errors while the same destination accepted other rows (see Relay: poison).
    poison_strikes: int = 0
    # The last failure as a sentence for staff: plain text, nothing the resident typed.
    last_reason: str | None = None
    # Which delivery of a "tell us once" submission this row is ("" for one destination).
    part: str = ""

    @property
    def expired(self) -> bool:
        """Dead-lettered by the retention limit, its payload destroyed, not yet dismissed."""
        return self.erased_at is not None and self.discarded_at is None


def _row(values: tuple[object, ...]) -> OutboxRow:
    v = cast(tuple[str, str, str, str, float, State, int, float | None, str | None,
                   str | None, str | None, float | None, int, str | None, float | None,
                   float | None, float | None, int, int, int, str | None, str], values)
    return OutboxRow(*v[:12], has_payload=bool(v[12]), service_id=v[13], dead_at=v[14],
                     erased_at=v[15], discarded_at=v[16], in_flight=bool(v[17]),
                     ambiguous=v[18], poison_strikes=v[19], last_reason=v[20], part=v[21])


class Outbox:
    """One outbox file. Thread-safe: the UI enqueues while the relay thread delivers."""

    def __init__(self, path: Path, key: bytes, clock: Callable[[], float] = time.time) -> None:
        self._path = path
        self._cipher = PayloadCipher(key)
        self._clock = clock
        self._lock = threading.Lock()
        create_private_file(path)
        self._conn: sqlite3.Connection | None = connect(path)
        try:
            with self._transaction() as conn:
                migrate(conn, path)
                unfinished = erase_marked(conn)
            if unfinished:  # a crash came between the two steps of an erasure
                self._settle()
        except BaseException:
            self.close()
            raise

    @property
    def path(self) -> Path:
        return self._path

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._conn is None:
                raise OutboxError("outbox is closed")
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def _query(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with self._lock:
            if self._conn is None:
                raise OutboxError("outbox is closed")
            return self._conn.execute(sql, params).fetchall()

    def enqueue(self, submission: Submission) -> Enqueued:
        """Accept a submission; returns only once the row is durably committed.

        A repeat of a submission id already accepted (a double tap, a re-render) returns
        the original row's reference with `duplicate=True` and changes nothing.
        """
        return self.enqueue_all((submission,))

    def enqueue_all(self, submissions: Sequence[Submission]) -> Enqueued:
        """Accept every row of one submission ("tell us once": one per delivery, sharing the
        reference) in ONE transaction: all are durably committed, or none is. A repeat is a
        duplicate, as for `enqueue` (the answer names the first row)."""
        check_batch(submissions)
        payloads = [self._cipher.seal(s.submission_id, s.destination, s.to_json().encode())
                    for s in submissions]
        with self._transaction() as conn:
            return insert_rows(conn, submissions, payloads, self._clock())

    def get(self, submission_id: str) -> OutboxRow | None:
        found = self._query(f"SELECT {_COLUMNS} FROM outbox WHERE submission_id = ?",
                            (submission_id,))
        return _row(found[0]) if found else None

    def pending_due(self, now: float, *, horizon: float | None = None) -> list[OutboxRow]:
        """Pending rows whose next attempt is due, oldest schedule first.

        With a horizon, a row scheduled more than `horizon` seconds ahead is also due: no
        schedule is ever set that far out, so the wall clock must have jumped backwards,
        and waiting for it to catch up could strand the row for hours.
        """
        sql = f"SELECT {_COLUMNS} FROM outbox WHERE state = 'pending' AND (next_attempt_at <= ?"
        params: tuple[object, ...] = (now,)
        if horizon is not None:
            sql += " OR next_attempt_at > ?"
            params += (now + horizon,)
        return [_row(r) for r in self._query(sql + ") ORDER BY next_attempt_at, id", params)]

    def last_row_id(self) -> int:
        """The newest row's id (0 when empty): a pass covers the rows up to it."""
        return int(cast(int, self._query("SELECT coalesce(max(id), 0) FROM outbox")[0][0]))

    def due_batch(self, now: float, *, through_id: int, horizon: float | None = None,
                  after: tuple[float, int] | None = None, limit: int = 500
                  ) -> list[tuple[tuple[float, int], OutboxRow]]:
        """Like `pending_due`, a page at a time and only rows up to `through_id`: rows after
        the `after` key, each with its key ((next_attempt_at, id)) for the next page. A
        backlog of any size is then walked in bounded memory."""
        sql = (f"SELECT next_attempt_at, id, {_COLUMNS} FROM outbox WHERE state = 'pending' "
               "AND id <= ? AND (next_attempt_at <= ?")
        params: tuple[object, ...] = (through_id, now)
        if horizon is not None:
            sql += " OR next_attempt_at > ?"
            params += (now + horizon,)
        sql += ")"
        if after is not None:
            sql += " AND (next_attempt_at, id) > (?, ?)"
            params += after
        found = self._query(sql + " ORDER BY next_attempt_at, id LIMIT ?", (*params, limit))
        return [((cast(float, r[0]), cast(int, r[1])), _row(r[2:])) for r in found]

    def open_payload(self, submission_id: str) -> Submission:
        """Decrypt a row's submission; PayloadUnreadable means it must never be sent."""
        found = self._query(
            "SELECT destination, payload FROM outbox WHERE submission_id = ?", (submission_id,)
        )
        if not found:
            raise UnknownSubmission(submission_id)
        destination, payload = cast(tuple[str, object], found[0])
        if not isinstance(payload, bytes):
            raise PayloadUnreadable("row holds no payload")
        plaintext = self._cipher.open(submission_id, destination, payload)
        try:
            submission = Submission.from_json(plaintext.decode())
        except (UnicodeDecodeError, ValueError, TypeError):
            raise PayloadUnreadable("payload does not decode to a submission") from None
        if (submission.submission_id, submission.destination) != (submission_id, destination):
            raise PayloadUnreadable("payload does not match its row")
        return submission

    def depth(self) -> int:
        return int(cast(int, self._query(
            "SELECT count(*) FROM outbox WHERE state = 'pending'")[0][0]))

    def counts(self) -> dict[State, int]:
        """Rows per state; a dead letter IT has dismissed (`discard`) is no longer counted."""
        counts: dict[State, int] = {"pending": 0, "delivered": 0, "dead": 0}
        for state, n in self._query("SELECT state, count(*) FROM outbox "
                                    "WHERE discarded_at IS NULL GROUP BY state"):
            counts[cast(State, state)] = cast(int, n)
        return counts

    def oldest_pending_age(self, now: float) -> float | None:
        """Seconds the oldest pending row has waited; None when nothing is waiting."""
        oldest = self._query("SELECT min(accepted_at) FROM outbox WHERE state = 'pending'")
        value = oldest[0][0]
        return None if value is None else max(0.0, now - cast(float, value))

    def mark_sending(self, submission_id: str) -> bool:
        """Note, durably, that a request for this row is about to leave.

        True if an earlier attempt was still marked as on its way: that relay died before
        hearing the answer, so the attempt counts as ambiguous (the report may have arrived).
        """
        with self._transaction() as conn:
            found = conn.execute(
                "SELECT sending_at IS NOT NULL FROM outbox "
                "WHERE submission_id = ? AND state = 'pending'", (submission_id,)).fetchone()
            if found is None:
                return False
            left_over = bool(found[0])
            conn.execute(
                "UPDATE outbox SET sending_at = ?, ambiguous = ambiguous + ? "
                "WHERE submission_id = ?", (self._clock(), int(left_over), submission_id))
        return left_over

    def mark_delivered(self, submission_id: str, *, remote_id: str | None,
                       remote_token: str | None, next_poll_at: float | None = None,
                       checkpoint: bool = True) -> bool:
        """Record delivery, keep where it went (`remote_for`) and erase the payload; False if
        the row was not pending. `next_poll_at`: when to ask about a token.

        The payload goes in the same transaction as the state change, and the truncating
        checkpoint then removes the old pages from the WAL file, so a resident's data does
        not outlive its delivery on disk (secure_delete zeroes it in the main file). A caller
        delivering many rows passes `checkpoint=False` and calls `checkpoint()` after each
        page of them: one fsync'd checkpoint per page instead of one per row.
        """
        now = self._clock()
        with self._transaction() as conn:
            changed = conn.execute(
                "UPDATE outbox SET state = 'delivered', attempts = attempts + 1, "
                "delivered_at = ?, remote_id = ?, remote_token = ?, payload = NULL, "
                "next_attempt_at = NULL, last_error = NULL, last_reason = NULL, "
                "sending_at = NULL WHERE submission_id = ? AND state = 'pending'",
                (now, remote_id, remote_token, submission_id),
            ).rowcount == 1
            if changed:
                note(conn, submission_id, now, "delivered")
                reference, part, destination = conn.execute(
                    "SELECT reference, part, destination FROM outbox WHERE submission_id = ?",
                    (submission_id,)).fetchone()
                remote_refs.record(conn, reference, part, destination, remote_id, remote_token,
                                   now, next_poll_at if remote_id is None and remote_token
                                   else None)
        if changed and checkpoint:
            self.checkpoint()
        return changed

    def mark_retry(self, submission_id: str, *, next_attempt_at: float, error: str,
                   reason: str | None = None, ambiguous: bool = False) -> bool:
        with self._transaction() as conn:
            changed = conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, "
                "last_reason = ?, ambiguous = ambiguous + ?, sending_at = NULL "
                "WHERE submission_id = ? AND state = 'pending'",
                (next_attempt_at, error, reason, int(ambiguous), submission_id),
            ).rowcount == 1
            if changed:
                note(conn, submission_id, self._clock(), "retry", error)
            return changed

    def mark_dead(self, submission_id: str, *, error: str, attempted: bool = True,
                  reason: str | None = None, ambiguous: bool = False) -> bool:
        """Dead-letter a row. Its payload stays encrypted so staff can see what failed, and
        IT can put it back (`requeue`) once the cause is fixed."""
        now = self._clock()
        with self._transaction() as conn:
            changed = conn.execute(
                "UPDATE outbox SET state = 'dead', attempts = attempts + ?, "
                "next_attempt_at = NULL, last_error = ?, last_reason = ?, dead_at = ?, "
                "ambiguous = ambiguous + ?, sending_at = NULL "
                "WHERE submission_id = ? AND state = 'pending'",
                (int(attempted), error, reason, now, int(ambiguous), submission_id),
            ).rowcount == 1
            if changed:
                note(conn, submission_id, now, "dead", error)
            return changed

    def add_strike(self, submission_id: str) -> int:
        """Count one poison strike against a pending row; the row's strikes so far."""
        with self._transaction() as conn:
            found = conn.execute(
                "UPDATE outbox SET poison_strikes = poison_strikes + 1 "
                "WHERE submission_id = ? AND state = 'pending' RETURNING poison_strikes",
                (submission_id,)).fetchone()
        return int(found[0]) if found is not None else 0

    def ambiguous_count(self) -> int:
        """Rows with at least one attempt whose answer was lost."""
        return int(cast(int, self._query(
            "SELECT count(*) FROM outbox WHERE ambiguous > 0")[0][0]))

    def remote_for(self, reference: str, part: str = "") -> RemoteRef | None:
        """Where a delivered reference (one part of it) went and the back office's own id
        (or token) for it; kept after the row itself is deleted. None if never delivered."""
        with self._lock:
            if self._conn is None:
                raise OutboxError("outbox is closed")
            return remote_refs.find(self._conn, reference, part)

    def tokens_due(self, now: float, limit: int = 20) -> list[RemoteRef]:
        """Delivered references whose token is due to be asked about again."""
        with self._lock:
            if self._conn is None:
                raise OutboxError("outbox is closed")
            return remote_refs.polls_due(self._conn, now, limit)

    def token_polled(self, reference: str, *, remote_id: str | None,
                     next_poll_at: float | None, part: str = "") -> None:
        """Record one token poll: the id it gave, or when to ask next (None: stop asking)."""
        with self._transaction() as conn:
            remote_refs.polled(conn, reference, part, remote_id, next_poll_at)
            if remote_id is not None:
                conn.execute("UPDATE outbox SET remote_id = ? WHERE reference = ? AND part = ? "
                             "AND remote_id IS NULL", (remote_id, reference, part))

    def checkpoint(self) -> bool:
        """Copy the WAL into the database and truncate it; False if a reader prevented it."""
        busy = self._query("PRAGMA wal_checkpoint(TRUNCATE)")[0][0]
        return busy == 0

    # --- dead letters (`kiosk outbox`, the staff panel, retention) ----------------------------

    def find(self, reference: str) -> OutboxRow | None:
        """The reference's first row (its only one, unless it is a "tell us once" one)."""
        found = self.find_all(reference)
        return found[0] if found else None

    def find_all(self, reference: str) -> list[OutboxRow]:
        """Every row of a reference, one per delivery, in the order they were accepted."""
        return [_row(r) for r in self._query(
            f"SELECT {_COLUMNS} FROM outbox WHERE reference = ? ORDER BY id", (reference,))]

    def delivered_since(self, moment: float) -> list[OutboxRow]:
        """Rows delivered at or after `moment`, oldest delivery first (metadata only)."""
        return [_row(r) for r in self._query(
            f"SELECT {_COLUMNS} FROM outbox WHERE state = 'delivered' AND delivered_at >= ? "
            "ORDER BY delivered_at, id", (moment,))]

    def dead_letters(self, limit: int | None = None) -> list[OutboxRow]:
        """Dead letters IT has not dismissed, the longest dead first."""
        sql = (f"SELECT {_COLUMNS} FROM outbox WHERE state = 'dead' AND discarded_at IS NULL "
               "ORDER BY coalesce(dead_at, accepted_at), id")
        if limit is not None:
            return [_row(r) for r in self._query(sql + " LIMIT ?", (limit,))]
        return [_row(r) for r in self._query(sql)]

    def rows(self, *, everything: bool = False) -> list[OutboxRow]:
        """Rows waiting or dead (not dismissed), oldest first; with `everything`, all rows."""
        where = "" if everything else "WHERE state <> 'delivered' AND discarded_at IS NULL "
        return [_row(r) for r in self._query(
            f"SELECT {_COLUMNS} FROM outbox {where}ORDER BY accepted_at, id")]

    def expired_count(self) -> int:
        """Rows the retention limit dead-lettered (payload destroyed), not yet dismissed."""
        return int(cast(int, self._query(
            "SELECT count(*) FROM outbox WHERE erased_at IS NOT NULL "
            "AND discarded_at IS NULL")[0][0]))

    def history(self, submission_id: str) -> list[HistoryEntry]:
        with self._lock:
            if self._conn is None:
                raise OutboxError("outbox is closed")
            return history_of(self._conn, submission_id)

    def requeue(self, reference: str) -> RequeueResult:
        """Put a dead letter back to pending, due now, attempts reset."""
        with self._transaction() as conn:
            return requeue_row(conn, reference, self._clock())

    def discard(self, reference: str) -> DiscardResult:
        """Dismiss a dead letter and destroy its payload, leaving nothing in any file."""
        with self._transaction() as conn:
            result = discard_row(conn, reference, self._clock())
        if result == "discarded":
            self._finish_erasure()
        return result

    def expire(self, accepted_before: float, reason: str) -> list[str]:
        """Dead-letter undelivered rows accepted before the cutoff, their payloads destroyed;
        the references affected."""
        with self._transaction() as conn:
            references = expire_rows(conn, accepted_before, self._clock(), reason)
        if references:
            self._finish_erasure()
        return references

    def _finish_erasure(self) -> None:
        self._settle()  # the zeroed pages into the main file, and the WAL emptied
        with self._transaction() as conn:
            erase_marked(conn)
        self._settle()

    def _settle(self) -> bool:
        """Checkpoint and truncate the WAL, waiting a little for other connections' reads.

        A reader in the middle of a query (the relay, the screen) can hold a checkpoint back
        for milliseconds; if one holds it longer, the next delivery's checkpoint finishes it.
        """
        deadline = time.monotonic() + SETTLE_SECONDS
        while not self.checkpoint():
            if time.monotonic() >= deadline:
                logger.warning("outbox: the write-ahead log could not be emptied now (another "
                               "connection is reading); it will be at the next checkpoint")
                return False
            time.sleep(0.05)
        return True
