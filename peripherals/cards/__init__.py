"""Staff-card readers: a backend chosen by name from the profile, events on its own thread.

"pcsc" reads cards through pcscd (pyscard imported only when the reader starts), "fake" is
driven by hand for the demo and tests, "none" means the kiosk has no card reader.
"""

from __future__ import annotations

from peripherals.cards.base import CardEvent, CardReader, CardReaderError, ReaderStatus
from peripherals.cards.fake import FakeCardReader
from peripherals.cards.pcsc import PcscCardReader

__all__ = [
    "KNOWN_KINDS",
    "CardEvent",
    "CardReader",
    "CardReaderError",
    "FakeCardReader",
    "PcscCardReader",
    "ReaderStatus",
    "make_card_reader",
]

KNOWN_KINDS = ("pcsc", "fake", "none")


def make_card_reader(kind: str, *, reader_filter: str | None = None) -> CardReader | None:
    """The backend the profile names, not started; None for "none" (no reader fitted)."""
    if kind == "pcsc":
        return PcscCardReader(reader_filter=reader_filter)
    if kind == "fake":
        return FakeCardReader()
    if kind == "none":
        return None
    raise CardReaderError(f"unknown card reader kind {kind!r}; known kinds: {', '.join(KNOWN_KINDS)}")
