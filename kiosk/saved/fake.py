"""Saved applications in memory, for the demo and tests, with the hub's rules (a new
reference, 5 wrong words delete, expiry) and faults a test can inject: `fail` makes every
call unavailable for that reason."""

from __future__ import annotations

import copy
import hmac
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from kiosk.clock import UK, Clock
from kiosk.lookups.base import UnavailableReason
from kiosk.reference import new_reference
from kiosk.saved.base import (
    MAX_TRIES,
    Gone,
    Resumed,
    ResumeOutcome,
    SavedForLater,
    SaveOutcome,
    Unavailable,
    WrongWord,
)


def _normal(word: str) -> str:
    return " ".join(word.split()).casefold()


@dataclass
class _Row:
    snapshot: dict[str, Any]
    word: str
    expires: float
    tries: int = 0
    token: str = ""


class FakeSavedApplications:
    def __init__(self, clock: Clock, days: int = 7) -> None:
        self._clock = clock
        self._days = days
        self._rows: dict[str, _Row] = {}
        self.fail: UnavailableReason | None = None
        self.calls: list[str] = []

    def __repr__(self) -> str:
        return f"FakeSavedApplications({len(self._rows)} kept)"

    @property
    def references(self) -> tuple[str, ...]:
        return tuple(self._rows)

    def save(self, snapshot: dict[str, Any], word: str) -> SaveOutcome:
        self.calls.append("save")
        if self.fail is not None:
            return Unavailable(self.fail, "injected")
        reference = new_reference()
        now = self._clock.now()
        self._rows[reference] = _Row(copy.deepcopy(snapshot), _normal(word),
                                     now.timestamp() + self._days * 86400)
        by = (now + timedelta(days=self._days) - timedelta(seconds=1)).astimezone(UK).date()
        return SavedForLater(reference, by)

    def resume(self, reference: str, word: str) -> ResumeOutcome:
        self.calls.append("resume")
        if self.fail is not None:
            return Unavailable(self.fail, "injected")
        reference = "".join(reference.split()).upper()
        row = self._rows.get(reference)
        if row is None:
            return Gone()
        if row.expires <= self._clock.now().timestamp():
            del self._rows[reference]
            return Gone()
        if not hmac.compare_digest(row.word.encode(), _normal(word).encode()):
            row.tries += 1
            if row.tries >= MAX_TRIES:
                del self._rows[reference]
                return Gone(locked=True)
            return WrongWord(MAX_TRIES - row.tries)
        row.tries = 0
        row.token = new_reference() + new_reference()
        return Resumed(copy.deepcopy(row.snapshot), row.token)

    def delete(self, reference: str, token: str) -> bool:
        self.calls.append("delete")
        row = self._rows.get(reference)
        if self.fail is not None or row is None or not row.token or row.token != token:
            return False
        del self._rows[reference]
        return True
