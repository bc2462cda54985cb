"""An in-memory card reader for the demo and for tests of what the kiosk does with cards.

There is no background thread: `insert()` and `remove()` call the callback synchronously,
on the thread that calls them. That keeps tests deterministic; code that must run on the
GUI thread gets there through ui/card_events.py exactly as with the real reader.
"""

from __future__ import annotations

import threading

from peripherals.cards.base import CardEvent, CardEventCallback, CardReaderError, ReaderStatus

# A MIFARE Classic 1K as a PC/SC contactless reader reports it (PC/SC part 3 ATR).
DEFAULT_ATR = bytes.fromhex("3B8F8001804F0CA000000306030001000000006A")
DEFAULT_READER = "Fake reader"


class FakeCardReader:
    """Cards are put on and taken off by hand; `status()` is whatever `set_status` said.

    Before `start()` and after `stop()` the status is UNAVAILABLE and `insert`/`remove`
    refuse, as a real reader delivers nothing then. Putting a card on a reader that already
    holds one is a swap: `removed` for the old card, then `inserted` for the new one.
    """

    def __init__(self) -> None:
        self.name = "fake"
        self._lock = threading.Lock()
        self._on_event: CardEventCallback | None = None
        self._status = ReaderStatus.READY
        self._cards: dict[str, tuple[bytes | None, bytes]] = {}  # reader -> (uid, atr) of its card

    def start(self, on_event: CardEventCallback) -> None:
        with self._lock:
            if self._on_event is not None:
                raise CardReaderError("the fake card reader is already started")
            self._on_event = on_event

    def stop(self) -> None:
        with self._lock:
            self._on_event = None
            self._cards.clear()

    def status(self) -> ReaderStatus:
        with self._lock:
            return self._status if self._on_event is not None else ReaderStatus.UNAVAILABLE

    def set_status(self, status: ReaderStatus) -> None:
        """What `status()` reports while started (READY until told otherwise)."""
        with self._lock:
            self._status = ReaderStatus(status)

    def insert(self, uid: bytes | None, atr: bytes = DEFAULT_ATR, reader: str = DEFAULT_READER) -> None:
        """Put a card on `reader`; `uid=None` plays a card that does not answer GET UID."""
        events = []
        with self._lock:
            on_event = self._require_started()
            if reader in self._cards:
                events.append(CardEvent("removed", reader, *self._cards[reader]))
            self._cards[reader] = (uid, atr)
            events.append(CardEvent("inserted", reader, uid, atr))
        for event in events:
            on_event(event)

    def remove(self, reader: str | None = None) -> None:
        """Take the card off `reader` (every reader when None); a no-op when there is none."""
        with self._lock:
            on_event = self._require_started()
            readers = list(self._cards) if reader is None else [r for r in self._cards if r == reader]
            events = [CardEvent("removed", r, *self._cards.pop(r)) for r in readers]
        for event in events:
            on_event(event)

    def _require_started(self) -> CardEventCallback:
        if self._on_event is None:
            raise CardReaderError("the fake card reader is not started")
        return self._on_event
