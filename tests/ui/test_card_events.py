"""CardEventBridge: reader events from another thread arrive on the GUI thread."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt, QThread
from PySide6.QtWidgets import QApplication

from peripherals.cards import CardEvent, FakeCardReader, ReaderStatus
from ui.card_events import CardEventBridge

UID = bytes.fromhex("04A1B2C3")


@pytest.fixture
def bridge(qtbot):
    bridge = CardEventBridge(status_interval_ms=20)
    yield bridge
    bridge.detach()


def test_events_from_the_reader_thread_arrive_on_the_gui_thread(qtbot, bridge: CardEventBridge) -> None:
    reader = FakeCardReader()
    bridge.attach(reader)
    gui_thread = QApplication.instance().thread()  # type: ignore[union-attr]
    delivered: list[tuple[CardEvent, bool]] = []
    # Direct: the receiver runs on whichever thread emits card_event, which must be the GUI's.
    bridge.card_event.connect(
        lambda event: delivered.append((event, QThread.currentThread() is gui_thread)),
        Qt.ConnectionType.DirectConnection,
    )
    callback_threads: list[str] = []

    def put_card_on() -> None:
        callback_threads.append(threading.current_thread().name)
        reader.insert(UID)

    worker = threading.Thread(target=put_card_on, name="card-worker")
    with qtbot.waitSignal(bridge.card_event, timeout=2000) as blocker:
        worker.start()
    worker.join()

    assert blocker.args[0].kind == "inserted"
    assert blocker.args[0].uid == UID
    assert callback_threads == ["card-worker"]
    assert delivered == [(blocker.args[0], True)]


def test_reader_status_is_signalled_on_attach_and_on_change(qtbot, bridge: CardEventBridge) -> None:
    reader = FakeCardReader()
    with qtbot.waitSignal(bridge.reader_status, timeout=1000) as first:
        bridge.attach(reader)
    assert first.args == ["ready"]

    with qtbot.waitSignal(bridge.reader_status, timeout=1000) as changed:
        reader.set_status(ReaderStatus.SERVICE_DOWN)
    assert changed.args == ["service_down"]


def test_detach_stops_the_reader_and_drops_queued_events(qtbot, bridge: CardEventBridge) -> None:
    reader = FakeCardReader()
    bridge.attach(reader)
    delivered: list[CardEvent] = []
    bridge.card_event.connect(delivered.append)
    worker = threading.Thread(target=reader.insert, args=(UID,))
    worker.start()
    worker.join()  # queued for the GUI thread, not yet delivered
    bridge.detach()
    bridge.detach()
    QApplication.processEvents()

    assert delivered == []
    assert reader.status() == ReaderStatus.UNAVAILABLE
