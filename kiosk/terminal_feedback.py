"""The two optional questions on a confirmation or exit page: "How was using this screen
today?" (GOV.UK's five-point scale) and "Did you phone or visit us about this before today?".

Terminal intents, not view logic: the terminal decides when an answer counts (a visit open,
one of those pages showing, the first answer of the visit) and publishes it; the views show
"Thank you" from `rating`/`contacted` (so a re-render in another language keeps it), and the
usage recorder turns it into one event. Forgotten with the visit.
"""

from __future__ import annotations

from typing import Protocol

from kiosk.journey.booking_pages import BookingDonePage
from kiosk.journey.pages import ConfirmationPage, ExitPage
from kiosk.terminal_events import Shown, TerminalEvents
from kiosk.usage_events import CONTACT_VALUES

SCORES = (1, 2, 3, 4, 5)  # 1 very dissatisfied … 5 very satisfied
ANSWERS = CONTACT_VALUES  # yes, no, not_sure


def asks_feedback(shown: Shown) -> bool:
    """The pages that end a journey: where the two questions are shown."""
    return isinstance(shown, ConfirmationPage | BookingDonePage | ExitPage)


class Host(Protocol):
    events: TerminalEvents

    @property
    def in_session(self) -> bool: ...

    def current(self) -> Shown: ...

    def touch(self) -> None: ...


class FeedbackDesk:
    def __init__(self) -> None:
        self.rating: int | None = None
        self.contacted: str | None = None
        self._terminal: Host | None = None

    def bind(self, terminal: Host) -> None:
        self._terminal = terminal
        terminal.events.wiping.connect(self._forget)

    def _open(self) -> Host | None:
        terminal = self._terminal
        if terminal is None or not terminal.in_session or not asks_feedback(terminal.current()):
            return None
        return terminal

    def rate(self, score: int) -> None:
        terminal = self._open()
        if terminal is None or self.rating is not None or score not in SCORES:
            return
        self.rating = score
        terminal.touch()
        terminal.events.visit_rated.emit(score)

    def answer_contacted(self, answer: str) -> None:
        terminal = self._open()
        if terminal is None or self.contacted is not None or answer not in ANSWERS:
            return
        self.contacted = answer
        terminal.touch()
        terminal.events.contacted_before.emit(answer)

    def _forget(self) -> None:
        self.rating = None
        self.contacted = None
