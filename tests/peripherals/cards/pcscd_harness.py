"""A real, private pcscd with the vsmartcard-vpcd virtual reader, and helpers to watch it.

pcscd 1.9.9 always serves /run/pcscd/pcscd.comm (it ignores PCSCLITE_CSOCK_NAME; only the
client library reads it), so it runs in its own mount namespace with a private directory
bound over /run. The test process finds it through PCSCLITE_CSOCK_NAME.

libpcsclite reads PCSCLITE_CSOCK_NAME once per process, at its first call, and keeps it
(checked: a second path set later is ignored). So there is one daemon directory per test
session; the daemon itself is stopped, restarted and reconfigured inside it as the tests
need, and killed (its whole process group) when the session ends.

The vpcd driver opens two slots, "Virtual PCD 00 00" and "Virtual PCD 00 01", listening on
`vpcd_port` and `vpcd_port + 1` on all interfaces; a virtual card connects to one of them.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

from peripherals.cards import CardEvent, PcscCardReader, ReaderStatus

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
SLOT_NAMES = ("Virtual PCD 00 00", "Virtual PCD 00 01")
START_TIMEOUT = 10.0
EVENT_TIMEOUT = 5.0
_SBIN_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])


def _vpcd_conf(port: int) -> str:
    return (
        'FRIENDLYNAME "Virtual PCD"\n'
        f"DEVICENAME   /dev/null:0x{port:04X}\n"
        f"LIBPATH      {VPCD_DRIVER}\n"
        f"CHANNELID    0x{port:04X}\n"
    )


def _free_port_pair() -> int:
    """A port p with p and p + 1 both free on this machine (vpcd listens on both)."""
    for _ in range(50):
        with socket.socket() as first:
            first.bind(("", 0))
            port = first.getsockname()[1]
            if port >= 65535:
                continue
            with socket.socket() as second:
                try:
                    second.bind(("", port + 1))
                except OSError:
                    continue
                return int(port)
    raise RuntimeError("no two consecutive free TCP ports")


def _listening(port: int) -> bool:
    """True when something listens on TCP `port` (read from /proc: connecting would insert a card)."""
    wanted = f":{port:04X}"
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as lines:
            for line in lines.readlines()[1:]:
                fields = line.split()
                if fields[1].endswith(wanted) and fields[3] == "0A":  # 0A: LISTEN
                    return True
    return False


class PrivatePcscd:
    """One pcscd in its own mount namespace, whose /run is `run_dir`."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.run_dir = base / "run"
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.conf_path = base / "reader.conf"
        self.log_path = base / "pcscd.log"
        self.socket_path = self.run_dir / "pcscd" / "pcscd.comm"
        self.vpcd_port = _free_port_pair()
        self.with_reader = True
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, *, with_reader: bool = True) -> None:
        """Start pcscd (with the vpcd reader, or with no reader at all) and wait until it serves."""
        if self.running:
            raise RuntimeError("pcscd is already running")
        self.with_reader = with_reader
        self.conf_path.write_text(_vpcd_conf(self.vpcd_port) if with_reader else "")
        # Stale files from a killed daemon would make a new one refuse to start.
        shutil.rmtree(self.run_dir / "pcscd", ignore_errors=True)
        script = 'mount --bind "$1" /run && exec pcscd --foreground --debug --auto-exit --config "$2"'
        with open(self.log_path, "ab") as log:
            log.write(f"\n=== start {time.strftime('%H:%M:%S')} with_reader={with_reader}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh",
                 str(self.run_dir), str(self.conf_path)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, env={**os.environ, "PATH": _SBIN_PATH},
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise PcscdDidNotStart(f"pcscd exited with {self.process.returncode}: {self.log_tail()}")
            ports_up = not with_reader or all(_listening(self.vpcd_port + slot) for slot in (0, 1))
            if self.socket_path.is_socket() and ports_up:
                return
            time.sleep(0.01)
        self.kill()
        raise PcscdDidNotStart(f"pcscd did not serve within {START_TIMEOUT} s: {self.log_tail()}")

    def stop(self) -> None:
        """Kill pcscd outright (SIGKILL to its process group), as a crash would."""
        self.kill()

    def restart(self, *, with_reader: bool = True) -> None:
        self.kill()
        self.start(with_reader=with_reader)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)

    def shutdown(self) -> None:
        """End of session: ask politely, then make sure nothing of it is left."""
        if self.process is not None:
            self.kill(signal.SIGTERM)
        shutil.rmtree(self.run_dir / "pcscd", ignore_errors=True)

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


class PcscdDidNotStart(Exception):
    pass


def missing_prerequisite() -> str | None:
    if os.geteuid() != 0:
        return "needs root: pcscd runs in a private mount namespace (unshare --mount)"
    for tool in ("pcscd", "unshare", "mount"):
        if shutil.which(tool, path=_SBIN_PATH) is None:
            return f"{tool} is not installed (apt install pcscd vsmartcard-vpcd util-linux)"
    if not VPCD_DRIVER.exists():
        return f"the vpcd driver {VPCD_DRIVER} is missing (apt install vsmartcard-vpcd)"
    return None


class EventLog:
    """Collects a reader's events on its thread; the test takes them with deadlines."""

    def __init__(self) -> None:
        self.events: queue.Queue[tuple[float, CardEvent]] = queue.Queue()
        self.threads: set[str] = set()

    def __call__(self, event: CardEvent) -> None:
        self.threads.add(threading.current_thread().name)
        self.events.put((time.monotonic(), event))

    def next(self, timeout: float = EVENT_TIMEOUT) -> CardEvent:
        return self.next_timed(timeout)[1]

    def next_timed(self, timeout: float = EVENT_TIMEOUT) -> tuple[float, CardEvent]:
        try:
            return self.events.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no card event within {timeout} s") from None

    def assert_quiet_until(self, cause: Callable[[], object], kind: str) -> None:
        """Nothing more was on its way: cause one more event through the same reader thread
        and check it is the next to arrive. Absence shown by a sentinel, never by waiting a
        while and finding nothing."""
        cause()
        event = self.next()
        assert event.kind == kind, f"an unexpected {event.kind!r} event came before the sentinel"
        assert self.events.empty(), f"unexpected events: {list(self.events.queue)}"


def wait_for_status(reader: PcscCardReader, wanted: ReaderStatus, timeout: float = EVENT_TIMEOUT) -> float:
    """Poll `status()` until it is `wanted`; returns the moment it was seen."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if reader.status() == wanted:
            return time.monotonic()
        time.sleep(0.005)
    raise AssertionError(f"reader status stayed {reader.status()!r}, wanted {wanted!r} within {timeout} s")




def wait_until_slots_empty(timeout: float = EVENT_TIMEOUT) -> None:
    """Block until pcscd itself reports both vpcd slots without a card.

    A card's socket closes at once, but pcscd notices only at its next presence poll; a
    test that started a reader before then would be shown the previous test's card.
    """
    from smartcard import scard  # type: ignore[import-untyped]

    result, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if result != scard.SCARD_S_SUCCESS:
        return  # no daemon: nothing can be left on its slots
    try:
        states = [(name, scard.SCARD_STATE_UNAWARE) for name in SLOT_NAMES]
        deadline = time.monotonic() + timeout
        while True:
            remaining_ms = int((deadline - time.monotonic()) * 1000)
            result, found = scard.SCardGetStatusChange(context, max(remaining_ms, 0), states)
            if result != scard.SCARD_S_SUCCESS:
                raise AssertionError(f"vpcd slots not seen empty: {scard.SCardGetErrorMessage(result)}")
            if not any(state & scard.SCARD_STATE_PRESENT for _name, state, _atr in found):
                return
            states = [(name, state & ~scard.SCARD_STATE_CHANGED) for name, state, _atr in found]
    finally:
        scard.SCardReleaseContext(context)
