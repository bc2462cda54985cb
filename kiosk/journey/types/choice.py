"""Questions answered by choosing: radios, checkboxes and yes/no."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.journey.types.base import CheckContext, DisplayContext, OptionsRule, QuestionType
from kiosk.journey.validation import YES_NO, Answer, Checked, RawAnswer, check_many, check_one
from kiosk.texts import Texts

if TYPE_CHECKING:
    from kiosk.catalogue.question import Question
    from kiosk.journey.pages import QuestionPage
    from kiosk.journey.speech import Script


def speak_options(script: Script, page: QuestionPage, hide: bool) -> None:
    """Each option with its position ("Option 2 of 4: ..."), "Selected." for chosen ones,
    then its hint, as the choice input shows them."""
    texts, total = script.texts, len(page.options)
    for n, option in enumerate(page.options, start=1):
        item = f"option:{option.value}"
        script.say(item, texts("speech.option_position", n=str(n), total=str(total),
                               label=option.label))
        if option.selected and not hide:
            script.say(item, texts("speech.selected"))
        script.say(f"option-hint:{option.value}", option.hint)
    if hide and any(o.selected for o in page.options):
        script.say("value", texts("speech.personal_hidden"))


class ChoiceType(QuestionType):
    """One (radios) or several (checkboxes) of the options listed or looked up."""

    options: OptionsRule = "listed"

    def __init__(self, name: str, *, many: bool) -> None:
        super().__init__(name)
        self.many = many

    def empty(self) -> RawAnswer:
        return () if self.many else ""

    def check(self, question: Question, page_id: str, raw: RawAnswer,
              context: CheckContext) -> Checked:
        if self.many:
            return check_many(question, page_id, raw if isinstance(raw, tuple) else (),
                              context.allowed)
        return check_one(question, page_id, raw if isinstance(raw, str) else "", context.allowed)

    def speak(self, script: Script, page: QuestionPage, hide: bool) -> None:
        speak_options(script, page, hide)


class YesNoType(QuestionType):
    options: OptionsRule = "own"

    def own_options(self, texts: Texts) -> tuple[tuple[str, str], ...]:
        return tuple((v, texts(f"answer.{v}")) for v in YES_NO)

    def own_values(self) -> tuple[str, ...]:
        return YES_NO

    def check(self, question: Question, page_id: str, raw: RawAnswer,
              context: CheckContext) -> Checked:
        return check_one(question, page_id, raw if isinstance(raw, str) else "", YES_NO)

    def display(self, value: Answer, context: DisplayContext) -> str:
        return context.texts(f"answer.{value}")

    def speak(self, script: Script, page: QuestionPage, hide: bool) -> None:
        speak_options(script, page, hide)


TYPES: tuple[QuestionType, ...] = (
    ChoiceType("radios", many=False), ChoiceType("checkboxes", many=True), YesNoType("yes_no"),
)
