"""The steps a booking journey waits on, as data: what to ask the council's diary, and (in
`ON_OUTCOME`) where each way it can end sends the resident, with the message they see.

Home Assistant's config-flow shape: the journey (`kiosk.bookings.journey`) says which step
it waits for (`pending_step`); the terminal's booking desk runs it off the GUI thread
(`run_step`) and hands the outcome back (`step_done`). A step holds what the call needs,
which may be personal (a name, a postcode): its repr hides it. Its language is not part of
its identity, so an answer asked in one language still answers the same step in another.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Literal

from kiosk.bookings.base import (
    Bookings,
    Contact,
    Outcome,
    Unavailable,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HoldStep:
    type: str
    site: str
    start: str
    holder: str = field(repr=False)
    hold_seconds: int
    language: str = field(compare=False)
    name: Literal["hold"] = "hold"


@dataclass(frozen=True)
class ConfirmStep:
    hold: str
    holder: str = field(repr=False)
    contact: Contact
    language: str = field(compare=False)
    assisted: bool = field(default=False, compare=False)
    """Filled by the terminal when it runs the step: a member of staff is helping."""
    name: Literal["confirm"] = "confirm"


@dataclass(frozen=True)
class FindStep:
    reference: str = field(repr=False)
    postcode: str = field(repr=False)
    language: str = field(compare=False)
    name: Literal["find"] = "find"


@dataclass(frozen=True)
class CancelStep:
    reference: str = field(repr=False)
    postcode: str = field(repr=False)
    language: str = field(compare=False)
    name: Literal["cancel"] = "cancel"


@dataclass(frozen=True)
class ChangeStep:
    reference: str = field(repr=False)
    postcode: str = field(repr=False)
    hold: str
    holder: str = field(repr=False)
    language: str = field(compare=False)
    name: Literal["change"] = "change"


Step = HoldStep | ConfirmStep | FindStep | CancelStep | ChangeStep
StepName = Literal["hold", "confirm", "find", "cancel", "change"]

# What the resident reads while each step waits (message keys), and whether Back is safe:
# a booking being made, moved or cancelled cannot be left half way.
WAITING: dict[StepName, tuple[str, bool]] = {
    "hold": ("booking.waiting.hold", True),
    "confirm": ("booking.waiting.confirm", False),
    "find": ("booking.waiting.find", True),
    "cancel": ("booking.waiting.cancel", False),
    "change": ("booking.waiting.change", False),
}


@dataclass(frozen=True)
class Route:
    """Where an outcome sends the resident: back to a page (by its booking role) with a
    message, or to a page of its own (`stop`: ask staff; `unavailable`: a call back)."""

    to: Literal["page", "stop", "unavailable"]
    role: str = ""
    message: str = ""


TAKEN = Route("page", "time", "booking.error.slot_taken")
EXPIRED = Route("page", "time", "booking.error.hold_expired")
NOT_FOUND = Route("page", "postcode", "booking.error.not_found")
STOP = Route("stop", message="booking.too_many")
UNAVAILABLE = Route("unavailable")

# Every outcome that is not the step's success, by step and outcome type.
ON_OUTCOME: dict[tuple[StepName, str], Route] = {
    ("hold", "SlotTaken"): TAKEN,
    ("confirm", "SlotTaken"): TAKEN,
    ("confirm", "HoldExpired"): EXPIRED,
    ("change", "SlotTaken"): TAKEN,
    ("change", "HoldExpired"): EXPIRED,
    ("change", "NotFound"): NOT_FOUND,
    ("change", "TooManyTries"): STOP,
    ("find", "NotFound"): NOT_FOUND,
    ("find", "TooManyTries"): STOP,
    ("cancel", "NotFound"): NOT_FOUND,
    ("cancel", "TooManyTries"): STOP,
}


def route_for(step: Step, outcome: Outcome) -> Route:
    """Where an outcome other than success goes; anything unlisted (a refusal, a timeout, an
    answer the step cannot take) is "the diary cannot be reached"."""
    return ON_OUTCOME.get((step.name, type(outcome).__name__), UNAVAILABLE)


def run_step(bookings: Bookings | None, step: Step) -> Outcome:
    """Ask the diary (blocking: run it off the GUI thread). Never raises: a backend's bug is
    an `Unavailable` like any other failure, logged by type only."""
    if bookings is None:
        return Unavailable("not_configured")
    try:
        if isinstance(step, HoldStep):
            return bookings.hold(step.type, step.site, step.start, step.holder,
                                 step.hold_seconds, step.language)
        if isinstance(step, ConfirmStep):
            return bookings.confirm(step.hold, step.holder, step.contact, step.assisted,
                                    step.language)
        if isinstance(step, FindStep):
            return bookings.find(step.reference, step.postcode, step.language)
        if isinstance(step, CancelStep):
            return bookings.cancel(step.reference, step.postcode, step.language)
        return bookings.change(step.reference, step.postcode, step.hold, step.holder,
                               step.language)
    except Exception as exc:  # noqa: BLE001 - the resident sees "cannot book", never a crash
        log.error("appointments %s failed: %s", step.name, type(exc).__name__)
        return Unavailable("bad_answer", type(exc).__name__)
