"""The usage buffer and the relay's sender: batches with a fixed id, deleted only after a
200, retried with backoff, capped with counted drops; and a real relay killed mid-post."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.device_identity import DeviceKeys, key_folder
from kiosk.usage_buffer import UsageBuffer
from kiosk.usage_events import UsageEvent
from kiosk.usage_sender import UsageSender
from tests.kiosk.events_hub import running_events_hub
from tests.kiosk.test_profile_lookups import profile_with
from tests.kiosk_fixtures import seal_beside
from tests.relay_process import running_relay

WALL = 1_795_000_000.0


def event(n: int) -> UsageEvent:
    return UsageEvent(kind="page_reached", visit=f"{n // 10:016x}", seq=n % 10,
                      hour="2026-11-23T10", service="missed-bin", page=f"p{n}")


def fill(buffer: UsageBuffer, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        buffer.append(event(n))


def wait_for(condition: Callable[[], bool], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


@pytest.fixture
def keys(tmp_path: Path) -> DeviceKeys:
    return DeviceKeys.create(key_folder(tmp_path / "state"), "test-device", "central-library")


def test_a_batch_keeps_its_id_until_it_is_deleted(tmp_path: Path) -> None:
    buffer = UsageBuffer(tmp_path / "usage.db")
    fill(buffer, 1200)
    first = buffer.cut()
    assert first is not None
    assert len(first.events) == 500
    again = buffer.cut()
    assert again == first  # a retry: the same id, the same events
    fill(buffer, 1, 1200)
    assert buffer.delete_batch(first.batch_id) == 500
    second = buffer.cut()
    assert second is not None
    assert second.batch_id != first.batch_id
    assert [e.page for e in second.events] == [f"p{n}" for n in range(500, 1000)]
    buffer.delete_batch(second.batch_id)
    last = buffer.cut()
    assert last is not None
    assert len(last.events) == 201
    buffer.delete_batch(last.batch_id)
    assert buffer.cut() is None
    assert buffer.depth() == 0
    buffer.close()


def test_the_cap_drops_the_oldest_and_counts_them(tmp_path: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    buffer = UsageBuffer(tmp_path / "usage.db", cap=500)
    fill(buffer, 700)
    assert buffer.depth() == 500
    assert buffer.counter("dropped") == 200
    assert caplog.text.count("the usage buffer is full") == 1  # said once, not 200 times
    batch = buffer.cut()
    assert batch is not None
    assert batch.events[0].page == "p200"
    buffer.close()
    reopened = UsageBuffer(tmp_path / "usage.db", cap=500)
    assert reopened.counter("dropped") == 200
    reopened.close()


def test_a_row_this_software_cannot_read_is_dropped_and_counted(tmp_path: Path) -> None:
    buffer = UsageBuffer(tmp_path / "usage.db")
    fill(buffer, 2)
    buffer._conn.execute("UPDATE events SET body = '{\"kind\":\"future\"}' WHERE id = 1")
    batch = buffer.cut()
    assert batch is not None
    assert [e.page for e in batch.events] == ["p1"]
    assert buffer.counter("unreadable") == 1
    buffer.close()


def test_the_file_is_private_and_in_wal_mode(tmp_path: Path) -> None:
    buffer = UsageBuffer.in_state_dir(tmp_path / "state")
    fill(buffer, 1)
    assert buffer.path.stat().st_mode & 0o777 == 0o600
    assert buffer._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # NORMAL: no fsync per event on the GUI thread; WAL still survives a killed process.
    assert buffer._conn.execute("PRAGMA synchronous").fetchone()[0] == 1
    buffer.close()


def sender(buffer: UsageBuffer, keys: DeviceKeys, url: str) -> UsageSender:
    return UsageSender(buffer, keys, url + "/events", wall=lambda: WALL, timeout_seconds=5)


def test_sent_batches_are_deleted_refused_ones_kept_and_retried(
        tmp_path: Path, keys: DeviceKeys, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    buffer = UsageBuffer(tmp_path / "usage.db")
    fill(buffer, 600)
    with running_events_hub(keys.identity) as hub:
        loop = sender(buffer, keys, hub.url)
        hub.status = 503
        assert [loop.send_once() for _ in range(3)] == ["refused_503"] * 3
        assert buffer.depth() == 600
        pauses = [loop.pause_after("refused_503") for _ in range(3)]
        assert 4 <= pauses[0] < 6 * 4  # grows (with jitter) after each failure
        assert caplog.text.count("refused usage events with 503") == 1
        hub.status = None
        assert loop.send_once() == "sent"
        assert loop.send_once() == "sent"
        assert loop.send_once() == "empty"
        assert loop.pause_after("empty") == loop.interval
        assert buffer.depth() == 0
        assert "usage events reach the hub again" in caplog.text
        assert len(hub.events()) == 600
        batch_ids = [a[0] for a in hub.answers]
        assert batch_ids[0] == batch_ids[1] == batch_ids[2] == batch_ids[3]  # retried, same id
        loop.stop()


def test_an_invalid_batch_is_dropped_not_retried_forever(tmp_path: Path, keys: DeviceKeys) -> None:
    buffer = UsageBuffer(tmp_path / "usage.db")
    fill(buffer, 3)
    with running_events_hub(keys.identity) as hub:
        loop = sender(buffer, keys, hub.url)
        hub.status = 422
        assert loop.send_once() == "rejected"
        assert buffer.depth() == 0
        assert buffer.counter("rejected") == 3
        loop.stop()


def test_an_unknown_device_keeps_its_events(tmp_path: Path, keys: DeviceKeys) -> None:
    other = DeviceKeys.create(key_folder(tmp_path / "other"), "someone-else", "central-library")
    buffer = UsageBuffer(tmp_path / "usage.db")
    fill(buffer, 3)
    with running_events_hub(other.identity) as hub:
        loop = sender(buffer, keys, hub.url)
        assert loop.send_once() == "refused_403"
        assert buffer.depth() == 3
        loop.stop()


def test_a_hub_that_is_not_there(tmp_path: Path, keys: DeviceKeys) -> None:
    buffer = UsageBuffer(tmp_path / "usage.db")
    fill(buffer, 3)
    loop = sender(buffer, keys, "http://127.0.0.1:9/kiosk/v1")
    assert loop.send_once() == "unreachable"
    assert buffer.depth() == 3
    loop.stop()


def test_a_relay_killed_while_posting_loses_nothing_and_counts_nothing_twice(
        tmp_path: Path) -> None:
    state = tmp_path / "state"
    keys = DeviceKeys.create(key_folder(state), "test-device", "central-library")
    buffer = UsageBuffer.in_state_dir(state)
    fill(buffer, 1200)
    with running_events_hub(keys.identity) as hub:
        profile = profile_with(tmp_path, heartbeat={"endpoint": hub.url, "interval_seconds": 3600})
        seal_beside(profile, state, {})
        hub.hold_next = True
        with running_relay(profile, state, tmp_path / "logs", interval=3600) as relay:
            assert hub.holding.wait(30), relay.output()
            relay.process.kill()  # SIGKILL while the hub holds its answer
            relay.process.wait(10)
        assert len(hub.batches) == 1  # the hub has the first batch; the kiosk never heard so
        assert buffer.depth() == 1200
        first = next(iter(hub.batches))
        hub.release.set()
        with running_relay(profile, state, tmp_path / "logs2", interval=3600):
            wait_for(lambda: buffer.depth() == 0)
        assert len(hub.events()) == 1200
        assert sorted(hub.events()) == sorted(e.to_json().decode() for e in map(event, range(1200)))
        assert [a for a in hub.answers if a[0] == first] == [
            (first, 200, {"accepted": 500, "duplicate": False}),
            (first, 200, {"accepted": 0, "duplicate": True})]
    buffer.close()
