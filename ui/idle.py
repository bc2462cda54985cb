"""Qt side of the session lifecycle: notices touches and wakes up at the next deadline."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

from kiosk.clock import Clock
from kiosk.session import Change, SessionLifecycle

_ACTIVITY = {
    QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress,
    QEvent.Type.Wheel, QEvent.Type.TabletPress,
}


class IdleWatch(QObject):
    """Feeds input to the lifecycle and fires `on_change` when a deadline passes.

    `touched` fires on every press, so speech can stop the moment a resident acts.
    """

    touched = Signal()

    def __init__(self, lifecycle: SessionLifecycle, clock: Clock,
                 on_change: Callable[[Change], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lifecycle, self.clock, self.on_change = lifecycle, clock, on_change
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.check)
        self.countdown = QTimer(self)
        self.countdown.setInterval(250)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            self.lifecycle.touch(self.clock.monotonic())
            self.reschedule()
            self.touched.emit()
        return False

    def reschedule(self) -> None:
        deadline = self.lifecycle.next_deadline()
        if deadline is None:
            self.timer.stop()
            return
        wait_ms = max(0, int((deadline - self.clock.monotonic()) * 1000))
        self.timer.start(wait_ms)

    def check(self) -> None:
        change = self.lifecycle.tick(self.clock.monotonic())
        self.reschedule()
        if change is not None:
            self.on_change(change)
