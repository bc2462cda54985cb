"""The tour's applications part (issue 13): a Blue Badge application from the eligibility
questions to the confirmation, the bus pass's "not yet" exit page, and "tell us once" from
the services' checkboxes to the confirmation that lists them, saving the pages worth
reviewing as PNGs.

Addresses come from the council's list (the demo hub's gazetteer, or the fake in process);
when the list cannot be had, the address is typed instead and the tour goes on.
"""

from __future__ import annotations

from collections.abc import Callable

from kiosk.clock import uk_today
from ui.built import Kiosk
from ui.driving import on_page, page_name, tap, type_text, wait_for, widget
from ui.pages.summary import ConfirmationView


def _address(kiosk: Kiosk, postcode: str, uprn: str, seconds: float) -> None:
    """Give a postcode and choose `uprn` from the list (typed by hand if no list came)."""
    window = kiosk.window
    type_text(window, "answer", postcode)
    tap(window, "continue")
    wait_for(lambda: not page_name(window).startswith("waiting"), seconds=seconds,
             what="the addresses at the postcode")
    if page_name(window).endswith("__list"):
        tap(window, f"option-{uprn}")
    elif page_name(window).startswith("lookup_failed"):
        tap(window, "option-not_listed")
        tap(window, "continue")
    if not page_name(window).endswith("__list"):
        type_text(window, "answer-line1", "14 Library Lane")
        type_text(window, "answer-town", "Demo Town")
    tap(window, "continue")


def _date(kiosk: Kiosk, day: int, month: int, year: int) -> None:
    window = kiosk.window
    type_text(window, "answer-day", str(day))
    type_text(window, "answer-month", str(month))
    type_text(window, "answer-year", str(year))
    tap(window, "continue")


def _submitted(kiosk: Kiosk, seconds: float) -> None:
    window = kiosk.window
    tap(window, "submit")
    wait_for(lambda: isinstance(window.page, ConfirmationView), seconds=seconds,
             what="the confirmation page")


def _end_visit(kiosk: Kiosk, button: str, after_visit: Callable[[], None]) -> None:
    tap(kiosk.window, button)
    wait_for(on_page(kiosk.window, "attract"), what="the attract page")
    after_visit()


def applications_tour(kiosk: Kiosk, shot: Callable[[str], None], seconds: float,
                      after_visit: Callable[[], None]) -> None:
    """Starts and ends on the attract page; `after_visit` puts the tour's preferences back
    after each visit's wipe."""
    window = kiosk.window
    # Blue Badge: not eligible first (the exit page), then Back and on to an assessment.
    tap(window, "start")
    tap(window, "service-blue-badge")
    tap(window, "option-myself")
    tap(window, "continue")
    shot("blue-badge-eligibility")
    tap(window, "option-none")
    tap(window, "continue")
    tap(window, "option-no")
    tap(window, "continue")
    tap(window, "option-none")
    tap(window, "continue")
    shot("blue-badge-not-eligible")
    tap(window, "back")
    tap(window, "option-none")  # unticked
    tap(window, "option-walking")
    tap(window, "continue")
    shot("blue-badge-assessment")
    tap(window, "continue")
    type_text(window, "answer", "Ann Example")
    tap(window, "continue")
    _address(kiosk, "de99 1ab", "990000001014", seconds)
    _date(kiosk, 2, 4, 1961)
    type_text(window, "answer", "JK 12 34 56 C")
    tap(window, "continue")
    type_text(window, "answer", "07700 900982")
    tap(window, "continue")
    shot("blue-badge-check-answers")
    for _ in range(12):  # down to "What you need to bring or post"
        if not widget(window, "scrollDown").isEnabled():
            break
        tap(window, "scrollDown")
    shot("blue-badge-evidence")
    _submitted(kiosk, seconds)
    shot("blue-badge-confirmation")
    _end_visit(kiosk, "finish", after_visit)
    # Bus pass: too young yet, the exit page that says when to apply.
    tap(window, "start")
    tap(window, "service-bus-pass")
    today = uk_today(kiosk.clock)
    _date(kiosk, today.day, today.month, today.year - 40)
    shot("bus-pass-not-yet")
    _end_visit(kiosk, "startAgain", after_visit)
    # Tell us once: two services chosen, each with its own question.
    tap(window, "start")
    tap(window, "service-moved-house")
    _address(kiosk, "de99 1ab", "990000001002", seconds)
    _address(kiosk, "de99 2de", "990000002007", seconds)
    _date(kiosk, today.day, today.month, today.year)
    type_text(window, "answer", "Ann Example")
    tap(window, "continue")
    tap(window, "option-garden_waste")
    tap(window, "option-libraries")
    shot("moved-house-tell")
    tap(window, "continue")
    tap(window, "option-yes")
    tap(window, "continue")
    tap(window, "continue")  # no library card with me today
    shot("moved-house-check-answers")
    _submitted(kiosk, seconds)
    shot("moved-house-confirmation")
    _end_visit(kiosk, "finish", after_visit)
