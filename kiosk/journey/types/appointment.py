"""Questions a booking asks that no other journey does: the day (a large picker of the days
with free times) and a booking's reference (typed, or scanned from its confirmation's QR)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.journey.days import as_date, day_layout
from kiosk.journey.types.base import CheckContext, DisplayContext, OptionsRule, QuestionType
from kiosk.journey.types.typed import TextType
from kiosk.journey.validation import Answer, Checked, RawAnswer, booking_reference, check_one

if TYPE_CHECKING:
    from kiosk.catalogue.question import Question
    from kiosk.journey.pages import QuestionPage
    from kiosk.journey.speech import Script


class DayType(QuestionType):
    """One day from the options (usually looked up: `appointment-days`), shown as tiles in
    week rows (`kiosk.journey.days`); the answer is the day's ISO date."""

    options: OptionsRule = "listed"

    def check(self, question: Question, page_id: str, raw: RawAnswer,
              context: CheckContext) -> Checked:
        return check_one(question, page_id, raw if isinstance(raw, str) else "", context.allowed)

    def display(self, value: Answer, context: DisplayContext) -> str:
        if not isinstance(value, str):
            return "\n".join(value)
        if value in context.labels:
            return context.labels[value]
        day = as_date(value)
        if day is None:
            return value
        t = context.texts
        return t("date.long", day=str(day.day), month=t(f"month.{day.month}"), year=str(day.year))

    def speak(self, script: Script, page: QuestionPage, hide: bool) -> None:
        """Row by row as the tiles show them: each month as it begins, then each day with how
        many times are free ("Tuesday 8 December, 6 times free"), and "Selected."."""
        texts = script.texts
        layout = day_layout(page.options, texts.language)
        for week in layout.weeks:
            if week.heading:
                year, month = week.months[0]
                script.say(f"month:{year}-{month:02d}", week.heading)
            for tile in week.tiles:
                if tile is None:
                    continue
                item = f"option:{tile.value}"
                script.say(item, texts("day.option", label=tile.label, hint=tile.hint)
                           if tile.hint else tile.label)
                if tile.selected and not hide:
                    script.say(item, texts("speech.selected"))
        for option in layout.others:
            script.say(f"option:{option.value}", option.label)
            if option.selected and not hide:
                script.say(f"option:{option.value}", texts("speech.selected"))
            script.say(f"option-hint:{option.value}", option.hint)
        if hide and any(o.selected for o in page.options):
            script.say("value", texts("speech.personal_hidden"))


class BookingReferenceType(TextType):
    """A booking's reference, typed or scanned from the QR code on its confirmation."""

    takes_scans = True

    def __init__(self, name: str) -> None:
        super().__init__(name, max_length=300, normalise=booking_reference, spelled=True)


TYPES: tuple[QuestionType, ...] = (DayType("day"), BookingReferenceType("booking_reference"))
