"""The scripted demo tour: drives the real widgets through a journey and saves every page.

Used by `script/demo` with no display and by `script/demo --screenshots DIR`, so the pages
can be reviewed as pictures; it also proves the demo works end to end against the hub.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kiosk.clock import FakeClock, uk_today
from kiosk.preferences import COLOURS, TEXT_SIZES, Preferences
from peripherals.printer import FakePrinter
from ui.built import Kiosk
from ui.driving import (
    clear_text,
    deliver_posted_events,
    on_page,
    page_name,
    tap,
    type_text,
    wait_for,
)
from ui.pages.summary import ConfirmationView
from ui.tour_applications import applications_tour
from ui.tour_booking import booking_tour
from ui.tour_call import call_tour
from ui.tour_staff import staff_tour

# The hub is on this machine, but a first delivery may wait out a cold start.
SUBMIT_SECONDS = 20.0


@dataclass(frozen=True)
class TourRun:
    shots: list[str]
    reference: str
    delivered: bool
    receipt_png: bytes = b""
    receipt_bytes: bytes = b""


def journey_tour(kiosk: Kiosk, out: Path, prefs: Preferences | None = None) -> TourRun:
    """Report a missed bin (the address typed by hand, with mistakes on the way), bin
    collection days, Track my request, booking an appointment and finding it again, and an
    exit page; save each page as a PNG.

    With `prefs`, every page is shown with those choices (colours, size, language), applied
    again after each session end because the wipe resets them.
    """
    out.mkdir(parents=True, exist_ok=True)
    shots: list[str] = []
    window = kiosk.window
    window.show()
    window.activateWindow()  # focus changes (and so the keyboard) need an active window
    wait_for(window.isActiveWindow, what="the kiosk window to become active")

    def apply() -> None:
        if prefs is not None:
            window.set_preferences(prefs)
            deliver_posted_events()

    apply()

    def wait_addresses() -> None:
        wait_for(lambda: not page_name(window).startswith("waiting"), seconds=SUBMIT_SECONDS,
                 what="the addresses at the postcode")

    def shot(name: str) -> None:
        deliver_posted_events()
        path = out / f"{len(shots) + 1:02d}-{name}.png"
        window.grab().save(str(path))
        shots.append(path.name)

    shot("attract")
    tap(window, "accessibility")
    shot("accessibility-panel")
    tap(window, "a11yDone")
    tap(window, "start")
    shot("menu")
    tap(window, "service-missed-bin")
    type_text(window, "answer", "de99 1ab")
    shot("postcode")
    tap(window, "continue")
    wait_addresses()
    shot("address-list")
    tap(window, "option-not_listed")
    tap(window, "continue")
    type_text(window, "answer-line1", "Flat 2, 14 Library Lane")
    shot("address-typed")
    tap(window, "continue")
    shot("address-typed-error")
    type_text(window, "answer-town", "Demo Town")
    tap(window, "continue")
    shot("bin-type")
    tap(window, "continue")
    shot("bin-type-error")
    tap(window, "option-general")
    tap(window, "continue")
    today = uk_today(kiosk.clock)
    type_text(window, "answer-day", "31")
    type_text(window, "answer-month", "2")
    type_text(window, "answer-year", str(today.year))
    tap(window, "continue")
    shot("due-date-error")
    for part in ("day", "month", "year"):
        clear_text(window, f"answer-{part}")
    type_text(window, "answer-day", str(today.day))
    type_text(window, "answer-month", str(today.month))
    type_text(window, "answer-year", str(today.year))
    shot("due-date")
    tap(window, "continue")
    type_text(window, "answer", "The bin is by the side gate.")
    shot("details")
    tap(window, "continue")
    tap(window, "option-email")
    shot("contact-method")
    tap(window, "continue")
    type_text(window, "answer", "resident@example.org")
    shot("contact-email")
    tap(window, "continue")
    shot("check-answers")
    tap(window, "change-address")
    shot("change-address")
    tap(window, "continue")  # the same postcode: the address typed is kept
    if isinstance(kiosk.clock, FakeClock):
        kiosk.clock.advance(kiosk.assembly.loaded.profile.session.idle_seconds + 1)
        window.idle.check()
        shot("need-more-time")
        tap(window, "moreTime")
    tap(window, "submit")
    wait_for(lambda: isinstance(window.page, ConfirmationView), seconds=SUBMIT_SECONDS,
             what="the confirmation page")
    shot("confirmation")
    # The optional questions below it (issue 14): one touch, then "Thank you".
    tap(window, "rate-5")
    shot("satisfaction")
    outcome = window.session.outcome
    reference = outcome.reference if outcome else "?"
    delivered = bool(outcome and outcome.delivered)
    receipt_png = outcome.preview_png if outcome else b""
    printer = kiosk.assembly.printer
    receipt_bytes = printer.output if isinstance(printer, FakePrinter) else b""
    tap(window, "finish")
    wait_for(on_page(window, "attract"), what="the attract page")
    apply()
    # Track my request, with the reference from that receipt: sent (the hub says where it
    # has got to) or still waiting in the outbox (the kiosk says so itself).
    tap(window, "start")
    tap(window, "service-track-request")
    type_text(window, "answer", reference)
    tap(window, "continue")
    wait_for(lambda: page_name(window).startswith(("result:", "lookup_failed:")),
             seconds=SUBMIT_SECONDS, what="the request's status")
    shot("track-request")
    tap(window, "startAgain")
    wait_for(on_page(window, "attract"), what="the attract page")
    apply()
    # Bin collection days for an address from the list, and Report a missed bin from there.
    tap(window, "start")
    tap(window, "service-bin-day")
    type_text(window, "answer", "de99 1ab")
    tap(window, "continue")
    wait_addresses()
    if page_name(window) == "question:address__list":
        tap(window, "option-990000001014")
        tap(window, "continue")
        wait_for(lambda: page_name(window).startswith(("result:", "lookup_failed:")),
                 seconds=SUBMIT_SECONDS, what="the collection days")
    shot("bin-days")
    tap(window, "startAgain")
    wait_for(on_page(window, "attract"), what="the attract page")
    apply()
    # Book an appointment, then find it again by its reference.
    booking_tour(kiosk, shot, SUBMIT_SECONDS, apply)
    # A Blue Badge application, the bus pass's "not yet", and "tell us once" (issue 13).
    applications_tour(kiosk, shot, SUBMIT_SECONDS, apply)
    # An exit page: garden waste without a subscription.
    tap(window, "start")
    tap(window, "service-missed-bin")
    type_text(window, "answer", "de99 9zz")
    tap(window, "continue")
    wait_addresses()
    type_text(window, "answer-line1", "Plot 4, New Road")
    type_text(window, "answer-town", "Demo Town")
    tap(window, "continue")
    tap(window, "option-garden")
    tap(window, "continue")
    tap(window, "option-no")
    tap(window, "continue")
    shot("exit-page")
    call_tour(kiosk, shot, SUBMIT_SECONDS)
    tap(window, "startAgain")
    wait_for(on_page(window, "attract"), what="the attract page")

    return TourRun(shots, reference, delivered, receipt_png, receipt_bytes)


VARIANTS: tuple[tuple[str, Preferences], ...] = tuple(
    [(f"{colours}-{size}", Preferences(colours=colours, text_size=size))
     for colours in COLOURS for size in TEXT_SIZES]
    + [("welsh", Preferences(language="cy")), ("urdu", Preferences(language="ur"))]
)


def run_tour(kiosk: Kiosk, out: Path, *, variants: bool = True) -> int:
    """The tour in the profile's defaults, then in every theme x size and in Welsh and Urdu."""
    run = journey_tour(kiosk, out)
    shots, reference, delivered = run.shots, run.reference, run.delivered
    if variants:
        for name, prefs in VARIANTS:
            journey_tour(kiosk, out / "variants" / name, prefs)
    staff_shots = staff_tour(kiosk, out / "staff")
    if run.receipt_png:
        (out / "receipt-preview.png").write_bytes(run.receipt_png)
    if run.receipt_bytes:
        (out / "receipt-escpos.bin").write_bytes(run.receipt_bytes)
    summary = [
        "Civic Kiosk demo tour: Report a missed bin collection",
        f"reference: {reference}",
        f"delivered to the hub at once: {'yes' if delivered else 'no (queued in the outbox)'}",
        "receipt: receipt-escpos.bin (the bytes sent to the printer) and receipt-preview.png",
        "pages:",
        *(f"  {name}" for name in shots),
        *(["variants (every page again in each):", *(f"  variants/{n}/" for n, _ in VARIANTS)]
          if variants else []),
        *(["staff and IT (staff/):", *(f"  {name}" for name in staff_shots)] if staff_shots else []),
    ]
    (out / "summary.txt").write_text("\n".join(summary) + "\n", encoding="utf-8")
    print(f"Screenshots, receipt preview and summary are in {out}/")  # noqa: T201
    return 0
