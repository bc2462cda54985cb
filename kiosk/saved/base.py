"""What keeping saved applications is, independent of who keeps them.

Every call answers with a typed outcome and never raises, as the bookings' backends do: the
desk turns each outcome into a screen, so nothing reaches the resident as a traceback. Calls
block (the desk runs them on the terminal's runner) and give up within the backend's timeout.
The snapshot, the word and the delete token are never in a URL, a log line or a repr.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from kiosk.lookups.base import UnavailableReason

WORD_MIN, WORD_MAX = 4, 40  # the hub's limits (hub/saved/store.py)
MAX_TRIES = 5


def word_length(word: str) -> int:
    """As the hub counts it: spaces trimmed and collapsed."""
    return len(" ".join(word.split()))


@dataclass(frozen=True)
class SavedForLater:
    reference: str
    come_back_by: date


@dataclass(frozen=True)
class Resumed:
    snapshot: dict[str, Any] = field(repr=False)
    token: str = field(repr=False)


@dataclass(frozen=True)
class WrongWord:
    tries_left: int


@dataclass(frozen=True)
class Gone:
    """No such saved application, or (`locked`) that was the fifth wrong word: deleted."""

    locked: bool = False


@dataclass(frozen=True)
class Unavailable:
    reason: UnavailableReason
    detail: str = field(default="", compare=False)


SaveOutcome = SavedForLater | Unavailable
ResumeOutcome = Resumed | WrongWord | Gone | Unavailable


class SavedApplications(Protocol):
    def save(self, snapshot: dict[str, Any], word: str) -> SaveOutcome: ...

    def resume(self, reference: str, word: str) -> ResumeOutcome: ...

    def delete(self, reference: str, token: str) -> bool: ...
