"""Session lifecycle: attract → active → idle warning → ended → wiped → attract.

Pure state machine over a monotonic clock. The UI adapter calls `touch()` on every input and
`tick()` when `next_deadline()` passes; this module decides, the UI only shows.
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
        self._deadline: float | None = None
        self._idle_seconds = float(timings.idle_seconds)

    @property
    def idle_limit(self) -> float:
        """Idle seconds before the warning; longer while staff assist (profile multiplier)."""
        factor = self.timings.assisted_multiplier if self.assisted else 1
        return self._idle_seconds * factor

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
        self._deadline = now + self.idle_limit
        return Change(self.phase)

    def touch(self, now: float) -> Change | None:
        """Any input while active restarts the idle timer. The warning needs its own answer."""
        if self.phase is Phase.ACTIVE:
            self._deadline = now + self.idle_limit
        return None

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
        if self._deadline is None or now < self._deadline:
            return None
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
        return Change(self.phase, reason)

    def wiped(self) -> Change:
        """The UI reports the wipe done; only now may the attract screen show again."""
        self.phase = Phase.ATTRACT
        self.assisted = False
        self.extensions_used = 0
        return Change(self.phase)
