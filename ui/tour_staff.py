"""The staff half of the screenshot tour: what staff and IT see, and the out-of-paper page.

Uses the demo's fake card reader and printer the way the demo strip does, so the pictures
show exactly what tapping a card or running out of paper does on a real terminal.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from kiosk.clock import FakeClock
from peripherals.cards import FakeCardReader
from peripherals.printer import FakePrinter
from ui.demo_controls import DEMO_IT_CARD, DEMO_STAFF_CARD, DemoStrip
from ui.pages.summary import ConfirmationView
from ui.staff.controller import LOGO_HOLD_SECONDS
from ui.tour import click, settle, type_into, wait_for

if TYPE_CHECKING:
    from ui.app import Kiosk


def panel_in_place(kiosk: Kiosk) -> bool:
    """Shown, and done sliding in."""
    staff = kiosk.staff
    panel = staff.panel if staff is not None else None
    return panel is not None and panel.isVisible() and panel.geometry() == kiosk.window.rect()


def staff_tour(kiosk: Kiosk, out: Path) -> list[str]:
    """Staff card over a resident's page, device status, PIN pad and its lockout, the
    confirmation when the printer is out of paper, and IT's maintenance screen."""
    reader, printer = kiosk.assembly.card_reader, kiosk.assembly.printer
    window, app = kiosk.window, kiosk.app
    staff = kiosk.staff
    if not isinstance(reader, FakeCardReader) or not isinstance(printer, FakePrinter) \
            or staff is None or not isinstance(kiosk.clock, FakeClock):
        return []
    out.mkdir(parents=True, exist_ok=True)
    shots: list[str] = []

    def shot(name: str) -> None:
        settle(app)
        path = out / f"{len(shots) + 1:02d}-{name}.png"
        window.grab().save(str(path))
        shots.append(path.name)

    click(kiosk, "start")
    click(kiosk, "service-missed-bin")
    click(kiosk, "option-recycling")
    click(kiosk, "continue")
    type_into(kiosk, "answer", "DE99 1")
    reader.insert(DEMO_STAFF_CARD)
    wait_for(app, lambda: panel_in_place(kiosk))
    shot("staff-panel")
    click(kiosk, "staff-device_status")
    wait_for(app, lambda: staff.probes.idle.is_set() and staff.panel is not None
             and staff.panel.status_view is not None)
    settle(app)
    shot("staff-device-status")
    reader.remove()
    wait_for(app, lambda: staff.panel is None)
    shot("staff-card-removed")

    # The PIN pad, from holding the council name for three seconds.
    handle = window.windowHandle()
    point = window.logo.mapTo(window, QPoint(10, window.logo.height() // 2))
    QTest.mousePress(handle, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    kiosk.clock.advance(LOGO_HOLD_SECONDS)
    QTest.mouseRelease(handle, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    settle(app)
    if staff.pin_pad is not None:
        for digit in "12":
            click(kiosk, f"pin-{digit}")
        shot("staff-pin-pad")
        for _ in range(5):
            for digit in "0000":
                click(kiosk, f"pin-{digit}")
            click(kiosk, "pinEnter")
        shot("staff-pin-locked")
        click(kiosk, "pinCancel")
    click(kiosk, "startAgain")
    wait_for(app, lambda: window.page is not None and window.page.property("pageName") == "attract")

    # Out of paper (as the demo strip does it): the submission goes; the code is on screen.
    strip = window.findChild(DemoStrip)
    set_paper = strip.toggle_paper if strip is not None else None
    if set_paper is not None:
        set_paper()
    else:
        printer.paper_state = "out"
    click(kiosk, "start")
    click(kiosk, "service-feedback")
    for step in ("option-compliment", "continue", "option-bins", "continue"):
        click(kiosk, step)
    type_into(kiosk, "answer", "The crew were very helpful")
    for step in ("continue", "continue", "option-no", "continue", "submit"):
        click(kiosk, step)
    wait_for(app, lambda: isinstance(window.page, ConfirmationView))
    shot("confirmation-printer-out-of-paper")
    if set_paper is not None:
        set_paper()
    printer.paper_state = "ok"
    reader.insert(DEMO_IT_CARD)
    wait_for(app, lambda: panel_in_place(kiosk))
    shot("it-panel")
    click(kiosk, "staff-maintenance")
    wait_for(app, lambda: staff.maintenance is not None and staff.maintenance.isVisible())
    wait_for(app, lambda: staff.probes.idle.is_set())
    settle(app)
    shot("maintenance")
    click(kiosk, "maintenance-hand_back")
    reader.remove()
    wait_for(app, lambda: window.page is not None and window.page.property("pageName") == "attract")
    return shots
