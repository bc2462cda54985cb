"""Session lifecycle: attract → active → idle warning → ended → wiped → attract.

Pure state machine over a monotonic clock. The terminal calls `touch()` on every input and
`tick()` when `next_deadline()` passes; this module decides, the UI only shows.

Two things change the idle rule. A *hold* (a call, a booking being confirmed, a print: the
resident is waiting on something outside their touch) suspends every deadline until it is
released. On the confirmation page the submission is safe and nothing is left to lose, so the
session ends as finished after `confirmation_seconds` without a touch, with no warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from kiosk.profile import SessionTimings


class Phase(Enum):
    ATTRACT = "attract"
    ACTIVE = "active"
    WARNING = "warning"
    ENDED = "ended"


class EndReason(Enum):
    FINISHED = "finished"
    TIMEOUT = "timeout"
    START_AGAIN = "start_again"
    STAFF = "staff"


@dataclass(frozen=True)
class Change:
    """What `tick`/`touch` decided: a new phase, and why a session ended if it did."""

    phase: Phase
    reason: EndReason | None = None


class SessionLifecycle:
    def __init__(self, timings: SessionTimings) -> None:
        self.timings = timings
        self.phase = Phase.ATTRACT
        self.extensions_used = 0
        self.assisted = False
        self.last_end: EndReason | None = None
        self.held = False
        self.confirming = False
        self._deadline: float | None = None
        self._idle_seconds = float(timings.idle_seconds)

    @property
    def idle_limit(self) -> float:
        """Idle seconds before the warning (or, on the confirmation page, before the end);
        longer while staff assist (profile multiplier)."""
        factor = self.timings.assisted_multiplier if self.assisted else 1
        base = float(self.timings.confirmation_seconds) if self.confirming else self._idle_seconds
        return base * factor

    @property
    def can_extend(self) -> bool:
        return self.extensions_used < self.timings.max_extensions

    def next_deadline(self) -> float | None:
        return self._deadline

    def seconds_left(self, now: float) -> int:
        """Countdown shown on the warning: whole seconds, never negative."""
        if self.phase is not Phase.WARNING or self._deadline is None:
            return 0
        return max(0, int(self._deadline - now + 0.999))

    def begin(self, now: float) -> Change:
        self.phase = Phase.ACTIVE
        self.extensions_used = 0
        self.assisted = False
        self.held = False
        self.confirming = False
        self._deadline = now + self.idle_limit
        return Change(self.phase)

    def touch(self, now: float) -> Change | None:
        """Any input while active restarts the idle timer. The warning needs its own answer."""
        if self.phase is Phase.ACTIVE and not self.held:
            self._deadline = now + self.idle_limit
        return None

    def hold(self) -> Change | None:
        """Suspend the idle rule; a warning showing is withdrawn (it would be a lie now)."""
        if self.phase not in (Phase.ACTIVE, Phase.WARNING):
            return None
        self.held = True
        self._deadline = None
        if self.phase is Phase.WARNING:
            self.phase = Phase.ACTIVE
            return Change(self.phase)
        return None

    def release(self, now: float) -> None:
        """The outside step is over: a fresh idle period starts from now."""
        if not self.held:
            return
        self.held = False
        if self.phase is Phase.ACTIVE:
            self._deadline = now + self.idle_limit

    def confirm(self, now: float) -> None:
        """The confirmation page is showing: the session may now end on its own."""
        self.confirming = True
        self.touch(now)

    def extend(self, now: float) -> Change | None:
        """"Yes, I need more time": back to active with a fresh idle period."""
        if self.phase is not Phase.WARNING or not self.can_extend:
            return None
        self.extensions_used += 1
        self.phase = Phase.ACTIVE
        self._deadline = now + self.idle_limit
        return Change(self.phase)

    def set_assisted(self, assisted: bool, now: float) -> None:
        self.assisted = assisted
        self.touch(now)

    def tick(self, now: float) -> Change | None:
        if self._deadline is None or now < self._deadline or self.held:
            return None
        if self.phase is Phase.ACTIVE and self.confirming:
            return self.end(EndReason.FINISHED)
        if self.phase is Phase.ACTIVE:
            self.phase = Phase.WARNING
            self._deadline = now + self.timings.warning_seconds
            return Change(self.phase)
        if self.phase is Phase.WARNING:
            return self.end(EndReason.TIMEOUT)
        return None

    def end(self, reason: EndReason) -> Change:
        self.phase = Phase.ENDED
        self.last_end = reason
        self._deadline = None
        self.held = False
        return Change(self.phase, reason)

    def wiped(self) -> Change:
        """The wipe is verified; only now may the attract screen show again."""
        self.phase = Phase.ATTRACT
        self.assisted = False
        self.confirming = False
        self.held = False
        self.extensions_used = 0
        return Change(self.phase)
