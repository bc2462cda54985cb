"""Talk to an advisor, beside the terminal: decides which call screen shows, asks the hub's
queue off the GUI thread, holds the visit while the resident waits or talks, and ends the
call whenever the visit ends.

The call screens sit over the visit (`showing`); the journey underneath is untouched, so a
resident who asked for help from check answers is back there, answers kept, when the call is
over. The desk keeps the call's id and token (to end it), never the video: that is the view's
(`ui/call/`), torn down with the page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from kiosk.calls.base import Calls, CallStatus, CallUnavailable, EndReason, Joined, JoinRequest
from kiosk.calls.hours import is_open, week_hours
from kiosk.calls.screens import (
    CallConsentScreen,
    CallLiveScreen,
    CallOverScreen,
    CallQueueScreen,
    CallScreen,
    OverReason,
    wait_minutes,
)
from kiosk.calls.settings import CallSettings
from kiosk.clock import Clock
from kiosk.preferences import Preferences
from kiosk.resident import ResidentSession
from kiosk.session import EndReason as VisitEnd
from kiosk.terminal_events import Hold, Runner, Shown, TerminalEvents

log = logging.getLogger(__name__)

CallPhase = Literal["idle", "joining", "queued", "in_call"]
# Status answers missed in a row before the resident is told the queue cannot be reached.
MISSED_POLLS = 3


class Host(Protocol):
    session: ResidentSession
    events: TerminalEvents
    runner: Runner
    serial: int
    clock: Clock
    prefs: Preferences

    @property
    def in_session(self) -> bool: ...

    def hold(self, reason: str) -> Hold: ...

    def release(self, token: Hold) -> None: ...

    def current(self) -> Shown: ...

    def add_wipe_check(self, check: Callable[[], list[str]]) -> None: ...


@dataclass(frozen=True)
class _Ticket:
    call_id: str
    token: str

    def __repr__(self) -> str:
        return "_Ticket(<hidden>)"


def _end_quietly(calls: Calls, ticket: _Ticket, reason: EndReason) -> bool:
    """Off the GUI thread: tell the hub; a hub that cannot be told ends the call itself when
    the kiosk's page leaves the call."""
    return calls.end(ticket.call_id, ticket.token, reason)


class CallDesk:
    def __init__(self, calls: Calls | None, settings: CallSettings | None, *,
                 terminal_id: str = "", site_id: str = "",
                 call_back_service: str = "request-callback") -> None:
        self.calls = calls
        self.settings = settings
        # The hub keeps at most 64 characters of either (a host name can be longer).
        self.terminal_id, self.site_id = (terminal_id or "kiosk")[:64], site_id[:64]
        self.call_back_service = call_back_service
        # The UI sets this from QtMultimedia (a camera and a microphone are present).
        self.devices_ready: Callable[[], bool] = lambda: True
        self.showing: CallScreen | None = None
        self.phase: CallPhase = "idle"
        self._terminal: Host | None = None
        self._show: Callable[[Shown], None] = lambda shown: None
        self._ticket: _Ticket | None = None
        self._hold: Hold | None = None
        self._share = False
        self._interpreter: str | None = None
        self._joined_at = 0.0
        self._asking = False
        self._missed = 0

    def bind(self, terminal: Host, show: Callable[[Shown], None]) -> None:
        self._terminal = terminal
        self._show = show
        terminal.events.session_ended.connect(self._visit_ended)
        terminal.events.wiping.connect(self._forget)
        terminal.add_wipe_check(self._wipe_check)

    @property
    def terminal(self) -> Host:
        assert self._terminal is not None, "CallDesk used before Terminal bound it"
        return self._terminal

    @property
    def offered(self) -> bool:
        """Whether "Talk to an advisor" is on the screens at all (the profile has `calls`)."""
        return self.settings is not None

    @property
    def polling(self) -> bool:
        """The UI asks `poll()` every `settings.poll_seconds` while this is true."""
        return self.phase == "queued"

    @property
    def sharing(self) -> bool:
        return self._share

    # ----- the resident's intents ---------------------------------------------------------

    def talk(self) -> None:
        """"Talk to an advisor": consent, or why a call cannot be made now."""
        terminal, settings = self.terminal, self.settings
        if not terminal.in_session or settings is None or self.phase != "idle":
            return
        if not self.devices_ready():
            self._over("no_devices")
        elif self.calls is None:
            self._over("unavailable")
        elif not is_open(settings, terminal.clock.now()):
            self._over("out_of_hours")
        else:
            engine = terminal.session.engine
            share = (engine.service.title.get(terminal.prefs.language)
                     if settings.share_answers and engine is not None and engine.summary_rows()
                     else None)
            language = terminal.prefs.language
            proposed = language if language in settings.interpreter_languages else None
            self._put(CallConsentScreen(settings.interpreter_languages, proposed, share))

    def join(self, interpreter: str | None, share: bool) -> None:
        """From the consent page: join the queue (the visit is held from now on)."""
        terminal, calls, settings = self.terminal, self.calls, self.settings
        if (not terminal.in_session or calls is None or settings is None
                or not isinstance(self.showing, CallConsentScreen)):
            return
        if interpreter is not None and interpreter not in settings.interpreter_languages:
            interpreter = None
        engine = terminal.session.engine
        self._share = bool(share and self.showing.share_service is not None)
        self._interpreter = interpreter
        self._hold = terminal.hold("call")
        self._set_phase("joining")
        self._put(CallQueueScreen(None, None, interpreter))
        request = JoinRequest(self.terminal_id, self.site_id,
                              engine.service.id if engine is not None else None,
                              terminal.prefs.language, interpreter)
        serial = terminal.serial

        def done(outcome: Joined | CallUnavailable) -> None:
            if serial != self.terminal.serial or self.phase != "joining":
                if isinstance(outcome, Joined):  # nobody is waiting for it any more
                    self.terminal.runner.run(lambda: _end_quietly(
                        calls, _Ticket(outcome.call_id, outcome.token), "session_ended"),
                        _ignore, _ignore)
                return
            if isinstance(outcome, CallUnavailable):
                log.warning("could not join the advisor queue (%s)", outcome.reason)
                self._over("unavailable")
                return
            self._ticket = _Ticket(outcome.call_id, outcome.token)
            self._joined_at = self.terminal.clock.monotonic()
            self._missed = 0
            self._set_phase("queued")
            self._put(CallQueueScreen(outcome.position, wait_minutes(outcome.wait_seconds),
                                      interpreter))

        terminal.runner.run(lambda: calls.join(request), done,
                            lambda error: done(CallUnavailable("bad_answer", type(error).__name__)))

    def leave_queue(self) -> None:
        if self.phase in ("joining", "queued"):
            self._end("resident_left_queue")
            self._back_to_visit()

    def end_call(self) -> None:
        """End call (the resident's button, or staff's in the staff panel)."""
        if self.phase == "in_call":
            self._end("resident_ended")
            self._over("ended")
        elif self.phase in ("joining", "queued"):
            self.leave_queue()

    def close(self) -> None:
        """"Go back" from a call page that is over: the page the resident left."""
        if isinstance(self.showing, CallOverScreen | CallConsentScreen) and self.phase == "idle":
            self._back_to_visit()

    def call_back(self) -> None:
        """"Request a call back": the call back journey instead of the one left."""
        terminal = self.terminal
        if not terminal.in_session or not self._call_back_known():
            return
        self._end_if_any("resident_left_queue")
        self.showing = None
        self._set_phase("idle")
        if terminal.session.engine is not None:
            terminal.session.leave_service()
        self._show(terminal.session.choose(self.call_back_service))

    # ----- outside news -------------------------------------------------------------------

    def poll(self) -> None:
        """While queued: ask the hub where the resident is (off the GUI thread)."""
        terminal, calls, ticket, settings = self.terminal, self.calls, self._ticket, self.settings
        if self.phase != "queued" or self._asking or calls is None or ticket is None \
                or settings is None:
            return
        if terminal.clock.monotonic() - self._joined_at >= settings.answer_limit_seconds:
            self._end("no_answer")
            self._over("no_answer")
            return
        self._asking = True
        serial = terminal.serial

        def done(outcome: CallStatus | CallUnavailable) -> None:
            self._asking = False
            if serial != self.terminal.serial or self._ticket is not ticket \
                    or self.phase != "queued":
                return
            self._status(outcome)

        terminal.runner.run(lambda: calls.status(ticket.call_id, ticket.token), done,
                            lambda error: done(CallUnavailable("bad_answer", type(error).__name__)))

    def _status(self, outcome: CallStatus | CallUnavailable) -> None:
        if isinstance(outcome, CallUnavailable):
            self._missed += 1
            if self._missed >= MISSED_POLLS:
                log.warning("the advisor queue stopped answering (%s)", outcome.reason)
                self._end("kiosk_error")
                self._over("unavailable")
            return
        self._missed = 0
        if outcome.state == "answered":
            self._go_live()
        elif outcome.state == "ended":
            self._drop_call()
            self._over("advisor_left" if outcome.end_reason == "advisor_disconnected" else "ended")
        else:
            screen = CallQueueScreen(outcome.position, wait_minutes(outcome.wait_seconds),
                                     self._interpreter)
            if screen != self.showing:
                self._put(screen)

    def _go_live(self) -> None:
        calls, ticket = self.calls, self._ticket
        assert calls is not None
        assert ticket is not None
        self._set_phase("in_call")
        self._put(CallLiveScreen(ticket.call_id, ticket.token, calls.origin, calls.signalling_url))

    def call_event(self, kind: str, data: Mapping[str, Any]) -> None:
        """What the call page reports that changes the call: it ended, or the advisor's
        connection dropped."""
        if self.phase != "in_call":
            return
        if kind == "call_ended":
            reason = data.get("reason")
            self._drop_call()
            self._over("advisor_left" if reason == "advisor_disconnected" else "ended")
        elif (kind == "peer_left" and data.get("role") == "advisor" \
                and data.get("reason") == "disconnected") or kind == "error":
            self._end("kiosk_error")
            self._over("connection_lost")

    def summary(self) -> dict[str, Any] | None:
        """The answers so far, for the advisor: only during a call the resident agreed to
        share with, and only while the visit lasts."""
        terminal = self.terminal
        engine = terminal.session.engine if terminal.in_session else None
        if not self._share or self.phase != "in_call" or engine is None:
            return None
        language = terminal.prefs.language
        return {"service": engine.service.title.get(language),
                "rows": [{"label": row.label, "value": row.value}
                         for row in engine.summary_rows()]}

    # ----- internals ----------------------------------------------------------------------

    def _call_back_known(self) -> bool:
        return self.call_back_service in {s.id for s in self.terminal.session.services()}

    def _put(self, screen: CallScreen) -> None:
        self.showing = screen
        self._show(screen)

    def _over(self, reason: OverReason) -> None:
        self._drop_call()
        settings = self.settings
        hours = week_hours(settings) if settings is not None else ()
        self._put(CallOverScreen(reason, hours, self._call_back_known()))

    def _back_to_visit(self) -> None:
        self._drop_call()
        self.showing = None
        self._show(self.terminal.current())

    def _end(self, reason: EndReason) -> None:
        self._end_if_any(reason)
        self._drop_call()

    def _end_if_any(self, reason: EndReason) -> None:
        calls, ticket = self.calls, self._ticket
        if calls is not None and ticket is not None:
            self.terminal.runner.run(lambda: _end_quietly(calls, ticket, reason), _ignore,
                                     _log_end_failed)
        self._ticket = None

    def _drop_call(self) -> None:
        """The call is over for this kiosk: no ticket, no hold, phase idle."""
        self._ticket = None
        self._asking = False
        hold, self._hold = self._hold, None
        if hold is not None:
            self.terminal.release(hold)
        self._set_phase("idle")

    def _set_phase(self, phase: CallPhase) -> None:
        if phase != self.phase:
            self.phase = phase
            self.terminal.events.call_state.emit(phase)

    def _visit_ended(self, reason: VisitEnd) -> None:
        if self._ticket is not None or self.phase == "joining":
            self._end_if_any("session_ended")
        self._drop_call()
        self.showing = None

    def _forget(self) -> None:
        self._ticket = None
        self._hold = None
        self._share = False
        self._interpreter = None
        self.showing = None
        self.phase = "idle"

    def _wipe_check(self) -> list[str]:
        if self._ticket is not None or self.showing is not None or self._share:
            return ["a call is still held for the ended visit"]
        return []


def _ignore(result: object) -> None:
    return None


def _log_end_failed(error: BaseException) -> None:
    log.warning("ending a call failed (%s)", type(error).__name__)
