"""The address question (GOV.UK "Addresses" pattern): postcode, a list, or typed by hand.

A catalogue writes one `type: address` question; `kiosk.catalogue.address_pages` expands it
into the pages the engine walks, each an ordinary question of a type here:

* `address` (the page keeping the catalogue's id) asks for the postcode;
* `address_list` offers every address the council holds at it, looked up, then "The address
  is not listed" as the last choice (its answer is then empty, which routes to typing it);
* `address_manual` takes building and street, a second line, town and postcode by hand.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from kiosk.journey.speech import speakable, spell
from kiosk.journey.types.base import CheckContext, DisplayContext, QuestionType
from kiosk.journey.types.choice import ChoiceType
from kiosk.journey.types.typed import TextType
from kiosk.journey.validation import (
    Answer,
    Checked,
    FieldError,
    RawAnswer,
    clean_text,
    postcode,
)
from kiosk.texts import Texts

if TYPE_CHECKING:
    from kiosk.catalogue.question import Question
    from kiosk.journey.pages import QuestionPage
    from kiosk.journey.speech import Script

ADDRESS = "address"
ADDRESS_LIST = "address_list"
ADDRESS_MANUAL = "address_manual"
NOT_LISTED = "not_listed"
LINE_MAX = 100
"""The longest line of a typed address (Open311 `address_string` holds 1000 in all)."""


class AddressParts(NamedTuple):
    """An address as typed into its four boxes: kept as text so a wrong entry shows again."""

    line1: str = ""
    line2: str = ""
    town: str = ""
    postcode: str = ""


FIELDS = AddressParts._fields
_REQUIRED = {"line1": "error.address.line1", "town": "error.address.town",
             "postcode": "error.address.postcode"}


def address_lines(value: Answer) -> list[str]:
    """A stored address (one line per part, as `ManualAddressType` keeps it) as its lines."""
    text = value if isinstance(value, str) else "\n".join(value)
    return [line for line in text.splitlines() if line.strip()]


class AddressType(TextType):
    """`type: address` in a catalogue, and the page that keeps its id: "What is the
    postcode?". Worded by the app's message keys unless the catalogue words it."""

    default_texts = MappingProxyType({"label": "address.postcode.title",
                                      "hint": "address.postcode.hint",
                                      "summary_label": "address.summary"})

    def __init__(self) -> None:
        super().__init__(ADDRESS, max_length=12, normalise=postcode, spelled=True)


class AddressListType(ChoiceType):
    """Every address at the postcode (looked up), then "The address is not listed"."""

    def __init__(self) -> None:
        super().__init__(ADDRESS_LIST, many=False)

    def extra_options(self, texts: Texts, *, lookup_failed: bool = False
                      ) -> tuple[tuple[str, str], ...]:
        key = "address.enter_yourself" if lookup_failed else "address.not_listed"
        return ((NOT_LISTED, texts(key)),)

    def speak(self, script: Script, page: QuestionPage, hide: bool) -> None:
        """As any choice, with the "or" the page shows before the way on."""
        texts, total = script.texts, len(page.options)
        for n, option in enumerate(page.options, start=1):
            if n == total and total > 1:
                script.say("or", texts("address.or"))
            item = f"option:{option.value}"
            script.say(item, texts("speech.option_position", n=str(n), total=str(total),
                                   label=option.label))
            if option.selected and not hide:
                script.say(item, texts("speech.selected"))
        if hide and any(o.selected for o in page.options):
            script.say("value", texts("speech.personal_hidden"))

    def check(self, question: Question, page_id: str, raw: RawAnswer,
              context: CheckContext) -> Checked:
        if raw == NOT_LISTED:
            # No address chosen: the answer is empty, so `answered: false` routes to typing
            # it, and nothing of this page is sent (no UPRN, no label).
            return Checked(value=None)
        return super().check(question, page_id, raw, context)


def _parts(raw: RawAnswer) -> AddressParts:
    if isinstance(raw, AddressParts):
        return raw
    if isinstance(raw, tuple) and len(raw) == len(FIELDS):
        return AddressParts(*(str(part) for part in raw))
    return AddressParts()


class ManualAddressType(QuestionType):
    """The address typed by hand: address line 1 (building and street), line 2 (optional),
    town or city, postcode. Stored as its lines (postcode normalised), sent as one line."""

    def __init__(self) -> None:
        super().__init__(ADDRESS_MANUAL, max_length=LINE_MAX)

    def empty(self) -> RawAnswer:
        return AddressParts()

    def start(self, lead: Answer | None) -> RawAnswer:
        return AddressParts(postcode=lead if isinstance(lead, str) else "")

    def check(self, question: Question, page_id: str, raw: RawAnswer,
              context: CheckContext) -> Checked:
        parts = _parts(raw)
        errors: list[FieldError] = []
        kept: dict[str, str] = {}
        limit = question.max_length() or LINE_MAX
        for name in FIELDS:
            field = f"{page_id}-{name}"
            text = clean_text(getattr(parts, name), multiline=False)
            if text is None:
                errors.append(FieldError(field, "error.characters"))
            elif not text and name in _REQUIRED:
                errors.append(FieldError(field, _REQUIRED[name]))
            elif len(text) > limit:
                errors.append(FieldError(field, f"error.address.{name}_too_long",
                                         {"max": str(limit)}))
            elif text and name == "postcode":
                normal = postcode(question, field, text)
                errors.extend(normal.errors)
                kept[name] = str(normal.value) if normal.ok else text
            else:
                kept[name] = text
        if errors:
            return Checked(errors=tuple(errors))
        return Checked(value="\n".join(kept[n] for n in FIELDS if kept.get(n)))

    def display(self, value: Answer, context: DisplayContext) -> str:
        return "\n".join(address_lines(value))

    def attribute(self, value: Answer) -> str | list[str]:
        return self.field_text(value)

    def field_text(self, value: Answer) -> str:
        return ", ".join(address_lines(value))

    def speak(self, script: Script, page: QuestionPage, hide: bool) -> None:
        """Each box by its label, then what is in it (the postcode spelled out)."""
        texts = script.texts
        parts = _parts(page.value)
        for name in FIELDS:
            entered = getattr(parts, name).strip()
            script.say(f"address:{name}", texts(f"address.field.{name}"))
            if entered and not hide:
                script.say(f"address:{name}", spell(entered) if name == "postcode"
                           else speakable(entered))
        if hide and any(p.strip() for p in parts):
            script.say("value", texts("speech.personal_hidden"))


TYPES: tuple[QuestionType, ...] = (AddressType(), AddressListType(), ManualAddressType())
