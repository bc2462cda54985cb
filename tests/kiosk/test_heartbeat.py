"""The heartbeat document: fixed fields, canonical and signed, a sequence that only grows, and
every part read from where the terminal keeps it (or a plain "not there" when it is absent)."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from pydantic import ValidationError

from kiosk.clock import FakeClock
from kiosk.device_identity import DeviceKeys, key_folder, unb64
from kiosk.health import Check, HealthMonitor, Level
from kiosk.heartbeat import (
    SEQUENCE_FILE,
    HeartbeatBody,
    HeartbeatSource,
    SequenceCounter,
    canonical_json,
    profile_version,
    provisioning_result,
)
from kiosk.heartbeat_sender import HeartbeatSender
from kiosk.outbox import Outbox
from kiosk.screen_status import SCREEN_STATUS_FILE, ScreenStatusFile

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
BODY_KEYS = {"v", "device_id", "site", "seq", "sent_at", "interval_seconds", "app_version",
             "profile_version", "peripherals", "screen", "outbox", "provisioning"}


class Probe:
    def __init__(self, *checks: Check) -> None:
        self.id = checks[0].id
        self.found = checks

    def checks(self) -> tuple[Check, ...]:
        return self.found


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def keys(tmp_path: Path) -> DeviceKeys:
    return DeviceKeys.create(key_folder(tmp_path / "state"), "kiosk-0001", "central-library")


@pytest.fixture
def outbox(tmp_path: Path, clock: FakeClock) -> Iterator[Outbox]:
    with Outbox(tmp_path / "state" / "outbox.db", os.urandom(32), clock.epoch) as box:
        yield box


def source(keys: DeviceKeys, tmp_path: Path, outbox: Outbox, clock: FakeClock) -> HeartbeatSource:
    return HeartbeatSource(keys, tmp_path / "state", outbox, b"profile: bytes\n",
                           interval_seconds=60, screen_stale_after=150, wall=clock.epoch)


def opened(envelope: bytes, keys: DeviceKeys) -> dict[str, object]:
    outer = json.loads(envelope)
    assert set(outer) == {"device_id", "body", "signature"}
    signed = outer["body"].encode("ascii")
    assert keys.identity.verify(unb64(outer["signature"]), signed)
    body = json.loads(signed)
    assert canonical_json(body) == signed  # the exact bytes signed are the canonical form
    return dict(body)


def test_a_beat_is_the_fixed_document_signed_by_the_device(keys, tmp_path, outbox, clock) -> None:
    beat = source(keys, tmp_path, outbox, clock)
    body = opened(beat.next_envelope(), keys)
    assert set(body) == BODY_KEYS
    assert body["device_id"] == "kiosk-0001"
    assert body["site"] == "central-library"
    assert body["sent_at"] == "2026-11-23T10:00:00Z"
    assert body["interval_seconds"] == 60
    assert body["outbox"] == {"depth": 0, "dead": 0, "oldest_pending_seconds": None}
    assert body["screen"] == {"reporting": False, "age_seconds": None}
    assert body["peripherals"]["printer"] == {"state": "not_reported", "level": "unknown"}
    assert body["peripherals"]["scanner"] == {"state": "not_monitored", "level": "unknown"}
    assert body["provisioning"] is None
    assert str(body["profile_version"]).startswith("sha256:")
    HeartbeatBody.parse(json.loads(beat.next_envelope())["body"].encode())  # the hub's check


def test_a_signature_does_not_survive_any_change(keys, tmp_path, outbox, clock) -> None:
    outer = json.loads(source(keys, tmp_path, outbox, clock).next_envelope())
    signed = outer["body"].encode()
    altered = signed.replace(b'"depth":0', b'"depth":9')
    assert altered != signed
    assert not keys.identity.verify(unb64(outer["signature"]), altered)


def test_the_hub_model_refuses_free_text_and_extra_fields(keys, tmp_path, outbox, clock) -> None:
    body = opened(source(keys, tmp_path, outbox, clock).next_envelope(), keys)
    assert isinstance(body["peripherals"], dict)
    for change in ({"app_version": "1.0 with a note"}, {"note": "hello"}, {"seq": 0},
                   {"seq": "12"}, {"sent_at": "yesterday"},
                   {"peripherals": {**body["peripherals"], "camera": body["peripherals"]["paper"]}}):
        with pytest.raises(ValidationError):
            HeartbeatBody.parse(canonical_json({**body, **change}))


def test_the_sequence_only_grows_and_survives_a_restart(tmp_path, clock) -> None:
    counter = SequenceCounter(tmp_path, clock.epoch)
    first = counter.take()
    assert first == int(clock.epoch())  # a new counter starts from the clock
    assert counter.take() == first + 1
    clock.step_wall(-3600)  # the clock is set back an hour
    again = SequenceCounter(tmp_path, clock.epoch)  # the relay restarted
    assert again.take() == first + 2
    clock.step_wall(7200)
    assert again.take() == int(clock.epoch())  # an hour later than the last: jumps ahead
    (tmp_path / SEQUENCE_FILE).unlink()  # lost: the clock still keeps it ahead
    clock.advance(60)
    assert SequenceCounter(tmp_path, clock.epoch).take() > first + 2


def test_profile_version_comes_from_the_provisioned_link(tmp_path) -> None:
    profiles = tmp_path / "profiles"
    assert profile_version(tmp_path, b"abc").startswith("sha256:ba7816bf8f01")
    profiles.mkdir()
    (profiles / "v12").mkdir()
    (profiles / "current").symlink_to("v12")
    assert profile_version(tmp_path, b"abc") == "v12"
    (profiles / "current").unlink()
    (profiles / "current").write_text("13\n")
    assert profile_version(tmp_path, b"abc") == "13"
    (profiles / "current").write_text("a version with spaces")  # not a code: by hash
    assert profile_version(tmp_path, b"abc").startswith("sha256:")


def test_provisioning_result_is_reduced_to_short_codes(tmp_path) -> None:
    assert provisioning_result(tmp_path) is None
    (tmp_path / "profiles").mkdir()
    result = tmp_path / "profiles" / "result.json"
    result.write_text(json.dumps({"outcome": "rolled_back", "version": 14, "reason": "health_check",
                                  "at": "2026-11-23T09:58:00+00:00",
                                  "message": "Free text the agent may add", "detail": {"x": 1}}))
    found = provisioning_result(tmp_path)
    assert found is not None
    assert found.model_dump() == {"outcome": "rolled_back", "version": "14",
                                  "reason": "health_check", "at": "2026-11-23T09:58:00+00:00"}
    result.write_text(json.dumps({"outcome": "failed", "reason": "the signature was bad"}))
    found = provisioning_result(tmp_path)
    assert found is not None
    assert found.reason is None
    assert found.outcome == "failed"
    result.write_text("{not json")
    found = provisioning_result(tmp_path)
    assert found is not None
    assert found.outcome == "unreadable"


def test_the_screen_status_reaches_the_heartbeat(keys, tmp_path, outbox, clock) -> None:
    state = tmp_path / "state"
    monitor = HealthMonitor([Probe(Check("printer", Level.FAULT, "cover_open"),
                                   Check("paper", Level.UNKNOWN, "unknown")),
                             Probe(Check("card_reader", Level.OK, "ready"))], clock,
                            on_status=ScreenStatusFile(state, clock.epoch).write)
    monitor.refresh()
    written = json.loads((state / SCREEN_STATUS_FILE).read_text())
    assert written["checks"]["printer"] == {"state": "cover_open", "level": "fault"}
    clock.advance(30)
    body = source(keys, tmp_path, outbox, clock).body()
    assert body.peripherals.printer.state == "cover_open"
    assert body.peripherals.printer.level == "fault"
    assert body.peripherals.card_reader.state == "ready"
    assert body.screen.reporting
    assert body.screen.age_seconds == 30
    clock.advance(200)  # the screen stopped writing
    later = source(keys, tmp_path, outbox, clock).body()
    assert not later.screen.reporting
    assert later.screen.age_seconds == 230


def test_a_failing_status_hook_does_not_break_the_monitor(clock, caplog) -> None:
    def broken(status: object) -> None:
        raise OSError("disk full")

    monitor = HealthMonitor([Probe(Check("printer", Level.OK, "online"))], clock, on_status=broken)
    assert monitor.refresh().check("printer") is not None
    assert "device status not passed on: OSError" in caplog.text


def test_the_outbox_counts_reach_the_heartbeat(keys, tmp_path, outbox, clock) -> None:
    from tests.kiosk.open311_fake import make_submission

    outbox.enqueue(make_submission())
    clock.advance(125)
    body = source(keys, tmp_path, outbox, clock).body()
    assert body.outbox.depth == 1
    assert body.outbox.oldest_pending_seconds == 125


class Hub:
    """A fake hub's answers, scripted: a status code, or an exception to raise."""

    def __init__(self, *answers: int | Exception) -> None:
        self.answers = list(answers)
        self.posted: list[bytes] = []

    def post(self, url: str, data: bytes, timeout: float) -> int:
        self.posted.append(data)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_an_outage_is_logged_once_and_its_end_once(caplog) -> None:
    caplog.set_level(logging.INFO, logger="kiosk.heartbeat_sender")
    down = requests.ConnectionError("refused")
    hub = Hub(200, down, down, down, 503, 503, 200, 200, 401, 401)
    sender = HeartbeatSender(lambda: b"{}", "http://hub/kiosk/v1/heartbeat", 60, post=hub.post)
    outcomes = [sender.beat() for _ in range(10)]
    assert outcomes == ["accepted", "unreachable", "unreachable", "unreachable", "refused_503",
                        "refused_503", "accepted", "accepted", "refused_401", "refused_401"]
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 4, lines
    assert "did not answer (ConnectionError)" in lines[0]
    assert "refused the heartbeat with 503" in lines[1]
    assert lines[2] == "heartbeats reach the hub again"
    assert "registered" in lines[3]
    assert sender.sent == 3


def test_a_beat_that_cannot_be_made_does_not_stop_the_loop(caplog) -> None:
    def broken() -> bytes:
        raise RuntimeError("outbox closed")

    hub = Hub()
    sender = HeartbeatSender(broken, "http://hub/kiosk/v1/heartbeat", 0.01, post=hub.post)
    sender.start()
    try:
        assert sender.beat() == "not_made"
    finally:
        sender.stop(5)
    assert hub.posted == []
    assert caplog.text.count("could not be made (RuntimeError)") == 1


def test_a_hub_that_is_not_there_is_one_line_and_the_loop_goes_on(caplog) -> None:
    made = []

    def make() -> bytes:
        made.append(1)
        return b"{}"

    sender = HeartbeatSender(make, "http://127.0.0.1:9/kiosk/v1/heartbeat", 0.02, timeout_seconds=2)
    sender.start()
    try:
        deadline = time.monotonic() + 20
        while len(made) < 4 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        sender.stop(5)
    assert len(made) >= 4
    warnings = [r for r in caplog.records if r.name == "kiosk.heartbeat_sender"]
    assert len(warnings) == 1
    assert "did not answer (ConnectionError); heartbeats continue" in warnings[0].getMessage()
    assert sender.sent == 0


def test_stopping_never_waits_on_a_silent_hub(caplog) -> None:
    release = threading.Event()

    def stuck(url: str, data: bytes, timeout: float) -> int:
        release.wait(10)
        return 202

    sender = HeartbeatSender(lambda: b"{}", "http://hub/kiosk/v1/heartbeat", 60, post=stuck)
    sender.start()
    started = time.monotonic()
    sender.stop(0.2)  # returns, does not raise
    assert time.monotonic() - started < 5
    assert "still being sent at stop" in caplog.text
    release.set()


def test_the_agents_own_result_reaches_the_heartbeat(tmp_path: Path) -> None:
    """What kiosk.profile_store writes (status, current, a sentence of reason) becomes the
    heartbeat's outcome and version; the sentence stays on the terminal."""
    from kiosk.heartbeat import provisioning_result
    from kiosk.profile_store import ProfileStore

    store = ProfileStore(tmp_path / "profiles")
    for name in ("p1-s1", "p2-s1"):
        store.stage(name, {"profile.yaml": f"# {name}\n".encode()})
        store.set_pending(name)
        store.apply_pending()
        if name == "p1-s1":
            store.bless()
    store.rollback("the screen started 4 times on p2-s1 without reporting healthy")
    result = provisioning_result(tmp_path)
    assert result is not None
    assert (result.outcome, result.version) == ("rolled-back", "p1-s1")
    assert result.reason is None
