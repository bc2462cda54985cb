"""Tell systemd the screen is up and alive, from the GUI thread (issue 9; reliability-security
§5 "Watchdog design for a Qt app under cage", S2).

The screen's unit is `Type=notify` with `WatchdogSec=`: systemd waits for `READY=1` and then
wants `WATCHDOG=1` more often than `WatchdogSec`, or it kills and restarts the unit. The
pings come from a QTimer on the GUI thread, so a frozen event loop (a deadlock, an endless
slot) stops them; a thread would keep pinging under a frozen screen.

The protocol (a datagram per message on the AF_UNIX socket named by `$NOTIFY_SOCKET`) is
the core's `kiosk.sd_notify`, which the relay uses too: no libsystemd binding to install.
Without `$NOTIFY_SOCKET` (a demo, a test, a developer's
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
from collections.abc import Mapping

from PySide6.QtCore import QObject, Qt, QTimer

from kiosk.sd_notify import Notifier, socket_address, watchdog_seconds

log = logging.getLogger(__name__)


def watchdog_interval_ms(environ: Mapping[str, str], *, pid: int, parent_pid: int) -> int | None:
    """Half of `$WATCHDOG_USEC`, as sd_watchdog_enabled(3) recommends; None when there is no
    watchdog, or it watches another process (cage, our parent, counts as us)."""
    seconds = watchdog_seconds(environ, pid, parent_pid)
    return None if seconds is None else max(1, int(seconds * 500))


class Watchdog(QObject):
    """`start` begins pinging (when systemd asked for a watchdog); `ready` says READY=1 once;
    `stopping` says STOPPING=1 and stops."""

    def __init__(self, environ: Mapping[str, str], *, pid: int | None = None,
                 parent_pid: int | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        notifier = Notifier.from_environment(environ)
        self.notifier: Notifier | None = notifier if notifier.enabled else None
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
            self.notifier.watchdog()

    def ready(self) -> None:
        if self.notifier is not None and not self._ready:
            self._ready = True
            self.notifier.ready("attract screen shown")

    def stopping(self) -> None:
        self.timer.stop()
        if self.notifier is not None:
            self.notifier.stopping()
            self.notifier = None


__all__ = ["Watchdog", "socket_address", "watchdog_interval_ms"]
