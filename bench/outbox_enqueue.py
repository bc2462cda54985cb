"""Benchmark 5: outbox durable enqueue, against a bare SQLite INSERT + COMMIT.

The outbox: `kiosk.outbox.Outbox` on a file in a temporary directory with a key from
`load_or_create_key` (real SQLite, WAL, synchronous=FULL; each enqueue encrypts the
submission, checks for a repeat of its id and inserts in one IMMEDIATE transaction that is
fsync'd before `enqueue` returns). 500 submissions shaped like a completed missed-bin report.

The baseline: `sqlite3` on another file in the same directory, WAL and synchronous=FULL,
one INSERT of a random blob the size of the sealed payload and a COMMIT. Enqueues and
baseline inserts alternate, so both see the same disk at the same moment. Each sample is one
call, timed with `time.perf_counter()`; p50 and p99 over 500. The figures depend on the
disk's fsync latency, which is why the baseline is measured in the same run.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from benchlib import Row, arguments, filesystem, percentile, report, use_repo_imports

if TYPE_CHECKING:
    from kiosk.submission import Submission

GOAL_P99_MS = 15.0


def submission(n: int) -> Submission:
    from kiosk.submission import Submission

    sid = uuid.uuid4().hex
    return Submission(
        submission_id=sid,
        reference=f"MB{n:06d}",
        service_id="missed-bin",
        service_version=1,
        created_at="2026-11-23T10:00:00+00:00",
        destination="council",
        service_code="MISSED_BIN",
        attributes={"bin_type": "general", "collection_date": "2026-11-23",
                    "contact_method": "email"},
        fields={"address_string": "14, DE99 1AA",
                "description": "The bin is by the side gate. " * 4,
                "email": "resident@example.org"},
    )


def bare_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if mode != "wal":
        raise RuntimeError(f"no WAL on {path}: {mode}")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE rows (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)")
    return conn


def main() -> int:
    parser = arguments(__doc__ or "")
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--dir", type=Path, default=None,
                        help="where to put the databases (default: the system temp dir)")
    options = parser.parse_args()
    count = 50 if options.quick else options.count
    use_repo_imports()
    from kiosk.outbox import Outbox, load_or_create_key
    from kiosk.outbox.crypto import PayloadCipher

    submissions = [submission(n) for n in range(count + 10)]
    enqueue_ms: list[float] = []
    bare_ms: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-outbox-", dir=options.dir) as tmp:
        where = Path(tmp)
        key = load_or_create_key(where / "outbox.key")
        cipher = PayloadCipher(key)
        blob_size = len(cipher.seal(submissions[0].submission_id, "council",
                                    submissions[0].to_json().encode()))
        conn = bare_connection(where / "bare.db")
        with Outbox(where / "outbox.db", key) as box:
            for i, item in enumerate(submissions):  # the first 10 of each are a warm-up
                started = time.perf_counter()
                box.enqueue(item)
                enqueued = time.perf_counter()
                blob = os.urandom(blob_size)
                bare_started = time.perf_counter()
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("INSERT INTO rows (payload) VALUES (?)", (blob,))
                conn.execute("COMMIT")
                bare_done = time.perf_counter()
                if i >= 10:
                    enqueue_ms.append((enqueued - started) * 1000)
                    bare_ms.append((bare_done - bare_started) * 1000)
            depth = box.depth()
        conn.close()
        disk = filesystem(where)
    if depth != len(submissions):
        raise RuntimeError(f"outbox holds {depth} rows, expected {len(submissions)}")

    p99 = percentile(enqueue_ms, 99)
    rows = [
        Row("outbox enqueue", f"p50 over {len(enqueue_ms)}", percentile(enqueue_ms, 50), "ms",
            percentile(bare_ms, 50)),
        Row("outbox enqueue", f"p99 over {len(enqueue_ms)}", p99, "ms", percentile(bare_ms, 99),
            goal=f"≤ {GOAL_P99_MS:.0f} ms", met=p99 <= GOAL_P99_MS),
    ]
    notes = [
        f"baseline: bare sqlite3 INSERT + COMMIT of a {blob_size}-byte blob, WAL, "
        "synchronous=FULL, alternating with the enqueues",
        f"max: enqueue {max(enqueue_ms):.2f} ms, bare {max(bare_ms):.2f} ms; "
        f"databases on {disk}",
    ]
    report(rows, options.json, notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
