"""The card room without pcscd: events, the fake reader, choosing a backend, pyscard missing."""

from __future__ import annotations

import sys
import threading

import pytest

from peripherals.cards import (
    CardEvent,
    CardReader,
    CardReaderError,
    FakeCardReader,
    PcscCardReader,
    ReaderStatus,
    make_card_reader,
)

UID = bytes.fromhex("04A1B2C3D4E5F6")
ATR = bytes.fromhex("3B8F8001804F0CA000000306030001000000006A")


def test_an_event_never_shows_its_uid_or_atr() -> None:
    event = CardEvent("inserted", "Reader 0", UID, ATR)
    for text in (repr(event), str(event), f"{event}", repr([event])):
        assert UID.hex() not in text.lower()
        assert ATR.hex() not in text.lower()
        assert repr(UID) not in text
    assert repr(event) == "CardEvent(kind='inserted', reader='Reader 0', uid=<7 bytes>, atr=<20 bytes>)"
    assert "uid=None" in repr(CardEvent("inserted", "Reader 0", None, b""))


def test_events_are_values() -> None:
    event = CardEvent("removed", "Reader 0", UID, ATR)
    assert event == CardEvent("removed", "Reader 0", UID, ATR)
    with pytest.raises(AttributeError):
        event.uid = b""  # type: ignore[misc]
    with pytest.raises(ValueError, match="inserted"):
        CardEvent("dropped", "Reader 0")  # type: ignore[arg-type]


def test_status_ids_are_stable() -> None:
    assert [status.value for status in ReaderStatus] == ["ready", "no_reader", "service_down", "unavailable"]


def test_fake_reader_delivers_on_the_calling_thread() -> None:
    reader = FakeCardReader()
    assert reader.name == "fake"
    assert reader.status() == ReaderStatus.UNAVAILABLE
    events: list[tuple[CardEvent, str]] = []
    reader.start(lambda event: events.append((event, threading.current_thread().name)))
    assert reader.status() == ReaderStatus.READY

    reader.insert(UID)
    reader.insert(b"\x01\x02\x03\x04", reader="Desk")
    reader.insert(None, atr=b"\x3b\x00", reader="Desk")  # a swap: the old card leaves first
    reader.remove(reader="Desk")
    reader.remove()
    reader.remove()  # nothing left: no event
    here = threading.current_thread().name
    assert events == [
        (CardEvent("inserted", "Fake reader", UID, ATR), here),
        (CardEvent("inserted", "Desk", b"\x01\x02\x03\x04", ATR), here),
        (CardEvent("removed", "Desk", b"\x01\x02\x03\x04", ATR), here),
        (CardEvent("inserted", "Desk", None, b"\x3b\x00"), here),
        (CardEvent("removed", "Desk", None, b"\x3b\x00"), here),
        (CardEvent("removed", "Fake reader", UID, ATR), here),
    ]


def test_fake_reader_status_and_life_cycle() -> None:
    reader = FakeCardReader()
    with pytest.raises(CardReaderError, match="not started"):
        reader.insert(UID)
    reader.start(lambda event: None)
    with pytest.raises(CardReaderError, match="already started"):
        reader.start(lambda event: None)
    reader.set_status(ReaderStatus.SERVICE_DOWN)
    assert reader.status() == ReaderStatus.SERVICE_DOWN
    reader.stop()
    reader.stop()
    assert reader.status() == ReaderStatus.UNAVAILABLE
    with pytest.raises(CardReaderError, match="not started"):
        reader.remove()


def test_make_card_reader_by_kind() -> None:
    pcsc = make_card_reader("pcsc", reader_filter="ACR122")
    assert isinstance(pcsc, PcscCardReader)
    assert (pcsc.name, pcsc.reader_filter, pcsc.status()) == ("pcsc", "ACR122", ReaderStatus.UNAVAILABLE)
    assert isinstance(make_card_reader("fake"), FakeCardReader)
    assert make_card_reader("none") is None
    with pytest.raises(CardReaderError, match=r"kind 'nfc'; known kinds: pcsc, fake, none"):
        make_card_reader("nfc")


def test_both_backends_fit_the_protocol() -> None:
    readers: list[CardReader] = [FakeCardReader(), PcscCardReader()]
    assert [reader.name for reader in readers] == ["fake", "pcsc"]


def test_pcsc_without_pyscard_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "smartcard", None)  # makes `import smartcard...` fail
    monkeypatch.setitem(sys.modules, "smartcard.scard", None)
    reader = PcscCardReader()
    with pytest.raises(CardReaderError, match=r"pip install pyscard==2\.3\.1.*libpcsclite-dev.*pcscd"):
        reader.start(lambda event: None)
    assert reader.status() == ReaderStatus.UNAVAILABLE
    reader.stop()  # nothing was started: still fine


def test_pcsc_poll_timeout_must_be_positive() -> None:
    with pytest.raises(ValueError, match="poll_timeout"):
        PcscCardReader(poll_timeout=0)
