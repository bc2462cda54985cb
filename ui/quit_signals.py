"""Quit the Qt event loop cleanly on SIGTERM (systemd's stop) and SIGINT (Ctrl+C in a demo).

Without this SIGTERM kills the process where it stands: `run`'s `finally: kiosk.close()` never
runs, so the speech folder (what was said can be personal), the session worker and the card
bridge are left behind. A Python signal handler only runs when the interpreter gets control,
which it does not while Qt waits in C++ for events, so the handler is paired with a wake-up
socket (`signal.set_wakeup_fd`) that a QSocketNotifier watches: the signal's byte wakes the
event loop, Python runs the handler, and the handler asks the loop to quit.
"""

from __future__ import annotations

import logging
import signal
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from PySide6.QtCore import QCoreApplication, QSocketNotifier, QTimer

log = logging.getLogger(__name__)

QUIT_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextmanager
def quit_on_signals(app: QCoreApplication,
                    signals: tuple[signal.Signals, ...] = QUIT_SIGNALS) -> Iterator[None]:
    """While inside, each of `signals` makes `app.exec()` return 0; on leaving, the previous
    handlers and wake-up descriptor come back. Call from the main thread only."""
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read)

    def drain() -> None:
        try:
            while reader.recv(64):
                pass
        except OSError:
            pass  # nothing more to read (BlockingIOError), or closed meanwhile

    def handle(number: int, _frame: FrameType | None) -> None:
        log.info("%s received: closing down", signal.Signals(number).name)
        # Queued, not called: a signal that arrives just before `exec()` starts would
        # otherwise be lost (quit() does nothing while no event loop runs).
        QTimer.singleShot(0, app.quit)

    notifier.activated.connect(drain)
    previous_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    previous = {number: signal.signal(number, handle) for number in signals}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        signal.set_wakeup_fd(previous_fd)
        notifier.setEnabled(False)
        notifier.deleteLater()
        reader.close()
        writer.close()
