"""PcscCardReader against a real pcscd with the vpcd virtual reader and virtual cards."""

from __future__ import annotations

import statistics
import threading
import time

import pytest

from peripherals.cards import CardEvent, PcscCardReader, ReaderStatus
from tests.peripherals.cards.pcscd_harness import SLOT_NAMES, EventLog, PrivatePcscd, wait_for_status
from tests.peripherals.cards.vpcd_card import DEFAULT_ATR

UID = bytes.fromhex("04A1B2C3D4E5F6")
SENTINEL_UID = bytes.fromhex("04FFFFFFFF")  # a card put on only to show nothing else was coming


def test_inserting_and_removing_a_card(start_reader, make_card) -> None:
    reader, log = start_reader()
    card = make_card(uid=UID)
    card.insert()
    inserted = log.next()
    assert (inserted.kind, inserted.reader) == ("inserted", SLOT_NAMES[0])
    assert (inserted.uid, inserted.atr) == (UID, DEFAULT_ATR)
    assert card.apdus == [bytes.fromhex("FFCA000000")]
    assert log.threads == {"pcsc-card-reader"}
    assert UID.hex() not in repr(inserted).lower()
    assert UID.hex() not in str(inserted).lower()

    card.remove()
    removed = log.next()
    assert (removed.kind, removed.reader, removed.uid) == ("removed", SLOT_NAMES[0], UID)
    assert reader.status() == ReaderStatus.READY
    log.assert_quiet_until(make_card(uid=SENTINEL_UID).insert, "inserted")


def test_a_card_that_refuses_get_uid_gives_no_uid(start_reader, make_card) -> None:
    _, log = start_reader()
    atr = bytes.fromhex("3B6800000073C84013009000")
    make_card(answers_uid=False, atr=atr).insert()
    event = log.next()
    assert (event.kind, event.uid, event.atr) == ("inserted", None, atr)


def test_cards_come_and_go_repeatedly_like_a_reader_replugged(start_reader, make_card) -> None:
    """The vpcd card socket dropped and connected again, with different cards each time."""
    _, log = start_reader()
    for number in range(2):
        card = make_card(uid=bytes([0x04, number, 0x10, 0x20]))
        card.insert()
        event = log.next()
        assert (event.kind, event.uid) == ("inserted", card.uid)
        card.remove()
        event = log.next()
        assert (event.kind, event.uid) == ("removed", card.uid)
    log.assert_quiet_until(make_card(uid=SENTINEL_UID).insert, "inserted")


def test_reader_filter_watches_only_matching_readers(start_reader, make_card) -> None:
    _, everything = start_reader(reader_filter=None)
    _, second_only = start_reader(reader_filter="pcd 00 01")  # case-insensitive substring
    make_card(slot=0, uid=b"\x01\x02\x03\x04").insert()
    assert everything.next().reader == SLOT_NAMES[0]  # pcscd has seen the first card...
    make_card(slot=1, uid=b"\x05\x06\x07\x08").insert()
    event = second_only.next()  # ...but the filtered reader reports only the second
    assert (event.reader, event.uid) == (SLOT_NAMES[1], b"\x05\x06\x07\x08")

    nothing, _ = start_reader(reader_filter="no such reader", wait_ready=False)
    wait_for_status(nothing, ReaderStatus.NO_READER)


def test_pcscd_killed_and_restarted(
    private_pcscd: PrivatePcscd, start_reader, make_card, record_property
) -> None:
    reader, log = start_reader()
    card = make_card(uid=UID)
    card.insert()
    assert log.next().kind == "inserted"

    private_pcscd.stop()
    wait_for_status(reader, ReaderStatus.SERVICE_DOWN)
    removed = log.next()  # the card can no longer be seen: the staff session must end
    assert (removed.kind, removed.uid) == ("removed", UID)

    private_pcscd.start()
    started = time.monotonic()
    recovered = wait_for_status(reader, ReaderStatus.READY, timeout=5.0)
    record_property("pcscd_restart_to_ready_s", round(recovered - started, 3))
    print(f"\npcscd restart -> READY: {recovered - started:.3f} s")

    assert card.disconnected.wait(2.0)  # the killed driver dropped the card's socket
    card.insert()
    event = log.next()
    assert (event.kind, event.uid) == ("inserted", UID)
    log.assert_quiet_until(card.remove, "removed")


def test_from_no_service_to_no_reader_to_ready(private_pcscd: PrivatePcscd, start_reader, make_card) -> None:
    private_pcscd.stop()
    reader, log = start_reader(wait_ready=False)
    wait_for_status(reader, ReaderStatus.SERVICE_DOWN)
    private_pcscd.start(with_reader=False)
    wait_for_status(reader, ReaderStatus.NO_READER)
    private_pcscd.restart(with_reader=True)
    wait_for_status(reader, ReaderStatus.READY)
    make_card().insert()
    assert log.next().kind == "inserted"


def test_stop_is_prompt_and_idempotent(private_pcscd: PrivatePcscd, make_card) -> None:
    # A long poll timeout: stop() must not wait for it (SCardCancel wakes the wait), also
    # when it comes just as the thread goes from one PC/SC call to the next.
    reader = PcscCardReader(reader_filter=SLOT_NAMES[0], poll_timeout=30.0)
    log = EventLog()
    for settle in (0.0, 0.0, 0.0, 0.2):
        reader.start(log)
        wait_for_status(reader, ReaderStatus.READY)
        time.sleep(settle)  # 0.2: well inside its 30 s wait
        started = time.monotonic()
        reader.stop()
        assert time.monotonic() - started < 1.0
        assert reader.status() == ReaderStatus.UNAVAILABLE
        assert "pcsc-card-reader" not in {thread.name for thread in threading.enumerate()}
    reader.stop()

    # A card put on while the reader was stopped is reported once it starts again.
    make_card().insert()
    reader.start(log)
    wait_for_status(reader, ReaderStatus.READY)
    assert log.next().kind == "inserted"
    reader.stop()


def test_stop_while_the_service_is_down_is_prompt(private_pcscd: PrivatePcscd) -> None:
    private_pcscd.stop()
    reader = PcscCardReader()
    reader.start(EventLog())
    wait_for_status(reader, ReaderStatus.SERVICE_DOWN)
    time.sleep(0.8)  # into a long backoff wait (0.1 + 0.2 + 0.4 s have passed)
    started = time.monotonic()
    reader.stop()
    assert time.monotonic() - started < 0.5


def test_a_failing_callback_does_not_end_the_reader(start_reader, make_card, caplog) -> None:
    log = EventLog()
    calls = []

    def flaky(event) -> None:
        calls.append(event.kind)
        if len(calls) == 1:
            raise RuntimeError("receiver bug")
        log(event)

    reader = PcscCardReader(reader_filter=SLOT_NAMES[0])
    reader.start(flaky)
    try:
        wait_for_status(reader, ReaderStatus.READY)
        card = make_card(uid=UID)
        card.insert()
        card_seen = time.monotonic() + 5
        while not calls and time.monotonic() < card_seen:
            time.sleep(0.01)
        card.remove()
        assert log.next().kind == "removed"
        assert "card event callback failed" in caplog.text
        assert UID.hex() not in caplog.text.lower()
    finally:
        reader.stop()


@pytest.mark.parametrize("count", [4, pytest.param(20, marks=pytest.mark.soak)])
def test_insertion_latency(start_reader, make_card, record_property, count: int) -> None:
    """Card connected to the vpcd slot -> `inserted` delivered, over `count` insertions.

    Two slots take turns, so one slot's removal is noticed while the other is measured.
    vpcd has no hot-plug events: pcscd polls it every 400 ms, which dominates the figure.
    """
    _, log = start_reader(reader_filter=None)
    cards = [make_card(slot=0), make_card(slot=1)]
    holding: set[str] = set()  # readers whose card was taken off but not yet reported removed
    latencies = []

    def take_event() -> tuple[float, CardEvent]:
        at, event = log.next_timed()
        if event.kind == "removed":
            holding.discard(event.reader)
        return at, event

    for number in range(count):
        slot = number % 2
        while SLOT_NAMES[slot] in holding:  # a card goes back only once its removal was seen
            take_event()
        cards[slot].insert()
        inserted_at = time.monotonic()
        while True:
            at, event = take_event()
            if event.kind == "inserted":
                break
        assert event.reader == SLOT_NAMES[slot]
        latencies.append(at - inserted_at)
        cards[slot].remove()
        holding.add(SLOT_NAMES[slot])
    p50 = statistics.median(latencies)
    p95 = statistics.quantiles(latencies, n=20, method="inclusive")[-1]
    record_property("insert_latency_p50_s", round(p50, 3))
    record_property("insert_latency_p95_s", round(p95, 3))
    print(f"\ninsert -> event latency over {count}: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
          f"max {max(latencies) * 1000:.0f} ms")
    assert p95 < 1.5
