"""The tour's booking part: book an appointment at a library, then find it again to change or
cancel it, saving each page as a PNG.

The times offered are whatever the council's diary has free (the demo hub's, or the fake
diary in process), so the tour takes the first day and the first time it is offered rather
than naming them. A diary that cannot be reached is a page worth seeing too: the tour saves
"We cannot book appointments right now" and goes on.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel

from kiosk.journey.pages import QuestionPage
from ui.built import Kiosk
from ui.driving import on_page, page_name, tap, type_text, wait_for, widget

ASKING = ("waiting", "booking_waiting")


def _settled(kiosk: Kiosk, seconds: float) -> str:
    """The page once the hub has answered (or the client has given up)."""
    window = kiosk.window
    wait_for(lambda: not page_name(window).startswith(ASKING), seconds=seconds,
             what="the council's appointments diary")
    return page_name(window)


def _first_option(kiosk: Kiosk) -> str:
    shown = kiosk.terminal.current()
    return shown.options[0].value if isinstance(shown, QuestionPage) and shown.options else ""


def booking_tour(kiosk: Kiosk, shot: Callable[[str], None], seconds: float,
                 after_visit: Callable[[], None]) -> str:
    """Book, then open the booking by its reference and postcode; the reference ("" when the
    diary could not be reached). Starts and ends on the attract page; `after_visit` puts the
    tour's preferences back after each visit's wipe."""
    window = kiosk.window

    def pick(question: str, value: str = "") -> bool:
        """Choose `value` (or the first option offered) on `question`; False if the diary
        answered with something else (unavailable, nothing free)."""
        if _settled(kiosk, seconds) != f"question:{question}":
            return False
        chosen = value or _first_option(kiosk)
        if not chosen:
            return False
        tap(window, f"option-{chosen}")
        return True

    def leave() -> str:
        shot("booking-unavailable" if page_name(window).startswith("booking_unavailable")
             else "booking-nothing-free")
        tap(window, "startAgain")
        wait_for(on_page(window, "attract"), what="the attract page")
        after_visit()
        return ""

    tap(window, "start")
    tap(window, "service-book-appointment")
    if not pick("type", "housing-advice"):
        return leave()
    shot("booking-type")
    tap(window, "continue")
    if not pick("site", "central-library"):
        return leave()
    tap(window, "continue")
    if not pick("day"):
        return leave()
    shot("booking-day")
    tap(window, "continue")
    if not pick("time"):
        return leave()
    shot("booking-time")
    tap(window, "continue")
    if _settled(kiosk, seconds) != "question:name":
        return leave()
    type_text(window, "answer", "Ann Example")
    tap(window, "continue")
    tap(window, "option-phone")
    tap(window, "continue")
    type_text(window, "answer", "07700 900123")
    tap(window, "continue")
    type_text(window, "answer", "DE99 1AB")
    tap(window, "continue")
    shot("booking-check-answers")
    tap(window, "submit")
    if _settled(kiosk, seconds) != "booking_done:confirmed":
        return leave()
    label = widget(window, "reference")
    reference = label.text() if isinstance(label, QLabel) else ""
    shot("booking-confirmed")
    tap(window, "finish")
    wait_for(on_page(window, "attract"), what="the attract page")
    after_visit()

    tap(window, "start")
    tap(window, "service-manage-booking")
    type_text(window, "answer", reference)
    tap(window, "continue")
    type_text(window, "answer", "DE99 1AB")
    tap(window, "continue")
    if _settled(kiosk, seconds) == "result:details":
        shot("booking-details")
    tap(window, "startAgain")
    wait_for(on_page(window, "attract"), what="the attract page")
    after_visit()
    return reference
