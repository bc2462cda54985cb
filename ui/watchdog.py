"""Tell systemd the screen is up and alive, from the GUI thread (issue 9; reliability-security
§5 "Watchdog design for a Qt app under cage", S2).

The screen's unit is `Type=notify` with `WatchdogSec=`: systemd waits for `READY=1` and then
wants `WATCHDOG=1` more often than `WatchdogSec`, or it kills and restarts the unit. The
pings come from a QTimer on the GUI thread, so a frozen event loop (a deadlock, an endless
slot) stops them; a thread would keep pinging under a frozen screen.

The protocol is a datagram per message on the AF_UNIX socket named by `$NOTIFY_SOCKET`
(a path, or `@name` for the abstract namespace), written here with the standard library:
no libsystemd binding to install. Without `$NOTIFY_SOCKET` (a demo, a test, a developer's
desktop) every call is a silent no-op.

Under cage. cage is the unit's main process and the kiosk its child, so systemd's
`$WATCHDOG_PID` (passed down to the kiosk in cage's environment) names cage, not us; and
systemd accepts our messages only with `NotifyAccess=all`. `sd_watchdog_enabled()` would
say "not for you" and never ping. Here the watchdog counts as ours when `$WATCHDOG_PID` is
absent, our own PID, or our parent's (cage starts the kiosk directly). A PID naming some
other process means the watchdog is someone else's: no pings.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

from PySide6.QtCore import QObject, Qt, QTimer

log = logging.getLogger(__name__)


def socket_address(value: str) -> str | None:
    """The address to send to: a path, or the abstract name for '@name'; None if unusable."""
    if value.startswith("@") and len(value) > 1:
        return "\0" + value[1:]
    if value.startswith("/"):
        return value
    return None  # vsock: and other transports systemd may offer: not ours to use


def watchdog_interval_ms(environ: Mapping[str, str], *, pid: int, parent_pid: int) -> int | None:
    """Half of `$WATCHDOG_USEC`, as sd_watchdog_enabled(3) recommends; None when there is no
    watchdog, or it watches another process."""
    try:
        usec = int(environ.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    if usec <= 0:
        return None
    watched = environ.get("WATCHDOG_PID", "")
    if watched:
        try:
            if int(watched) not in (pid, parent_pid):
                return None
        except ValueError:
            return None
    return max(1, usec // 2000)


class Notifier:
    """sd_notify(3): one datagram per message; failures are logged once, never raised."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
        self.sock.setblocking(False)  # the GUI thread never waits on systemd
        self._complained = False

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Notifier | None:
        address = socket_address(environ.get("NOTIFY_SOCKET", ""))
        return cls(address) if address is not None else None

    def send(self, message: str) -> bool:
        try:
            self.sock.sendto(message.encode(), self.address)
        except OSError as exc:
            if not self._complained:
                self._complained = True
                log.warning("cannot notify systemd (%s): %s", message.split("=", 1)[0],
                            type(exc).__name__)
            return False
        return True

    def close(self) -> None:
        self.sock.close()


class Watchdog(QObject):
    """`start` begins pinging (when systemd asked for a watchdog); `ready` says READY=1 once;
    `stopping` says STOPPING=1 and stops."""

    def __init__(self, environ: Mapping[str, str], *, pid: int | None = None,
                 parent_pid: int | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.notifier = Notifier.from_environ(environ)
        self.interval_ms = watchdog_interval_ms(
            environ, pid=os.getpid() if pid is None else pid,
            parent_pid=os.getppid() if parent_pid is None else parent_pid)
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self.ping)
        self._ready = False
        if self.notifier is not None and self.interval_ms is None and "WATCHDOG_USEC" in environ:
            log.info("systemd's watchdog watches another process: not pinging")

    @property
    def pinging(self) -> bool:
        return self.timer.isActive()

    def start(self) -> None:
        if self.notifier is not None and self.interval_ms is not None:
            self.timer.start(self.interval_ms)
            self.ping()

    def ping(self) -> None:
        if self.notifier is not None:
            self.notifier.send("WATCHDOG=1")

    def ready(self) -> None:
        if self.notifier is not None and not self._ready:
            self._ready = True
            self.notifier.send("READY=1\nSTATUS=attract screen shown")

    def stopping(self) -> None:
        self.timer.stop()
        if self.notifier is not None:
            self.notifier.send("STOPPING=1")
            self.notifier.close()
            self.notifier = None
