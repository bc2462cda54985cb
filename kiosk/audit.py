"""The staff audit log: every staff action at the terminal, and nothing a resident typed.

Each row is (UTC time, role, action, session reference, detail). Action and detail come from
fixed sets in this module and role from `kiosk.staff.ROLES`; the session reference must be a
receipt reference (`kiosk.reference`). Anything else raises ValueError, so no free text, and
therefore no resident data or card UID, can reach the file whatever a caller passes.

SQLite in WAL mode with `synchronous=FULL` (as the outbox) and `secure_delete` so rotated rows
are overwritten rather than left in free pages. Rows older than the retention period are
deleted when the log is opened and then at most a day apart, checked on each `record`.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Literal, get_args

from kiosk.clock import Clock
from kiosk.outbox.db import create_private_file
from kiosk.reference import is_reference
from kiosk.staff import ROLES, Role

Action = Literal[
    "staff_in_card", "staff_in_pin", "card_refused", "pin_refused", "pin_locked", "assist_on",
    "end_session", "reprint", "device_status", "maintenance", "staff_out", "bookings_today",
]
ACTIONS: frozenset[str] = frozenset(get_args(Action))

Detail = Literal[
    # reprint / device_status
    "printer_ok", "printer_fault", "printer_offline", "paper_low",
    # maintenance
    "maintenance_enter", "maintenance_exit", "dead_letter_retry",
    # staff_out / end_session
    "manual", "timeout", "session_ended", "card_removed",
]
DETAILS: frozenset[str] = frozenset(get_args(Detail))

DEFAULT_RETENTION_DAYS = 90
ROTATE_EVERY_SECONDS = 24 * 60 * 60
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # fixed width, so text order is time order

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    role TEXT,
    action TEXT NOT NULL,
    session_reference TEXT,
    detail TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS audit_at ON audit (at);
"""


class AuditError(Exception):
    """The audit log cannot be used as it is; the message says why."""


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    role: Role | None
    action: Action
    reference: str | None
    detail: Detail | None


def _stamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("the clock must give timezone-aware times")
    return moment.astimezone(UTC).strftime(_TIME_FORMAT)


class AuditLog:
    """Append-only record of staff actions. One per device, opened by whoever assembles it."""

    def __init__(self, path: Path, clock: Clock, *,
                 retention_days: int = DEFAULT_RETENTION_DAYS) -> None:
        if retention_days < 1:
            raise ValueError("retention_days must be at least 1")
        self._path = path
        self._clock = clock
        self._retention_days = retention_days
        self._lock = threading.Lock()
        create_private_file(path)
        self._conn = sqlite3.connect(path, timeout=5.0, isolation_level=None,
                                     check_same_thread=False)
        try:
            self._conn.execute("PRAGMA secure_delete=ON")
            mode = self._conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode != "wal":
                raise AuditError(f"{path}: cannot use WAL journal mode (got {mode!r})")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.executescript(_SCHEMA)
        except BaseException:
            self._conn.close()
            raise
        self._last_rotated = clock.monotonic()
        self.rotate()

    @property
    def path(self) -> Path:
        return self._path

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def record(self, role: Role | None, action: Action, reference: str | None = None,
               detail: Detail | None = None) -> None:
        """Append one row. Role may be None when nobody was recognised (e.g. pin_refused)."""
        if role is not None and role not in ROLES:
            raise ValueError("role must be one of the staff roles or None")
        if action not in ACTIONS:
            raise ValueError("action must be one of the audit actions")
        if detail is not None and detail not in DETAILS:
            raise ValueError("detail must be one of the audit detail codes")
        if reference is not None and not is_reference(reference):
            raise ValueError("reference must be a session reference")
        if self._clock.monotonic() - self._last_rotated >= ROTATE_EVERY_SECONDS:
            self.rotate()
        at = _stamp(self._clock.now())
        with self._lock:
            self._conn.execute(
                "INSERT INTO audit (at, role, action, session_reference, detail) "
                "VALUES (?, ?, ?, ?, ?)",
                (at, role, action, reference, detail),
            )

    def recent(self, limit: int = 50) -> list[AuditRow]:
        """The newest `limit` rows, newest first."""
        if limit < 0:
            raise ValueError("limit must not be negative")
        with self._lock:
            rows = self._conn.execute(
                "SELECT at, role, action, session_reference, detail FROM audit "
                "ORDER BY at DESC, id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [
            AuditRow(datetime.strptime(at, _TIME_FORMAT).replace(tzinfo=UTC), role, action,
                     reference, detail)
            for at, role, action, reference, detail in rows
        ]

    def rotate(self, max_age_days: int | None = None) -> int:
        """Delete rows older than `max_age_days` (the retention period by default); how many."""
        days = self._retention_days if max_age_days is None else max_age_days
        if days < 0:
            raise ValueError("max_age_days must not be negative")
        cutoff = _stamp(self._clock.now() - timedelta(days=days))
        with self._lock:
            deleted = self._conn.execute("DELETE FROM audit WHERE at < ?", (cutoff,)).rowcount
        self._last_rotated = self._clock.monotonic()
        return deleted


__all__ = ["ACTIONS", "DETAILS", "Action", "AuditError", "AuditLog", "AuditRow", "Detail"]
