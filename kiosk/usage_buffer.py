"""The usage events waiting for the hub: an SQLite file in the state directory.

The screen process appends (`UsageBuffer.append`); the relay cuts batches, sends them and
deletes a batch only once the hub has answered 200 (`kiosk.usage_sender`). Not the outbox:
events are not a resident's data, are never encrypted, and must never compete with a
report for the outbox's attention. Opened like the outbox (`kiosk.outbox.db.connect`: WAL,
a 0600 file made before SQLite touches it), so two processes share it safely, but then set
to synchronous=NORMAL: the screen appends on the GUI thread, about twenty times a visit, and
an fsync each time could stall a tap on slow storage. In WAL mode a commit then survives the
process being killed (the relay's kill test) and never corrupts the file; only a power cut
may lose the last few events, which is a smaller loss than a resident's tap feeling stuck.

A batch id is fixed when a batch is cut and stored on its rows: a relay killed after posting
but before hearing the answer sends the same rows under the same id again, and the hub
counts them once. A terminal offline for a week keeps everything (a few hundred events a
day); past `cap` rows the oldest are dropped, and every drop is counted in the file.
"""

from __future__ import annotations

import logging
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from kiosk.outbox.db import connect, create_private_file
from kiosk.usage_events import MAX_BATCH, UsageEvent

log = logging.getLogger(__name__)

FILE_NAME = "usage.db"
DEFAULT_CAP = 200_000
_SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS events (
        id INTEGER PRIMARY KEY,
        body TEXT NOT NULL,
        batch_id TEXT
    ) STRICT
    """,
    "CREATE INDEX IF NOT EXISTS events_batch ON events (batch_id) WHERE batch_id IS NOT NULL",
    "CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT",
)


@dataclass(frozen=True)
class CutBatch:
    batch_id: str
    events: tuple[UsageEvent, ...]


class UsageBuffer:
    """One connection per process (the screen's or the relay's); each call is one
    transaction, so the two processes can use the file at once."""

    def __init__(self, path: Path, cap: int = DEFAULT_CAP) -> None:
        if cap < MAX_BATCH:
            raise ValueError(f"the usage buffer's cap must be at least {MAX_BATCH}")
        self.path = path
        self.cap = cap
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        create_private_file(path)
        self._conn = connect(path)
        # No fsync per event (see the module's docstring); the outbox keeps FULL.
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._dropping = False
        with self._write() as conn:
            for statement in _SCHEMA:
                conn.execute(statement)

    @classmethod
    def in_state_dir(cls, state_dir: Path, cap: int = DEFAULT_CAP) -> UsageBuffer:
        return cls(state_dir / FILE_NAME, cap)

    def close(self) -> None:
        self._conn.close()

    def _write(self) -> _Transaction:
        return _Transaction(self._conn)

    # --- the screen's side -----------------------------------------------------------------

    def append(self, event: UsageEvent) -> None:
        """Keep one event (already validated: it is a `UsageEvent`); drop the oldest past the cap."""
        with self._write() as conn:
            conn.execute("INSERT INTO events (body) VALUES (?)", (event.to_json().decode("ascii"),))
            over = self._span(conn) - self.cap
            if over > 0:
                conn.execute("DELETE FROM events WHERE id IN "
                              "(SELECT id FROM events ORDER BY id LIMIT ?)", (over,))
                self._add(conn, "dropped", over)
        if over > 0 and not self._dropping:
            log.warning("the usage buffer is full (%d events): the oldest are being dropped "
                        "(is the hub reachable?)", self.cap)
        self._dropping = over > 0

    # --- the relay's side ------------------------------------------------------------------

    def cut(self, limit: int = MAX_BATCH) -> CutBatch | None:
        """The batch to send next: the one already cut (a retry, same id), else up to `limit`
        of the oldest events under a new id. None when nothing waits."""
        with self._write() as conn:
            row = conn.execute("SELECT batch_id FROM events WHERE batch_id IS NOT NULL "
                               "ORDER BY id LIMIT 1").fetchone()
            if row is None:
                batch_id = secrets.token_hex(16)
                changed = conn.execute(
                    "UPDATE events SET batch_id = ? WHERE id IN "
                    "(SELECT id FROM events WHERE batch_id IS NULL ORDER BY id LIMIT ?)",
                    (batch_id, min(limit, MAX_BATCH))).rowcount
                if changed == 0:
                    return None
            else:
                batch_id = row[0]
            rows = conn.execute("SELECT id, body FROM events WHERE batch_id = ? ORDER BY id",
                                (batch_id,)).fetchall()
            events, unreadable = [], []
            for row_id, body in rows:
                try:
                    events.append(UsageEvent.from_json(body))
                except ValidationError:
                    unreadable.append(row_id)
            if unreadable:
                conn.executemany("DELETE FROM events WHERE id = ?", [(i,) for i in unreadable])
                self._add(conn, "unreadable", len(unreadable))
                log.warning("dropped %d usage events this software cannot read", len(unreadable))
        if not events:
            return self.cut(limit)
        return CutBatch(batch_id, tuple(events))

    def delete_batch(self, batch_id: str) -> int:
        """The hub has it (200): forget it."""
        with self._write() as conn:
            return conn.execute("DELETE FROM events WHERE batch_id = ?", (batch_id,)).rowcount

    def reject_batch(self, batch_id: str) -> int:
        """The hub refused the batch as invalid (422): dropped and counted, so one bad batch
        never holds back every event after it."""
        with self._write() as conn:
            gone = conn.execute("DELETE FROM events WHERE batch_id = ?", (batch_id,)).rowcount
            self._add(conn, "rejected", gone)
            return gone

    # --- counts ----------------------------------------------------------------------------

    def depth(self) -> int:
        return self._count(self._conn)

    def counter(self, name: str) -> int:
        row = self._conn.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
        return int(row[0]) if row is not None else 0

    @staticmethod
    def _count(conn: sqlite3.Connection) -> int:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])

    @staticmethod
    def _span(conn: sqlite3.Connection) -> int:
        """Rows from the oldest to the newest: the count, since rows only ever leave from
        the front (sent, rejected or dropped batches are the oldest), found in O(log n)."""
        row = conn.execute("SELECT max(id) - min(id) + 1 FROM events").fetchone()
        return int(row[0] or 0)

    @staticmethod
    def _add(conn: sqlite3.Connection, name: str, amount: int) -> None:
        conn.execute("INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) "
                     "DO UPDATE SET value = value + excluded.value", (name, amount))


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT (ROLLBACK on error): the connection is in autocommit mode."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        self.conn.execute("COMMIT" if kind is None else "ROLLBACK")
