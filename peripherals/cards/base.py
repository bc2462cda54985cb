"""What every staff-card reader backend promises.

A reader reports two things: card events (a card was put on / taken off a reader, with the
card's UID when it gives one) and its own health (`status()`, polled by the health view).
Events are delivered on the reader's own background thread; the Qt side hops them onto the
GUI thread (ui/card_events.py), so this room stays free of Qt.

A raw card UID is a credential-like identifier: it is handed to the callback and nowhere
else. `CardEvent`'s repr shows only its length, so an event that ends up in a log line or
a test failure message does not leak it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

CardEventKind = Literal["inserted", "removed"]


class CardReaderError(Exception):
    """Set-up mistakes that should fail loudly: unknown backend, pyscard missing, double start."""


class ReaderStatus(enum.StrEnum):
    """Stable ids for the staff health view and the heartbeat; they are ids, not wording."""

    READY = "ready"  # the service is up and at least one (matching) reader is present
    NO_READER = "no_reader"  # the service is up but no (matching) reader is plugged in
    SERVICE_DOWN = "service_down"  # pcscd cannot be reached; the backend keeps retrying
    UNAVAILABLE = "unavailable"  # not started, or the backend's library is missing


@dataclass(frozen=True)
class CardEvent:
    """One card put on or taken off `reader`.

    `uid` is None when the card did not answer GET UID with 90 00 (or could not be read).
    A `removed` event repeats the uid and atr of the matching `inserted` event, so the kiosk
    can tell which card left; `atr` is empty when unknown.
    """

    kind: CardEventKind
    reader: str
    uid: bytes | None = field(default=None)
    atr: bytes = field(default=b"")

    def __post_init__(self) -> None:
        if self.kind not in ("inserted", "removed"):
            raise ValueError(f"card event kind must be 'inserted' or 'removed', got {self.kind!r}")

    def __repr__(self) -> str:
        uid = "None" if self.uid is None else f"<{len(self.uid)} bytes>"
        atr = f"<{len(self.atr)} bytes>"
        return f"CardEvent(kind={self.kind!r}, reader={self.reader!r}, uid={uid}, atr={atr})"

    __str__ = __repr__


CardEventCallback = Callable[[CardEvent], None]


class CardReader(Protocol):
    """A card-reader backend. Explicit life cycle: nothing runs before `start()` or after `stop()`.

    `start` calls `on_event` from the backend's own thread (or, for the fake, from whichever
    thread calls `insert`/`remove`): the callback must be quick and thread-safe. `stop` is
    idempotent and returns within about two seconds.
    """

    name: str

    def start(self, on_event: CardEventCallback) -> None: ...

    def stop(self) -> None: ...

    def status(self) -> ReaderStatus: ...
