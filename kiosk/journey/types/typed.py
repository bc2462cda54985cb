"""Questions answered by typing: text, textarea, number, email, phone, postcode, date, a
receipt's reference and a National Insurance number."""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING

from kiosk.journey.speech import speakable, spell
from kiosk.journey.types.base import CheckContext, DisplayContext, QuestionType
from kiosk.journey.validation import (
    Answer,
    Checked,
    DateParts,
    Normaliser,
    RawAnswer,
    check_date,
    check_text,
    email,
    ni_number,
    number,
    phone,
    postcode,
    reference,
    spaced_ni_number,
)
from kiosk.reference import spaced

if TYPE_CHECKING:
    from kiosk.catalogue.question import Question
    from kiosk.journey.pages import QuestionPage
    from kiosk.journey.speech import Script

DATE_PARTS = ("day", "month", "year")


class TextType(QuestionType):
    """Typed text, optionally normalised (an email's domain in lower case, a postcode spaced).

    `spelled`: the answer is a code (postcode, phone number), read aloud character by
    character; other text is read as words with any codes in it spelled.
    """

    def __init__(self, name: str, *, max_length: int, multiline: bool = False,
                 normalise: Normaliser | None = None, spelled: bool = False) -> None:
        super().__init__(name, max_length=max_length)
        self.multiline = multiline
        self.normalise = normalise
        self.spelled = spelled

    def check(self, question: Question, page_id: str, raw: RawAnswer,
              context: CheckContext) -> Checked:
        return check_text(question, page_id, raw if isinstance(raw, str) else "",
                          multiline=self.multiline, normalise=self.normalise)

    def display(self, value: Answer, context: DisplayContext) -> str:
        return value if isinstance(value, str) else "\n".join(value)

    def speak(self, script: Script, page: QuestionPage, hide: bool) -> None:
        texts = script.texts
        if self.multiline and page.max_length:
            script.say("characters-left",
                       texts("question.characters_left", max=str(page.max_length)))
        value = page.value if isinstance(page.value, str) else ""
        if not value.strip():
            return
        if hide:
            script.say("value", texts("speech.personal_hidden"))
        else:
            script.say("value", spell(value) if self.spelled else speakable(value))


class ReferenceType(TextType):
    """A receipt's reference, typed or scanned from its QR code; shown in groups of four."""

    takes_scans = True

    def __init__(self, name: str) -> None:
        # Long enough for the status URL a scanner may type in full.
        super().__init__(name, max_length=300, normalise=reference, spelled=True)

    def display(self, value: Answer, context: DisplayContext) -> str:
        return spaced(value) if isinstance(value, str) else "\n".join(value)


class NiNumberType(TextType):
    """A National Insurance number: spaces and case as the resident likes, kept compact in
    capitals, shown spaced as on the card. Its hint (where to find it) is the app's unless the
    catalogue words its own; the question must be `personal: true` (checked at load)."""

    default_texts = MappingProxyType({"hint": "ni_number.hint"})
    personal_required = True

    def __init__(self, name: str) -> None:
        super().__init__(name, max_length=20, normalise=ni_number, spelled=True)

    def display(self, value: Answer, context: DisplayContext) -> str:
        return spaced_ni_number(value) if isinstance(value, str) else "\n".join(value)


class DateType(QuestionType):
    """GOV.UK's three boxes; the answer is an ISO date, shown as "20 November 2026"."""

    def empty(self) -> RawAnswer:
        return DateParts()

    def check(self, question: Question, page_id: str, raw: RawAnswer,
              context: CheckContext) -> Checked:
        parts = raw if isinstance(raw, DateParts) else DateParts()
        return check_date(question, page_id, parts, context.today)

    def display(self, value: Answer, context: DisplayContext) -> str:
        if not isinstance(value, str):
            return "\n".join(value)
        t = context.texts
        year, month, day = value.split("-")
        return t("date.long", day=str(int(day)), month=t(f"month.{int(month)}"), year=year)

    def speak(self, script: Script, page: QuestionPage, hide: bool) -> None:
        texts = script.texts
        parts = page.value if isinstance(page.value, DateParts) else DateParts()
        for part in DATE_PARTS:
            label = texts(f"date.{part}")
            entered = getattr(parts, part).strip()
            script.say(f"date:{part}", f"{label} {entered}" if entered and not hide else label)
        if hide and any(p.strip() for p in parts):
            script.say("value", texts("speech.personal_hidden"))


# Defaults chosen so nothing typed at a kiosk can overflow Open311 (description <= 4000).
TYPES: tuple[QuestionType, ...] = (
    TextType("text", max_length=200),
    TextType("textarea", max_length=1200, multiline=True),
    TextType("number", max_length=20, normalise=number),
    DateType("date"),
    TextType("email", max_length=254, normalise=email),
    TextType("phone", max_length=30, normalise=phone, spelled=True),
    TextType("postcode", max_length=12, normalise=postcode, spelled=True),
    ReferenceType("reference"),
    NiNumberType("ni_number"),
)
