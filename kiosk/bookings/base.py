"""What booking an appointment is, independent of who keeps the diary.

A booking journey holds a slot while the resident finishes (`hold`), books it when they
confirm (`confirm`), and later finds, cancels or moves it by reference and postcode. The
council's hub keeps the diary (`HubBookings`, docs/lookups.md "Appointments"); tests and the
demo use `FakeBookings`. Both answer every call with a typed outcome and never raise: a
journey turns each outcome into a page, so nothing can reach the screen as a traceback.

Calls block (callers run them off the GUI thread) and give up by themselves within the
backend's timeout. Their inputs can be personal (a name, a postcode): backends never put
them in a URL, a log line, an exception message or a repr.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

from kiosk.lookups.base import UnavailableReason

Status = Literal["held", "confirmed", "cancelled"]


@dataclass(frozen=True)
class Booking:
    """The hub's booking document: what, where, when, in the language it was asked in. It
    never holds the resident's name or contact details (the kiosk has those)."""

    reference: str
    status: Status
    type: str
    type_label: str
    site: str
    site_label: str
    site_address: str
    start: str
    end: str
    bring: str
    assisted: bool
    language: str = "en"


@dataclass(frozen=True)
class Slot:
    """A free slot offered instead of one just taken: `label` the time, `day_label` the day,
    in the language asked."""

    start: str
    end: str
    label: str
    day_label: str


@dataclass(frozen=True)
class Contact:
    """Who the booking is for, sent only in the confirm call's body. Never in a repr."""

    name: str
    postcode: str
    email: str | None = None
    phone: str | None = None

    def __repr__(self) -> str:
        return "Contact(<hidden>)"


@dataclass(frozen=True)
class TodaysBooking:
    """One row of the staff panel's "Today's bookings": staff greet the resident by name."""

    reference: str
    start: str
    end: str
    type_label: str
    name: str
    assisted: bool
    status: Status

    def __repr__(self) -> str:
        return f"TodaysBooking({self.reference[:3]}…, {self.status})"


# ----- outcomes: every call ends as exactly one of these ------------------------------------

@dataclass(frozen=True)
class Held:
    """The slot is ours until `expires_at` (the hub's clock, ISO 8601)."""

    hold: str
    expires_at: str
    booking: Booking


@dataclass(frozen=True)
class Booked:
    """The hub's answer about a booking: confirmed, found, changed or cancelled."""

    booking: Booking


@dataclass(frozen=True)
class SlotTaken:
    """Someone else has the last place in that slot; `nearest` are free ones near it."""

    nearest: tuple[Slot, ...] = ()


@dataclass(frozen=True)
class HoldExpired:
    """The hold ran out (or the hub never knew it) before the booking was confirmed."""

    nearest: tuple[Slot, ...] = ()


@dataclass(frozen=True)
class NotFound:
    """No booking has that reference, or its postcode is another (the same answer, so the
    postcode cannot be guessed by reference)."""


@dataclass(frozen=True)
class TooManyTries:
    """Too many wrong postcodes for one reference lately: the resident must ask staff."""


@dataclass(frozen=True)
class Unavailable:
    """The diary could not be asked, or refused the question. `reason` chooses the
    resident's message; `detail` is a short code for the log, never an input."""

    reason: UnavailableReason
    detail: str = field(default="", compare=False)


@dataclass(frozen=True)
class Today:
    bookings: tuple[TodaysBooking, ...]


HoldOutcome = Held | SlotTaken | Unavailable
ConfirmOutcome = Booked | SlotTaken | HoldExpired | Unavailable
FindOutcome = Booked | NotFound | TooManyTries | Unavailable
CancelOutcome = Booked | NotFound | TooManyTries | Unavailable
ChangeOutcome = Booked | SlotTaken | HoldExpired | NotFound | TooManyTries | Unavailable
TodayOutcome = Today | Unavailable
Outcome = Held | Booked | SlotTaken | HoldExpired | NotFound | TooManyTries | Unavailable


class Bookings(Protocol):
    """A diary of appointments (the contract in docs/lookups.md, "Appointments"). Blocking;
    every method answers within the backend's timeout and never raises."""

    def hold(self, type_id: str, site: str, start: str, holder: str, hold_seconds: int,
             language: str) -> HoldOutcome: ...

    def release(self, hold: str, holder: str) -> bool: ...

    def confirm(self, hold: str, holder: str, contact: Contact, assisted: bool,
                language: str) -> ConfirmOutcome: ...

    def find(self, reference: str, postcode: str, language: str) -> FindOutcome: ...

    def cancel(self, reference: str, postcode: str, language: str) -> CancelOutcome: ...

    def change(self, reference: str, postcode: str, hold: str, holder: str,
               language: str) -> ChangeOutcome: ...

    def today(self, site: str, language: str) -> TodayOutcome: ...
