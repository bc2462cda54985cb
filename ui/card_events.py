"""Card reader events on the GUI thread.

A `CardReader` calls back on its own thread; Qt widgets may only be touched on the GUI
thread. The bridge lives on the GUI thread, so a signal emitted from the reader's thread
reaches the bridge's slot through Qt's event queue, and `card_event` is then emitted on
the GUI thread whatever its receivers are (plain functions included).

The reader only offers `status()` to be asked, so the bridge asks it on a timer and emits
`reader_status` (a `ReaderStatus` id) when it changes, and once on `attach`.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from peripherals.cards import CardEvent, CardReader


class CardEventBridge(QObject):
    card_event = Signal(object)  # CardEvent
    reader_status = Signal(str)  # ReaderStatus value

    _arrived = Signal(object)  # emitted on the reader's thread

    def __init__(self, parent: QObject | None = None, *, status_interval_ms: int = 1000) -> None:
        super().__init__(parent)
        self._reader: CardReader | None = None
        self._last_status: str | None = None
        self._arrived.connect(self._relay, Qt.ConnectionType.QueuedConnection)
        self._timer = QTimer(self)
        self._timer.setInterval(status_interval_ms)
        self._timer.timeout.connect(self.refresh_status)

    def attach(self, reader: CardReader) -> None:
        """Start `reader` with events going to `card_event`; one reader at a time."""
        self.detach()
        self._reader = reader
        reader.start(self._from_thread)
        self.refresh_status()
        self._timer.start()

    def detach(self) -> None:
        """Stop the attached reader, if any (idempotent)."""
        reader, self._reader = self._reader, None
        self._timer.stop()
        self._last_status = None
        if reader is not None:
            reader.stop()

    def _from_thread(self, event: CardEvent) -> None:
        self._arrived.emit(event)

    @Slot(object)
    def _relay(self, event: CardEvent) -> None:
        if self._reader is not None:  # not an event that was still queued at detach()
            self.card_event.emit(event)

    @Slot()
    def refresh_status(self) -> None:
        if self._reader is None:
            return
        status = str(self._reader.status())
        if status != self._last_status:
            self._last_status = status
            self.reader_status.emit(status)
