"""The screen tells systemd it is up and alive, from the GUI thread (issue 9; reliability-
security §5, S2): pings arrive at half WATCHDOG_USEC on our own notify socket, stop while
the GUI thread is blocked, and READY=1 / STOPPING=1 come from the real start-up path."""

from __future__ import annotations

import itertools
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer

from tests.ui.test_lockdown import probe
from ui.watchdog import Watchdog, socket_address, watchdog_interval_ms

INTERVAL_MS = 100
WATCHDOG_USEC = str(INTERVAL_MS * 2 * 1000)


class NotifySocket:
    """What systemd listens on: an AF_UNIX datagram socket; a thread stamps each message's
    arrival (monotonic seconds)."""

    def __init__(self, address: str) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(address)
        self.sock.settimeout(0.05)
        self.messages: list[tuple[float, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._receive, name="notify-socket", daemon=True)
        self._thread.start()

    def _receive(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            self.messages.append((time.monotonic(), data.decode()))

    def pings(self) -> list[float]:
        return [at for at, text in list(self.messages) if text == "WATCHDOG=1"]

    def texts(self) -> list[str]:
        return [text for _, text in list(self.messages)]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


@pytest.fixture
def notify_path(tmp_path: Path) -> Iterator[tuple[str, NotifySocket]]:
    path = str(tmp_path / "notify")
    assert len(path) < 100, "AF_UNIX paths are short"
    receiver = NotifySocket(path)
    yield path, receiver
    receiver.close()


def test_addresses_and_intervals() -> None:
    assert socket_address("/run/systemd/notify") == "/run/systemd/notify"
    assert socket_address("@kiosk/notify") == "\0kiosk/notify"
    assert socket_address("") is None
    assert socket_address("@") is None
    assert socket_address("vsock:2:1234") is None
    env = {"WATCHDOG_USEC": "20000000"}
    assert watchdog_interval_ms(env, pid=50, parent_pid=10) == 10_000
    assert watchdog_interval_ms({}, pid=50, parent_pid=10) is None
    assert watchdog_interval_ms({"WATCHDOG_USEC": "0"}, pid=50, parent_pid=10) is None
    assert watchdog_interval_ms({"WATCHDOG_USEC": "x"}, pid=50, parent_pid=10) is None
    # Under cage, systemd's main PID (and so WATCHDOG_PID) is cage: our parent.
    assert watchdog_interval_ms({**env, "WATCHDOG_PID": "10"}, pid=50, parent_pid=10) == 10_000
    assert watchdog_interval_ms({**env, "WATCHDOG_PID": "50"}, pid=50, parent_pid=10) == 10_000
    assert watchdog_interval_ms({**env, "WATCHDOG_PID": "77"}, pid=50, parent_pid=10) is None


def test_pings_arrive_and_stop_while_the_gui_thread_is_blocked(qtbot, notify_path) -> None:
    path, receiver = notify_path
    watchdog = Watchdog({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": WATCHDOG_USEC})
    assert watchdog.interval_ms == INTERVAL_MS
    watchdog.start()
    try:
        qtbot.waitUntil(lambda: len(receiver.pings()) >= 5, timeout=5000)
        pings = receiver.pings()
        gaps = sorted(b - a for a, b in itertools.pairwise(pings))
        assert 0.05 < gaps[len(gaps) // 2] < 0.3  # about every 100 ms
        frozen: list[float] = []

        def freeze() -> None:
            """A slot that hangs the GUI thread for three intervals: the fault injected."""
            frozen.append(time.monotonic())
            threading.Event().wait(3 * INTERVAL_MS / 1000)
            frozen.append(time.monotonic())

        hang = QTimer()
        hang.setSingleShot(True)
        hang.timeout.connect(freeze)
        hang.start(0)
        qtbot.waitUntil(lambda: len(frozen) == 2 and any(at > frozen[1] for at in receiver.pings()),
                        timeout=5000)
        began, ended = frozen
        # A ping sent just before the freeze may be stamped a moment after it began.
        during = [at for at in receiver.pings() if began + 0.02 < at < ended]
        assert during == []
        before = max(at for at in receiver.pings() if at <= began + 0.02)
        after = min(at for at in receiver.pings() if at >= ended)
        assert after - before >= 3 * INTERVAL_MS / 1000 - 0.02
    finally:
        watchdog.stopping()
    # The receiver's own thread reads the datagram: wait for it rather than race it.
    qtbot.waitUntil(lambda: "STOPPING=1" in receiver.texts(), timeout=5000)
    assert receiver.texts()[-1] == "STOPPING=1"


def test_ready_once_and_the_abstract_namespace(qtbot) -> None:
    name = f"kiosk-test-{uuid.uuid4().hex}"
    receiver = NotifySocket("\0" + name)
    try:
        watchdog = Watchdog({"NOTIFY_SOCKET": "@" + name})
        watchdog.start()
        assert not watchdog.pinging  # no WATCHDOG_USEC: no pings, but READY still goes
        watchdog.ready()
        watchdog.ready()
        watchdog.stopping()
        qtbot.waitUntil(lambda: len(receiver.texts()) >= 2, timeout=5000)
        assert receiver.texts() == ["READY=1\nSTATUS=attract screen shown", "STOPPING=1"]
    finally:
        receiver.close()


def test_a_watchdog_for_another_process_is_not_ours(qtbot, notify_path) -> None:
    path, _receiver = notify_path
    env = {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": WATCHDOG_USEC}
    other = Watchdog({**env, "WATCHDOG_PID": "1"}, pid=4242, parent_pid=4241)
    other.start()
    assert not other.pinging
    cage = Watchdog({**env, "WATCHDOG_PID": str(os.getppid())})
    cage.start()
    assert cage.pinging
    cage.stopping()
    other.stopping()


def test_without_notify_socket_everything_is_a_silent_no_op(qtbot) -> None:
    watchdog = Watchdog({"WATCHDOG_USEC": WATCHDOG_USEC})
    watchdog.start()
    watchdog.ready()
    assert watchdog.notifier is None
    assert not watchdog.pinging
    watchdog.stopping()


def test_a_missing_listener_never_stops_the_screen(qtbot, tmp_path: Path, caplog) -> None:
    watchdog = Watchdog({"NOTIFY_SOCKET": str(tmp_path / "nobody"),
                         "WATCHDOG_USEC": WATCHDOG_USEC})
    watchdog.start()
    watchdog.ping()
    assert watchdog.pinging
    assert caplog.text.count("cannot notify systemd") == 1
    watchdog.stopping()


def test_the_start_up_path_says_ready_pings_and_says_stopping(tmp_path: Path,
                                                              notify_path) -> None:
    """`kiosk run`'s path (tests/ui/start_up_probe.py): READY=1 after the first frame, pings
    from its event loop, STOPPING=1 when SIGTERM ends it."""
    path, receiver = notify_path
    process = probe(tmp_path, extra_env={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": WATCHDOG_USEC,
                                         "WATCHDOG_PID": str(os.getpid())})
    # WATCHDOG_PID names this test, the probe's parent: as systemd's names cage.
    try:
        process.wait_for_line("KIOSK-IN", 30)
        process.wait_for(lambda: len(receiver.pings()) >= 3, 10, "three pings")
        assert process.terminate(30) == 0, process.output()
    finally:
        process.stop()
    deadline = time.monotonic() + 5
    while "STOPPING=1" not in receiver.texts() and time.monotonic() < deadline:
        threading.Event().wait(0.01)
    said = [text for text in receiver.texts() if text != "WATCHDOG=1"]
    assert said == ["READY=1\nSTATUS=attract screen shown", "STOPPING=1"], receiver.texts()
