"""Only a primary press (what a touch arrives as) starts a session from the attract screen:
a right or middle click from a maintenance mouse left on the counter must not."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from ui.driving import page_name, widget


def _click(window, button: Qt.MouseButton, at: QPoint) -> None:
    handle = window.windowHandle()
    QTest.mouseClick(handle, button, Qt.KeyboardModifier.NoModifier, at)


def _spots(window) -> dict[str, QPoint]:
    start = widget(window, "start")
    return {"page": QPoint(window.width() // 2, window.height() - 5),
            "start button": start.mapTo(window, start.rect().center())}


@pytest.mark.parametrize("button", [Qt.MouseButton.RightButton, Qt.MouseButton.MiddleButton],
                         ids=["right", "middle"])
def test_other_buttons_do_nothing(make_kiosk, qtbot, clock, button: Qt.MouseButton) -> None:
    window = make_kiosk().window
    assert page_name(window) == "attract"
    welcomed: list[str] = []
    window.page.on_long_press = lambda: welcomed.append("welcome")
    handle = window.windowHandle()
    for where, point in _spots(window).items():
        # Starting happens inside the release handler, so a wrong start would show at once.
        _click(window, button, point)
        assert page_name(window) == "attract", where
        # A long hold with the wrong button is not the spoken welcome either.
        QTest.mousePress(handle, button, Qt.KeyboardModifier.NoModifier, point)
        clock.advance(3)
        QTest.mouseRelease(handle, button, Qt.KeyboardModifier.NoModifier, point)
        assert page_name(window) == "attract", where
    assert welcomed == []
    assert window.lifecycle.phase.name == "ATTRACT"


def test_a_primary_press_still_starts_anywhere(make_kiosk, qtbot) -> None:
    window = make_kiosk().window
    point = _spots(window)["page"]
    _click(window, Qt.MouseButton.RightButton, point)
    assert page_name(window) == "attract"
    _click(window, Qt.MouseButton.LeftButton, point)
    qtbot.waitUntil(lambda: page_name(window) == "menu", timeout=2000)
