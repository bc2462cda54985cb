"""The outbox store: durable, exactly-once enqueue, and the metadata the relay works from."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import fields, replace
from pathlib import Path

import pytest

from kiosk.clock import FakeClock
from kiosk.outbox import (
    SCHEMA_VERSION,
    DuplicateReference,
    Outbox,
    OutboxError,
    OutboxRow,
    connect,
    store,
)
from tests.kiosk.open311_fake import make_submission

KEY = bytes(range(32))
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def outbox(tmp_path: Path, clock: FakeClock) -> Iterator[Outbox]:
    with Outbox(tmp_path / "outbox.db", KEY, clock.epoch) as box:
        yield box


def _pragmas(conn: sqlite3.Connection) -> dict[str, object]:
    return {name: conn.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("synchronous", "journal_mode", "secure_delete", "foreign_keys")}


def test_every_connection_from_the_factory_is_durable(tmp_path: Path) -> None:
    conn = connect(tmp_path / "outbox.db")
    try:
        assert _pragmas(conn) == {"synchronous": 2, "journal_mode": "wal",
                                  "secure_delete": 1, "foreign_keys": 1}
    finally:
        conn.close()


def test_the_outbox_opens_its_connection_through_the_factory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[sqlite3.Connection] = []

    def recording_connect(path: Path) -> sqlite3.Connection:
        made.append(connect(path))
        return made[-1]

    monkeypatch.setattr(store, "connect", recording_connect)
    with Outbox(tmp_path / "outbox.db", KEY, FakeClock().epoch) as box:
        box.enqueue(make_submission())
        assert len(made) == 1
        assert _pragmas(made[0])["synchronous"] == 2


def test_an_accepted_submission_is_there_after_reopening(tmp_path: Path) -> None:
    submission = make_submission()
    with Outbox(tmp_path / "outbox.db", KEY, FakeClock().epoch) as box:
        accepted = box.enqueue(submission)
    assert (accepted.submission_id, accepted.reference, accepted.duplicate) == (
        submission.submission_id, submission.reference, False)
    with Outbox(tmp_path / "outbox.db", KEY, FakeClock().epoch) as box:
        row = box.get(submission.submission_id)
        assert row is not None
        assert (row.state, row.reference, row.attempts) == ("pending", submission.reference, 0)
        assert box.open_payload(submission.submission_id) == submission


def test_a_double_tap_enqueues_once_and_returns_the_original(outbox: Outbox) -> None:
    first = make_submission()
    assert not outbox.enqueue(first).duplicate
    # A re-render might even have drawn a new reference: the first one still stands.
    again = outbox.enqueue(replace(first, reference="ZZZZ9999"))
    assert again.duplicate
    assert again.reference == first.reference
    assert outbox.counts() == {"pending": 1, "delivered": 0, "dead": 0}
    assert outbox.open_payload(first.submission_id) == first


def test_a_reference_already_in_use_is_refused_and_changes_nothing(outbox: Outbox) -> None:
    first = make_submission(reference="ABCD1234")
    outbox.enqueue(first)
    with pytest.raises(DuplicateReference):
        outbox.enqueue(make_submission(reference="ABCD1234"))
    assert outbox.depth() == 1


def test_row_metadata_carries_no_payload(outbox: Outbox) -> None:
    submission = make_submission()
    outbox.enqueue(submission)
    row = outbox.get(submission.submission_id)
    assert row is not None
    assert row.has_payload
    assert "payload" not in {f.name for f in fields(OutboxRow)}
    assert outbox.get("no-such-id") is None


def test_depth_and_age_of_the_oldest_pending_row(outbox: Outbox, clock: FakeClock) -> None:
    assert (outbox.depth(), outbox.oldest_pending_age(clock.epoch())) == (0, None)
    first = make_submission()
    outbox.enqueue(first)
    clock.advance(60)
    outbox.enqueue(make_submission())
    clock.advance(30)
    assert (outbox.depth(), outbox.oldest_pending_age(clock.epoch())) == (2, 90)
    outbox.mark_delivered(first.submission_id, remote_id="SR-1", remote_token=None)
    assert (outbox.depth(), outbox.oldest_pending_age(clock.epoch())) == (1, 30)


def test_pending_due_follows_the_schedule(outbox: Outbox, clock: FakeClock) -> None:
    early, late = make_submission(), make_submission()
    outbox.enqueue(early)
    outbox.enqueue(late)
    outbox.mark_retry(late.submission_id, next_attempt_at=clock.epoch() + 100, error="http_503")
    assert [r.submission_id for r in outbox.pending_due(clock.epoch())] == [early.submission_id]
    due = outbox.pending_due(clock.epoch() + 100)
    assert [r.submission_id for r in due] == [early.submission_id, late.submission_id]
    assert due[1].attempts == 1
    assert due[1].last_error == "http_503"
    # A schedule beyond the horizon can only come from the clock going backwards.
    assert len(outbox.pending_due(clock.epoch() - 10_000, horizon=900)) == 2


def test_state_changes_apply_only_to_pending_rows(outbox: Outbox) -> None:
    delivered, dead = make_submission(), make_submission()
    outbox.enqueue(delivered)
    outbox.enqueue(dead)
    assert outbox.mark_delivered(delivered.submission_id, remote_id="SR-1", remote_token=None)
    assert outbox.mark_dead(dead.submission_id, error="http_400")
    for sid in (delivered.submission_id, dead.submission_id):
        assert not outbox.mark_retry(sid, next_attempt_at=0, error="x")
        assert not outbox.mark_dead(sid, error="x")
        assert not outbox.mark_delivered(sid, remote_id="SR-2", remote_token=None)
    row = outbox.get(delivered.submission_id)
    assert row is not None
    assert (row.state, row.remote_id, row.has_payload, row.attempts) == (
        "delivered", "SR-1", False, 1)
    dead_row = outbox.get(dead.submission_id)
    assert dead_row is not None
    # Dead rows keep their (encrypted) payload for staff; delivered rows never do.
    assert (dead_row.state, dead_row.last_error, dead_row.has_payload) == (
        "dead", "http_400", True)


def test_schema_version_is_recorded_and_a_newer_one_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    Outbox(path, KEY, FakeClock().epoch).close()
    conn = connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    finally:
        conn.close()
    with pytest.raises(OutboxError, match="newer than this software"):
        Outbox(path, KEY, FakeClock().epoch)


def test_outbox_files_are_private(outbox: Outbox) -> None:
    outbox.enqueue(make_submission())
    for suffix in ("", "-wal", "-shm"):
        mode = stat.S_IMODE(os.stat(f"{outbox.path}{suffix}").st_mode)
        assert mode == 0o600, suffix


def test_a_closed_outbox_refuses_work(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "outbox.db", KEY, FakeClock().epoch)
    box.close()
    box.close()  # idempotent
    with pytest.raises(OutboxError, match="closed"):
        box.enqueue(make_submission())


# A child process that enqueues and says "accepted" only once enqueue has returned, the
# harness's side channel for O1. It ends itself abruptly, or loops until killed.
_CHILD = textwrap.dedent("""
    import os, signal, sys, uuid
    from pathlib import Path
    from kiosk.outbox import Outbox
    from kiosk.submission import Submission

    box = Outbox(Path(sys.argv[1]), bytes(range(32)))
    while True:
        sid = uuid.uuid4().hex
        box.enqueue(Submission(sid, sid[:8], "street-problem", 1, "2026-11-23T10:00:00+00:00",
                               "council", "POTHOLE", {}, {"description": "x" * 900}))
        print("accepted", sid, flush=True)
        if sys.argv[2] == "exit":
            os._exit(0)
        if sys.argv[2] == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
""")


def _child(path: Path, mode: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", _CHILD, str(path), mode],
                            stdout=subprocess.PIPE, text=True, env=env)


def _assert_recovered(path: Path, accepted: list[str]) -> None:
    assert accepted
    conn = connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()
    with Outbox(path, KEY, FakeClock().epoch) as box:
        for sid in accepted:
            row = box.get(sid)
            assert row is not None, sid
            assert row.state == "pending", sid


@pytest.mark.parametrize("mode", ["exit", "kill"])
def test_an_accepted_row_survives_the_process_dying(tmp_path: Path, mode: str) -> None:
    path = tmp_path / "outbox.db"
    child = _child(path, mode)
    out, _ = child.communicate(timeout=30)
    assert child.returncode == (0 if mode == "exit" else -signal.SIGKILL)
    _assert_recovered(path, [line.split()[1] for line in out.splitlines()])


def test_rows_accepted_before_a_kill_mid_stream_all_survive(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    child = _child(path, "loop")
    assert child.stdout is not None
    accepted = [child.stdout.readline().split()[1] for _ in range(25)]
    child.send_signal(signal.SIGKILL)  # very likely mid-enqueue
    out, _ = child.communicate(timeout=30)
    accepted += [line.split()[1] for line in out.splitlines()]
    assert child.returncode == -signal.SIGKILL
    _assert_recovered(path, accepted)
