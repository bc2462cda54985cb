"""Which view shows which page model: the one place the window asks.

A new page kind adds its model in `kiosk/journey/pages.py`, its speech in `kiosk/announce.py`
and its view here; a new question type only registers its input (`ui/pages/inputs.py`).
"""

from __future__ import annotations

from collections.abc import Mapping

from accessibility.themes import Theme
from kiosk.journey.booking_pages import BookingDonePage, BookingUnavailablePage, BookingWaitingPage
from kiosk.journey.pages import (
    CheckAnswersPage,
    ConfirmationPage,
    ExitPage,
    InfoPage,
    LookupFailedPage,
    PageModel,
    QuestionPage,
    ResultPage,
    WaitingPage,
)
from kiosk.resident import SubmitOutcome
from kiosk.texts import Texts
from ui.pages.base import Intents, Page
from ui.pages.booking import BookingDoneView, BookingUnavailableView, BookingWaitingView
from ui.pages.day_picker import DayInput
from ui.pages.info import InfoView, ResultView
from ui.pages.inputs import InputFactory, builtin_inputs
from ui.pages.lookup import LookupFailedView, WaitingView
from ui.pages.question import QuestionView
from ui.pages.summary import CheckAnswersView, ConfirmationView, ExitView


def kiosk_inputs() -> dict[str, InputFactory]:
    """The built-in inputs and the day picker (its own module: it draws week rows)."""
    return {**builtin_inputs(), "day": DayInput}


def view_for(model: PageModel, texts: Texts, theme: Theme, intents: Intents, *,
             outcome: SubmitOutcome | None = None,
             inputs: Mapping[str, InputFactory] | None = None) -> Page:
    """The view for `model`. `outcome` is the submission's (the confirmation page shows
    whether the receipt printed); `inputs` the question inputs (the built-in ones if None)."""
    if isinstance(model, QuestionPage):
        return QuestionView(texts, theme, intents, model,
                            inputs if inputs is not None else kiosk_inputs())
    if isinstance(model, InfoPage):
        return InfoView(texts, theme, intents, model)
    if isinstance(model, ResultPage):
        return ResultView(texts, theme, intents, model)
    if isinstance(model, WaitingPage):
        return WaitingView(texts, theme, intents, model)
    if isinstance(model, LookupFailedPage):
        return LookupFailedView(texts, theme, intents, model)
    if isinstance(model, CheckAnswersPage):
        return CheckAnswersView(texts, theme, intents, model)
    if isinstance(model, ExitPage):
        return ExitView(texts, theme, intents, model)
    if isinstance(model, BookingWaitingPage):
        return BookingWaitingView(texts, theme, intents, model)
    if isinstance(model, BookingUnavailablePage):
        return BookingUnavailableView(texts, theme, intents, model)
    if isinstance(model, BookingDonePage):
        return BookingDoneView(texts, theme, intents, model)
    assert isinstance(model, ConfirmationPage)
    return ConfirmationView(texts, theme, intents, model,
                            printed=bool(outcome and outcome.printed),
                            preview_png=outcome.preview_png if outcome else None,
                            qr_payload=outcome.qr_payload if outcome else None)
