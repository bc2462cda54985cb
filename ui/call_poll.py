"""Asks the advisor queue where the resident is, every `calls.poll_seconds`, while they wait
(the desk decides what an answer means; this is only the clock)."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from kiosk.terminal import Terminal


class CallPoll(QObject):
    def __init__(self, terminal: Terminal, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.terminal = terminal
        self.timer = QTimer(self)
        settings = terminal.parts.profile.calls
        self.timer.setInterval(round(1000 * (settings.poll_seconds if settings else 1.0)))
        self.timer.timeout.connect(self._poll)
        terminal.events.call_state.connect(self._state)

    def _state(self, phase: str) -> None:
        if phase == "queued":
            self.timer.start()
        else:
            self.timer.stop()

    def _poll(self) -> None:
        if not self.terminal.calls.polling:
            self.timer.stop()
            return
        self.terminal.calls.poll()
