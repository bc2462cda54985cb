"""What IT's remote commands look like on the screen: a terminal taken out of service says so
and cannot be started by a touch; IT's message reaches staff on their panel, not residents."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton

from tests.ui.test_staff_ui import panel_shown, reader_of
from ui.demo_controls import DEMO_STAFF_CARD
from ui.driving import page_name, touch, widget


def test_out_of_service_says_so_and_a_touch_starts_nothing(make_kiosk, qtbot) -> None:
    kiosk = make_kiosk(commands={"maintenance": True})
    window = kiosk.window
    assert page_name(window) == "attract"
    assert window.findChild(QPushButton, "start") is None
    assert widget(window, "attract-out_of_service").text() == (
        "This screen is not in use at the moment")
    touch(window, window.page)
    assert page_name(window) == "attract"
    assert not kiosk.terminal.in_session
    reader_of(kiosk).insert(DEMO_STAFF_CARD)  # staff can still use the terminal
    qtbot.waitUntil(lambda: panel_shown(window))


def test_it_message_is_on_the_staff_panel_only(make_kiosk, qtbot) -> None:
    message = "New paper rolls are in the cupboard."
    kiosk = make_kiosk(commands={"staff_message": {"en": message}})
    window = kiosk.window
    assert page_name(window) == "attract"
    assert message not in " ".join(label.text() for label in window.page.findChildren(
        type(widget(window, "start").words)))
    reader_of(kiosk).insert(DEMO_STAFF_CARD)
    qtbot.waitUntil(lambda: panel_shown(window))
    assert widget(window, "staffMessage").text() == f"Message from IT: {message}"
