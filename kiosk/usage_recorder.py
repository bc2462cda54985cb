"""Turns what the terminal publishes into usage events: a view like any other.

It subscribes to `TerminalEvents` (and the staff desk's `changed`) and writes the fixed
vocabulary of `kiosk.usage_events` to a sink (the buffer in the state directory). It reads
only ids and codes: the service id of the journey open, the page id of the page model shown
(never its text, its answers or its reference), the end reason, the preferences' codes. So
whatever a resident types, scans or says cannot reach an event (the canary test proves it).

A visit gets a random id when it starts, forgotten when it ends: nothing links it to the
resident, the reference or a member of staff. Times are the UTC hour; the visit's length is a
bucket measured on the terminal's monotonic clock. Recording never gets in a resident's way:
a sink that fails is logged (by type) and the visit goes on.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Protocol

from accessibility.themes import TEXT_SCALES
from kiosk.calls.screens import CallScreen
from kiosk.clock import Clock
from kiosk.journey.booking_pages import BookingDonePage
from kiosk.journey.engine import JourneyEngine
from kiosk.journey.pages import CheckAnswersPage, ConfirmationPage, ExitPage
from kiosk.preferences import Preferences
from kiosk.saved.screens import SavedScreen
from kiosk.session import EndReason
from kiosk.staff import Actor
from kiosk.terminal_events import AttractScreen, MenuScreen, Shown, TerminalEvents
from kiosk.terminal_staff import StaffDesk
from kiosk.usage_events import Choice, Kind, Reason, UsageEvent, duration_bucket, hour_of

log = logging.getLogger(__name__)

_REASONS: dict[EndReason, Reason] = {
    EndReason.FINISHED: "finished", EndReason.TIMEOUT: "timeout",
    EndReason.START_AGAIN: "start_again", EndReason.STAFF: "staff",
}


class Sink(Protocol):
    def append(self, event: UsageEvent) -> None: ...


class _Session(Protocol):
    @property
    def engine(self) -> JourneyEngine | None: ...


class Watched(Protocol):
    """The terminal as the recorder reads it: its events, and the journey open (for its id)."""

    events: TerminalEvents
    staff: StaffDesk

    @property
    def session(self) -> _Session: ...


def accessibility_changes(new: Preferences, old: Preferences) -> list[tuple[Choice, str]]:
    """Only what changed, as codes: read aloud on/off, the text scale, the colours' name,
    the language."""
    changes: list[tuple[Choice, str]] = []
    if new.read_aloud != old.read_aloud:
        changes.append(("read_aloud", "on" if new.read_aloud else "off"))
    if new.text_size != old.text_size:
        changes.append(("text_size", f"{TEXT_SCALES[new.text_size]:g}"))
    if new.colours != old.colours:
        changes.append(("colours", new.colours))
    if new.language != old.language:
        changes.append(("language", new.language))
    return changes


def page_of(shown: Shown) -> tuple[Kind, str] | None:
    """The event a page shown makes, and the page's id; None for what is not a journey page
    (the attract screen, the menu, a call's screens, save and come back's screens)."""
    if isinstance(shown, AttractScreen | MenuScreen | CallScreen | SavedScreen):
        return None
    if isinstance(shown, ExitPage):
        return "exit_page", shown.page_id
    if isinstance(shown, CheckAnswersPage):
        return "page_reached", "check_answers"
    if isinstance(shown, ConfirmationPage | BookingDonePage):
        return "page_reached", "confirmation"
    return "page_reached", shown.page_id


class UsageRecorder:
    def __init__(self, terminal: Watched, sink: Sink, clock: Clock,
                 new_visit_id: Callable[[], str] = lambda: secrets.token_hex(8)) -> None:
        self.terminal = terminal
        self.sink = sink
        self.clock = clock
        self.new_visit_id = new_visit_id
        self.visit: str | None = None
        self._seq = 0
        self._started_at = 0.0
        self._last: tuple[str | None, str] | None = None  # (service, page) last recorded
        self._service: str | None = None
        self._assisted = False
        self._called = False
        self._on_call_screen = False
        self._pending: list[tuple[Choice, str]] = []  # chosen on the attract screen
        events = terminal.events
        self._disconnect = [
            events.session_started.connect(self._started),
            events.session_ended.connect(self._ended),
            events.page_changed.connect(self._page),
            events.preferences_changed.connect(self._preferences),
            events.call_state.connect(self._call_state),
            events.visit_rated.connect(self._rated),
            events.contacted_before.connect(self._contacted),
            events.wiping.connect(self._pending.clear),
            terminal.staff.changed.connect(self._staff),
        ]

    def close(self) -> None:
        for disconnect in self._disconnect:
            disconnect()
        self._disconnect.clear()

    # --- writing ---------------------------------------------------------------------------

    def _record(self, kind: Kind, **fields: str) -> None:
        if self.visit is None:
            return
        try:
            event = UsageEvent(kind=kind, visit=self.visit, seq=self._seq,
                               hour=hour_of(self.clock.now()), **fields)  # type: ignore[arg-type]
            self._seq += 1
            self.sink.append(event)
        except Exception as exc:  # noqa: BLE001 - a measurement must never stop a visit
            log.error("a usage event (%s) was not recorded: %s", kind, type(exc).__name__)

    # --- what the terminal says ------------------------------------------------------------

    def _started(self) -> None:
        self.visit, self._seq = self.new_visit_id(), 0
        self._started_at = self.clock.monotonic()
        self._last, self._service = None, None
        self._assisted = self._called = self._on_call_screen = False
        self._record("visit_started")
        for choice, value in self._pending:
            self._record("accessibility", choice=choice, value=value)
        self._pending.clear()

    def _ended(self, reason: EndReason) -> None:
        if self.visit is None:
            return
        # Ended on a call's screen after an advisor answered: the visit ended in their hands.
        code: Reason = "call" if self._on_call_screen and self._called else _REASONS[reason]
        self._record("visit_ended", reason=code,
                     duration=duration_bucket(self.clock.monotonic() - self._started_at))
        self.visit = None

    def _page(self, shown: Shown) -> None:
        if self.visit is None:
            return
        self._on_call_screen = isinstance(shown, CallScreen)
        engine = self.terminal.session.engine
        service = engine.service.id if engine is not None else None
        if service is not None and service != self._service:
            self._record("service_chosen", service=service)
        self._service = service
        made = page_of(shown)
        if made is None or service is None:
            if made is None and not isinstance(shown, CallScreen):
                self._last = None  # back at the menu: the same page again is a new arrival
            return
        kind, page = made
        if self._last == (service, page):
            return  # the same page again: a new language, a re-render, an error shown
        self._last = (service, page)
        self._record(kind, service=service, page=page)
        if isinstance(shown, ConfirmationPage | BookingDonePage):
            self._record("submitted", service=service)

    def _preferences(self, new: Preferences, old: Preferences) -> None:
        changes = accessibility_changes(new, old)
        if self.visit is None:
            # On the attract screen (kept for the visit it starts), or the wipe's reset to
            # the defaults (cleared with `wiping`, so it is never counted).
            self._pending.extend(changes)
            return
        for choice, value in changes:
            self._record("accessibility", choice=choice, value=value)

    def _call_state(self, phase: str) -> None:
        if phase == "in_call" and self.visit is not None:
            self._called = True
            if self._service is not None:
                self._record("advisor_call", service=self._service)
            else:
                self._record("advisor_call")

    def _staff(self, actor: Actor | None) -> None:
        if actor is not None and self.visit is not None and not self._assisted:
            self._assisted = True
            self._record("staff_assist")

    def _rated(self, score: int) -> None:
        self._record("satisfaction", value=str(score))

    def _contacted(self, answer: str) -> None:
        self._record("avoidable_contact", value=answer)
