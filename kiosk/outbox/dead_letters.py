"""The dead-letter lifecycle in SQL: a row's history, putting a dead letter back, destroying
a payload that will never be sent.

Each function runs inside the caller's write transaction (`Outbox._transaction`), so the
relay, the screen and `kiosk outbox` can all act on the file at once: every change is one
conditional UPDATE, and a row that another process changed first is simply not matched.

Destroying a payload is two steps, each committed and checkpointed by `Outbox`: first the
encrypted blob is overwritten with zeros in place (same length, so the same pages), then the
column is set to NULL and `secure_delete` zeroes the freed space. A crash between the two
leaves a zeroed blob that `erase_marked` clears on the next open; it can never be sent.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Literal, cast

# Events in a row's history: codes, times and short reasons only, never the payload.
Event = Literal["accepted", "retry", "delivered", "dead", "requeued", "discarded", "expired"]
HISTORY_PER_ROW = 20
RequeueResult = Literal["requeued", "unknown", "not_dead", "erased"]
DiscardResult = Literal["discarded", "unknown", "not_dead", "already_discarded"]


@dataclass(frozen=True)
class HistoryEntry:
    at: float
    event: Event
    detail: str | None


def note(conn: sqlite3.Connection, submission_id: str, at: float, event: Event,
         detail: str | None = None) -> None:
    """Add to a row's history, keeping the newest `HISTORY_PER_ROW` entries (a row retried
    for a week would otherwise leave a thousand lines)."""
    conn.execute("INSERT INTO outbox_history (submission_id, at, event, detail) "
                 "VALUES (?, ?, ?, ?)", (submission_id, at, event, detail))
    conn.execute("DELETE FROM outbox_history WHERE submission_id = ? AND id NOT IN "
                 "(SELECT id FROM outbox_history WHERE submission_id = ? "
                 "ORDER BY id DESC LIMIT ?)", (submission_id, submission_id, HISTORY_PER_ROW))


def history_of(conn: sqlite3.Connection, submission_id: str) -> list[HistoryEntry]:
    found = conn.execute("SELECT at, event, detail FROM outbox_history "
                         "WHERE submission_id = ? ORDER BY id", (submission_id,)).fetchall()
    return [HistoryEntry(float(at), cast(Event, event), detail) for at, event, detail in found]


def _lookup(conn: sqlite3.Connection, reference: str) -> list[tuple[str, str, bool, bool]]:
    """Every row of a reference: one, or one per delivery of a "tell us once" submission."""
    found = conn.execute(
        "SELECT submission_id, state, payload IS NOT NULL, discarded_at IS NOT NULL "
        "FROM outbox WHERE reference = ? ORDER BY id", (reference,)).fetchall()
    return [(str(sid), str(state), bool(has_payload), bool(discarded))
            for sid, state, has_payload, discarded in found]


def requeue_row(conn: sqlite3.Connection, reference: str, now: float) -> RequeueResult:
    """A reference's dead letters back to pending, due now, with their attempts reset (so
    each gets the whole retry budget again once IT has fixed the cause). The other rows of a
    "tell us once" reference (delivered, or still waiting) are left as they are."""
    found = _lookup(conn, reference)
    if not found:
        return "unknown"
    dead = [(sid, has_payload) for sid, state, has_payload, _ in found if state == "dead"]
    if not dead:
        return "not_dead"
    if not any(has_payload for _, has_payload in dead):
        return "erased"
    for sid, has_payload in dead:
        if not has_payload:
            continue
        conn.execute(
            "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, "
            "last_error = NULL, last_reason = NULL, poison_strikes = 0, dead_at = NULL "
            "WHERE submission_id = ? AND state = 'dead' "
            "AND payload IS NOT NULL", (now, sid))
        note(conn, sid, now, "requeued")
    return "requeued"


def discard_row(conn: sqlite3.Connection, reference: str, now: float) -> DiscardResult:
    """Dismiss a reference's dead letters and overwrite their payloads (step one of two; see
    the module)."""
    found = _lookup(conn, reference)
    if not found:
        return "unknown"
    dead = [(sid, discarded) for sid, state, _, discarded in found if state == "dead"]
    if not dead:
        return "not_dead"
    if all(discarded for _, discarded in dead):
        return "already_discarded"
    for sid, discarded in dead:
        if discarded:
            continue
        conn.execute(
            "UPDATE outbox SET discarded_at = ?, erased_at = coalesce(erased_at, ?), "
            "payload = CASE WHEN payload IS NULL THEN NULL ELSE zeroblob(length(payload)) END "
            "WHERE submission_id = ?", (now, now, sid))
        note(conn, sid, now, "discarded")
    return "discarded"


def expire_rows(conn: sqlite3.Connection, accepted_before: float, now: float,
                reason: str) -> list[str]:
    """Dead-letter every undelivered row accepted before the cutoff and overwrite its payload
    (step one of two); the references expired."""
    found = conn.execute(
        "SELECT submission_id, reference FROM outbox WHERE state IN ('pending', 'dead') "
        "AND payload IS NOT NULL AND accepted_at < ? ORDER BY accepted_at, id",
        (accepted_before,)).fetchall()
    for sid, _ in found:
        conn.execute(
            "UPDATE outbox SET state = 'dead', dead_at = coalesce(dead_at, ?), erased_at = ?, "
            "next_attempt_at = NULL, last_error = ?, payload = zeroblob(length(payload)) "
            "WHERE submission_id = ?", (now, now, reason, sid))
        note(conn, sid, now, "expired", reason)
    return list(dict.fromkeys(str(reference) for _, reference in found))


def erase_marked(conn: sqlite3.Connection) -> int:
    """Step two: drop the overwritten payloads of every row marked erased."""
    return conn.execute("UPDATE outbox SET payload = NULL "
                        "WHERE erased_at IS NOT NULL AND payload IS NOT NULL").rowcount
