"""Staff taking over beside the terminal, decided without Qt: who came, what they may do, what
is audited.

The UI calls these when a card is tapped or removed, a PIN is entered or a panel button is
pressed, and only shows the result, so a headless test can drive a whole staff visit the way
Home Assistant tests drive a config flow. Every action goes to the audit log with the role and
the session reference, and nothing else: no card UID, no PIN, no answer.

A member of staff stays "acting" from sign-in until they hand back (card removed, "Hand back"
pressed, or the resident session ends). The panel closing after a minute does not hand back:
staff often step through a form with the resident, and answers given meanwhile are recorded
as entered by staff once the session is marked as assisted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Literal, Protocol

from kiosk.audit import AuditLog
from kiosk.clock import Clock
from kiosk.staff import Actor, PinPad, PinResult, StaffDirectory, StaffSession
from peripherals.printer.base import PrintResult, ReceiptPrinter
from peripherals.receipt_document import ReceiptDocument

log = logging.getLogger(__name__)

PANEL_SECONDS = 60


class HasStaff(Protocol):
    """The resident session as this module needs it."""

    @property
    def staff(self) -> StaffSession: ...


HandBackReason = Literal["manual", "card_removed", "timeout", "session_ended"]


class StaffAssist:
    """One per terminal. Holds the PIN pad (its lockout outlives resident sessions)."""

    def __init__(self, directory: StaffDirectory, audit: AuditLog, clock: Clock, *,
                 panel_seconds: int = PANEL_SECONDS) -> None:
        self.directory = directory
        self.audit = audit
        self.clock = clock
        self.panel_seconds = panel_seconds
        self.pin_pad = PinPad(directory, clock)

    # --- arriving and leaving -------------------------------------------------------------

    def card_inserted(self, uid: bytes | None, session: HasStaff, reference: str | None
                      ) -> Actor | None:
        """A card on the reader: staff if its fingerprint is enrolled, otherwise nothing
        happens on screen (a resident's bank card must not open anything)."""
        match = self.directory.match_card(uid) if uid else None
        if match is None:
            self.audit.record(None, "card_refused", reference)
            return None
        actor = session.staff.take_over(match, "card")
        self.audit.record(actor.role, "staff_in_card", reference)
        return actor

    def card_removed(self, session: HasStaff, reference: str | None) -> bool:
        """Whether this ended a card sign-in (a PIN sign-in is not ended by a card)."""
        actor = session.staff.actor
        if actor is None or actor.via != "card":
            return False
        self.hand_back(session, reference, "card_removed")
        return True

    def try_pin(self, pin: str, session: HasStaff, reference: str | None) -> PinResult:
        was_locked = self.pin_pad.locked_for() > 0
        result = self.pin_pad.try_pin(pin)
        if result.outcome == "accepted" and result.match is not None:
            actor = session.staff.take_over(result.match, "pin")
            self.audit.record(actor.role, "staff_in_pin", reference)
        elif result.outcome == "refused":
            self.audit.record(None, "pin_refused", reference)
        elif not was_locked:
            # The attempt that started a lockout; tries during it are not checked or logged.
            self.audit.record(None, "pin_refused", reference)
            self.audit.record(None, "pin_locked", reference)
        return result

    def pin_locked_for(self) -> int:
        return self.pin_pad.locked_for()

    def hand_back(self, session: HasStaff, reference: str | None, reason: HandBackReason) -> None:
        actor = session.staff.actor
        if actor is None:
            return
        session.staff.hand_back()
        self.audit.record(actor.role, "staff_out", reference, reason)

    # --- panel actions --------------------------------------------------------------------

    def assist(self, session: HasStaff, reference: str | None) -> None:
        session.staff.mark_assisted()
        self.audit.record(self._role(session), "assist_on", reference)

    def end_session(self, session: HasStaff, reference: str | None) -> None:
        actor = session.staff.require("end_session")
        self.audit.record(actor.role, "end_session", reference, "manual")

    def reprint(self, session: HasStaff, reference: str, receipt: ReceiptDocument,
                printer: ReceiptPrinter) -> PrintResult:
        """The same document again, so the same bytes: a reprint is a copy, not a new receipt."""
        return self.reprint_job(session, reference, receipt, printer)()

    def reprint_job(self, session: HasStaff, reference: str, receipt: ReceiptDocument,
                    printer: ReceiptPrinter) -> Callable[[], PrintResult]:
        """Checked now (who may reprint), printed later on a worker (the printer may take its
        timeout). The job holds the role, not the session, so a visit ended meanwhile is
        still gone from memory."""
        role = session.staff.require("reprint").role

        def job() -> PrintResult:
            result = printer.print_receipt(receipt, reference)
            self.audit.record(role, "reprint", reference,
                              "printer_ok" if result.ok else "printer_fault")
            return result

        return job

    def device_status(self, session: HasStaff, reference: str | None) -> None:
        actor = session.staff.require("device_status")
        self.audit.record(actor.role, "device_status", reference)

    def bookings_viewed(self, actor: Actor, reference: str | None) -> None:
        """Today's bookings name residents: every look at them is on the record."""
        self.audit.record(actor.role, "bookings_today", reference)

    def enter_maintenance(self, session: HasStaff, reference: str | None) -> Actor:
        actor = session.staff.require("maintenance")
        self.audit.record(actor.role, "maintenance", reference, "maintenance_enter")
        return actor

    def dead_letter_retried(self, actor: Actor, reference: str) -> None:
        self.audit.record(actor.role, "maintenance", reference, "dead_letter_retry")

    def leave_maintenance(self, actor: Actor, reason: Literal["manual", "timeout"]) -> None:
        self.audit.record(actor.role, "maintenance", None, "maintenance_exit")
        self.audit.record(actor.role, "staff_out", None, reason)

    @staticmethod
    def _role(session: HasStaff) -> Literal["staff", "it"] | None:
        actor = session.staff.actor
        return actor.role if actor else None
