"""The words of the call screens, shared by the views and their speech scripts so the two
never drift apart (EN 301 549 5.1.3.1: what is shown is what is said)."""

from __future__ import annotations

from datetime import date, timedelta

from babel.dates import format_date

from kiosk.calls.hours import DayHours
from kiosk.calls.screens import (
    INTERPRETER_NAMES,
    SIGN_LANGUAGE,
    CallOverScreen,
    CallQueueScreen,
    OverReason,
)
from kiosk.texts import Texts

# A Monday, to name the weekdays in the resident's language (Babel knows cy, pl, ur, ro).
_A_MONDAY = date(2024, 1, 1)
_BABEL = {"cy": "cy_GB", "en": "en_GB", "pl": "pl_PL", "ro": "ro_RO", "ur": "ur_PK"}

OVER_TITLES: dict[OverReason, str] = {
    "out_of_hours": "call.over.out_of_hours",
    "no_devices": "call.over.no_devices",
    "unavailable": "call.over.unavailable",
    "no_answer": "call.over.no_answer",
    "advisor_left": "call.over.cut_off",
    "connection_lost": "call.over.cut_off",
    "ended": "call.over.ended",
}
OVER_BODIES: dict[OverReason, str] = {
    "out_of_hours": "call.over.out_of_hours_body",
    "no_devices": "call.over.no_devices_body",
    "unavailable": "call.over.unavailable_body",
    "no_answer": "call.over.no_answer_body",
    "advisor_left": "call.over.cut_off_body",
    "connection_lost": "call.over.cut_off_body",
    "ended": "call.over.ended_body",
}


def interpreter_name(code: str, texts: Texts) -> str:
    if code == SIGN_LANGUAGE:
        return texts("call.sign_language")
    return INTERPRETER_NAMES.get(code, code)


def queue_lines(screen: CallQueueScreen, texts: Texts) -> list[tuple[str, str]]:
    """(item, words) for the queue page, top to bottom."""
    if screen.position is None:
        lines = [("position", texts("call.queue.joining"))]
    else:
        lines = [("position", texts("call.queue.position", position=str(screen.position)))]
        if screen.wait_minutes is not None:
            key = "call.queue.wait_one" if screen.wait_minutes == 1 else "call.queue.wait_many"
            lines.append(("wait", texts(key, minutes=str(screen.wait_minutes))))
    if screen.interpreter is not None:
        lines.append(("interpreter", texts("call.queue.interpreter",
                                           language=interpreter_name(screen.interpreter, texts))))
    lines.append(("hold-hint", texts("call.queue.hold_hint")))
    return lines


def day_name(day_index: int, language: str) -> str:
    return format_date(_A_MONDAY + timedelta(days=day_index), "EEEE",
                       locale=_BABEL.get(language, "en_GB"))


def hours_lines(hours: tuple[DayHours, ...], texts: Texts) -> list[tuple[str, str]]:
    """One line per weekday: its name and its times, or "Closed"."""
    lines = []
    for index, day in enumerate(hours):
        times = ", ".join(texts("call.hours.range", opens=o, closes=c) for o, c in day.times)
        lines.append((day_name(index, texts.language), times or texts("call.hours.closed")))
    return lines


def over_words(screen: CallOverScreen, texts: Texts) -> tuple[str, str]:
    return texts(OVER_TITLES[screen.reason]), texts(OVER_BODIES[screen.reason])
