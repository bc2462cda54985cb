"""The outbox with "tell us once" rows: one submission, one reference, one row per delivery.

Schema 4 makes the reference unique per (reference, part); the migration rebuilds the table
from a real schema-3 file with rows in every state and keeps every row, id, payload and
remote id. `enqueue_all` is all or nothing; requeue and discard act on a reference's dead
rows only; each part keeps its own remote id.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.clock import FakeClock
from kiosk.outbox import SCHEMA_VERSION, DuplicateReference, Outbox, PayloadCipher, db
from kiosk.submission import Submission
from tests.kiosk.open311_fake import make_submission

KEY = bytes(range(32))


def parts(reference: str = "TELL2345", names: tuple[str, ...] = ("tax", "vote", "books"),
          destinations: tuple[str, ...] = ("council", "elections", "libraries"),
          base: str = "sub0001") -> list[Submission]:
    return [replace(make_submission(destination=to, reference=reference,
                                    submission_id=f"{base}-{name}"), part=name)
            for name, to in zip(names, destinations, strict=True)]


def test_enqueue_all_accepts_every_row_under_one_reference(tmp_path: Path) -> None:
    with Outbox(tmp_path / "outbox.db", KEY, FakeClock().epoch) as box:
        accepted = box.enqueue_all(parts())
        assert accepted.reference == "TELL2345"
        assert not accepted.duplicate
        rows = box.find_all("TELL2345")
        assert [(r.part, r.destination, r.state) for r in rows] == [
            ("tax", "council", "pending"), ("vote", "elections", "pending"),
            ("books", "libraries", "pending")]
        assert box.open_payload("sub0001-vote").part == "vote"
        again = box.enqueue_all(parts())  # a double tap
        assert again.duplicate
        assert box.depth() == 3


def test_enqueue_all_is_all_or_nothing(tmp_path: Path) -> None:
    with Outbox(tmp_path / "outbox.db", KEY, FakeClock().epoch) as box:
        box.enqueue(replace(make_submission(reference="TAKEN234", submission_id="other"),
                            part="books"))
        # The third row's (reference, part) is taken: the first two must not stay behind.
        with pytest.raises(DuplicateReference):
            box.enqueue_all(parts(reference="TAKEN234"))
        assert [r.submission_id for r in box.find_all("TAKEN234")] == ["other"]
        assert box.depth() == 1


def test_a_batch_with_two_references_or_a_part_twice_is_a_bug(tmp_path: Path) -> None:
    with Outbox(tmp_path / "outbox.db", KEY, FakeClock().epoch) as box:
        mixed = parts()
        mixed[1] = replace(mixed[1], reference="OTHER234")
        with pytest.raises(ValueError, match="one reference"):
            box.enqueue_all(mixed)
        with pytest.raises(ValueError, match="once"):
            box.enqueue_all(parts(names=("tax", "tax", "books")))
        assert box.depth() == 0


def test_each_part_is_delivered_erased_and_remembered_on_its_own(tmp_path: Path) -> None:
    with Outbox(tmp_path / "outbox.db", KEY, FakeClock().epoch) as box:
        box.enqueue_all(parts())
        assert box.mark_delivered("sub0001-tax", remote_id="T-1", remote_token=None)
        assert box.mark_delivered("sub0001-books", remote_id=None, remote_token="tok-9",
                                  next_poll_at=0.0)
        states = {r.part: (r.state, r.has_payload) for r in box.find_all("TELL2345")}
        assert states == {"tax": ("delivered", False), "vote": ("pending", True),
                          "books": ("delivered", False)}
        tax, books = box.remote_for("TELL2345", "tax"), box.remote_for("TELL2345", "books")
        assert tax is not None
        assert (tax.destination, tax.remote_id) == ("council", "T-1")
        assert books is not None
        assert (books.part, books.remote_token) == ("books", "tok-9")
        assert box.remote_for("TELL2345", "vote") is None
        box.token_polled("TELL2345", part="books", remote_id="B-5", next_poll_at=None)
        assert {r.part: r.remote_id for r in box.find_all("TELL2345")} == {
            "tax": "T-1", "vote": None, "books": "B-5"}


def test_requeue_and_discard_act_on_the_references_dead_rows_only(tmp_path: Path) -> None:
    clock = FakeClock()
    with Outbox(tmp_path / "outbox.db", KEY, clock.epoch) as box:
        box.enqueue_all(parts())
        box.mark_delivered("sub0001-tax", remote_id="T-1", remote_token=None)
        box.mark_dead("sub0001-vote", error="http_400")
        assert box.requeue("TELL2345") == "requeued"
        assert {r.part: r.state for r in box.find_all("TELL2345")} == {
            "tax": "delivered", "vote": "pending", "books": "pending"}
        box.mark_dead("sub0001-vote", error="http_400")
        assert box.discard("TELL2345") == "discarded"
        vote = next(r for r in box.find_all("TELL2345") if r.part == "vote")
        assert not vote.has_payload
        assert box.open_payload("sub0001-books").part == "books"  # still waiting, still there


# --- the migration from schema 3 -----------------------------------------------------------

def _schema_3(path: Path, cipher: PayloadCipher) -> list[tuple[object, ...]]:
    """A real schema-3 file (its migrations, as shipped) with a row in every state."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    for step in db._MIGRATIONS[:3]:
        for statement in step:
            conn.execute(statement)
    conn.execute("PRAGMA user_version=3")

    def payload(sid: str, reference: str) -> bytes:
        data = json.loads(make_submission(submission_id=sid, reference=reference).to_json())
        del data["part"]  # written before parts existed
        return cipher.seal(sid, "council", json.dumps(data).encode())

    rows = [  # id, sid, reference, state, next_attempt_at, payload, remote_id, sending_at,
              # ambiguous, dead_at, erased_at, discarded_at, last_reason
        (3, "p1", "PEND2345", "pending", 10.0, payload("p1", "PEND2345"), None, None, 0,
         None, None, None, None),
        (5, "p2", "SEND2345", "pending", 10.0, payload("p2", "SEND2345"), None, 9.0, 1,
         None, None, None, "Timed out"),
        (7, "d1", "DONE2345", "delivered", None, None, "R-7", None, 0, None, None, None, None),
        (8, "x1", "DEAD2345", "dead", None, payload("x1", "DEAD2345"), None, None, 0, 11.0,
         None, None, "Refused"),
        (9, "x2", "GONE2345", "dead", None, None, None, None, 0, 11.0, 12.0, 12.0, "Expired"),
    ]
    for row in rows:
        conn.execute(
            "INSERT INTO outbox (id, submission_id, reference, destination, created_at, "
            "accepted_at, state, attempts, next_attempt_at, payload, remote_id, sending_at, "
            "ambiguous, dead_at, erased_at, discarded_at, last_reason, service_id) VALUES "
            "(?, ?, ?, 'council', '2026-11-23T10:00:00+00:00', 1.0, ?, 2, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, 'street-problem')", (row[0], row[1], row[2], *row[3:]))
        conn.execute("INSERT INTO outbox_history (submission_id, at, event) "
                     "VALUES (?, 1.0, 'accepted')", (row[1],))
    conn.execute("INSERT INTO remote_refs (reference, destination, remote_id, remote_token, "
                 "recorded_at, token_polls, next_poll_at) "
                 "VALUES ('DONE2345', 'council', 'R-7', 'tok', 5.0, 2, 30.0)")
    conn.execute("COMMIT")
    snapshot = conn.execute(f"SELECT id, {db._V3_OUTBOX} FROM outbox ORDER BY id").fetchall()
    conn.close()
    return snapshot


def test_a_schema_3_file_migrates_keeping_every_row(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    before = _schema_3(path, PayloadCipher(KEY))
    clock = FakeClock()
    with Outbox(path, KEY, clock.epoch) as box:
        conn = sqlite3.connect(path)
        try:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
            after = conn.execute(f"SELECT id, {db._V3_OUTBOX} FROM outbox ORDER BY id").fetchall()
            assert after == before  # ids, states, payloads, marks: all as they were
            assert conn.execute("SELECT DISTINCT part FROM outbox").fetchall() == [("",)]
            assert conn.execute("SELECT count(*) FROM outbox_history").fetchone()[0] == 5
            indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master "
                                                  "WHERE type = 'index'")}
            assert {"outbox_due", "remote_refs_polls"} <= indexes
            assert not {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE name LIKE '%_v4'")}
        finally:
            conn.close()
        # The old payloads still open (no part in them: ""), and every state still acts.
        assert box.open_payload("p1").part == ""
        sending = box.get("p2")
        assert sending is not None
        assert sending.in_flight
        assert sending.ambiguous == 1
        ref = box.remote_for("DONE2345")
        assert ref is not None
        assert (ref.remote_id, ref.remote_token, ref.token_polls) == ("R-7", "tok", 2)
        assert [r.reference for r in box.tokens_due(31.0)] == ["DONE2345"]
        assert box.requeue("DEAD2345") == "requeued"
        assert box.requeue("GONE2345") == "erased"
        assert [r.submission_id for r in box.pending_due(clock.epoch())] == ["p1", "p2", "x1"]
        # The reference is now unique per part: another part of an old reference fits.
        box.enqueue(replace(make_submission(reference="PEND2345", submission_id="p1-more"),
                            part="more"))
        with pytest.raises(DuplicateReference):
            box.enqueue(make_submission(reference="PEND2345", submission_id="p1-again"))
    with Outbox(path, KEY, FakeClock().epoch) as box:  # opening again changes nothing
        assert len(box.find_all("PEND2345")) == 2


def test_a_failed_migration_leaves_schema_3_untouched(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    before = _schema_3(path, PayloadCipher(KEY))
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE remote_refs_v4 (x)")  # in the way: step 4 fails part-way
    conn.close()
    with pytest.raises(sqlite3.OperationalError):
        Outbox(path, KEY, FakeClock().epoch)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 3
        assert conn.execute(f"SELECT id, {db._V3_OUTBOX} FROM outbox ORDER BY id").fetchall() \
            == before
        assert "UNIQUE" in conn.execute("SELECT sql FROM sqlite_master WHERE name = 'outbox'"
                                        ).fetchone()[0].split("reference")[1][:12]
    finally:
        conn.close()
