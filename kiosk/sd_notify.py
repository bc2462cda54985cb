"""Tell systemd how a service is doing (the sd_notify protocol), with the standard library only.

A unit with `Type=notify` waits for READY=1 before it counts the service as started, and one
with `WatchdogSec=` restarts it when WATCHDOG=1 stops arriving. `kiosk relay` uses this
(systemd/civic-kiosk-relay.service); it is Qt-free so any process can. Started by anything
but systemd (no NOTIFY_SOCKET), every call is a silent no-op returning False, so the same
code runs under a test, a terminal or the demo.

The protocol is one datagram of newline-separated KEY=VALUE fields on the AF_UNIX socket
named by NOTIFY_SOCKET (a leading "@" is Linux's abstract namespace). The watchdog interval
comes from WATCHDOG_USEC, and counts only for the process named by WATCHDOG_PID when that
is set: a child that inherited the variables must not ping for its parent.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping

logger = logging.getLogger(__name__)


def socket_address(value: str) -> str | None:
    """The address to send to: a path, or the abstract name for '@name'; None if unusable."""
    if value.startswith("@") and len(value) > 1:
        return "\0" + value[1:]
    if value.startswith("/"):
        return value
    if value:  # vsock: and other transports systemd may offer are not ours to use
        logger.warning("NOTIFY_SOCKET is neither a path nor an abstract name; not notifying")
    return None


def watchdog_seconds(environ: Mapping[str, str], pid: int,
                     parent_pid: int | None = None) -> float | None:
    """WATCHDOG_USEC in seconds when the watchdog watches this process. `parent_pid`: also
    when it watches our parent — the screen runs under cage, the unit's main process, so
    systemd's WATCHDOG_PID names cage and the screen's pings count through NotifyAccess=all."""
    usec, owner = environ.get("WATCHDOG_USEC", ""), environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    if owner and (not owner.isdigit() or int(owner) not in (pid, parent_pid)):
        return None
    return int(usec) / 1_000_000


class Notifier:
    """The service's side of sd_notify. `from_environment()` reads what systemd set."""

    def __init__(self, address: str | None, watchdog_seconds: float | None) -> None:
        self.address = address
        self.watchdog_seconds = watchdog_seconds
        self._complained = False

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None,
                         pid: int | None = None, parent_pid: int | None = None) -> Notifier:
        env = os.environ if environ is None else environ
        return cls(socket_address(env.get("NOTIFY_SOCKET", "")),
                   watchdog_seconds(env, os.getpid() if pid is None else pid, parent_pid))

    @property
    def enabled(self) -> bool:
        return self.address is not None

    @property
    def ping_interval(self) -> float | None:
        """Half the watchdog timeout, as sd_watchdog_enabled(3) recommends; None: no watchdog."""
        return None if self.watchdog_seconds is None else self.watchdog_seconds / 2

    def send(self, *fields: str) -> bool:
        """One datagram with these KEY=VALUE fields; False when not under systemd or it failed
        (logged once: a failed ping must not take the service down, systemd will)."""
        if self.address is None:
            return False
        message = "\n".join(field.replace("\n", " ") for field in fields).encode("utf-8")
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.sendto(message, self.address)
        except OSError as exc:
            if not self._complained:
                logger.warning("cannot notify systemd: %s", type(exc).__name__)
                self._complained = True
            return False
        return True

    def ready(self, status: str | None = None) -> bool:
        return self.send("READY=1", *([f"STATUS={status}"] if status else []))

    def watchdog(self) -> bool:
        return self.send("WATCHDOG=1")

    def stopping(self) -> bool:
        return self.send("STOPPING=1")

    def status(self, text: str) -> bool:
        return self.send(f"STATUS={text}")


def serve_until(stop: threading.Event, notifier: Notifier, healthy: Callable[[], bool], *,
                tick: float = 1.0, clock: Callable[[], float] = time.monotonic) -> int:
    """Wait for `stop`, pinging the watchdog every half WatchdogSec while `healthy()` says
    so: a service that stops answering is restarted by systemd. Returns the pings sent."""
    interval = notifier.ping_interval
    pings = 0
    due = clock()
    while not stop.is_set():
        if interval is not None and clock() >= due:
            if healthy():
                pings += notifier.watchdog()
            else:
                logger.warning("not answering its own health check: no watchdog ping")
            due = clock() + interval
        wait = tick if interval is None else max(0.0, min(tick, due - clock()))
        stop.wait(wait)
    return pings
