"""Tell a keyboard-wedge barcode scanner from a person typing, by timing alone.

A wedge scanner is a USB keyboard as far as the computer knows: it "types" the card number
and presses Enter. What gives it away is speed. A scanner sends a key every few
milliseconds; the fastest human bursts (a rolled "th") manage two or three keys about 30 ms
apart, never eight in a row followed by Enter. So a run of at least `min_length` code
characters, each less than `max_gap_ms` after the one before, ending in a terminator, is a
scan; anything else is typing.

The catch is that a scan must never reach the focused field, not even its first characters,
and the first key of a scan looks exactly like the first key of a word. So every code
character is *held* until the detector knows what it is: a scan (swallowed), or typing
(released, in order). A held key is released at the latest `max_gap_ms` after it arrived,
when no further key has come: that is the price of the rule, paid by every typed letter
and digit, and 30 ms is below what a typist can notice (a display frame is 16 ms; people
notice keyboard lag from about 50-100 ms). Keys that cannot be part of a code (Backspace,
Tab, space, punctuation, shortcuts) are never delayed: they release whatever is held, then
themselves, at once.

This module is a pure state machine over `(character, time)` pairs: no Qt, no clock, no
timers, so the timing rules are tested with exact timestamps. Each key carries an opaque
`item` that the caller gets back, in order, in `Release` (typing) or `Scanned` (a scan);
the Qt side (`ui.scanner`) uses it to re-deliver the very key events it held.
"""

from __future__ import annotations

import math
import string
from dataclasses import dataclass, field
from typing import Generic, TypeAlias, TypeVar

T = TypeVar("T")

CODE_CHARACTERS = frozenset(string.ascii_letters + string.digits)
"""Library card numbers are digits, sometimes with letters (Code 39 / Codabar)."""


@dataclass(frozen=True)
class WedgeSettings:
    """The timing rule. Defaults suit USB scanners, which send a key every 1-10 ms.

    `max_length` bounds how much is held: a device that never pauses and never sends a
    terminator is not scanning a card, and a field should not stay blank for long.
    """

    min_length: int = 8
    max_gap_ms: float = 30.0
    terminators: tuple[str, ...] = ("\r", "\n")
    alphabet: frozenset[str] = CODE_CHARACTERS
    max_length: int = 64

    def __post_init__(self) -> None:
        if self.min_length < 1:
            raise ValueError("min_length must be at least 1")
        if self.max_length < self.min_length:
            raise ValueError("max_length must be at least min_length")
        if not (self.max_gap_ms > 0 and math.isfinite(self.max_gap_ms)):
            raise ValueError("max_gap_ms must be a positive number of milliseconds")
        if not self.terminators:
            raise ValueError("a scan needs at least one terminator")
        if any(len(char) != 1 for char in (*self.terminators, *self.alphabet)):
            raise ValueError("terminators and alphabet are single characters")
        if set(self.terminators) & self.alphabet:
            raise ValueError("a terminator cannot also be a code character")


@dataclass(frozen=True)
class Hold:
    """Undecided: everything stays held; ask again at `WedgeDetector.deadline()`."""


@dataclass(frozen=True)
class Release(Generic[T]):
    """Typing: pass these items on now, in this order. The key just fed is included when
    it is not held itself (it is then always the last item)."""

    items: tuple[T, ...]


@dataclass(frozen=True)
class Scanned(Generic[T]):
    """A scan: `code` is the card number; `items` are the swallowed keys, terminator
    included. The code is personal data, so it stays out of `repr` (and so out of logs)."""

    code: str = field(repr=False)
    items: tuple[T, ...] = field(repr=False)


HOLD = Hold()

Outcome: TypeAlias = Hold | Release[T] | Scanned[T]


class WedgeDetector(Generic[T]):
    """Feed every key press with `key`; act on the outcome; call `timeout` at `deadline()`.

    Only code characters are ever held, and only while they could still be the start of a
    scan. Every item fed comes back exactly once, in the order fed: in a `Release` or in a
    `Scanned` (or is dropped by `reset`).
    """

    def __init__(self, settings: WedgeSettings | None = None) -> None:
        self.settings = settings if settings is not None else WedgeSettings()
        self._held: list[tuple[str, T]] = []
        self._last_at = 0.0  # arrival of the newest held key; meaningful only while holding

    @property
    def held(self) -> int:
        """How many keys are held (0 when none)."""
        return len(self._held)

    def newest(self) -> T | None:
        """The most recently held item, so the caller can queue other events behind it."""
        return self._held[-1][1] if self._held else None

    def deadline(self) -> float | None:
        """When held keys become typing unless another key arrives first; None if none held."""
        return self._last_at + self.settings.max_gap_ms if self._held else None

    def key(self, char: str, at_ms: float, item: T) -> Outcome[T]:
        """A key press typing `char` ("" for a key that types nothing), arriving at `at_ms`."""
        settings = self.settings
        if char in settings.terminators:
            return self._terminate(at_ms, item)
        if char not in settings.alphabet:
            return Release((*self._drain(), item))
        if self._held and not self._continues(at_ms):
            earlier = self._drain()
            self._hold(char, at_ms, item)
            return Release(earlier)
        self._hold(char, at_ms, item)
        if len(self._held) > settings.max_length:
            return Release(self._drain())
        return HOLD

    def timeout(self, at_ms: float) -> Outcome[T]:
        """The timer set for `deadline()` fired: held keys are typing if the run has ended."""
        if self._held and not self._continues(at_ms):
            return Release(self._drain())
        return HOLD

    def flush(self) -> Release[T]:
        """Some other input arrived (a touch, a click): whatever is held was typing."""
        return Release(self._drain())

    def reset(self) -> None:
        """Forget held keys without releasing them (a half-read card number is personal data)."""
        self._held.clear()

    def _terminate(self, at_ms: float, item: T) -> Outcome[T]:
        if len(self._held) >= self.settings.min_length and self._continues(at_ms):
            code = "".join(char for char, _ in self._held)
            return Scanned(code, (*self._drain(), item))
        return Release((*self._drain(), item))

    def _continues(self, at_ms: float) -> bool:
        # Compared with the deadline itself (not the gap), so that timeout(deadline()) always
        # releases despite float rounding. A clock that went backwards (or wrapped) proves
        # nothing about speed: treat it as a pause.
        return self._last_at <= at_ms < self._last_at + self.settings.max_gap_ms

    def _hold(self, char: str, at_ms: float, item: T) -> None:
        self._held.append((char, item))
        self._last_at = at_ms

    def _drain(self) -> tuple[T, ...]:
        items = tuple(item for _, item in self._held)
        self._held.clear()
        return items


class ArrivalClock:
    """Places keys on the caller's clock using the input device's own spacing when it can.

    Gaps measured when the GUI thread gets round to a key measure the GUI thread: a 100 ms
    stall mid-scan would look like a pause and leak the first half of the card number into
    the field. Input events carry the device's timestamp (milliseconds, arbitrary epoch,
    32-bit on X11 and Wayland, 0 for synthetic events), which keeps the true spacing through
    a stall. It is on a different clock from the one timers run on, though, so each key is
    placed at the previous key's placed time plus the device's gap, and only when that gap
    is plausible: not negative (wrap-around, reordering) and not longer than the time the
    caller's clock says has passed. Otherwise, and for events without a timestamp, the key
    is placed at `now_ms`.
    """

    _SLACK_MS = 1.0  # device timestamps are whole milliseconds; the caller's clock is not

    def __init__(self) -> None:
        self._last: tuple[float, float] | None = None  # (device ms, placed ms)

    def place(self, event_ms: float, now_ms: float) -> float:
        placed = now_ms
        if event_ms and self._last is not None:
            last_event, last_placed = self._last
            gap = event_ms - last_event
            if 0 <= gap <= now_ms - last_placed + self._SLACK_MS:
                placed = min(last_placed + gap, now_ms)
        self._last = (event_ms, placed) if event_ms else None
        return placed

    def reset(self) -> None:
        self._last = None
