"""A tap on a button acts even though the on-screen keyboard hides because of it.

Found under a real X server: pressing Continue took the focus from the text field, the
keyboard hid at once, the page grew, Continue moved down and the release landed beside it,
so the tap was lost (5 of 5 taps of 150 ms). The keyboard now waits for the release.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from ui.driving import choose, page_name, tap, touch, type_text, widget

HOLD_MS = 150


def _to_message_page(qtbot, window) -> None:
    tap(window, "start")
    tap(window, "service-feedback")
    choose(window, "compliment")
    tap(window, "option-bins")
    tap(window, "continue")
    assert page_name(window) == "question:message"


def _open_keyboard(qtbot, window, name: str) -> None:
    field = widget(window, name)
    touch(window, field, QPoint(10, 10))
    qtbot.waitUntil(window.keyboard.isVisible, timeout=2000)


def _slow_tap(qtbot, window, name: str) -> None:
    """Press, hold 150 ms while the event loop runs, release at the same screen point."""
    target = widget(window, name)
    handle = window.windowHandle()
    point = target.mapTo(window, target.rect().center())
    QTest.mousePress(handle, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    qtbot.wait(HOLD_MS)  # the hold itself is what is tested: the event loop runs meanwhile
    # While the finger is down nothing moves: the keyboard waits, the button stays put.
    assert window.keyboard.isVisible()
    assert window.keyboard_dock.hide_pending
    assert target.mapTo(window, target.rect().center()) == point
    QTest.mouseRelease(handle, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)


def test_a_held_tap_on_continue_acts_while_the_keyboard_is_open(make_kiosk, qtbot) -> None:
    window = make_kiosk().window
    _to_message_page(qtbot, window)
    _open_keyboard(qtbot, window, "answer")
    type_text(window, "answer", "Kind crew")
    _slow_tap(qtbot, window, "continue")
    qtbot.waitUntil(lambda: page_name(window) == "question:happened_on", timeout=2000)
    # The keyboard hid once the tap was over: the new page has no focused field.
    qtbot.waitUntil(lambda: not window.keyboard.isVisible(), timeout=2000)
    for _visit in range(4):
        _open_keyboard(qtbot, window, "answer-day")
        _slow_tap(qtbot, window, "continue")
        qtbot.waitUntil(lambda: page_name(window) == "question:wants_reply", timeout=2000)
        qtbot.waitUntil(lambda: not window.keyboard.isVisible(), timeout=2000)
        tap(window, "back")
        assert page_name(window) == "question:happened_on"
