"""Device status: each probe's mapping, the hub probe against a real hub on 127.0.0.1, and the
monitor logging only transitions."""

from __future__ import annotations

import logging
import random
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.clock import FakeClock
from kiosk.health import (
    CardReaderProbe,
    Check,
    HealthMonitor,
    Level,
    NetworkProbe,
    OutboxProbe,
    PrinterProbe,
    RelayProbe,
    versions,
)
from kiosk.outbox import (
    DeadLetter,
    Open311Sender,
    Relay,
    RelayClient,
    RelayService,
    RelayStatus,
    RelayUnavailable,
    load_or_create_key,
)
from kiosk.outbox import Outbox as RealOutbox
from peripherals.printer.base import PrinterStatus

S = PrinterStatus
CLOCK = FakeClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))


class Printer:
    def __init__(self, status: PrinterStatus) -> None:
        self.value = status

    def status(self) -> PrinterStatus:
        return self.value


@pytest.mark.parametrize(("status", "printer", "paper"), [
    (S.ONLINE, ("online", Level.OK), ("ok", Level.OK)),
    (S.PAPER_NEAR_END, ("online", Level.OK), ("near_end", Level.WARNING)),
    (S.PAPER_OUT, ("online", Level.OK), ("out", Level.FAULT)),
    (S.OFFLINE, ("offline", Level.FAULT), ("unknown", Level.UNKNOWN)),
    (S.COVER_OPEN, ("cover_open", Level.FAULT), ("unknown", Level.UNKNOWN)),
    (S.UNKNOWN, ("unknown", Level.UNKNOWN), ("unknown", Level.UNKNOWN)),
])
def test_printer_status_becomes_printer_and_paper_checks(
        status: PrinterStatus, printer: tuple[str, Level], paper: tuple[str, Level]) -> None:
    first, second = PrinterProbe(Printer(status)).checks()
    assert (first.id, first.state, first.level) == ("printer", *printer)
    assert (second.id, second.state, second.level) == ("paper", *paper)
    assert first.key == f"health.printer.{printer[0]}"


class Reader:
    def __init__(self, state: str) -> None:
        self.state = state

    def status(self) -> str:
        return self.state


@pytest.mark.parametrize(("reader", "state", "level"), [
    (None, "not_fitted", Level.OK), (Reader("ready"), "ready", Level.OK),
    (Reader("no_reader"), "no_reader", Level.FAULT),
    (Reader("service_down"), "service_down", Level.FAULT),
    (Reader("strange"), "strange", Level.UNKNOWN),
])
def test_card_reader_check(reader: Reader | None, state: str, level: Level) -> None:
    (check,) = CardReaderProbe(reader).checks()
    assert (check.state, check.level) == (state, level)


class Outbox:
    def __init__(self, pending: int, dead: int, oldest: float | None, expired: int = 0) -> None:
        self.values = {"pending": pending, "delivered": 7, "dead": dead}
        self.oldest = oldest
        self.expired = expired

    def expired_count(self) -> int:
        return self.expired

    def counts(self) -> dict[str, int]:
        return self.values

    def oldest_pending_age(self, now: float) -> float | None:
        return self.oldest


@pytest.mark.parametrize(("outbox", "state", "level"), [
    (Outbox(0, 0, None), "empty", Level.OK),
    (Outbox(2, 0, 300.0), "waiting", Level.WARNING),
    (Outbox(2, 0, 4000.0), "stuck", Level.FAULT),
    (Outbox(0, 1, None), "dead_letters", Level.FAULT),
    (Outbox(3, 2, 300.0, expired=1), "expired", Level.FAULT),
])
def test_outbox_check(outbox: Outbox, state: str, level: Level) -> None:
    (check,) = OutboxProbe(outbox).checks()  # type: ignore[arg-type]
    assert (check.state, check.level) == (state, level)
    assert check.params["waiting"] == outbox.values["pending"]


class Answers:
    """A relay's view, as the probe reads it."""

    def __init__(self, health: dict[str, str | None] | None,
                 dead: tuple[DeadLetter, ...] = (), dead_total: int = 0) -> None:
        self.health = health
        self.dead, self.dead_total = dead, dead_total

    def status(self) -> RelayStatus:
        if self.health is None:
            raise RelayUnavailable("no relay")
        return RelayStatus(self.health, 0, self.dead, self.dead_total)  # type: ignore[arg-type]


@pytest.mark.parametrize(("health", "state", "level"), [
    ("up", "up", Level.OK),
    ("failing", "failing", Level.WARNING),
    ("auth", "refused", Level.FAULT),
    (None, "not_tried", Level.UNKNOWN),
])
def test_back_offices_are_seen_through_the_relay(health: str | None, state: str,
                                                 level: Level) -> None:
    relay, council = RelayProbe(Answers({"council": health}), ["council"]).checks()
    assert (relay.id, relay.state, relay.level) == ("relay", "running", Level.OK)
    assert (council.id, council.state, council.level) == ("hub:council", state, level)
    assert council.key == f"health.hub.{state}"


def test_no_relay_running_is_a_fault_and_back_offices_are_unknown() -> None:
    relay, council = RelayProbe(Answers(None), ["council"]).checks()
    assert (relay.state, relay.level) == ("not_running", Level.FAULT)
    assert (council.state, council.level) == ("not_tried", Level.UNKNOWN)


def test_the_relay_probe_over_the_real_socket(tmp_path: Path) -> None:
    """A real relay service answering on its socket, and the same path once it has stopped."""
    with RealOutbox(tmp_path / "outbox.db", load_or_create_key(tmp_path / "outbox.key"),
                time.time) as box:
        relay = Relay(box, {"council": Open311Sender(
            "http://127.0.0.1:9/open311/v2", "key", timeout_seconds=1)},
            time.time, random.Random(1))
        service = RelayService(relay, tmp_path / "relay.sock", interval_seconds=3600)
        service.start()
        client = RelayClient(tmp_path / "relay.sock")
        try:
            checks = RelayProbe(client, ["council"]).checks()
        finally:
            service.stop(10)
        assert [(c.id, c.state) for c in checks] == [("relay", "running"),
                                                     ("hub:council", "not_tried")]
        assert RelayProbe(client, ["council"]).checks()[0].state == "not_running"


def test_each_dead_letter_is_a_check_and_the_rest_are_counted() -> None:
    letters = (DeadLetter("ABC2DE3F", "missed-bin", "council", "http_400 bad code", True),
               DeadLetter("XYZ4TU5V", "feedback", "mailbox", "expired: not delivered", False))
    checks = RelayProbe(Answers({"council": "up"}, letters, dead_total=5), ["council"]).checks()
    dead = [c for c in checks if c.id.startswith("dead")]
    assert [(c.id, c.state, c.level) for c in dead] == [
        ("dead:ABC2DE3F", "retryable", Level.FAULT), ("dead:XYZ4TU5V", "erased", Level.FAULT),
        ("dead_more", "more", Level.FAULT)]
    assert dead[0].params == {"reference": "ABC2DE3F", "service": "missed-bin",
                              "destination": "council", "reason": "http_400 bad code"}
    assert dead[0].key == "health.dead.retryable"
    assert dead[2].params == {"count": 3}


def test_a_check_its_probe_no_longer_returns_leaves_the_status() -> None:
    answers = Answers({"council": "up"},
                      (DeadLetter("ABC2DE3F", "missed-bin", "council", "x", True),), 1)
    monitor = HealthMonitor([RelayProbe(answers, ["council"])], CLOCK)
    assert monitor.refresh().check("dead:ABC2DE3F") is not None
    answers.dead, answers.dead_total = (), 0
    status = monitor.refresh()
    assert status.check("dead:ABC2DE3F") is None
    assert [c.id for c in status.checks] == ["relay", "hub:council"]


def test_network_probe_finds_a_route_to_loopback_and_says_when_a_name_does_not_resolve() -> None:
    (ok,) = NetworkProbe("http://127.0.0.1:8311/open311/v2").checks()
    assert ok.state == "connected"
    (bad,) = NetworkProbe("http://no-such-host.invalid/open311/v2").checks()
    assert (bad.state, bad.level) == ("no_dns", Level.FAULT)


class Broken:
    id = "printer"

    def checks(self) -> tuple[Check, ...]:
        raise OSError("device gone")


def test_a_probe_that_breaks_shows_as_unknown_and_others_still_run() -> None:
    monitor = HealthMonitor([Broken(), CardReaderProbe(None)], CLOCK)
    status = monitor.refresh()
    assert [(c.id, c.state) for c in status.checks] == [("printer", "probe_failed"),
                                                         ("card_reader", "not_fitted")]
    assert status.worst is Level.UNKNOWN


def test_monitor_logs_one_line_each_way_and_keeps_other_checks(
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="kiosk.health")
    printer = Printer(S.ONLINE)
    monitor = HealthMonitor([PrinterProbe(printer), CardReaderProbe(None)], CLOCK,
                            (("app", "1.0"),))
    monitor.refresh()
    for status in (S.PAPER_OUT, S.PAPER_OUT, S.PAPER_OUT, S.ONLINE, S.ONLINE):
        printer.value = status
        latest = monitor.refresh(only=("printer",))
    assert latest.check("card_reader") is not None  # kept from the first full refresh
    lines = [(r.levelname, r.getMessage()) for r in caplog.records if r.levelno >= logging.INFO]
    assert lines == [("WARNING", "paper: out (was ok)"), ("INFO", "paper: ok (was out)")]
    report = latest.as_dict()
    assert report["worst"] == "ok"
    assert report["versions"] == {"app": "1.0"}


def test_versions_name_the_app_profile_and_services() -> None:
    rows = dict(versions(b"schema_version: 1\n", [("missed-bin", 3)], {"qt": "6.11.3"}))
    assert rows["service:missed-bin"] == "3"
    assert rows["qt"] == "6.11.3"
    assert len(rows["profile"]) == 12
    assert rows["python"].count(".") == 2
