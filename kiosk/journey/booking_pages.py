"""Page models of a booking journey that no other journey shows: waiting for the council's
diary, the diary cannot be reached (with a call back offered), and the booking done.

Plain data in the resident's language, like `kiosk.journey.pages` (whose `PageModel` names
these too); the UI renders them (`ui/pages/booking.py`) and `kiosk.bookings.speech` reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class BookingRow:
    label: str
    detail: str


@dataclass(frozen=True)
class BookingWaitingPage:
    """Holding a time, booking it, finding, changing or cancelling a booking: the council's
    diary is being asked. Back only where leaving changes nothing the hub is doing."""

    page_id: str
    service_title: str
    title: str
    hint: str
    can_go_back: bool
    kind: Literal["booking_waiting"] = "booking_waiting"


@dataclass(frozen=True)
class BookingUnavailablePage:
    """The council's diary cannot be reached: said plainly, nothing pretended, and another
    way offered (a call back) when the kiosk has one."""

    page_id: str
    service_title: str
    title: str
    body: str
    staff_hint: str
    call_back: str | None
    """The call back button's words, or None when this kiosk offers no call back."""
    kind: Literal["booking_unavailable"] = "booking_unavailable"


@dataclass(frozen=True)
class BookingDonePage:
    """The hub has booked, moved or cancelled the appointment: what, where, when, what to
    bring, the reference, and a QR code holding it (scanned at a kiosk, it fills in the
    reference of "Change or cancel a booking")."""

    service_title: str
    title: str
    reference: str
    rows: tuple[BookingRow, ...]
    next_steps: str
    qr_payload: str
    printed: bool | None
    """True or False once the printer has answered; None when nothing was printed yet."""
    outcome: Literal["confirmed", "changed", "cancelled"] = "confirmed"
    kind: Literal["booking_done"] = "booking_done"


BookingPageModel = BookingWaitingPage | BookingUnavailablePage | BookingDonePage
