"""Staff beside the terminal, through the real window: card and PIN sign-in, the panel over a
resident's page, assist, end session, reprint, device status, maintenance, the demo strip and
the on-screen code when the receipt cannot print."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtWidgets import QLabel, QPushButton
from pyzbar.pyzbar import decode as read_codes

from kiosk.clock import FakeClock
from peripherals.cards import FakeCardReader
from peripherals.printer import FakePrinter
from ui.demo_controls import DEMO_IT_CARD, DEMO_STAFF_CARD, DemoStrip
from ui.driving import answer_text, choose, hold, page_name, tap, touch, type_text, widget
from ui.staff.controller import StaffController
from ui.window import KioskWindow

STRANGER = bytes.fromhex("04000000000001")


def reader_of(kiosk) -> FakeCardReader:
    reader = kiosk.assembly.card_reader
    assert isinstance(reader, FakeCardReader)
    return reader


def panel_shown(window: KioskWindow) -> bool:
    staff = window.findChild(StaffController)
    return staff is not None and staff.panel is not None and staff.panel.isVisible()


def audit_actions(kiosk) -> list[str]:
    return [row.action for row in reversed(kiosk.assembly.audit.recent(100))]


def enter_pin(qtbot, window: KioskWindow, pin: str) -> None:
    for digit in pin:
        tap(window, f"pin-{digit}")
    tap(window, "pinEnter")


def send_feedback(qtbot, window: KioskWindow, kind: str, topic: str, message: str) -> None:
    """Feedback with no date and no reply wanted, through to the confirmation page."""
    tap(window, "start")
    tap(window, "service-feedback")
    choose(window, kind)
    tap(window, f"option-{topic}")
    tap(window, "continue")
    answer_text(window, message)
    tap(window, "continue")  # no date
    choose(window, "no")
    tap(window, "submit")
    qtbot.waitUntil(lambda: page_name(window) == "confirmation", timeout=20000)


def to_postcode_page(qtbot, window: KioskWindow) -> None:
    tap(window, "start")
    tap(window, "service-missed-bin")
    assert page_name(window) == "question:address"  # the address question's postcode


def test_staff_card_opens_the_panel_over_the_page_and_removing_it_closes_it(make_kiosk, qtbot) -> None:
    kiosk = make_kiosk()
    window = kiosk.window
    to_postcode_page(qtbot, window)
    type_text(window, "answer", "DE99 1")
    page = window.page
    reader_of(kiosk).insert(DEMO_STAFF_CARD)
    qtbot.waitUntil(lambda: panel_shown(window))
    assert window.page is page  # the resident's page is not rebuilt under the panel
    assert widget(window, "staffWho").text() == "Signed in: Demo staff card (staff)"
    assert window.findChild(QPushButton, "staff-maintenance") is None  # IT only
    reader_of(kiosk).remove()
    qtbot.waitUntil(lambda: not panel_shown(window))
    assert window.page is page
    assert widget(window, "answer").text() == "DE99 1"
    assert audit_actions(kiosk) == ["staff_in_card", "staff_out"]


def test_an_unknown_card_does_nothing(make_kiosk, qtbot) -> None:
    kiosk = make_kiosk()
    window = kiosk.window
    reader_of(kiosk).insert(STRANGER)
    qtbot.waitUntil(lambda: audit_actions(kiosk) == ["card_refused"])
    assert not panel_shown(window)
    assert page_name(window) == "attract"


def test_the_panel_closes_itself_after_a_quiet_minute(make_kiosk, qtbot) -> None:
    kiosk = make_kiosk()
    window = kiosk.window
    assert kiosk.staff is not None
    assert kiosk.staff.panel_timer.interval() == 60_000
    kiosk.staff.panel_timer.setInterval(50)
    reader_of(kiosk).insert(DEMO_STAFF_CARD)
    qtbot.waitUntil(lambda: panel_shown(window))
    qtbot.waitUntil(lambda: not panel_shown(window), timeout=2000)
    # Staff are still signed in (the card is on the reader): the panel just got out of the way.
    assert window.session.staff.actor is not None


def test_pin_pad_from_holding_the_council_name_with_lockout_countdown(make_kiosk, qtbot,
                                                                      clock: FakeClock) -> None:
    kiosk = make_kiosk()
    window = kiosk.window
    staff = kiosk.staff
    assert staff is not None
    hold(window, window.logo, clock, 1.0)
    assert staff.pin_pad is None  # a short touch is not a hold
    hold(window, window.logo, clock, 3.0)
    assert staff.pin_pad is not None
    assert staff.pin_pad.isVisible()
    for attempt in range(4):
        enter_pin(qtbot, window, "0000")
        assert widget(window, "pinMessage").text() == f"That PIN is not right. {4 - attempt} tries left."
    enter_pin(qtbot, window, "0000")
    message = widget(window, "pinMessage").text()
    assert message == "Too many wrong PINs. The PIN pad opens again in 5:00."
    assert not widget(window, "pin-2").isEnabled()
    clock.advance(61)
    staff.pin_pad.refresh_lock()
    assert widget(window, "pinMessage").text().endswith("in 3:59.")
    clock.advance(239)
    staff.pin_pad.refresh_lock()
    assert widget(window, "pin-2").isEnabled()
    enter_pin(qtbot, window, "2468")
    qtbot.waitUntil(lambda: panel_shown(window))
    assert staff.pin_pad is None
    assert audit_actions(kiosk)[-2:] == ["pin_locked", "staff_in_pin"]


def test_assist_marks_answers_entered_by_staff_and_end_session_wipes(make_kiosk, qtbot) -> None:
    kiosk = make_kiosk()
    window = kiosk.window
    to_postcode_page(qtbot, window)
    reader_of(kiosk).insert(DEMO_STAFF_CARD)
    qtbot.waitUntil(lambda: panel_shown(window))
    tap(window, "staff-assist")
    assert widget(window, "staff-assist").text() == "Assisting this resident: on"
    assert window.lifecycle.assisted
    tap(window, "staffClose")
    assert not panel_shown(window)
    answer_text(window, "DE99 1AB")
    assert window.session.staff.entered_by() == {"address": "staff"}
    reader_of(kiosk).remove()
    qtbot.waitUntil(lambda: window.session.staff.actor is None)
    reader_of(kiosk).insert(DEMO_STAFF_CARD)
    qtbot.waitUntil(lambda: panel_shown(window))
    tap(window, "staff-end_session")
    qtbot.waitUntil(lambda: page_name(window) == "attract")
    assert not panel_shown(window)
    assert window.session.staff.actor is None
    assert not window.session.assisted
    actions = audit_actions(kiosk)
    assert actions[-2:] == ["end_session", "staff_out"]
    rows = kiosk.assembly.audit.recent(1)
    assert rows[0].detail == "session_ended"


def test_out_of_paper_shows_the_code_on_screen_and_staff_reprint_after_refill(
        make_kiosk, qtbot) -> None:
    kiosk = make_kiosk(printer="fake")
    window = kiosk.window
    printer = kiosk.assembly.printer
    assert isinstance(printer, FakePrinter)
    printer.paper_state = "out"
    send_feedback(qtbot, window, "compliment", "bins", "Lovely crew")
    outcome = window.session.outcome
    assert outcome is not None
    assert not outcome.printed
    assert widget(window, "receiptState").text().startswith("The receipt printer is not working")
    code = widget(window, "photoCode")
    assert isinstance(code, QLabel)
    assert window.findChild(QLabel, "receiptPreview") is None
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    code.pixmap().save(buffer, "PNG")
    path = Path(kiosk.assembly.outbox.path.parent / "code.png")
    path.write_bytes(bytes(buffer.data()))
    payloads = [c.data.decode() for c in read_codes(Image.open(path).convert("L"))]
    assert payloads == [f"http://127.0.0.1:9/status/{outcome.reference}"]
    row = kiosk.assembly.outbox.get(window.session.engine.submission_id)
    assert row is not None
    assert row.state == "pending"
    assert printer.jobs == []
    # Staff refill the paper and reprint from the panel.
    printer.paper_state = "ok"
    reader_of(kiosk).insert(DEMO_STAFF_CARD)
    qtbot.waitUntil(lambda: panel_shown(window))
    tap(window, "staff-reprint")
    qtbot.waitUntil(lambda: widget(window, "staffNote").text() == "The receipt was printed again.")
    assert printer.job_names == [outcome.reference]


def test_device_status_in_the_panel(make_kiosk, qtbot) -> None:
    kiosk = make_kiosk(printer="fake")
    window = kiosk.window
    printer = kiosk.assembly.printer
    assert isinstance(printer, FakePrinter)
    printer.paper_state = "near_end"
    reader_of(kiosk).insert(DEMO_STAFF_CARD)
    qtbot.waitUntil(lambda: panel_shown(window))
    tap(window, "staff-device_status")
    # Shown at once from the last poll, then refreshed by a fresh one.
    qtbot.waitUntil(lambda: any(w.isVisible() and w.text() == "Paper running low"
                                for w in window.findChildren(QLabel, "health-paper")),
                    timeout=10000)
    assert widget(window, "level-paper").text() == "Warning"
    assert widget(window, "health-card_reader").text() == "Ready"
    # No relay runs in this test: back offices are seen only through it, never probed from
    # the screen.
    assert widget(window, "health-relay").text().startswith("Not running")
    assert widget(window, "level-relay").text() == "Fault"
    assert widget(window, "health-hub:council").text() == "No report sent yet"
    assert "device_status" in audit_actions(kiosk)


def test_it_card_reaches_maintenance_and_hands_the_terminal_back(make_kiosk, qtbot) -> None:
    kiosk = make_kiosk()
    window = kiosk.window
    staff = kiosk.staff
    assert staff is not None
    restarts: list[bool] = []
    staff.restart_app = lambda: restarts.append(True)
    to_postcode_page(qtbot, window)
    reader_of(kiosk).insert(DEMO_IT_CARD)
    qtbot.waitUntil(lambda: panel_shown(window))
    tap(window, "staff-maintenance")
    qtbot.waitUntil(lambda: staff.maintenance is not None and staff.maintenance.isVisible())
    assert window.session.engine is None  # the resident session was ended and wiped
    tap(window, "maintenance-restart")
    assert restarts == [True]
    assert staff.maintenance is None
    assert page_name(window) == "attract"
    assert audit_actions(kiosk)[-3:] == ["maintenance", "maintenance", "staff_out"]


def test_demo_strip_taps_cards_and_runs_the_printer_out_of_paper(make_kiosk, qtbot) -> None:
    kiosk = make_kiosk(printer="fake", demo_controls=True)
    window = kiosk.window
    strip = window.findChild(DemoStrip)
    assert strip is not None
    assert strip.isVisible()
    touch(window, widget(window, "demoStaffCard"))
    qtbot.waitUntil(lambda: panel_shown(window))
    # The panel covers the window; the demo strip's own button takes the card off again.
    strip.toggle_card(DEMO_STAFF_CARD)
    qtbot.waitUntil(lambda: not panel_shown(window))
    printer = kiosk.assembly.printer
    assert isinstance(printer, FakePrinter)
    touch(window, widget(window, "demoPaper"))
    assert printer.paper_state == "out"
    assert widget(window, "demoPaper").text() == "Refill printer paper"


def test_demo_strip_is_never_in_a_production_profile(make_kiosk) -> None:
    with pytest.raises(ValueError, match="demo"):
        make_kiosk(mode="production", demo_quit_shortcut=False, card_reader={"type": "none"},
                   demo_controls=True)
    kiosk = make_kiosk(mode="production", demo_quit_shortcut=False, card_reader={"type": "none"})
    assert kiosk.window.findChild(DemoStrip) is None


@pytest.mark.parametrize("fault", ["paper_out_before", "paper_out_mid_job", "offline"])
def test_every_printer_fault_gives_the_resident_the_code_on_screen(make_kiosk, qtbot,
                                                                    fault: str) -> None:
    kiosk = make_kiosk(printer="fake")
    window = kiosk.window
    printer = kiosk.assembly.printer
    assert isinstance(printer, FakePrinter)
    if fault == "paper_out_before":
        printer.paper_state = "out"
    elif fault == "offline":
        printer.offline = True
    else:
        printer.paper_out_after_bytes = 300
    send_feedback(qtbot, window, "complaint", "roads", "Pothole")
    assert widget(window, "photoCode").isVisible()
    assert window.findChild(QLabel, "receiptPreview") is None
    outcome = window.session.outcome
    assert outcome is not None
    row = kiosk.assembly.outbox.get(window.session.engine.submission_id)
    assert row is not None
    assert (row.state, row.reference) == ("pending", outcome.reference)
    if fault == "paper_out_mid_job":
        assert 0 < len(printer.jobs[0]) == 300
