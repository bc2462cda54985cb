"""The outbox database file: its connection settings, its schema and the schema's history.

Kept apart from `store` so the one place that opens connections, and the one list of
migrations, are easy to find and to check.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

SCHEMA_VERSION = 4

# Every column of schema 3's tables but `id`, copied as they are by the rebuild to schema 4.
_V3_OUTBOX = ("submission_id, reference, destination, created_at, accepted_at, state, "
              "attempts, next_attempt_at, last_error, remote_id, remote_token, delivered_at, "
              "payload, service_id, dead_at, erased_at, discarded_at, sending_at, ambiguous, "
              "poison_strikes, last_reason")
_V3_REFS = "reference, destination, remote_id, remote_token, recorded_at, token_polls, next_poll_at"

# _MIGRATIONS[n] takes a database from user_version n to n + 1, inside one transaction.
_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            submission_id TEXT UNIQUE NOT NULL,
            reference TEXT UNIQUE NOT NULL,
            destination TEXT NOT NULL,
            created_at TEXT NOT NULL,
            accepted_at REAL NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at REAL,
            last_error TEXT,
            remote_id TEXT,
            remote_token TEXT,
            delivered_at REAL,
            payload BLOB,
            CHECK (state <> 'pending' OR (next_attempt_at IS NOT NULL AND payload IS NOT NULL)),
            CHECK (state <> 'delivered' OR payload IS NULL)
        ) STRICT
        """,
        "CREATE INDEX outbox_due ON outbox (state, next_attempt_at)",
    ),
    # 1 -> 2: dead letters staff and IT can act on. The service id (not personal) so a dead
    # letter can be listed without decrypting it; when it died, when its payload was destroyed
    # (discarded by IT, or expired by the retention limit) and when IT dismissed it; and each
    # row's history of events, as codes and times only.
    (
        "ALTER TABLE outbox ADD COLUMN service_id TEXT",
        "ALTER TABLE outbox ADD COLUMN dead_at REAL",
        "ALTER TABLE outbox ADD COLUMN erased_at REAL",
        "ALTER TABLE outbox ADD COLUMN discarded_at REAL",
        """
        CREATE TABLE outbox_history (
            id INTEGER PRIMARY KEY,
            submission_id TEXT NOT NULL,
            at REAL NOT NULL,
            event TEXT NOT NULL,
            detail TEXT
        ) STRICT
        """,
        "CREATE INDEX outbox_history_row ON outbox_history (submission_id, id)",
    ),
    # 2 -> 3: delivery to real back offices (docs/integrations.md).
    (
        # Set while a request is on its way: still set when the relay starts again means the
        # relay died mid-send, so the attempt's outcome is unknown (ambiguous).
        "ALTER TABLE outbox ADD COLUMN sending_at REAL",
        # Attempts whose request left but whose answer was lost: a duplicate can be explained.
        "ALTER TABLE outbox ADD COLUMN ambiguous INTEGER NOT NULL DEFAULT 0",
        # Server errors this row got while the same destination accepted other rows.
        "ALTER TABLE outbox ADD COLUMN poison_strikes INTEGER NOT NULL DEFAULT 0",
        # The last failure as a sentence for staff (plain text, no resident data).
        "ALTER TABLE outbox ADD COLUMN last_reason TEXT",
        # reference -> where it went and the id the back office gave; no personal data, and
        # kept when outbox rows are deleted, so "Track my request" can ask a third party.
        """
        CREATE TABLE remote_refs (
            reference TEXT PRIMARY KEY,
            destination TEXT NOT NULL,
            remote_id TEXT,
            remote_token TEXT,
            recorded_at REAL NOT NULL,
            token_polls INTEGER NOT NULL DEFAULT 0,
            next_poll_at REAL
        ) STRICT
        """,
        "CREATE INDEX remote_refs_polls ON remote_refs (next_poll_at) "
        "WHERE next_poll_at IS NOT NULL",
    ),
    # 3 -> 4: "tell us once" (docs/integrations.md, "Outbox schema"). One submission, one
    # reference, one row per delivery: the reference is unique per (reference, part), not per
    # row, and each part's remote id is kept. SQLite cannot drop a UNIQUE constraint, so both
    # tables are rebuilt, inside this migration's transaction, keeping every row and its id
    # (the history and the relay's paging refer to them). Old rows are part "".
    (
        """
        CREATE TABLE outbox_v4 (
            id INTEGER PRIMARY KEY,
            submission_id TEXT UNIQUE NOT NULL,
            reference TEXT NOT NULL,
            part TEXT NOT NULL DEFAULT '',
            destination TEXT NOT NULL,
            created_at TEXT NOT NULL,
            accepted_at REAL NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at REAL,
            last_error TEXT,
            remote_id TEXT,
            remote_token TEXT,
            delivered_at REAL,
            payload BLOB,
            service_id TEXT,
            dead_at REAL,
            erased_at REAL,
            discarded_at REAL,
            sending_at REAL,
            ambiguous INTEGER NOT NULL DEFAULT 0,
            poison_strikes INTEGER NOT NULL DEFAULT 0,
            last_reason TEXT,
            UNIQUE (reference, part),
            CHECK (state <> 'pending' OR (next_attempt_at IS NOT NULL AND payload IS NOT NULL)),
            CHECK (state <> 'delivered' OR payload IS NULL)
        ) STRICT
        """,
        f"INSERT INTO outbox_v4 (id, {_V3_OUTBOX}) SELECT id, {_V3_OUTBOX} FROM outbox",
        "DROP TABLE outbox",
        "ALTER TABLE outbox_v4 RENAME TO outbox",
        "CREATE INDEX outbox_due ON outbox (state, next_attempt_at)",
        """
        CREATE TABLE remote_refs_v4 (
            reference TEXT NOT NULL,
            part TEXT NOT NULL DEFAULT '',
            destination TEXT NOT NULL,
            remote_id TEXT,
            remote_token TEXT,
            recorded_at REAL NOT NULL,
            token_polls INTEGER NOT NULL DEFAULT 0,
            next_poll_at REAL,
            PRIMARY KEY (reference, part)
        ) STRICT
        """,
        f"INSERT INTO remote_refs_v4 ({_V3_REFS}) SELECT {_V3_REFS} FROM remote_refs",
        "DROP TABLE remote_refs",
        "ALTER TABLE remote_refs_v4 RENAME TO remote_refs",
        "CREATE INDEX remote_refs_polls ON remote_refs (next_poll_at) "
        "WHERE next_poll_at IS NOT NULL",
    ),
)


class OutboxError(Exception):
    """The outbox cannot be used as it is; the message says why and what to do."""


def connect(path: Path) -> sqlite3.Connection:
    """Open the outbox database. Every connection must come from here.

    `synchronous` is per connection, so one connection opened elsewhere with the default
    could acknowledge a commit that a power cut then loses.
    """
    conn = sqlite3.connect(path, timeout=5.0, isolation_level=None, check_same_thread=False)
    try:
        conn.execute("PRAGMA secure_delete=ON")
        conn.execute("PRAGMA foreign_keys=ON")
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode != "wal":
            raise OutboxError(f"{path}: cannot use WAL journal mode (got {mode!r})")
        conn.execute("PRAGMA synchronous=FULL")
    except BaseException:
        conn.close()
        raise
    return conn


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the schema up to date; call inside a write transaction so it is all or nothing."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise OutboxError(
            f"{path} has outbox schema {version}, newer than this software's "
            f"{SCHEMA_VERSION}; refusing to touch it (was the software rolled back?)"
        )
    for step in _MIGRATIONS[version:]:
        for statement in step:
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")


def create_private_file(path: Path) -> None:
    # SQLite gives -wal and -shm the main file's permissions, so creating it 0600 first
    # keeps all three private whatever the process umask.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    except FileExistsError:
        return
    os.close(fd)
    dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
