"""sd_notify without libsystemd: what systemd's side of the socket receives, from the module
and from a real `kiosk relay` process (Type=notify, WatchdogSec in its unit)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.sd_notify import Notifier, serve_until
from tests.kiosk_fixtures import demo_profile_copy
from tests.relay_process import running_relay


class Manager:
    """systemd's end: a datagram socket that collects every message sent to it."""

    def __init__(self, address: str) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(address)
        self.sock.settimeout(0.1)
        self.messages: list[str] = []

    def collect(self) -> None:
        try:
            while True:
                self.messages.append(self.sock.recv(4096).decode("utf-8"))
        except TimeoutError:
            return

    def wait_for(self, what: str, count: int = 1, timeout: float = 20.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while sum(what in m.split("\n") for m in self.messages) < count:
            assert time.monotonic() < deadline, f"{count} x {what!r} not within {timeout} s: " \
                                                f"{self.messages}"
            self.collect()
        return self.messages


@pytest.fixture
def manager(tmp_path: Path) -> Iterator[Manager]:
    m = Manager(str(tmp_path / "notify.sock"))
    try:
        yield m
    finally:
        m.sock.close()


def test_without_notify_socket_every_call_is_a_quiet_no() -> None:
    notifier = Notifier.from_environment({})
    assert not notifier.enabled
    assert (notifier.ready(), notifier.watchdog(), notifier.stopping()) == (False, False, False)
    assert notifier.ping_interval is None


def test_ready_watchdog_and_stopping_reach_the_manager(tmp_path: Path, manager: Manager) -> None:
    notifier = Notifier.from_environment({"NOTIFY_SOCKET": str(tmp_path / "notify.sock"),
                                          "WATCHDOG_USEC": "20000000"})
    assert notifier.ready("delivering")
    assert notifier.watchdog()
    assert notifier.stopping()
    manager.wait_for("STOPPING=1")
    assert manager.messages == ["READY=1\nSTATUS=delivering", "WATCHDOG=1", "STOPPING=1"]
    assert notifier.ping_interval == 10.0


def test_an_abstract_socket_name_is_understood() -> None:
    name = f"civic-kiosk-test-{os.getpid()}-{time.monotonic_ns()}"
    m = Manager("\0" + name)
    try:
        assert Notifier.from_environment({"NOTIFY_SOCKET": "@" + name}).ready()
        assert m.wait_for("READY=1") == ["READY=1"]
    finally:
        m.sock.close()


def test_a_watchdog_meant_for_another_process_is_not_ours() -> None:
    env = {"NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"}
    assert Notifier.from_environment(env, pid=4242).ping_interval is None
    assert Notifier.from_environment(env, pid=1).ping_interval == 0.5


def test_a_manager_gone_away_is_reported_as_false_not_raised(tmp_path: Path) -> None:
    assert Notifier.from_environment({"NOTIFY_SOCKET": str(tmp_path / "gone")}).ready() is False


def test_pings_come_while_healthy_and_stop_when_not(tmp_path: Path, manager: Manager) -> None:
    notifier = Notifier.from_environment({"NOTIFY_SOCKET": str(tmp_path / "notify.sock"),
                                          "WATCHDOG_USEC": "200000"})
    healthy = threading.Event()
    healthy.set()
    stop = threading.Event()
    thread = threading.Thread(target=serve_until, args=(stop, notifier, healthy.is_set),
                              kwargs={"tick": 0.05})
    thread.start()
    try:
        manager.wait_for("WATCHDOG=1", count=3, timeout=10)
        healthy.clear()
        time_unhealthy = time.monotonic()
        manager.collect()
        seen = len(manager.messages)
        # One ping may have been on its way; after that, none for several intervals.
        deadline = time_unhealthy + 0.6
        while time.monotonic() < deadline:
            manager.collect()
        assert len(manager.messages) <= seen + 1
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()


def test_the_relay_process_is_ready_pings_and_says_it_is_stopping(
    tmp_path: Path, manager: Manager
) -> None:
    profile = demo_profile_copy(tmp_path)
    env = {"NOTIFY_SOCKET": str(tmp_path / "notify.sock"), "WATCHDOG_USEC": "1000000"}
    with running_relay(profile, tmp_path / "state", tmp_path / "log", extra_env=env) as relay:
        manager.wait_for("READY=1")
        manager.wait_for("WATCHDOG=1", count=2)
        assert relay.stop() == 0
    manager.wait_for("STOPPING=1")
    first = manager.messages[0].split("\n")
    assert first[0] == "READY=1"
