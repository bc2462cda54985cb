"""Accepting submissions into the outbox: one row, or all the rows of one "tell us once"
submission together.

Runs inside the caller's write transaction (`Outbox._transaction`), so the rows of one
submission are committed all or none: a resident is never told "we have told them" with half
the rows on disk. A repeat of a submission already accepted (a double tap, a re-render)
changes nothing and answers with the first acceptance's reference.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kiosk.outbox.db import OutboxError
from kiosk.outbox.dead_letters import note
from kiosk.submission import Submission

Seal = Callable[[Submission], bytes]


class DuplicateReference(OutboxError):
    """Another submission already holds this reference: generate a new one and retry."""


@dataclass(frozen=True)
class Enqueued:
    submission_id: str
    reference: str
    duplicate: bool


def check_batch(submissions: Sequence[Submission]) -> None:
    """The rows of one submission: one reference, each part once (a bug otherwise)."""
    if not submissions:
        raise ValueError("nothing to enqueue")
    if len({s.reference for s in submissions}) != 1:
        raise ValueError("the rows of one submission share one reference")
    parts = [s.part for s in submissions]
    if len(set(parts)) != len(parts):
        raise ValueError("each delivery of a submission is enqueued once")


def insert_rows(conn: sqlite3.Connection, submissions: Sequence[Submission], payloads: Sequence[bytes],
                now: float) -> Enqueued:
    """Insert every row, or find the first already there (a repeat: nothing changes)."""
    first = submissions[0]
    found = conn.execute("SELECT reference FROM outbox WHERE submission_id = ?",
                         (first.submission_id,)).fetchone()
    if found is not None:
        return Enqueued(first.submission_id, str(found[0]), duplicate=True)
    for submission, payload in zip(submissions, payloads, strict=True):
        sid = submission.submission_id
        try:
            conn.execute(
                "INSERT INTO outbox (submission_id, reference, part, destination, created_at, "
                "accepted_at, state, next_attempt_at, payload, service_id) "
                "VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
                (sid, submission.reference, submission.part, submission.destination,
                 submission.created_at, now, now, payload, submission.service_id),
            )
        except sqlite3.IntegrityError:
            # The caller's transaction rolls back every row inserted before this one.
            raise DuplicateReference(
                f"reference {submission.reference} is already in use"
            ) from None
        note(conn, sid, now, "accepted")
    return Enqueued(first.submission_id, first.reference, duplicate=False)
