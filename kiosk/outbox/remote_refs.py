"""Where each delivered reference went: the destination and the back office's own handle.

A third-party Open311 server knows a report only by its own `service_request_id` (or, until
it has one, the `token` it gave), so "Track my request" needs that handle long after the
outbox row, and its encrypted payload, are gone. This table holds no personal data: the
kiosk reference, the destination's name and the server's identifiers.

The statements run on the outbox's connection inside its transactions (`Outbox` owns both).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import cast


@dataclass(frozen=True)
class RemoteRef:
    reference: str
    destination: str
    remote_id: str | None
    remote_token: str | None
    token_polls: int = 0
    part: str = ""  # which delivery of a "tell us once" reference ("" for one destination)

    @property
    def waiting_for_id(self) -> bool:
        """A token the back office has not yet turned into an id."""
        return self.remote_id is None and self.remote_token is not None


_SELECT = ("SELECT reference, destination, remote_id, remote_token, token_polls, part "
           "FROM remote_refs")


def _ref(values: tuple[object, ...]) -> RemoteRef:
    reference, destination, remote_id, token, polls, part = cast(
        tuple[str, str, str | None, str | None, int, str], values)
    return RemoteRef(reference, destination, remote_id, token, polls, part)


def record(conn: sqlite3.Connection, reference: str, part: str, destination: str,
           remote_id: str | None, remote_token: str | None, now: float,
           next_poll_at: float | None) -> None:
    conn.execute(
        "INSERT INTO remote_refs (reference, part, destination, remote_id, remote_token, "
        "recorded_at, next_poll_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (reference, part) DO UPDATE SET destination = excluded.destination, "
        "remote_id = excluded.remote_id, remote_token = excluded.remote_token, "
        "recorded_at = excluded.recorded_at, token_polls = 0, "
        "next_poll_at = excluded.next_poll_at",
        (reference, part, destination, remote_id, remote_token, now, next_poll_at),
    )


def find(conn: sqlite3.Connection, reference: str, part: str = "") -> RemoteRef | None:
    row = conn.execute(f"{_SELECT} WHERE reference = ? AND part = ?",
                       (reference, part)).fetchone()
    return _ref(row) if row is not None else None


def polls_due(conn: sqlite3.Connection, now: float, limit: int) -> list[RemoteRef]:
    rows = conn.execute(f"{_SELECT} WHERE next_poll_at IS NOT NULL AND next_poll_at <= ? "
                        "ORDER BY next_poll_at LIMIT ?", (now, limit)).fetchall()
    return [_ref(r) for r in rows]


def polled(conn: sqlite3.Connection, reference: str, part: str, remote_id: str | None,
           next_poll_at: float | None) -> None:
    """One poll done: the id if it came, else when to ask again (None: stop asking)."""
    conn.execute(
        "UPDATE remote_refs SET token_polls = token_polls + 1, "
        "remote_id = coalesce(?, remote_id), next_poll_at = ? WHERE reference = ? AND part = ?",
        (remote_id, None if remote_id is not None else next_poll_at, reference, part),
    )
