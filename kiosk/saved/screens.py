"""What the screen shows for save and come back: Qt-free models the views render
(ui/pages/saved.py) and read aloud speaks (kiosk/saved/speech.py).

They sit over the visit, as the call screens do: choosing a memorable word leaves the
journey underneath untouched until the hub has said it is saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

WordError = Literal["too_short", "too_long"]
ResumeError = Literal["wrong", "not_found", "unavailable", "missing"]


@dataclass(frozen=True)
class SaveWordScreen:
    """Choose a memorable word (4 to 40 characters); `error` when the last one was not."""

    service_title: str
    error: WordError | None = None
    failed: bool = False  # the hub could not save it: try again, or go back
    kind: Literal["saved_word"] = "saved_word"


@dataclass(frozen=True)
class SavedWaitScreen:
    resuming: bool
    kind: Literal["saved_waiting"] = "saved_waiting"


@dataclass(frozen=True)
class SavedDoneScreen:
    """Saved: the reference and the last day to come back (the slip says the same)."""

    reference: str
    come_back_by: date
    printed: bool
    kind: Literal["saved_done"] = "saved_done"


@dataclass(frozen=True)
class ResumeScreen:
    """Reference and memorable word; `error` says what went wrong with the last try."""

    error: ResumeError | None = None
    tries_left: int | None = None
    kind: Literal["saved_resume"] = "saved_resume"


@dataclass(frozen=True)
class ResumeGoneScreen:
    """Five wrong words: it has been deleted, and the resident must start again."""

    kind: Literal["saved_gone"] = "saved_gone"


SavedScreen = SaveWordScreen | SavedWaitScreen | SavedDoneScreen | ResumeScreen | ResumeGoneScreen
