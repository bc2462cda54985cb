"""Page models: everything a screen shows, as plain data in the resident's language.

The UI renders these and the speech script reads them, so neither needs the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from kiosk.journey.booking_pages import BookingPageModel
from kiosk.journey.validation import RawAnswer
from kiosk.lookups.base import LookupRequest, UnavailableReason


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
    qtype: str
    """The question type's registered name (`kiosk.journey.types`)."""
    optional: bool
    personal: bool
    options: tuple[OptionView, ...]
    value: RawAnswer
    max_length: int | None
    errors: tuple[ErrorView, ...]
    changing: bool
    kind: Literal["question"] = "question"


@dataclass(frozen=True)
class InfoPage:
    """Something the resident should know before going on: title, body, Continue."""

    page_id: str
    service_title: str
    title: str
    body: str
    final: bool = False
    """The last page of a service that sends nothing: Finish instead of Continue."""
    kind: Literal["info"] = "info"


@dataclass(frozen=True)
class ResultRow:
    label: str
    detail: str | None


@dataclass(frozen=True)
class ResultPage:
    """What a lookup found (next collection days), as rows; `empty_text` when there are none."""

    page_id: str
    service_title: str
    title: str
    hint: str | None
    rows: tuple[ResultRow, ...]
    empty_text: str
    final: bool = False
    """The last page of a service that sends nothing: Finish instead of Continue."""
    printable: bool = False
    """The resident may print the rows on the receipt printer (`ResultSpec.printable`)."""
    offer: str | None = None
    """The label of another service offered from here ("Report a missed bin",
    `ResultSpec.offer`), started with the answers it carries over."""
    kind: Literal["result"] = "result"


@dataclass(frozen=True)
class WaitingPage:
    """The loading state: the journey needs `request` answered before it can go on.

    The caller runs the lookup off the GUI thread and hands back the outcome with
    `JourneyEngine.lookup_done` or `lookup_failed`. `request` holds answers: never log it
    (its repr hides them).
    """

    page_id: str
    service_title: str
    title: str
    hint: str
    request: LookupRequest = field(hash=False)
    kind: Literal["waiting"] = "waiting"


@dataclass(frozen=True)
class LookupFailedPage:
    """GOV.UK's "there is a problem with the service" pattern for a lookup: try again, go
    back, or ask a member of staff."""

    page_id: str
    service_title: str
    title: str
    body: str
    staff_hint: str
    reason: UnavailableReason
    ways_on: tuple[OptionView, ...] = ()
    """Options of the question that stay open without the lookup ("Enter the address
    yourself"): each a button that answers the page with its value."""
    kind: Literal["lookup_failed"] = "lookup_failed"


@dataclass(frozen=True)
class SummaryRow:
    page_id: str
    label: str
    value: str
    personal: bool


@dataclass(frozen=True)
class EvidenceView:
    """A document to bring or post (the service's `evidence` that applies), as worded."""

    label: str
    hint: str | None


@dataclass(frozen=True)
class CheckAnswersPage:
    service_title: str
    title: str
    rows: tuple[SummaryRow, ...]
    submit_label: str
    evidence: tuple[EvidenceView, ...] = ()
    """What the resident needs to bring or post, listed after the answers."""
    evidence_heading: str = ""
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
    evidence: tuple[EvidenceView, ...] = ()
    """What the resident needs to bring or post (as on check answers)."""
    evidence_heading: str = ""
    kind: Literal["confirmation"] = "confirmation"
    # The services told ("tell us once"), by their labels in the page's language.
    told: tuple[str, ...] = ()


PageModel = (QuestionPage | InfoPage | ResultPage | WaitingPage | LookupFailedPage
             | CheckAnswersPage | ExitPage | ConfirmationPage | BookingPageModel)
