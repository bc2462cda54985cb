"""Page models: everything a screen shows, as plain data in the resident's language.

The UI renders these and the speech script reads them, so neither needs the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kiosk.catalogue.model import QuestionType
from kiosk.journey.validation import RawAnswer


@dataclass(frozen=True)
class OptionView:
    value: str
    label: str
    hint: str | None
    selected: bool


@dataclass(frozen=True)
class ErrorView:
    """One error, already worded; `field` says which input it belongs to."""

    field: str
    message: str


@dataclass(frozen=True)
class QuestionPage:
    page_id: str
    service_title: str
    title: str
    hint: str | None
    qtype: QuestionType
    optional: bool
    personal: bool
    options: tuple[OptionView, ...]
    value: RawAnswer
    max_length: int | None
    errors: tuple[ErrorView, ...]
    changing: bool
    kind: Literal["question"] = "question"


@dataclass(frozen=True)
class SummaryRow:
    page_id: str
    label: str
    value: str
    personal: bool


@dataclass(frozen=True)
class CheckAnswersPage:
    service_title: str
    title: str
    rows: tuple[SummaryRow, ...]
    submit_label: str
    kind: Literal["check_answers"] = "check_answers"


@dataclass(frozen=True)
class ExitPage:
    page_id: str
    service_title: str
    title: str
    body: str
    kind: Literal["exit"] = "exit"


@dataclass(frozen=True)
class ConfirmationPage:
    service_title: str
    title: str
    reference: str
    next_steps: str
    delivered: bool
    kind: Literal["confirmation"] = "confirmation"


PageModel = QuestionPage | CheckAnswersPage | ExitPage | ConfirmationPage
