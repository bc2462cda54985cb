"""Booking beside the terminal: runs the steps a booking journey waits on, holds the visit
meanwhile, prints the booking, and lets go of held times nobody wants any more.

The journey (`kiosk.bookings.journey`) decides; this desk does the I/O, off the GUI thread on
the terminal's runner, as the terminal does for lookups and Send. Booking is synchronous with
the council's hub, never through the outbox: a booking exists only once the hub has said so,
and the resident is on the kiosk to see it (docs/architecture.md, "Bookings").

A held time is released (best effort, off the GUI thread; the hub's expiry is the backstop)
when the journey stops wanting it: the resident went back to choose another time, left the
service, asked for a call back, or the visit ended. The desk keeps the hold's id and the
journey's holder token, never the journey: an ended visit is still provably gone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Protocol

from accessibility.languages import FALLBACK, Translator, language
from kiosk.bookings.base import Booked, Bookings, Held, Outcome, TodayOutcome, Unavailable
from kiosk.bookings.journey import BookingJourney
from kiosk.bookings.printout import PrintoutWords, print_booking
from kiosk.bookings.steps import ChangeStep, ConfirmStep, Step, run_step
from kiosk.journey.booking_pages import BookingDonePage
from kiosk.resident import KioskParts, ResidentSession
from kiosk.session import EndReason
from kiosk.terminal_events import Hold, Runner, Shown, TerminalEvents
from kiosk.terminal_staff import StaffDesk
from peripherals.printer.base import ReceiptPrinter

log = logging.getLogger(__name__)


class Host(Protocol):
    """The terminal as the desk needs it (a protocol, so the two modules import one way)."""

    parts: KioskParts
    session: ResidentSession
    events: TerminalEvents
    runner: Runner
    serial: int
    printing: bool
    staff: StaffDesk

    @property
    def in_session(self) -> bool: ...

    def hold(self, reason: str) -> Hold: ...

    def release(self, token: Hold) -> None: ...


@dataclass(frozen=True)
class StepAnswer:
    outcome: Outcome
    printed: bool | None = None


@dataclass(frozen=True)
class _Ticket:
    """A hold this kiosk has: enough to release it, nothing of the visit."""

    hold: str
    holder: str

    def __repr__(self) -> str:
        return "_Ticket(<hidden>)"


def confirm_and_print(bookings: Bookings | None, step: Step, printer: ReceiptPrinter,
                      words: PrintoutWords | None, english: bool) -> StepAnswer:
    """Run a step; when it books an appointment, print it (blocking, off the GUI thread).
    Holds no session: a visit ended meanwhile is still provably gone."""
    outcome = run_step(bookings, step)
    if words is None or not isinstance(outcome, Booked) or not isinstance(step, ConfirmStep):
        return StepAnswer(outcome)
    ask_again = (partial(bookings.find, outcome.booking.reference, step.contact.postcode, FALLBACK)
                 if english and bookings is not None else None)
    return StepAnswer(outcome, print_booking(printer, words, outcome.booking, ask_again))


class BookingDesk:
    def __init__(self) -> None:
        self._terminal: Host | None = None
        self._show: Callable[[Shown], None] = lambda shown: None
        self._asking: Step | None = None
        self._held: _Ticket | None = None

    def bind(self, terminal: Host, show: Callable[[Shown], None]) -> None:
        self._terminal = terminal
        self._show = show
        terminal.events.session_ended.connect(self._visit_ended)
        terminal.events.wiping.connect(self._forget)

    @property
    def terminal(self) -> Host:
        assert self._terminal is not None, "BookingDesk used before Terminal bound it"
        return self._terminal

    @property
    def bookings(self) -> Bookings | None:
        """The council's diary (`KioskParts.bookings`); None: journeys say it cannot be asked."""
        return self.terminal.parts.bookings

    def journey(self) -> BookingJourney | None:
        engine = self.terminal.session.engine
        return engine if isinstance(engine, BookingJourney) else None

    @property
    def holding(self) -> bool:
        """A time is held for this visit (tests read it)."""
        return self._held is not None

    # ----- called by the terminal around every page shown --------------------------------

    def reconcile(self) -> None:
        """Release the held time if the journey on screen no longer wants it."""
        ticket = self._held
        if ticket is None:
            return
        journey = self.journey() if self.terminal.in_session else None
        if journey is None or journey.wanted_hold() != ticket.hold:
            self._held = None
            self._release(ticket)

    def step_if_waiting(self) -> None:
        """The page on screen waits for the council's diary: ask, off this thread, with the
        visit held so it cannot time out under a resident watching "Booking your appointment"."""
        terminal = self.terminal
        journey = self.journey() if terminal.in_session else None
        step = journey.pending_step() if journey is not None else None
        if journey is None or step is None or step == self._asking:
            return
        words: PrintoutWords | None = None
        english = False
        if isinstance(step, ConfirmStep):
            step = replace(step, assisted=self._assisted())
            words, english = self._words(journey, "confirmed")
        self._asking = step
        serial, hold = terminal.serial, terminal.hold("booking")
        job = partial(confirm_and_print, self.bookings, step, terminal.parts.printer, words,
                      english)

        def done(answer: StepAnswer) -> None:
            self._answered(serial, hold, step, answer)

        def failed(error: BaseException) -> None:
            log.error("appointments %s job failed: %s", step.name, type(error).__name__)
            self._answered(serial, hold, step, StepAnswer(Unavailable("bad_answer")))

        terminal.runner.run(job, done, failed)

    def _answered(self, serial: int, hold: Hold, step: Step, answer: StepAnswer) -> None:
        terminal = self.terminal
        terminal.release(hold)
        if self._asking == step:
            self._asking = None
        outcome = answer.outcome
        current = serial == terminal.serial and terminal.in_session
        journey = self.journey() if current else None
        took = journey is not None and journey.step_done(step, outcome)
        if isinstance(outcome, Held):
            ticket = _Ticket(outcome.hold, getattr(step, "holder", ""))
            if took:
                if self._held is not None and self._held != ticket:
                    self._release(self._held)
                self._held = ticket
            else:
                self._release(ticket)  # a hold for a page the resident left, or an ended visit
        elif isinstance(outcome, Booked) and isinstance(step, ConfirmStep | ChangeStep):
            self._held = None  # the hold became the booking: never release it
        if answer.printed is not None:
            if took and journey is not None:
                journey.printed(answer.printed)
            terminal.events.printed.emit(answer.printed)
        if took and journey is not None:
            self._show(journey.current())

    def _assisted(self) -> bool:
        """A member of staff is helping: they marked the visit, or their card is on the reader."""
        staff = self.terminal.session.staff
        actor = staff.actor
        return staff.assisted or (actor is not None and actor.via == "card")

    # ----- resident intents the terminal hands over --------------------------------------

    def submit(self) -> bool:
        """Send on a booking journey's check answers: book with the hub, never the outbox.
        False for any other journey (the terminal sends it as usual)."""
        journey = self.journey()
        if journey is None:
            return False
        if self.terminal.in_session and journey.submit():
            self._show(journey.current())
        return True

    def call_back(self) -> None:
        """From "we cannot book right now": the call back service instead (the held time,
        if any, is released as the booking journey is left)."""
        terminal = self.terminal
        journey = self.journey() if terminal.in_session else None
        spec = journey.service.booking if journey is not None else None
        if journey is None or spec is None or not journey.call_back_offered:
            return
        service_id = spec.call_back
        if service_id not in {s.id for s in terminal.session.services()}:
            return
        terminal.session.leave_service()
        self._show(terminal.session.choose(str(service_id)))

    def print_page(self) -> bool:
        """"Print this" on a booking's done page; False when no such page shows."""
        terminal = self.terminal
        journey = self.journey() if terminal.in_session else None
        shown = journey.current() if journey is not None else None
        booking = journey.done_booking() if journey is not None else None
        if journey is None or not isinstance(shown, BookingDonePage) or booking is None:
            return False
        if terminal.printing:
            return True
        words, english = self._words(journey, shown.outcome)
        ask_again = (partial(self._find_in, booking.reference, journey.postcode(), FALLBACK)
                     if english else None)
        job = partial(print_booking, terminal.parts.printer, words, booking, ask_again)
        terminal.printing = True
        hold, serial = terminal.hold("print"), terminal.serial
        terminal.events.page_printing.emit()

        def ended(ok: bool) -> None:
            if serial == terminal.serial:
                terminal.printing = False
            terminal.release(hold)
            if serial != terminal.serial:
                return
            found = self.journey()
            if found is not None:
                found.printed(ok)
            terminal.events.page_printed.emit(ok)

        terminal.runner.run(job, ended, lambda error: ended(False))
        return True

    def _find_in(self, reference: str, postcode: str, lang: str) -> Outcome:
        if self.bookings is None:
            return Unavailable("not_configured")
        return self.bookings.find(reference, postcode, lang)

    def _words(self, journey: BookingJourney, kind: str) -> tuple[PrintoutWords, bool]:
        """The printout's words in the session's language, or English when the receipt
        printer cannot print its script (then the booking is asked for again in English)."""
        parts = self.terminal.parts
        profile, current = parts.profile, parts.texts.language
        use = current if language(current).printable else FALLBACK
        texts = Translator(use)
        title, next_steps = journey.done_words(texts, kind)
        return PrintoutWords(texts, profile.council.name.get(use), profile.site.name.get(use),
                             profile.council.contact_line.get(use),
                             journey.service.title.get(use), title, next_steps,
                             parts.clock.now()), use != current

    # ----- staff ---------------------------------------------------------------------------

    def can_see_today(self) -> bool:
        """Whether the staff panel offers today's bookings: only while a staff card is on the
        reader (the rows carry names), and only with a diary to ask."""
        actor = self.terminal.session.staff.actor
        return self.bookings is not None and actor is not None and actor.via == "card"

    def today_job(self, lang: str) -> Callable[[], TodayOutcome] | None:
        """Today's bookings at this kiosk's site, as a job for a worker, when `can_see_today`.
        Each look is audited first; a look that cannot be audited is refused (None)."""
        terminal = self.terminal
        actor = terminal.session.staff.actor
        if self.bookings is None or actor is None or actor.via != "card":
            return None
        desk = terminal.staff
        if desk.assist is not None:
            try:
                desk.assist.bookings_viewed(actor, desk.reference())
            except Exception as exc:  # noqa: BLE001 - no unaudited look at residents' names
                log.error("today's bookings not shown: audit failed (%s)", type(exc).__name__)
                return None
        return partial(self.bookings.today, terminal.parts.profile.site.id, lang)

    # ----- the end of a visit --------------------------------------------------------------

    def _visit_ended(self, reason: EndReason) -> None:
        self._forget()

    def _forget(self) -> None:
        ticket, asking = self._held, self._asking
        self._held, self._asking = None, None
        # A hold being booked or moved right now is the hub's to settle: it becomes the
        # booking, or expires. Releasing it under the confirmation would race it.
        confirming = isinstance(asking, ConfirmStep | ChangeStep) and ticket is not None \
            and asking.hold == ticket.hold
        if ticket is not None and not confirming:
            self._release(ticket)

    def _release(self, ticket: _Ticket) -> None:
        bookings = self.bookings
        if bookings is None:
            return
        self.terminal.runner.run(partial(bookings.release, ticket.hold, ticket.holder),
                                 _ignore, _release_failed)


def _ignore(result: object) -> None:
    return None


def _release_failed(error: BaseException) -> None:
    log.warning("a held appointment time was not released (%s); it expires by itself",
                type(error).__name__)
