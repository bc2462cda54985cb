"""Reach each kind of page the kiosk shows, for the lockdown tests (tests/ui/test_escape_*.py).

Each `reach(kind)` leaves the kiosk on that page with the focus where a resident's would be
(the answer field on a question page, so its on-screen keyboard is open) and returns the
widget that should hold the focus there.
"""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QWidget

from ui.demo_controls import DEMO_STAFF_CARD
from ui.driving import choose, page_name, tap, touch, type_text, wait_for, widget
from ui.staff.controller import StaffController

PAGE_KINDS = ("attract", "menu", "question", "check_answers", "confirmation", "staff_panel",
              "pin_pad")


def staff_of(kiosk) -> StaffController:
    staff = kiosk.window.findChild(StaffController)
    assert staff is not None
    return staff


def where(kiosk) -> tuple[object, ...]:
    """What a resident sees, as far as an escape could change it."""
    window = kiosk.window
    staff = staff_of(kiosk)
    return (page_name(window), staff.panel is not None and staff.panel.isVisible(),
            staff.pin_pad is not None and staff.pin_pad.isVisible(),
            window.timeout_overlay.isVisible())


def _to_check_answers(window) -> None:
    tap(window, "start")
    tap(window, "service-feedback")
    choose(window, "compliment")
    tap(window, "option-bins")
    tap(window, "continue")
    type_text(window, "answer", "The crew were kind")
    tap(window, "continue")
    tap(window, "continue")  # no date
    choose(window, "no")
    wait_for(lambda: page_name(window) == "check_answers", what="check answers")


def reach(kiosk, kind: str) -> QWidget:
    window = kiosk.window
    if kind == "menu":
        tap(window, "start")
    elif kind == "question":
        tap(window, "start")
        tap(window, "service-missed-bin")  # the address question's postcode
        field = widget(window, "answer")
        touch(window, field)
        wait_for(window.keyboard.isVisible, what="the on-screen keyboard")
        return field
    elif kind in ("check_answers", "confirmation"):
        _to_check_answers(window)
        if kind == "confirmation":
            tap(window, "submit")
            wait_for(lambda: page_name(window) == "confirmation", seconds=20,
                     what="the confirmation page")
    elif kind == "staff_panel":
        kiosk.assembly.card_reader.insert(DEMO_STAFF_CARD)
        wait_for(lambda: where(kiosk)[1], what="the staff panel")
        return staff_of(kiosk).panel
    elif kind == "pin_pad":
        staff_of(kiosk).open_pin_pad()
        pad = staff_of(kiosk).pin_pad
        assert pad is not None
        wait_for(lambda: QApplication.focusWidget() is pad, what="the PIN pad's focus")
        return pad
    assert window.page is not None
    window.page.setFocus()
    return window.page
