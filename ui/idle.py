"""Qt side of the terminal's clock: notices touches and wakes the terminal at its deadline.

The terminal decides (warning, end, holds); this only turns input events into `touch()` and
the next deadline into a single-shot timer that calls `tick()`.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

from kiosk.terminal import Terminal

_ACTIVITY = {
    QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress,
    QEvent.Type.Wheel, QEvent.Type.TabletPress,
}


class IdleWatch(QObject):
    """`touched` fires on every press, so speech can stop the moment a resident acts."""

    touched = Signal()

    def __init__(self, terminal: Terminal, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.terminal = terminal
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.check)
        self.countdown = QTimer(self)
        self.countdown.setInterval(250)
        terminal.events.deadline_changed.connect(self.reschedule)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            self.terminal.touch()
            self.touched.emit()
        return False

    def reschedule(self, deadline: float | None) -> None:
        """The terminal's next deadline changed (`deadline_changed`): wake up then."""
        if deadline is None:
            self.timer.stop()
            return
        wait_ms = max(0, int((deadline - self.terminal.clock.monotonic()) * 1000))
        self.timer.start(wait_ms)

    def check(self) -> None:
        self.terminal.tick()
