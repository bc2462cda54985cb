"""The scanner filter on a real native window: scans become a signal, typing reaches the field.

Keys are sent to the window handle, as the platform delivers them, with a fake clock moved
per key (and the same time as the event's own timestamp), so the fast path needs no waiting;
the slow path waits for the release timer with `qtbot.waitUntil`, never a fixed sleep.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QKeyEvent, QWindow
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QVBoxLayout, QWidget

from kiosk.clock import FakeClock
from ui.scanner import ScannerFilter

_KEYS = {"\r": Qt.Key.Key_Return, " ": Qt.Key.Key_Space, "-": Qt.Key.Key_Minus}


class Recorder(QObject):
    """Key events as the field receives them, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, str]] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(event, QKeyEvent):
            kind = {QEvent.Type.KeyPress: "press", QEvent.Type.KeyRelease: "release"}.get(event.type())
            if kind is not None:
                self.seen.append((kind, event.text()))
        return False


def key_clock() -> FakeClock:
    """The filter's clock, in the milliseconds the key times below are written in (from 1000)."""
    return FakeClock(monotonic=1.0)


def _key_for(char: str) -> int:
    if char in _KEYS:
        return _KEYS[char]
    return ord(char.upper())


def send(handle: QWindow, clock: FakeClock, at: float, kind: QEvent.Type, key: int, text: str = "",
         modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
         stamp: float | None = None) -> None:
    clock.advance_ms_to(at)
    event = QKeyEvent(kind, key, modifiers, text)
    event.setTimestamp(int(at if stamp is None else stamp))
    QApplication.sendEvent(handle, event)


def keys(handle: QWindow, clock: FakeClock, text: str, start: float, step: float,
         stamps: float | None = None) -> float:
    """Press and release each character, `step` ms apart; returns the time of the last key."""
    at = start
    for i, char in enumerate(text):
        at = start + i * step
        stamp = None if stamps is None else stamps + i * step
        send(handle, clock, at, QEvent.Type.KeyPress, _key_for(char), char, stamp=stamp)
        send(handle, clock, at + 1, QEvent.Type.KeyRelease, _key_for(char), char,
             stamp=None if stamp is None else stamp + 1)
    return at


class Form(QWidget):
    """A small window: a line edit, and a button to move focus to."""

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.field = QLineEdit()
        self.button = QPushButton("Continue")
        layout.addWidget(self.field)
        layout.addWidget(self.button)


def _setup(qtbot, clock: FakeClock) -> tuple[Form, QWindow, ScannerFilter, list[str]]:
    form = Form()
    qtbot.addWidget(form)
    form.show()
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow)
    form.field.setFocus()
    handle = form.windowHandle()
    assert handle is not None
    scanner = ScannerFilter(now_ms=clock.monotonic_ms, parent=form)
    handle.installEventFilter(scanner)
    codes: list[str] = []
    scanner.scanned.connect(codes.append)
    return form, handle, scanner, codes


def test_a_fast_run_ending_in_enter_is_a_scan_and_never_typed(qtbot) -> None:
    clock = key_clock()
    form, handle, scanner, codes = _setup(qtbot, clock)
    recorder = Recorder()
    form.field.installEventFilter(recorder)
    with qtbot.assertNotEmitted(form.field.returnPressed):
        keys(handle, clock, "0123456789\r", start=1000, step=4)
    assert codes == ["0123456789"]
    assert form.field.text() == ""
    assert recorder.seen == []  # not a press, not a release
    assert scanner.held() == 0
    # Typing straight after a scan is typing.
    keys(handle, clock, "x", start=1000 + 10 * 4 + 5, step=0)
    clock.advance_ms(31)
    qtbot.waitUntil(lambda: form.field.text() == "x", timeout=1000)
    assert codes == ["0123456789"]


def test_slow_typing_reaches_the_field_in_order(qtbot) -> None:
    clock = key_clock()
    form, handle, scanner, codes = _setup(qtbot, clock)
    recorder = Recorder()
    form.field.installEventFilter(recorder)
    last = keys(handle, clock, "Ab1 9x", start=1000, step=120)
    # Each key was released by the next one; only the newest is still held.
    assert form.field.text() == "Ab1 9"
    assert scanner.held() == 1
    clock.advance_ms_to(last + 31)
    qtbot.waitUntil(lambda: form.field.text() == "Ab1 9x", timeout=1000)
    assert codes == []
    assert recorder.seen == [(kind, char) for char in "Ab1 9x" for kind in ("press", "release")]


def test_a_short_fast_burst_and_enter_is_typing(qtbot) -> None:
    clock = key_clock()
    form, handle, _, codes = _setup(qtbot, clock)
    with qtbot.waitSignal(form.field.returnPressed, timeout=500):
        keys(handle, clock, "1234567\r", start=1000, step=4)
    assert form.field.text() == "1234567"
    assert codes == []


def test_a_key_that_is_never_in_a_code_releases_held_keys_first(qtbot) -> None:
    clock = key_clock()
    form, handle, _, _ = _setup(qtbot, clock)
    keys(handle, clock, "ab", start=1000, step=40)
    send(handle, clock, 1090, QEvent.Type.KeyPress, Qt.Key.Key_Backspace)
    assert form.field.text() == "a"  # "b" was delivered before the Backspace, not after
    keys(handle, clock, "-", start=1200, step=0)
    assert form.field.text() == "a-"  # and such keys are never held


def test_a_touch_delivers_held_keys_before_it(qtbot) -> None:
    clock = key_clock()
    form, handle, scanner, _ = _setup(qtbot, clock)
    keys(handle, clock, "q", start=1000, step=0)
    assert form.field.text() == ""
    QTest.mouseClick(handle, Qt.MouseButton.LeftButton, pos=form.button.geometry().center())
    assert form.field.text() == "q"
    assert scanner.held() == 0


def test_a_scan_with_focus_elsewhere_is_still_caught(qtbot) -> None:
    clock = key_clock()
    form, handle, _, codes = _setup(qtbot, clock)
    form.button.setFocus()
    with qtbot.assertNotEmitted(form.button.clicked):
        keys(handle, clock, "CARD12345\r", start=1000, step=3)
    assert codes == ["CARD12345"]
    form.field.setFocus()
    form.field.clearFocus()
    assert QApplication.focusWidget() is None
    keys(handle, clock, "87654321\r", start=2000, step=3)
    assert codes == ["CARD12345", "87654321"]
    assert form.field.text() == ""


def test_disabled_scanning_still_swallows_a_scan(qtbot) -> None:
    """A PIN pad does not want a card number, and must not have one typed into it either."""
    clock = key_clock()
    form, handle, scanner, codes = _setup(qtbot, clock)
    scanner.set_enabled(False)
    assert not scanner.is_enabled()
    with qtbot.waitSignal(scanner.refused, timeout=500):
        keys(handle, clock, "12345678\r", start=1000, step=3)
    assert codes == []
    assert form.field.text() == ""


def test_reset_drops_held_keys(qtbot) -> None:
    clock = key_clock()
    form, handle, scanner, _ = _setup(qtbot, clock)
    keys(handle, clock, "1234", start=1000, step=3)
    assert scanner.held() == 4
    scanner.reset()
    assert scanner.held() == 0
    # Typing afterwards arrives alone: the dropped keys were never queued in front of it.
    keys(handle, clock, "z", start=2000, step=0)
    clock.advance_ms_to(2031)
    qtbot.waitUntil(lambda: form.field.text() != "", timeout=1000)
    assert form.field.text() == "z"


def test_a_stalled_gui_thread_does_not_split_a_scan(qtbot) -> None:
    """The device's timestamps keep the scanner's spacing even when the thread falls behind,
    and a release timer that fires late looks again before giving held keys away."""
    clock = key_clock()
    form, handle, scanner, codes = _setup(qtbot, clock)
    keys(handle, clock, "1234", start=1000, step=4, stamps=50_000)
    clock.advance_ms_to(1200)  # blocked for ~190 ms: the timer is long overdue
    reads = clock.monotonic_reads
    qtbot.waitUntil(lambda: clock.monotonic_reads > reads, timeout=1000)  # the late timer has run
    assert scanner.held() == 4
    # The rest of the scan was queued during the stall: handled now, but stamped 4 ms apart.
    for i, char in enumerate("5678\r"):
        stamp = 50_016 + 4 * i
        send(handle, clock, 1200 + 0.1 * i, QEvent.Type.KeyPress, _key_for(char), char, stamp=stamp)
    assert codes == ["12345678"]
    assert form.field.text() == ""


def test_the_platform_key_path_with_the_real_clock(qtbot) -> None:
    """QTest delivers through the window system (shortcut map, spontaneous events) with real
    timestamps and the filter's own monotonic clock."""
    form = Form()
    qtbot.addWidget(form)
    form.show()
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow)
    form.field.setFocus()
    handle = form.windowHandle()
    scanner = ScannerFilter(parent=form)
    handle.installEventFilter(scanner)
    with qtbot.waitSignal(scanner.scanned, timeout=500) as blocker:
        for char in "55501234":
            QTest.keyClick(handle, _key_for(char), Qt.KeyboardModifier.NoModifier)
        QTest.keyClick(handle, Qt.Key.Key_Return)
    assert blocker.args == ["55501234"]
    assert form.field.text() == ""
    # QTest sends Shift, then "h" (its text is not upper-cased), then both releases.
    QTest.keyClick(handle, Qt.Key.Key_H, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: form.field.text() == "h", timeout=1000)


def test_in_the_kiosk_a_scan_stays_out_of_a_text_question(make_kiosk, qtbot,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The window's own scanner filter: the number goes to the session, not the field, and
    is wiped with the session."""
    from ui.driving import page_name, tap, widget  # the whole kiosk, only here

    window = make_kiosk().window
    clock = key_clock()
    monkeypatch.setattr(window.scanner, "_now", clock.monotonic_ms)  # moved by the test
    tap(window, "start")
    tap(window, "service-missed-bin")  # the address question's postcode: a text question
    field = widget(window, "answer")
    assert isinstance(field, QLineEdit)
    qtbot.mouseClick(field, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    qtbot.waitUntil(field.hasFocus, timeout=2000)
    handle = window.windowHandle()
    touches: list[bool] = []
    window.idle.touched.connect(lambda: touches.append(True))

    keys(handle, clock, "29912345678\r", start=1000, step=5)
    assert window.session.library_card == "29912345678"
    assert field.text() == ""
    assert touches == []  # a scan is not a touch; the window counts it as activity itself

    last = keys(handle, clock, "DE99", start=2000, step=150)
    clock.advance_ms_to(last + 31)
    qtbot.waitUntil(lambda: field.text() == "DE99", timeout=1000)
    assert len(touches) == 4  # re-delivered keys do reach the idle watch
    tap(window, "startAgain")
    qtbot.waitUntil(lambda: page_name(window) == "attract")
    assert window.session.library_card is None
