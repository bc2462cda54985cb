"""An unhandled exception anywhere ends the visit, not the kiosk (issue 9; V8, K7).

Without this, an exception in a slot printed a traceback to stderr (the journal) and the
visit went on in whatever state it was left: a half-built page, a session the terminal no
longer agreed with. PySide6 hands an exception in a slot, a virtual override or an event
filter to `sys.excepthook`; a worker thread's goes to `threading.excepthook`. Both become:

1. one log line: the exception's type and where, in our code, it was raised (module and
   line of the innermost frame of ours). Never its message, never locals: a message can
   quote what a resident typed (`ValueError: invalid postcode 'DE99 1XY'`);
2. the traceback's frames cleared, and `sys.last_value`/`sys.last_traceback` (set by
   PySide's `PyErr_Print` before it calls the hook) dropped: they would keep the visit's
   objects alive, and the terminal's wipe proves those are gone;
3. on the GUI thread, after the current event: the visit ends and the terminal wipes it
   (`Terminal.end`, or `Terminal.wipe` between visits), so the attract screen comes back
   only once the wipe is verified. A wipe that cannot be verified already fails closed in
   the terminal (`on_fatal`: exit 76, systemd starts a fresh process).

An exception while recovering (before the wiped attract screen is back), or more than
`BURST` within `BURST_SECONDS`, fails closed at once with the same exit: a kiosk that keeps
failing should restart rather than loop. `sys.unraisablehook` (exceptions nobody can catch:
finalizers, weak-reference callbacks) only logs, redacted the same way.

PySide6 also writes one line of its own to stderr for an exception in a virtual override
("Error calling Python override of QWidget::event(): "): type names only, no message.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

from kiosk.session import EndReason
from kiosk.terminal import Terminal

log = logging.getLogger(__name__)

# Packages whose frames are "ours": the log names where in them things went wrong.
OUR_PACKAGES = frozenset({"ui", "kiosk", "accessibility", "peripherals", "provisioning", "hub",
                          "tests", "bench"})
BURST = 3
BURST_SECONDS = 60.0

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], Any]


def where(tb: TracebackType | None) -> str:
    """`module:line` of the innermost frame of our code (else of the innermost frame)."""
    ours = last = "unknown:0"
    while tb is not None:
        module = str(tb.tb_frame.f_globals.get("__name__", "unknown"))
        last = f"{module}:{tb.tb_lineno}"
        if module.split(".", 1)[0] in OUR_PACKAGES:
            ours = last
        tb = tb.tb_next
    return ours if ours != "unknown:0" else last


def redacted(exc_type: type[BaseException], tb: TracebackType | None, thread: str) -> str:
    return f"unhandled {exc_type.__qualname__} at {where(tb)} ({thread})"


def forget(exc: BaseException | None, tb: TracebackType | None) -> None:
    """Let go of everything the exception holds: frames' locals can be a resident's answers."""
    if tb is not None:
        traceback.clear_frames(tb)
    if exc is not None:
        exc.__traceback__ = None
    for name in ("last_type", "last_value", "last_traceback", "last_exc"):
        if hasattr(sys, name):
            setattr(sys, name, None)


class CrashGuard(QObject):
    """Installed by `install` (the app, once the kiosk is built); `uninstall` puts back the
    hooks it found. `incidents` counts the exceptions it handled."""

    _crashed = Signal()
    _failing = Signal(str)

    def __init__(self, terminal: Terminal, fail_closed: Callable[[], None], *,
                 clock: Callable[[], float] = time.monotonic,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.terminal = terminal
        self.fail_closed = fail_closed
        self.clock = clock
        self.incidents = 0
        self.recovering = False
        self.failed = False
        self._recent: list[float] = []
        self._previous: tuple[ExceptHook, Any, Any] | None = None
        self._disconnect: Callable[[], None] | None = None
        # Queued even from the GUI thread: recovery never runs inside the failing slot.
        self._crashed.connect(self._recover, Qt.ConnectionType.QueuedConnection)
        self._failing.connect(self._give_up, Qt.ConnectionType.QueuedConnection)

    # ----- installing ----------------------------------------------------------------------

    def install(self) -> None:
        if self._previous is not None:
            return
        self._previous = (sys.excepthook, threading.excepthook, sys.unraisablehook)
        sys.excepthook = self._excepthook
        threading.excepthook = self._thread_excepthook
        sys.unraisablehook = self._unraisablehook
        self._disconnect = self.terminal.events.between_sessions.connect(self._recovered)

    def uninstall(self) -> None:
        if self._previous is None:
            return
        hook, thread_hook, unraisable = self._previous
        self._previous = None
        if sys.excepthook == self._excepthook:
            sys.excepthook = hook
        if threading.excepthook == self._thread_excepthook:
            threading.excepthook = thread_hook
        if sys.unraisablehook == self._unraisablehook:
            sys.unraisablehook = unraisable
        if self._disconnect is not None:
            self._disconnect()
            self._disconnect = None

    # ----- the hooks -----------------------------------------------------------------------

    def _excepthook(self, exc_type: type[BaseException], exc: BaseException,
                    tb: TracebackType | None) -> None:
        log.critical("%s; the visit is wiped", redacted(exc_type, tb, "GUI thread"))
        forget(exc, tb)
        del exc, tb
        self._incident()

    def _thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        name = args.thread.name if args.thread is not None else "a thread"
        log.critical("%s; the visit is wiped", redacted(args.exc_type, args.exc_traceback, name))
        forget(args.exc_value, args.exc_traceback)
        del args
        self._incident()

    def _unraisablehook(self, unraisable: Any) -> None:
        log.error("unraisable %s at %s", unraisable.exc_type.__qualname__,
                  where(unraisable.exc_traceback))
        forget(unraisable.exc_value, unraisable.exc_traceback)

    # ----- recovering ----------------------------------------------------------------------

    def _incident(self) -> None:
        self.incidents += 1
        now = self.clock()
        self._recent = [at for at in self._recent if now - at < BURST_SECONDS] + [now]
        if self.recovering or len(self._recent) > BURST:
            # On the GUI thread too: the exit is the event loop's.
            self._failing.emit("an exception while recovering" if self.recovering
                               else f"{len(self._recent)} exceptions within {BURST_SECONDS:g} s")
            return
        self.recovering = True
        self._crashed.emit()  # to the GUI thread, after the current event

    def _recover(self) -> None:
        if self.failed:
            return
        try:
            if self.terminal.in_session:
                self.terminal.end(EndReason.START_AGAIN)  # the wipe follows, deferred
            else:
                self.terminal.wipe()
        except Exception as exc:  # noqa: BLE001 - whatever it is, the kiosk fails closed
            log.critical("recovery failed: %s", type(exc).__qualname__)
            forget(exc, exc.__traceback__)
            self._give_up("the recovery raised")

    def _recovered(self) -> None:
        self.recovering = False

    def _give_up(self, why: str) -> None:
        if self.failed:
            return
        self.failed = True
        log.critical("failing closed after %s", why)
        self.fail_closed()


def install_crash_guard(terminal: Terminal, fail_closed: Callable[[], None],
                        parent: QObject | None = None) -> CrashGuard:
    guard = CrashGuard(terminal, fail_closed, parent=parent)
    guard.install()
    return guard
