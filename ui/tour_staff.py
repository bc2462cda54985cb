"""The staff half of the screenshot tour: what staff and IT see, and the out-of-paper page.

Uses the demo's fake card reader and printer the way the demo strip does, so the pictures
show exactly what tapping a card or running out of paper does on a real terminal.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint

from kiosk.clock import FakeClock
from peripherals.cards import FakeCardReader
from peripherals.printer import FakePrinter
from ui.built import Kiosk
from ui.demo_controls import DEMO_IT_CARD, DEMO_STAFF_CARD, DemoStrip
from ui.driving import deliver_posted_events, hold, on_page, tap, type_text, wait_for
from ui.pages.summary import ConfirmationView
from ui.staff.controller import LOGO_HOLD_SECONDS

# Sliding in, probing devices: quick on any machine, but never waited on without a limit.
SECONDS = 20.0


def panel_in_place(kiosk: Kiosk) -> bool:
    """Shown, and done sliding in."""
    staff = kiosk.staff
    panel = staff.panel if staff is not None else None
    return panel is not None and panel.isVisible() and panel.geometry() == kiosk.window.rect()


def staff_tour(kiosk: Kiosk, out: Path) -> list[str]:
    """Staff card over a resident's page, device status, PIN pad and its lockout, the
    confirmation when the printer is out of paper, and IT's maintenance screen."""
    reader, printer = kiosk.assembly.card_reader, kiosk.assembly.printer
    window = kiosk.window
    staff = kiosk.staff
    if not isinstance(reader, FakeCardReader) or not isinstance(printer, FakePrinter) \
            or staff is None or not isinstance(kiosk.clock, FakeClock):
        return []
    out.mkdir(parents=True, exist_ok=True)
    shots: list[str] = []

    def shot(name: str) -> None:
        deliver_posted_events()
        path = out / f"{len(shots) + 1:02d}-{name}.png"
        window.grab().save(str(path))
        shots.append(path.name)

    tap(window, "start")
    tap(window, "service-missed-bin")
    type_text(window, "answer", "DE99 1")  # the address question's postcode, half typed
    reader.insert(DEMO_STAFF_CARD)
    wait_for(lambda: panel_in_place(kiosk), seconds=SECONDS, what="the staff panel")
    shot("staff-panel")
    tap(window, "staff-device_status")
    wait_for(lambda: staff.probes.idle.is_set() and staff.panel is not None
             and staff.panel.status_view is not None, seconds=SECONDS, what="device status")
    deliver_posted_events()
    shot("staff-device-status")
    reader.remove()
    wait_for(lambda: staff.panel is None, seconds=SECONDS, what="the panel to close")
    shot("staff-card-removed")

    # The PIN pad, from holding the council name for three seconds.
    hold(window, window.logo, kiosk.clock, LOGO_HOLD_SECONDS, QPoint(10, window.logo.height() // 2))
    deliver_posted_events()
    if staff.pin_pad is not None:
        for digit in "12":
            tap(window, f"pin-{digit}")
        shot("staff-pin-pad")
        for _ in range(5):
            for digit in "0000":
                tap(window, f"pin-{digit}")
            tap(window, "pinEnter")
        shot("staff-pin-locked")
        tap(window, "pinCancel")
    tap(window, "startAgain")
    wait_for(on_page(window, "attract"), seconds=SECONDS, what="the attract page")

    # Out of paper (as the demo strip does it): the submission goes; the code is on screen.
    strip = window.findChild(DemoStrip)
    set_paper = strip.toggle_paper if strip is not None else None
    if set_paper is not None:
        set_paper()
    else:
        printer.paper_state = "out"
    tap(window, "start")
    tap(window, "service-feedback")
    for step in ("option-compliment", "continue", "option-bins", "continue"):
        tap(window, step)
    type_text(window, "answer", "The crew were very helpful")
    for step in ("continue", "continue", "option-no", "continue", "submit"):
        tap(window, step)
    wait_for(lambda: isinstance(window.page, ConfirmationView), seconds=SECONDS,
             what="the confirmation page")
    shot("confirmation-printer-out-of-paper")
    if set_paper is not None:
        set_paper()
    printer.paper_state = "ok"
    reader.insert(DEMO_IT_CARD)
    wait_for(lambda: panel_in_place(kiosk), seconds=SECONDS, what="the staff panel")
    shot("it-panel")
    tap(window, "staff-maintenance")
    wait_for(lambda: staff.maintenance is not None and staff.maintenance.isVisible()
             and staff.probes.idle.is_set(), seconds=SECONDS, what="the maintenance screen")
    deliver_posted_events()
    shot("maintenance")
    tap(window, "maintenance-hand_back")
    reader.remove()
    wait_for(on_page(window, "attract"), seconds=SECONDS, what="the attract page")
    return shots
