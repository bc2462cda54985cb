"""Staff cards through PC/SC (pcscd), with our own watch loop over pyscard's `smartcard.scard`.

Why not pyscard's `CardMonitor` (which the issue suggested): tried against a real pcscd
(vsmartcard-vpcd reader) with pyscard 2.3.1, and

* when pcscd is killed, CardMonitor's thread gets SCARD_F_COMM_ERROR, then
  SCARD_E_NO_SERVICE while re-listing readers, prints a traceback to stderr, sets its own
  stop flag and ends. After pcscd is back nothing is reported again, and there is no hook
  to notice that the thread died; a kiosk would need restarting to read cards again.
* it is a process-wide singleton whose thread blocks in SCardGetStatusChange for 60 s at a
  time with no way to cancel it, so `stop()` could not return within our two seconds, and
  it has no notion of "no reader" versus "service down" for the health view.

So one daemon thread of ours does the PC/SC calls directly: establish a context (retrying
with backoff while pcscd is down: status SERVICE_DOWN), list readers, and wait in
SCardGetStatusChange on the readers plus the `\\\\?PnP?\\Notification` pseudo-reader
(reader plugged or unplugged) for at most `poll_timeout`. Readers are re-listed on every
round as well, so a missed PnP notification costs at most one `poll_timeout`. Any
transport/service error drops the context and starts over; `stop()` wakes the wait with
SCardCancel. On insertion the card is connected (shared), sent GET UID (FF CA 00 00 00, the
PC/SC pseudo-APDU that contactless readers answer with the card's UID), and disconnected
again with the card left alone, so other software can use it.

When the service is lost, or a reader disappears, while a card is on it, a `removed` event
is sent for that card: a staff session must not outlive our ability to see the card. When
the service comes back and the card is still there, it is reported `inserted` again.

libpcsclite reads PCSCLITE_CSOCK_NAME (the daemon's socket) once per process, on first use;
set it before the first `start()` if pcscd is not at its standard place.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from peripherals.cards.base import CardEvent, CardEventCallback, CardReaderError, ReaderStatus

_log = logging.getLogger(__name__)

MISSING_PYSCARD = (
    "the 'pcsc' card reader needs pyscard, which is not installed or cannot load libpcsclite "
    "(pip install pyscard==2.3.1; needs libpcsclite-dev and pcscd: "
    "apt install libpcsclite-dev pcscd)"
)
GET_UID = [0xFF, 0xCA, 0x00, 0x00, 0x00]
PNP_NOTIFICATION = "\\\\?PnP?\\Notification"
STOP_TIMEOUT = 2.0
BACKOFF_FIRST = 0.1
BACKOFF_MAX = 1.0


def _load_scard() -> ModuleType:
    try:
        return importlib.import_module("smartcard.scard")
    except (ImportError, OSError) as exc:
        raise CardReaderError(MISSING_PYSCARD) from exc


class _ServiceLost(Exception):
    """The context is no longer usable (pcscd gone, restarted, or an unexpected error)."""


@dataclass(frozen=True)
class _Card:
    uid: bytes | None
    atr: bytes
    event_count: int  # the reader's card-event counter (high word of its state) when read


class PcscCardReader:
    """Watches PC/SC readers whose name contains `reader_filter` (case-insensitive; all when None).

    `status()` may be called from any thread; events arrive on the reader's own thread.
    """

    def __init__(self, reader_filter: str | None = None, poll_timeout: float = 0.5) -> None:
        if poll_timeout <= 0:
            raise ValueError(f"poll_timeout must be positive, got {poll_timeout}")
        self.name = "pcsc"
        self.reader_filter = reader_filter
        self.poll_timeout = poll_timeout
        self._status = ReaderStatus.UNAVAILABLE  # written by the thread only; reads are atomic
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        # The live context, so that stop() can SCardCancel the wait; the lock keeps the
        # thread from releasing a context while stop() cancels it.
        self._context_lock = threading.Lock()
        self._context: int | None = None
        self._scard: ModuleType | None = None

    def status(self) -> ReaderStatus:
        return self._status if self._thread is not None else ReaderStatus.UNAVAILABLE

    def start(self, on_event: CardEventCallback) -> None:
        if self._thread is not None:
            raise CardReaderError("the pcsc card reader is already started")
        scard = _load_scard()
        self._scard = scard
        self._status = ReaderStatus.UNAVAILABLE
        self._stopping = threading.Event()
        watcher = _Watcher(self, scard, on_event, self._stopping)
        self._thread = threading.Thread(target=watcher.run, name="pcsc-card-reader", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stopping.set()
        # SCardCancel only wakes a wait already in progress: if the thread was between two
        # calls it would still start one more full wait, so cancel again until it is gone.
        deadline = time.monotonic() + STOP_TIMEOUT
        while thread.is_alive() and time.monotonic() < deadline:
            with self._context_lock:
                if self._context is not None and self._scard is not None:
                    self._scard.SCardCancel(self._context)
            thread.join(0.05)
        if thread.is_alive():
            _log.warning("card reader thread did not stop within %.0f s", STOP_TIMEOUT)

    def _wants(self, reader: str) -> bool:
        return self.reader_filter is None or self.reader_filter.casefold() in reader.casefold()


class _Watcher:
    """The body of the reader thread; all its state lives and dies with one start()."""

    def __init__(
        self, owner: PcscCardReader, scard: ModuleType, on_event: CardEventCallback, stopping: threading.Event
    ) -> None:
        self.owner = owner
        self.sc: Any = scard
        self.on_event = on_event
        self.stopping = stopping
        self.readers: list[str] = []
        self.cards: dict[str, _Card] = {}

    def run(self) -> None:
        sc = self.sc
        backoff = BACKOFF_FIRST
        service_down_logged = False
        while not self.stopping.is_set():
            hresult, context = sc.SCardEstablishContext(sc.SCARD_SCOPE_USER)
            if hresult != sc.SCARD_S_SUCCESS:
                if not service_down_logged:
                    _log.warning("PC/SC service not reachable (%s); retrying", self._message(hresult))
                    service_down_logged = True
                self.owner._status = ReaderStatus.SERVICE_DOWN
                self.stopping.wait(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)
                continue
            if service_down_logged:
                _log.info("PC/SC service reachable again")
                service_down_logged = False
            backoff = BACKOFF_FIRST
            with self.owner._context_lock:
                self.owner._context = context
            try:
                self._watch(context)
            except _ServiceLost as lost:
                _log.warning("PC/SC service lost: %s; reconnecting", lost)
                service_down_logged = True
                self.owner._status = ReaderStatus.SERVICE_DOWN
                self._forget_readers()
                self.stopping.wait(BACKOFF_FIRST)
            finally:
                with self.owner._context_lock:
                    self.owner._context = None
                    sc.SCardReleaseContext(context)

    def _watch(self, context: int) -> None:
        sc = self.sc
        states: dict[str, int] = {}
        pnp_state = sc.SCARD_STATE_UNAWARE
        timeout_ms = max(1, round(self.owner.poll_timeout * 1000))
        while not self.stopping.is_set():
            self._update_readers(self._list_readers(context))
            states = {reader: states.get(reader, sc.SCARD_STATE_UNAWARE) for reader in self.readers}
            self.owner._status = ReaderStatus.READY if self.readers else ReaderStatus.NO_READER
            query = [(reader, state) for reader, state in states.items()]
            query.append((PNP_NOTIFICATION, pnp_state))
            hresult, results = sc.SCardGetStatusChange(context, timeout_ms, query)
            if hresult in (sc.SCARD_E_TIMEOUT, sc.SCARD_E_CANCELLED):
                continue  # nothing happened, or stop() woke us
            if hresult == sc.SCARD_E_UNKNOWN_READER:
                self.stopping.wait(0.05)  # a reader left between listing and waiting: re-list
                continue
            if hresult != sc.SCARD_S_SUCCESS:
                raise _ServiceLost(self._message(hresult))
            for reader, state, atr in results:
                if reader == PNP_NOTIFICATION:
                    pnp_state = state & ~sc.SCARD_STATE_CHANGED
                elif reader in states:
                    states[reader] = state & ~sc.SCARD_STATE_CHANGED
                    self._card_state(context, reader, state, bytes(atr))

    def _list_readers(self, context: int) -> list[str]:
        sc = self.sc
        hresult, readers = sc.SCardListReaders(context, [])
        if hresult == sc.SCARD_E_NO_READERS_AVAILABLE:
            return []
        if hresult != sc.SCARD_S_SUCCESS:
            raise _ServiceLost(self._message(hresult))
        return [reader for reader in readers if self.owner._wants(reader)]

    def _update_readers(self, current: list[str]) -> None:
        for reader in current:
            if reader not in self.readers:
                _log.info("card reader appeared: %s", reader)
        for reader in self.readers:
            if reader not in current:
                _log.info("card reader disappeared: %s", reader)
                self._card_gone(reader)
        self.readers = current

    def _forget_readers(self) -> None:
        for reader in self.readers:
            self._card_gone(reader)
        self.readers = []

    def _card_state(self, context: int, reader: str, state: int, atr: bytes) -> None:
        sc = self.sc
        known = self.cards.get(reader)
        event_count = state >> 16
        if state & (sc.SCARD_STATE_UNKNOWN | sc.SCARD_STATE_UNAVAILABLE | sc.SCARD_STATE_IGNORE):
            self._card_gone(reader)
            return
        if not state & sc.SCARD_STATE_PRESENT:
            self._card_gone(reader)
            return
        if known is not None and known.event_count == event_count:
            return  # the same card; only other bits (in use, exclusive) changed
        self._card_gone(reader)  # a swap faster than one wait: old card out first
        card = self._read_card(context, reader, atr, event_count)
        if card is not None:
            self.cards[reader] = card
            self._emit(CardEvent("inserted", reader, card.uid, card.atr))

    def _card_gone(self, reader: str) -> None:
        card = self.cards.pop(reader, None)
        if card is not None:
            self._emit(CardEvent("removed", reader, card.uid, card.atr))

    def _read_card(self, context: int, reader: str, atr: bytes, event_count: int) -> _Card | None:
        """Connect, GET UID, read the ATR, disconnect; None when the card left meanwhile."""
        sc = self.sc
        gone = (sc.SCARD_W_REMOVED_CARD, sc.SCARD_E_NO_SMARTCARD)
        hresult, handle, protocol = sc.SCardConnect(
            context, reader, sc.SCARD_SHARE_SHARED, sc.SCARD_PROTOCOL_T0 | sc.SCARD_PROTOCOL_T1
        )
        if hresult in gone:
            return None
        if hresult != sc.SCARD_S_SUCCESS:
            self._raise_if_service_lost(hresult)
            # Mute card, or held exclusively by other software: still a card event.
            return _Card(None, atr, event_count)
        try:
            hresult, response = sc.SCardTransmit(handle, protocol, GET_UID)
            if hresult in gone:
                return None
            self._raise_if_service_lost(hresult)
            uid = None
            if hresult == sc.SCARD_S_SUCCESS and len(response) > 2 and response[-2:] == [0x90, 0x00]:
                uid = bytes(response[:-2])
            hresult, _name, _state, _protocol, card_atr = sc.SCardStatus(handle)
            if hresult == sc.SCARD_S_SUCCESS and card_atr:
                atr = bytes(card_atr)
            return _Card(uid, atr, event_count)
        finally:
            sc.SCardDisconnect(handle, sc.SCARD_LEAVE_CARD)

    def _raise_if_service_lost(self, hresult: int) -> None:
        sc = self.sc
        lost = (sc.SCARD_E_NO_SERVICE, sc.SCARD_E_SERVICE_STOPPED, sc.SCARD_F_COMM_ERROR)
        if hresult in (*lost, sc.SCARD_E_INVALID_HANDLE):
            raise _ServiceLost(self._message(hresult))

    def _emit(self, event: CardEvent) -> None:
        if self.stopping.is_set():
            return  # nothing is delivered once stop() was called
        try:
            self.on_event(event)
        except Exception:  # noqa: BLE001 - a bug in the receiver must not end the watch thread
            _log.exception("card event callback failed for a %s event", event.kind)

    def _message(self, hresult: int) -> str:
        return f"{self.sc.SCardGetErrorMessage(hresult)} (0x{hresult & 0xFFFFFFFF:08X})"
