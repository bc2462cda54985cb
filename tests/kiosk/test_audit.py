"""The staff audit log: rows, rotation by age, and no way in for resident data or card UIDs."""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kiosk.audit import ACTIONS, DETAILS, AuditLog
from kiosk.clock import UK, FakeClock
from kiosk.staff import StaffCard, StaffDirectory, card_fingerprint

START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
REF = "AB3CD4EF"
SALT = b"council-salt-0123456789"
CARD_UID = bytes.fromhex("04a1b2c3d4e5f6")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "audit.sqlite"


@pytest.fixture
def log(path: Path, clock: FakeClock) -> Iterator[AuditLog]:
    with AuditLog(path, clock) as opened:
        yield opened


def _all_bytes(path: Path) -> bytes:
    """The database and its WAL and shared-memory files, as they sit on disk."""
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_connection_settings(log: AuditLog, path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()
    assert log._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_rows_recorded_and_read_newest_first(log: AuditLog, clock: FakeClock) -> None:
    log.record("staff", "staff_in_card")
    clock.advance(5)
    log.record("staff", "assist_on", REF)
    clock.advance(5)
    log.record("staff", "reprint", REF, "printer_ok")
    clock.advance(5)
    log.record(None, "pin_refused")
    rows = log.recent(10)
    assert [(r.role, r.action, r.reference, r.detail) for r in rows] == [
        (None, "pin_refused", None, None),
        ("staff", "reprint", REF, "printer_ok"),
        ("staff", "assist_on", REF, None),
        ("staff", "staff_in_card", None, None),
    ]
    assert rows[0].at == START + timedelta(seconds=15)
    assert rows[-1].at == START
    assert rows[-1].at.tzinfo is UTC
    assert [r.action for r in log.recent(2)] == ["pin_refused", "reprint"]
    assert log.recent(0) == []


def test_time_stored_as_iso_utc(path: Path) -> None:
    local = datetime(2026, 7, 1, 9, 30, tzinfo=UTC).astimezone(UK)  # 10:30 BST
    with AuditLog(path, FakeClock(local)) as log:
        log.record("it", "maintenance", detail="maintenance_enter")
    conn = sqlite3.connect(path)
    try:
        (at,) = conn.execute("SELECT at FROM audit").fetchone()
    finally:
        conn.close()
    assert at == "2026-07-01T09:30:00.000000Z"


def test_rows_survive_reopening(path: Path, clock: FakeClock) -> None:
    with AuditLog(path, clock) as log:
        log.record("it", "device_status", detail="paper_low")
    with AuditLog(path, clock) as log:
        assert [r.detail for r in log.recent(5)] == ["paper_low"]


def test_rotate_deletes_rows_older_than_max_age(log: AuditLog, clock: FakeClock) -> None:
    log.record("staff", "staff_in_card")
    clock.advance(timedelta(days=10).total_seconds())
    log.record("staff", "staff_out", detail="manual")
    clock.advance(timedelta(days=5).total_seconds())
    assert log.rotate(30) == 0
    assert log.rotate(14) == 1
    assert [r.action for r in log.recent(10)] == ["staff_out"]
    assert log.rotate(0) == 1
    assert log.recent(10) == []


def test_rotate_on_open(path: Path, clock: FakeClock) -> None:
    with AuditLog(path, clock, retention_days=30) as log:
        log.record("staff", "reprint", REF)
    clock.advance(timedelta(days=31).total_seconds())
    with AuditLog(path, clock, retention_days=30) as log:
        assert log.recent(10) == []


def test_rotate_daily_while_open(log: AuditLog, clock: FakeClock) -> None:
    log.record("staff", "reprint", REF)  # default retention: 90 days
    for _ in range(89):
        clock.advance(timedelta(days=1).total_seconds())
        log.record("it", "device_status", detail="printer_ok")
    assert len(log.recent(1000)) == 90
    clock.advance(timedelta(days=1, seconds=1).total_seconds())
    log.record("it", "device_status", detail="printer_ok")
    rows = log.recent(1000)
    assert len(rows) == 90
    assert all(r.action == "device_status" for r in rows)


def test_no_rotation_between_daily_checks(log: AuditLog, clock: FakeClock) -> None:
    log.record("staff", "reprint", REF)
    clock.advance(timedelta(days=90, seconds=1).total_seconds())
    log._last_rotated = clock.monotonic()  # as if the daily check had just run
    log.record("staff", "staff_out")
    assert len(log.recent(10)) == 2
    assert log.rotate() == 1


@pytest.mark.parametrize("bad", [
    {"action": "opened_drawer"},
    {"action": "STAFF_IN_CARD"},
    {"role": "admin"},
    {"detail": "something odd"},
    {"reference": "not-a-ref"},
])
def test_unknown_values_raise(log: AuditLog, bad: dict[str, Any]) -> None:
    call: dict[str, Any] = {"role": "staff", "action": "reprint", "reference": None, "detail": None}
    with pytest.raises(ValueError, match=next(iter(bad))):
        log.record(**(call | bad))
    assert log.recent(10) == []


def test_negative_arguments_refused(log: AuditLog, path: Path, clock: FakeClock) -> None:
    with pytest.raises(ValueError, match="limit"):
        log.recent(-1)
    with pytest.raises(ValueError, match="max_age_days"):
        log.rotate(-1)
    with pytest.raises(ValueError, match="retention_days"):
        AuditLog(path, clock, retention_days=0)


def test_fixed_sets_are_codes_not_text() -> None:
    for code in ACTIONS | DETAILS:
        assert code.isascii()
        assert code.replace("_", "").isalnum()
        assert code.islower()


CANARY = "CANARY Jane Resident 07700 900123 SW1A 1AA jane@example.org"
UID_FORMS = (CARD_UID.hex(), CARD_UID.hex().upper(), CARD_UID.decode("latin-1"))


def test_canary_never_reaches_the_file(log: AuditLog, path: Path) -> None:
    """A careless caller passes resident text or a card UID everywhere but the reference."""
    canaries: list[Any] = [CANARY, *UID_FORMS, CARD_UID, f"assist_on {CANARY}", "assist_on\x00" + CANARY]
    places = ("role", "action", "detail")
    for canary in canaries:
        for place in places:
            call: dict[str, Any] = {"role": "staff", "action": "assist_on", "detail": None}
            call[place] = canary
            with pytest.raises(ValueError, match=place) as raised:
                log.record(**call)
            assert "CANARY" not in str(raised.value)
            assert CARD_UID.hex() not in str(raised.value)
    # A session's legitimate traffic goes in around the attempts.
    directory = StaffDirectory(
        [StaffCard(fingerprint=card_fingerprint(CARD_UID, SALT), role="staff", label="Desk 1")],
        [], SALT,
    )
    role = directory.role_for_card(CARD_UID)
    assert role == "staff"
    log.record(role, "staff_in_card")
    log.record(role, "assist_on", REF)
    log.record(role, "staff_out", REF, "manual")
    assert len(log.recent(10)) == 3
    for blob in (_all_bytes(path), _checkpointed(path)):
        assert b"CANARY" not in blob
        assert b"Jane" not in blob
        assert b"07700" not in blob
        assert b"SW1A" not in blob
        assert b"example.org" not in blob
        assert CARD_UID not in blob
        for form in UID_FORMS[:2]:
            assert form.encode() not in blob


def _checkpointed(path: Path) -> bytes:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return _all_bytes(path)
