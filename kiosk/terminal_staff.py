"""Staff beside the terminal, as the terminal sees them: who is acting, on which visit.

`kiosk.assist.StaffAssist` decides what staff may do and audits it; this desk ties those
decisions to the terminal's current visit (its reference, its lifecycle) and publishes what
changed, so the staff panel is only a view. The audit log can fail (a locked or full disk):
a sign-in that cannot be audited is refused (no unaudited access), and a hand-back that
cannot be audited still hands back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from kiosk.assist import HandBackReason, StaffAssist
from kiosk.clock import Clock
from kiosk.events import Event
from kiosk.resident import ResidentSession
from kiosk.session import EndReason, SessionLifecycle
from kiosk.staff import Actor, PinResult
from peripherals.printer.base import PrintResult, ReceiptPrinter

log = logging.getLogger(__name__)


class Host(Protocol):
    """The terminal as the desk needs it (a protocol, so the two modules import one way)."""

    session: ResidentSession
    lifecycle: SessionLifecycle
    maintenance: bool

    @property
    def in_session(self) -> bool: ...

    def touch(self) -> None: ...

    def end(self, reason: EndReason) -> None: ...

    def enter_maintenance(self) -> None: ...

    def leave_maintenance(self) -> None: ...


class StaffDesk:
    def __init__(self, assist: StaffAssist | None, clock: Clock) -> None:
        self.assist = assist
        self.clock = clock
        self._terminal: Host | None = None
        self._maintainer: Actor | None = None
        # The acting member of staff arrived (actor) or left (None).
        self.changed: Event[[Actor | None]] = Event("staff_changed")

    def bind(self, terminal: Host) -> None:
        self._terminal = terminal

    @property
    def terminal(self) -> Host:
        assert self._terminal is not None, "StaffDesk used before Terminal bound it"
        return self._terminal

    @property
    def enabled(self) -> bool:
        return self.assist is not None

    @property
    def has_pins(self) -> bool:
        return self.assist is not None and self.assist.directory.has_pins

    @property
    def panel_seconds(self) -> int:
        return self.assist.panel_seconds if self.assist is not None else 60

    @property
    def actor(self) -> Actor | None:
        return self.terminal.session.staff.actor

    def reference(self) -> str | None:
        """The visit's reference for the audit log, only while a resident session is open."""
        terminal = self.terminal
        return terminal.session.reference if terminal.in_session else None

    # --- arriving and leaving --------------------------------------------------------------

    def card_inserted(self, uid: bytes | None) -> Actor | None:
        if self.assist is None or self.terminal.maintenance:
            return None
        try:
            actor = self.assist.card_inserted(uid, self.terminal.session, self.reference())
        except Exception as exc:  # noqa: BLE001 - an unaudited sign-in is refused
            log.error("staff sign-in refused: audit failed (%s)", type(exc).__name__)
            self.terminal.session.staff.hand_back()
            return None
        if actor is not None:
            self.changed.emit(actor)
        return actor

    def card_removed(self) -> bool:
        if self.assist is None or self.terminal.maintenance:
            return False
        session = self.terminal.session
        actor = session.staff.actor
        if actor is None or actor.via != "card":
            return False
        self._hand_back(session, self.reference(), "card_removed")
        return True

    def try_pin(self, pin: str) -> PinResult | None:
        if self.assist is None:
            return None
        try:
            result = self.assist.try_pin(pin, self.terminal.session, self.reference())
        except Exception as exc:  # noqa: BLE001 - an unaudited sign-in is refused
            log.error("staff PIN refused: audit failed (%s)", type(exc).__name__)
            self.terminal.session.staff.hand_back()
            return None
        if result.outcome == "accepted":
            self.changed.emit(self.actor)
        return result

    def pin_locked_for(self) -> int:
        return self.assist.pin_locked_for() if self.assist is not None else 0

    def hand_back(self) -> None:
        self._hand_back(self.terminal.session, self.reference(), "manual")

    def _hand_back(self, session: ResidentSession, reference: str | None,
                   reason: HandBackReason) -> None:
        actor = session.staff.actor
        if actor is None:
            return
        try:
            if self.assist is not None:
                self.assist.hand_back(session, reference, reason)
        except Exception as exc:  # noqa: BLE001 - staff leave whether or not it is logged
            log.error("staff hand-back not audited (%s)", type(exc).__name__)
        session.staff.hand_back()
        self.changed.emit_all(None)

    def session_ending(self, session: ResidentSession) -> Callable[[], None] | None:
        """Called by the wipe: staff leave with the visit at once; the audit line comes back
        as a job to run after the wipe, so a locked or full audit database never holds the
        last resident's page on screen."""
        actor = session.staff.actor
        if actor is None:
            return None
        session.staff.hand_back()
        self.changed.emit_all(None)
        assist = self.assist
        if assist is None:
            return None
        role = actor.role
        return lambda: assist.audit.record(role, "staff_out", None, "session_ended")

    # --- panel actions ---------------------------------------------------------------------

    def mark_assisted(self) -> bool:
        terminal = self.terminal
        if self.assist is None or not terminal.in_session:
            return False
        self.assist.assist(terminal.session, self.reference())
        terminal.lifecycle.set_assisted(True, self.clock.monotonic())
        terminal.touch()
        return True

    def end_session(self) -> None:
        """Staff end the visit; it ends even if the audit log cannot take the line."""
        if self.assist is None:
            return
        try:
            self.assist.end_session(self.terminal.session, self.reference())
        except PermissionError:
            return
        except Exception as exc:  # noqa: BLE001 - ending must not depend on the audit
            log.error("staff end of session not audited (%s)", type(exc).__name__)
        self.terminal.end(EndReason.STAFF)

    def device_status(self) -> None:
        if self.assist is not None:
            self.assist.device_status(self.terminal.session, self.reference())

    def can_reprint(self) -> bool:
        terminal = self.terminal
        return terminal.in_session and terminal.session.outcome is not None

    def reprint_job(self, printer: ReceiptPrinter) -> Callable[[], PrintResult] | None:
        """The same receipt again (byte-identical), as a job for a worker (the printer may
        wait); None when there is nothing to reprint or staff may not."""
        session, assist = self.terminal.session, self.assist
        outcome = session.outcome
        if assist is None or outcome is None:
            return None
        return assist.reprint_job(session, outcome.reference, outcome.receipt, printer)

    # --- maintenance -----------------------------------------------------------------------

    def enter_maintenance(self) -> bool:
        """IT only. The resident visit (if any) is ended and wiped under them."""
        if self.assist is None:
            return False
        terminal = self.terminal
        self._maintainer = self.assist.enter_maintenance(terminal.session, self.reference())
        # IT now act on the terminal, not on the visit being ended; their sign-out is logged
        # when they leave maintenance.
        terminal.session.staff.hand_back()
        self.changed.emit_all(None)
        terminal.enter_maintenance()
        return True

    def dead_letter_retried(self, reference: str) -> None:
        """IT put a dead letter back in the queue from the maintenance screen: audited with
        the report's reference; the retry goes ahead even if the audit log cannot take it."""
        if self.assist is None or self._maintainer is None:
            return
        try:
            self.assist.dead_letter_retried(self._maintainer, reference)
        except Exception as exc:  # noqa: BLE001 - a retry must not depend on the audit
            log.error("dead letter retry not audited (%s)", type(exc).__name__)

    def leave_maintenance(self, reason: str) -> None:
        terminal = self.terminal
        if not terminal.maintenance:
            return
        if self.assist is not None and self._maintainer is not None:
            try:
                self.assist.leave_maintenance(self._maintainer,
                                              "timeout" if reason == "timeout" else "manual")
            except Exception as exc:  # noqa: BLE001 - leaving maintenance must not fail
                log.error("leaving maintenance not audited (%s)", type(exc).__name__)
        self._maintainer = None
        terminal.leave_maintenance()
