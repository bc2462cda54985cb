"""The terminal: one Qt-free owner of the visit.

It decides everything about a resident's visit — the lifecycle (attract → active → idle
warning → ended → wiped), the `ResidentSession`, the accessibility preferences, staff assist,
holds and the wipe — and publishes what happened as events (`kiosk.events`). The window, the
staff panel and read aloud are views that subscribe and forward intents; headless tests drive
a whole visit through this class with no Qt, the way Home Assistant tests drive config flows.

Three things are injected because they belong to whoever runs the terminal:

* `runner` does slow work (the outbox and printer, a lookup) off the caller's thread and calls
  back on it — the UI passes its `Background` (Anki's CollectionOp shape), tests run inline;
* `defer` calls something once the current intent has returned — the UI passes a zero-delay
  timer, so a page's widgets are never destroyed inside their own click handler;
* `on_fatal` is called when a wipe cannot be proved complete: the process must not show an
  attract screen that might still hold the last visit, so production exits and systemd
  starts a fresh one.

The wipe never depends on anything that can fail. Each step (staff hand-back and its audit,
every view's clean-up, speech, preferences) is guarded; what fails is logged by type and the
wipe goes on; then it is verified (views' checks plus weak references to the ended session and
its engine) before the attract screen shows again.
"""

from __future__ import annotations

import logging
import platform
import weakref
from collections.abc import Callable
from functools import partial
from typing import Any

from kiosk.journey.booking_pages import BookingDonePage
from kiosk.journey.pages import ConfirmationPage, QuestionPage, ResultPage, WaitingPage
from kiosk.journey.validation import RawAnswer
from kiosk.lookups.base import LookupRequest, LookupResult, LookupUnavailable
from kiosk.preferences import Preferences, defaults
from kiosk.resident import KioskParts, ResidentSession, SubmitFailed, SubmitOutcome, ask_council
from kiosk.session import Change, EndReason, Phase, SessionLifecycle
from kiosk.terminal_bookings import BookingDesk
from kiosk.terminal_calls import CallDesk
from kiosk.terminal_events import (
    AttractScreen,
    Hold,
    InlineRunner,
    MenuScreen,
    Runner,
    Shown,
    TerminalEvents,
    WipeCheck,
    call_now,
)
from kiosk.terminal_feedback import FeedbackDesk
from kiosk.terminal_saved import SavedDesk
from kiosk.terminal_staff import StaffDesk
from kiosk.terminal_wipe import audit_failed, collect, guarded, ignore, verify

__all__ = ["AttractScreen", "Hold", "InlineRunner", "MenuScreen", "Runner", "Shown", "Terminal",
           "TerminalEvents", "call_now"]

log = logging.getLogger(__name__)

class Terminal:
    def __init__(self, parts: KioskParts, *, runner: Runner | None = None,
                 defer: Callable[[Callable[[], None]], None] = call_now,
                 on_fatal: Callable[[tuple[str, ...]], None] | None = None,
                 staff: StaffDesk | None = None) -> None:
        self.parts = parts
        self.clock = parts.clock
        self.events = TerminalEvents()
        self.runner: Runner = runner or InlineRunner()
        self._defer = defer
        self._on_fatal = on_fatal
        self.lifecycle = SessionLifecycle(parts.profile.session)
        self.prefs = defaults(parts.profile)
        self.session = ResidentSession(parts)
        # Bumped by every wipe: a background result for an ended visit is dropped.
        self.serial = 0
        self.maintenance = False
        # IT took the terminal out of service in its profile: residents cannot start a visit;
        # the attract screen says so, and staff cards still work.
        commands = parts.profile.commands
        self.out_of_service = bool(commands is not None and commands.maintenance)
        self.submitting = False
        self.printing = False
        self._holds: list[Hold] = []
        self._wipe_checks: list[WipeCheck] = []
        self._wipe_pending = False
        self._asking: LookupRequest | None = None
        self.staff = staff or StaffDesk(None, parts.clock)
        self.staff.bind(self)
        self.staff.changed.connect(self._staff_changed)
        # Booking journeys' calls to the council's diary (holds, bookings): kiosk/terminal_bookings.
        self.bookings = BookingDesk()
        self.bookings.bind(self, self._show)
        # Talk to an advisor (kiosk/terminal_calls): its screens sit over the visit.
        self.calls = CallDesk(parts.calls, parts.profile.calls, terminal_id=platform.node(),
                              site_id=parts.profile.site.id)
        self.calls.bind(self, self._show)
        # Save and come back (kiosk/terminal_saved): its screens sit over the visit too.
        self.saved = SavedDesk(parts.saved)
        self.saved.bind(self, self._show)
        # The satisfaction and "contacted before" questions (kiosk/terminal_feedback).
        self.feedback = FeedbackDesk()
        self.feedback.bind(self)

    # ----- what is showing -----------------------------------------------------------------

    @property
    def phase(self) -> Phase:
        return self.lifecycle.phase

    @property
    def in_session(self) -> bool:
        return self.lifecycle.phase in (Phase.ACTIVE, Phase.WARNING)

    def current(self) -> Shown:
        """What the screen shows now, in the current language: views re-render from this."""
        if not self.in_session:
            return AttractScreen()
        if self.calls.showing is not None:
            return self.calls.showing
        if self.saved.showing is not None:
            return self.saved.showing
        engine = self.session.engine
        if engine is None:
            return MenuScreen(self.session.services())
        return engine.current()

    def _show(self, shown: Shown) -> None:
        self.bookings.reconcile()
        if isinstance(shown, ConfirmationPage | BookingDonePage):
            self.lifecycle.confirm(self.clock.monotonic())
            self._deadline_changed()
        self.saved.shown(shown)
        self.events.page_changed.emit(shown)
        if isinstance(shown, WaitingPage):
            self._ask_if_waiting()
        self.bookings.step_if_waiting()

    def _staff_changed(self, _actor: object) -> None:
        """Staff arriving or leaving puts their evidence page on the route or takes it off
        (`JourneyEngine.skipped`): show where the journey now is at once, so the page is
        never left on screen for the resident alone."""
        engine = self.session.engine
        if not self.in_session or engine is None or self.submitting \
                or self.calls.showing is not None:
            return
        before = engine.where
        shown = engine.current()
        if engine.where != before:
            self._show(shown)

    # ----- asking the council --------------------------------------------------------------

    def _ask_if_waiting(self) -> None:
        """The page on screen waits for the council (a `WaitingPage`): ask, off this thread.
        The backend gives up by itself within its timeout, so the waiting page always turns
        into the options or "we cannot look this up right now"."""
        request = self.session.pending_lookup() if self.in_session else None
        if request is None or request == self._asking:
            return
        self._asking = request
        serial = self.serial
        job = partial(ask_council, self.parts.lookup, request)

        def done(result: LookupResult) -> None:
            self._answered(serial, request, result)

        def failed(error: BaseException) -> None:
            unavailable = (error if isinstance(error, LookupUnavailable)
                           else LookupUnavailable("bad_answer", type(error).__name__))
            self._answered(serial, request, unavailable)

        self.runner.run(job, done, failed)

    def _answered(self, serial: int, request: LookupRequest,
                  outcome: LookupResult | LookupUnavailable) -> None:
        if self._asking == request:
            self._asking = None
        if serial != self.serial or not self.in_session or self.session.engine is None:
            return  # the visit ended meanwhile: nothing of the answer is kept
        self._show(self.session.lookup_finished(request, outcome))

    def try_again(self) -> None:
        """From "we cannot look this up right now": wait for the same lookup again."""
        engine = self.session.engine
        if self.in_session and engine is not None:
            self._show(engine.try_again())

    @property
    def idle(self) -> bool:
        """Nobody is using the terminal: the attract screen, no staff signed in, nothing
        being wiped. A pending profile may be applied now rather than after the next visit."""
        return (self.lifecycle.phase is Phase.ATTRACT and not self.maintenance
                and not self._wipe_pending and self.staff.actor is None)

    # ----- resident intents ----------------------------------------------------------------

    def start(self) -> None:
        if (self.lifecycle.phase is not Phase.ATTRACT or self.maintenance or self.out_of_service
                or self._wipe_pending):
            return
        self.lifecycle.begin(self.clock.monotonic())
        self.events.session_started.emit()
        self._deadline_changed()
        self._show(self.current())

    def choose_service(self, service_id: str) -> None:
        if self.in_session and self.session.engine is None:
            self._show(self.session.choose(service_id))

    def answer(self, page_id: str, raw: RawAnswer) -> None:
        if self.in_session and self.session.engine is not None:
            self._show(self.session.answer(page_id, raw))

    def back(self) -> None:
        engine = self.session.engine
        if not self.in_session or engine is None or self.submitting:
            return
        model = engine.back()
        if model is None:
            self.session.leave_service()
        self._show(self.current())

    def change(self, page_id: str) -> None:
        engine = self.session.engine
        if self.in_session and engine is not None and not self.submitting:
            self._show(engine.change(page_id))

    def keep_typed(self, page_id: str, raw: RawAnswer) -> None:
        """Half-typed text survives a re-render (new text size, colours, language)."""
        engine = self.session.engine
        if engine is not None:
            engine.keep_typed(page_id, raw)

    def library_card_scanned(self, number: str) -> None:
        """A scan: the answer to a question that takes scanned codes (a receipt's QR code on
        "Track my request"); otherwise kept with the session (wiped with it) for journeys
        that take a library card number as an optional identifier. Never logged."""
        if not self.in_session:
            return
        self.touch()
        shown, engine = self.current(), self.session.engine
        if isinstance(shown, QuestionPage) and engine is not None \
                and engine.types[shown.qtype].takes_scans:
            self.answer(shown.page_id, number)
            return
        self.session.library_card = number

    def print_page(self) -> None:
        """"Print this" on a printable result page: printed off this thread, the session
        held meanwhile; views hear `page_printing`, then `page_printed(ok)`."""
        if self.bookings.print_page():
            return
        shown = self.current() if self.in_session else None
        if not isinstance(shown, ResultPage) or not shown.printable or self.printing:
            return
        job = self.session.printout(shown)
        self.printing = True
        hold, serial = self.hold("print"), self.serial
        self.events.page_printing.emit()

        def ended(ok: bool) -> None:
            if serial == self.serial:
                self.printing = False
            self.release(hold)
            if serial == self.serial:
                self.events.page_printed.emit(ok)

        self.runner.run(job, ended, lambda error: ended(False))

    def take_offer(self) -> None:
        """The other service a result page offers ("Report a missed bin"), started with the
        answers it carries already given."""
        shown = self.current() if self.in_session else None
        if isinstance(shown, ResultPage) and shown.offer is not None and not self.printing:
            self._show(self.session.take_offer())

    def submit(self) -> None:
        """Send from check answers: durably enqueue, deliver through the relay, print; the
        session is held meanwhile so it cannot time out under a resident watching a printer."""
        engine = self.session.engine
        if not self.in_session or self.submitting or engine is None \
                or self.bookings.submit() or not engine.ready_to_submit():
            return
        try:
            submissions = self.session.prepare_submissions()
        except SubmitFailed:
            self.events.submit_failed.emit()
            return
        self.submitting = True
        hold = self.hold("submit")
        serial = self.serial
        # Holds nothing of the session: a visit ended while its receipt prints must still be
        # provably gone from memory, and its submission still goes into the outbox.
        job = self.session.delivery(submissions)
        self.events.submitting.emit()

        def done(outcome: SubmitOutcome) -> None:
            if serial == self.serial:
                self.submitting = False
            self.release(hold)
            self.events.printed.emit(outcome.printed)
            if serial != self.serial:
                return  # the visit ended meanwhile; the outbox row is safe and will be sent
            self._show(self.session.finish(outcome))

        def failed(error: BaseException) -> None:
            log.error("submission failed: %s", type(error).__name__)
            if serial == self.serial:
                self.submitting = False
            self.release(hold)
            if serial == self.serial:
                self.events.submit_failed.emit()

        self.runner.run(job, done, failed)

    def finish(self) -> None:
        self.end(EndReason.FINISHED)

    def rate_visit(self, score: int) -> None:
        """"How was using this screen today?": 1 (very dissatisfied) … 5 (very satisfied)."""
        self.feedback.rate(score)

    def contacted_before(self, answer: str) -> None:
        """"Did you phone or visit us about this before today?": yes, no or not_sure."""
        self.feedback.answer_contacted(answer)

    def start_again(self) -> None:
        self.end(EndReason.START_AGAIN)

    def more_time(self) -> None:
        if self.lifecycle.extend(self.clock.monotonic()) is not None:
            self.events.warning_cleared.emit()
            self._deadline_changed()

    def set_preferences(self, prefs: Preferences) -> None:
        old, self.prefs = self.prefs, prefs
        if prefs != old:
            self.events.preferences_changed.emit(prefs, old)
            # Looked-up options are in the language they were asked in: a new language may
            # mean asking again (the engine says so with a waiting page), as may a found booking.
            self._ask_if_waiting()
            self.bookings.step_if_waiting()

    # ----- time ----------------------------------------------------------------------------

    def touch(self) -> None:
        """Any input anywhere: restarts the idle period (not while the warning shows)."""
        self.lifecycle.touch(self.clock.monotonic())
        self._deadline_changed()

    def next_deadline(self) -> float | None:
        return self.lifecycle.next_deadline()

    def seconds_left(self) -> int:
        return self.lifecycle.seconds_left(self.clock.monotonic())

    def tick(self) -> None:
        """Called when `next_deadline()` has passed (a timer in the UI, the test by hand)."""
        change = self.lifecycle.tick(self.clock.monotonic())
        self._deadline_changed()
        if change is not None:
            self._changed(change)

    def _changed(self, change: Change) -> None:
        if change.phase is Phase.WARNING:
            self.events.warning.emit(self.seconds_left(), self.lifecycle.can_extend)
        elif change.phase is Phase.ACTIVE:
            self.events.warning_cleared.emit()
        elif change.phase is Phase.ENDED and change.reason is not None:
            self._ended(change.reason)

    def _deadline_changed(self) -> None:
        self.events.deadline_changed.emit(self.lifecycle.next_deadline())

    # ----- holds ---------------------------------------------------------------------------

    def hold(self, reason: str) -> Hold:
        """Something outside the resident's touch is happening (a call, a booking being
        confirmed, a print): the session must not time out until it is released."""
        token = Hold(reason, self.serial)
        if not self.in_session:
            token.released = True
            return token
        self._holds.append(token)
        change = self.lifecycle.hold()
        self.events.hold.emit(reason)
        self._deadline_changed()
        if change is not None:
            self._changed(change)
        return token

    def release(self, token: Hold) -> None:
        if token.released:
            return
        token.released = True
        if token in self._holds:
            self._holds.remove(token)
        if token.serial != self.serial:
            return
        if not self._holds:
            self.lifecycle.release(self.clock.monotonic())
        self.events.release.emit(token.reason)
        self._deadline_changed()

    @property
    def held(self) -> tuple[str, ...]:
        return tuple(h.reason for h in self._holds)

    # ----- ending and the wipe -------------------------------------------------------------

    def end(self, reason: EndReason) -> None:
        if self.in_session:
            self.lifecycle.end(reason)
            self._deadline_changed()
            self._ended(reason)

    def _ended(self, reason: EndReason) -> None:
        self._wipe_pending = True
        self.events.session_ended.emit_all(reason)
        # After the current intent returns: the button pressed may be on the page.
        self._defer(self._wipe_later)

    def _wipe_later(self) -> None:
        self.wipe()

    def add_wipe_check(self, check: WipeCheck) -> None:
        """A view's proof that nothing of the visit is left in it (run after every wipe)."""
        self._wipe_checks.append(check)

    def wipe(self) -> bool:
        """Drop everything of the visit, verify, then show the attract screen. True when
        verified; otherwise `wipe_failed` fires and `on_fatal` is called."""
        self._wipe_pending = False
        self.serial += 1
        for hold in self._holds:
            hold.released = True
        self._holds.clear()
        self.submitting = False
        self.printing = False
        self._asking = None
        problems: list[str] = []
        old = self.session
        watched: list[tuple[str, weakref.ref[Any]]] = [("session", weakref.ref(old))]
        if old.engine is not None:
            watched.append(("engine", weakref.ref(old.engine)))
        audit_later: list[Callable[[], None]] = []
        guarded("staff hand-back", partial(collect, audit_later, self.staff.session_ending, old))
        del old
        self.session = ResidentSession(self.parts)
        if self.prefs != defaults(self.parts.profile):
            guarded("preferences", lambda: self.set_preferences(defaults(self.parts.profile)))
            self.prefs = defaults(self.parts.profile)
        failures = self.events.wiping.emit_all()
        problems += [f"a view's wipe raised {type(f).__name__}" for f in failures]
        del failures
        problems += verify(self._wipe_checks, watched)
        if problems:
            log.error("session wipe incomplete: %s", "; ".join(problems))
            self.events.wipe_failed.emit_all(tuple(problems))
            if self._on_fatal is not None:
                self._on_fatal(tuple(problems))
            return False
        self.lifecycle.wiped()
        self._deadline_changed()
        for job in audit_later:
            self.runner.run(job, ignore, audit_failed)
        self.events.between_sessions.emit_all()
        self.events.page_changed.emit_all(self.current())
        return True

    # ----- maintenance ---------------------------------------------------------------------

    def enter_maintenance(self) -> None:
        """IT take the terminal: the resident session (if any) ends and is wiped first."""
        self.maintenance = True
        self.end(EndReason.STAFF)

    def leave_maintenance(self) -> None:
        if self.maintenance:
            self.maintenance = False
            self.events.page_changed.emit(self.current())
