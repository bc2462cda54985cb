"""What the terminal says to the views, and what it is given: its events, what a screen
shows, holds, and the runner for slow work.

The view-facing half of `kiosk.terminal`, kept apart so a view (or a test) can name the
vocabulary without the machinery, and so each file stays readable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from kiosk.calls.screens import CallScreen
from kiosk.catalogue import Service
from kiosk.events import Event
from kiosk.journey.pages import PageModel
from kiosk.preferences import Preferences
from kiosk.saved.screens import SavedScreen
from kiosk.session import EndReason


class Runner(Protocol):
    """Runs `work` elsewhere; exactly one of the callbacks runs later on the caller's thread."""

    def run(self, work: Callable[[], Any], on_done: Callable[[Any], None],
            on_error: Callable[[BaseException], None]) -> None: ...


class InlineRunner:
    """Runs work at once on the calling thread: headless tests and tools."""

    def run(self, work: Callable[[], Any], on_done: Callable[[Any], None],
            on_error: Callable[[BaseException], None]) -> None:
        try:
            result = work()
        except Exception as exc:  # noqa: BLE001 - handed to on_error, as a thread would
            on_error(exc)
            return
        on_done(result)


def call_now(callback: Callable[[], None]) -> None:
    callback()


@dataclass(frozen=True)
class AttractScreen:
    kind: Literal["attract"] = "attract"


@dataclass(frozen=True)
class MenuScreen:
    services: tuple[Service, ...]
    kind: Literal["menu"] = "menu"


Shown = AttractScreen | MenuScreen | PageModel | CallScreen | SavedScreen

WipeCheck = Callable[[], list[str]]


class TerminalEvents:
    """Everything a view can subscribe to. Arguments never carry a resident's answers except
    inside page models, which only the views showing them receive."""

    def __init__(self) -> None:
        self.page_changed: Event[[Shown]] = Event("page_changed")
        self.session_started: Event[[]] = Event("session_started")
        self.session_ended: Event[[EndReason]] = Event("session_ended")
        # Views drop everything of the visit here (widgets, clipboard, speech, keyboard).
        self.wiping: Event[[]] = Event("wiping")
        # After a verified wipe, before the next touch: the safe moment for maintenance.
        self.between_sessions: Event[[]] = Event("between_sessions")
        self.wipe_failed: Event[[tuple[str, ...]]] = Event("wipe_failed")
        # Talk to an advisor: idle, joining, queued, in_call (the staff panel shows it).
        self.call_state: Event[[str]] = Event("call_state")
        self.hold: Event[[str]] = Event("hold")
        self.release: Event[[str]] = Event("release")
        self.warning: Event[[int, bool]] = Event("warning")
        self.warning_cleared: Event[[]] = Event("warning_cleared")
        self.deadline_changed: Event[[float | None]] = Event("deadline_changed")
        self.preferences_changed: Event[[Preferences, Preferences]] = Event("preferences_changed")
        self.submitting: Event[[]] = Event("submitting")
        self.submit_failed: Event[[]] = Event("submit_failed")
        self.printed: Event[[bool]] = Event("printed")
        # "Print this" on a result page: started, then whether the printer took it.
        self.page_printing: Event[[]] = Event("page_printing")
        self.page_printed: Event[[bool]] = Event("page_printed")
        # The optional questions on a confirmation or exit page (kiosk/terminal_feedback):
        # a score 1..5, then yes / no / not_sure. Views show "Thank you"; usage events count it.
        self.visit_rated: Event[[int]] = Event("visit_rated")
        self.contacted_before: Event[[str]] = Event("contacted_before")


class Hold:
    """A token for one outside step; release it exactly once (extra releases do nothing)."""

    def __init__(self, reason: str, serial: int) -> None:
        self.reason = reason
        self.serial = serial
        self.released = False

    def __repr__(self) -> str:
        return f"Hold({self.reason!r}, released={self.released})"
