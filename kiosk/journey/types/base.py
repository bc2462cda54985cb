"""What a question type is: everything the core needs to know about one kind of answer.

A type is registered once (see `registry`) and every part of the core asks it, instead of
branching on the type's name: the catalogue (what the YAML may say), the engine (the empty
answer, checking it, the options, the words on check answers), the Open311 mapping and the
speech script. The input widget is the UI's half, registered in `ui/pages/inputs.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

from kiosk.journey.validation import Answer, Checked, RawAnswer
from kiosk.texts import Texts

if TYPE_CHECKING:
    from kiosk.catalogue.question import Question
    from kiosk.journey.pages import QuestionPage
    from kiosk.journey.speech import Script

OptionsRule = Literal["none", "listed", "own"]
"""Where a type's options come from: none; listed in the YAML (`options:`) or looked up
(`options_from:`); or the type's own (`yes_no` offers Yes and No)."""


@dataclass(frozen=True)
class CheckContext:
    """What checking an answer may depend on besides the question: today's date (from the
    caller, never the clock) and the option values the page offered."""

    today: date
    allowed: tuple[str, ...] = ()


@dataclass(frozen=True)
class DisplayContext:
    """What wording an answer needs: the app's texts and the offered options' labels."""

    texts: Texts
    labels: Mapping[str, str]


class QuestionType:
    """Base for a question type. Subclasses override what differs from plain text."""

    options: OptionsRule = "none"
    many: bool = False
    """Several values in one answer (conditions then test it with `includes`)."""
    takes_scans: bool = False
    """A barcode scanned while the question shows is its answer (a receipt's QR code holds
    its reference), rather than a library card number kept with the session."""
    personal_required: bool = False
    """The answer is always personal (a National Insurance number): a question of this type
    must say `personal: true`, so it is never read aloud or shown unasked."""
    default_texts: Mapping[str, str] = MappingProxyType({})
    """Message keys for the words a catalogue may leave out (`label`, `hint`,
    `summary_label`): the address question words its pages itself, in every language."""

    def __init__(self, name: str, *, max_length: int | None = None) -> None:
        self.name = name
        self.max_length = max_length
        """The longest answer when the question sets no `max_length` rule (None: no limit)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    # ----- the catalogue ---------------------------------------------------------------------

    def own_options(self, texts: Texts) -> tuple[tuple[str, str], ...]:
        """(value, label) of the options the type itself offers (`options == "own"`)."""
        return ()

    def own_values(self) -> tuple[str, ...]:
        """The values of the type's own options, for checking route conditions at load time."""
        return ()

    def extra_options(self, texts: Texts, *, lookup_failed: bool = False
                      ) -> tuple[tuple[str, str], ...]:
        """(value, label) of options offered after the looked-up ones: a way on when the list
        does not hold the answer ("The address is not listed"). They stay open when the lookup
        fails (`lookup_failed`: worded for the "we cannot look this up" page), so a resident
        is never stuck because the council's system is down."""
        return ()

    # ----- the engine ------------------------------------------------------------------------

    def empty(self) -> RawAnswer:
        """What the input shows before anything is entered."""
        return ""

    def start(self, lead: Answer | None) -> RawAnswer:
        """What the input shows first on a page expanded from a catalogue question, given the
        answer on that question's own page (`Service.lead`): a typed postcode fills the
        postcode box of "Enter the address"."""
        return self.empty()

    def check(self, question: Question, page_id: str, raw: RawAnswer,
              context: CheckContext) -> Checked:
        """Validate and normalise: the value to store, or errors naming the field."""
        raise NotImplementedError

    def display(self, value: Answer, context: DisplayContext) -> str:
        """The answer in words, for check answers (and the speech script reads those)."""
        if isinstance(value, tuple):
            return "\n".join(context.labels.get(v, v) for v in value)
        return context.labels.get(value, value)

    # ----- Open311 ---------------------------------------------------------------------------

    def attribute(self, value: Answer) -> str | list[str]:
        """The value of an `attribute[code]` (a list is sent as `attribute[code][]`)."""
        return list(value) if isinstance(value, tuple) else value

    def field_text(self, value: Answer) -> str:
        """The answer as part of a standard field (`description`, `address_string`)."""
        return ", ".join(value) if isinstance(value, tuple) else value

    # ----- speech ----------------------------------------------------------------------------

    def speak(self, script: Script, page: QuestionPage, hide: bool) -> None:
        """Say the input part of the page (between the errors and the buttons).

        `hide`: the answer is personal and the resident has not asked to hear it, so say
        "Your answer is not read aloud" in place of anything entered.
        """
        raise NotImplementedError
