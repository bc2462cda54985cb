"""The on-screen keyboard inside the real window: a resident with no physical keyboard
reports a missed bin by touch alone."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QPushButton

from ui.driving import answer_address, choose, page_name, tap, widget


def _key(window, name: str) -> QPushButton:
    button = window.keyboard.findChild(QPushButton, name)
    assert button is not None, f"no key {name} on page {window.keyboard.page_name}"
    return button


def _type(qtbot, window, text: str) -> None:
    for char in text:
        wanted = "numbers" if char.isdigit() else "letters"
        if char != " " and window.keyboard.page_name != wanted:
            qtbot.mouseClick(_key(window, f"key-to-{wanted}"), Qt.MouseButton.LeftButton)
        if char == " ":
            name = "key-space"
        else:
            name = f"key-{char.lower()}"
            if char.isupper() and not window.keyboard.shift_active:
                qtbot.mouseClick(_key(window, "key-shift"), Qt.MouseButton.LeftButton)
        qtbot.mouseClick(_key(window, name), Qt.MouseButton.LeftButton)


def test_touch_only_postcode_and_typed_address(make_kiosk, qtbot) -> None:
    window = make_kiosk().window
    tap(window, "start")
    tap(window, "service-missed-bin")
    assert not window.keyboard.isVisible()
    field = widget(window, "answer")
    qtbot.mouseClick(field, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    qtbot.waitUntil(window.keyboard.isVisible, timeout=2000)
    assert window.keyboard.purpose == "text"
    _type(qtbot, window, "DE99 1AB")
    assert field.text() == "DE99 1AB"
    assert field.hasFocus()  # keys never take focus from the field
    tap(window, "continue")
    qtbot.waitUntil(lambda: page_name(window) == "question:address__list", timeout=5000)
    assert window.session.engine.answers()["address"] == "DE99 1AB"
    choose(window, "not_listed")
    assert page_name(window) == "question:address__manual"
    # The Continue button stays above the keyboard, on screen.
    house = widget(window, "answer-line1")
    qtbot.mouseClick(house, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    qtbot.waitUntil(window.keyboard.isVisible, timeout=2000)
    button = widget(window, "continue")
    bottom = button.mapTo(window, button.rect().bottomLeft()).y()
    assert bottom < window.keyboard.geometry().top()


def test_digits_pad_for_dates_and_keyboard_gone_after_the_session(make_kiosk, qtbot) -> None:
    window = make_kiosk().window
    tap(window, "start")
    tap(window, "service-missed-bin")
    answer_address(window, "DE99 1AB", "990000001014")
    choose(window, "general")
    day = widget(window, "answer-day")
    qtbot.mouseClick(day, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    qtbot.waitUntil(window.keyboard.isVisible, timeout=2000)
    assert window.keyboard.purpose == "digits"
    qtbot.mouseClick(_key(window, "key-2"), Qt.MouseButton.LeftButton)
    assert day.text() == "2"
    tap(window, "startAgain")
    qtbot.waitUntil(lambda: page_name(window) == "attract", timeout=3000)
    assert not window.keyboard.isVisible()
