"""Qt side of the barcode scanner: holds key presses at the window until they are known to be
typing, and turns scans into a `scanned` signal instead of text.

Install on the kiosk's native window, next to the idle watch:

    window.winId()
    window.windowHandle().installEventFilter(scanner_filter)

The native window sees only input, so the filter costs nothing on the style and layout
events an application-wide filter would also see. Qt calls the most recently installed
filter first: installed after `IdleWatch`, this filter sees a key before the idle watch
does, so keys swallowed as a scan never count as activity (connect `scanned` to whatever
should) and held keys count when they are re-delivered.

How a held key reaches its field. The filter answers "consumed" for a held press and keeps a
copy (the original event is destroyed when the filter returns). Once the detector decides
it was typing, the copy is sent to the same native window with `QCoreApplication.sendEvent`,
and the filter lets exactly that event object through. From there the key takes the path a
real key takes after the window: other window filters (the idle watch), then the focus
widget, with its validators, maximum length and Enter handling. Sending to the focus widget
directly would skip the idle watch, and would pick a widget before `QWidgetWindow` does its
own routing (keyboard grabs, modal state). Shortcuts are unaffected: Qt matches them before
the event reaches the window, so a shortcut key never gets here. Keys that cannot be part of
a card number (Backspace, Tab, space, Ctrl+anything, repeats) are not copied at all: held
keys are delivered first, then the original event simply carries on.

Time: the detector runs on an injectable clock (`now_ms`, default `time.monotonic`); the
events' own timestamps supply the spacing between keys when they are plausible
(`peripherals.scanner.ArrivalClock` explains why: a busy GUI thread must not split a scan).
The timer that releases held keys runs on the injected clock. If it fires much later than
asked, the thread was blocked and more of a scan may be waiting in the queue behind it, so
it looks once more before releasing.

Scanning "disabled" (`set_enabled(False)`, e.g. on a PIN pad) still recognises and
swallows scans, so a card number is never typed into a PIN or any other field; it emits
`refused` instead of `scanned`. Focus does not matter either: a scan is caught wherever
focus is. Input methods compose into `QInputMethodEvent`s, which this filter never touches;
the kiosk runs without one.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent

from peripherals.scanner import (
    ArrivalClock,
    Hold,
    Outcome,
    Release,
    Scanned,
    WedgeDetector,
    WedgeSettings,
)

# Keys that only change the state of other keys: they never decide anything, and while
# keys are held they queue behind them so the order of events is kept.
_MODIFIER_KEYS = frozenset({
    Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_AltGr, Qt.Key.Key_Meta,
    Qt.Key.Key_CapsLock, Qt.Key.Key_NumLock, Qt.Key.Key_Super_L, Qt.Key.Key_Super_R,
    Qt.Key.Key_Hyper_L, Qt.Key.Key_Hyper_R,
})
# Held keys are typing the moment a resident uses the screen or a mouse: keep input order.
_OTHER_INPUT = frozenset({
    QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.TabletPress, QEvent.Type.Wheel,
})
_SHORTCUT_MODIFIERS = (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                       | Qt.KeyboardModifier.MetaModifier)


def _monotonic_ms() -> float:
    return time.monotonic() * 1000.0


@dataclass(eq=False)  # compared by identity: two presses of "1" are different keys
class _Held:
    """One held key press, and the events (releases, modifiers) that arrived behind it."""

    target: QObject
    key: int
    press: QKeyEvent | None = None  # copied only if the press really is held
    after: list[QKeyEvent] = field(default_factory=list)


class ScannerFilter(QObject):
    """Event filter for the kiosk's native window; see the module docstring.

    `scanned(code)` carries the card number; `refused()` says a scan was swallowed while
    scanning is disabled (it carries no number: nothing wants it).
    """

    scanned = Signal(str)
    refused = Signal()

    def __init__(self, settings: WedgeSettings | None = None, *,
                 now_ms: Callable[[], float] = _monotonic_ms, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._detector: WedgeDetector[_Held] = WedgeDetector(settings)
        self._arrival = ArrivalClock()
        self._now = now_ms
        self._enabled = True
        self._passing: QKeyEvent | None = None  # the copy being re-delivered right now
        self._swallow_releases: Counter[int] = Counter()  # keys of scanned presses still down
        self._generation = 0  # bumped by reset(), so a delivery in progress stops
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_timer)
        self._timer_due = 0.0
        self._looked_again = False

    @property
    def settings(self) -> WedgeSettings:
        return self._detector.settings

    def is_enabled(self) -> bool:
        return self._enabled

    def set_enabled(self, enabled: bool) -> None:
        """Whether scans are wanted here (`scanned`) or refused (`refused`); never typed."""
        self._enabled = enabled

    def held(self) -> int:
        """How many key presses are held, undecided."""
        return self._detector.held

    def reset(self) -> None:
        """Drop held keys without delivering them (session wipe: a half scan is personal data)."""
        self._generation += 1
        self._detector.reset()
        self._arrival.reset()
        self._swallow_releases.clear()
        self._timer.stop()

    # ----- the filter ---------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.KeyPress or kind == QEvent.Type.KeyRelease:
            if event is self._passing or not isinstance(event, QKeyEvent):
                return False
            if kind == QEvent.Type.KeyPress:
                return self._press(watched, event)
            return self._release(event)
        if kind in _OTHER_INPUT and self._detector.held:
            self._deliver(self._detector.flush().items)
            self._reschedule()
        return False

    def _press(self, target: QObject, event: QKeyEvent) -> bool:
        if event.key() in _MODIFIER_KEYS:
            return self._queue_behind(event)
        now = self._now()
        at = self._arrival.place(float(event.timestamp()), now)
        item = _Held(target, event.key())
        outcome = self._detector.key(self._character(event), at, item)
        self._looked_again = False
        if isinstance(outcome, Hold) or (isinstance(outcome, Release) and item not in outcome.items):
            # Held: keep a copy (the original dies when the filter returns), and keep it before
            # delivering anything, in case delivery runs a nested event loop and the timer.
            item.press = QKeyEvent(event)
        consumed = self._act(outcome, current=item)
        self._reschedule(now)
        return consumed

    def _release(self, event: QKeyEvent) -> bool:
        key = event.key()
        if self._swallow_releases[key] > 0:
            self._swallow_releases[key] -= 1
            return True
        return self._queue_behind(event)

    def _queue_behind(self, event: QKeyEvent) -> bool:
        """Releases and modifiers pass at once unless keys are held; then they wait behind."""
        newest = self._detector.newest()
        if newest is None:
            return False
        newest.after.append(QKeyEvent(event))
        return True

    def _character(self, event: QKeyEvent) -> str:
        """What the key would type, or "" if it cannot be part of a card number."""
        if event.isAutoRepeat() or event.modifiers() & _SHORTCUT_MODIFIERS:
            return ""  # a scanner never holds a key down or uses shortcuts
        return event.text()

    def _act(self, outcome: Outcome[_Held], current: _Held | None = None) -> bool:
        """Carry out the detector's decision; True if the current event was consumed."""
        if isinstance(outcome, Hold):
            return True
        if isinstance(outcome, Release):
            items = outcome.items
            passes = bool(items) and items[-1] is current
            self._deliver(items[:-1] if passes else items)
            return not passes
        self._swallow(outcome)
        return True

    def _swallow(self, scan: Scanned[_Held]) -> None:
        down: Counter[int] = Counter()
        for held in scan.items:
            down[held.key] += 1
            for later in held.after:
                if later.type() == QEvent.Type.KeyRelease and down[later.key()] > 0:
                    down[later.key()] -= 1
        self._swallow_releases.update(+down)
        if self._enabled:
            self.scanned.emit(scan.code)
        else:
            self.refused.emit()

    def _deliver(self, items: tuple[_Held, ...]) -> None:
        generation = self._generation
        for held in items:
            for event in (held.press, *held.after):
                if event is None:
                    continue
                if generation != self._generation or not shiboken6.isValid(held.target):
                    return  # reset while delivering (the Enter ended the session), or window gone
                outer, self._passing = self._passing, event
                try:
                    QCoreApplication.sendEvent(held.target, event)
                finally:
                    self._passing = outer

    # ----- the timer ----------------------------------------------------------------------

    def _reschedule(self, now: float | None = None) -> None:
        deadline = self._detector.deadline()
        if deadline is None:
            self._timer.stop()
            return
        now = self._now() if now is None else now
        wait = max(0, math.ceil(deadline - now))
        self._timer_due = now + wait
        self._timer.start(wait)

    def _on_timer(self) -> None:
        if not self._detector.held:
            return
        now = self._now()
        if now - self._timer_due > self.settings.max_gap_ms and not self._looked_again:
            # The thread was blocked past the deadline: the rest of a scan may be queued
            # behind this timer. Let the queue drain, then decide.
            self._looked_again = True
            self._timer_due = now + self.settings.max_gap_ms
            self._timer.start(math.ceil(self.settings.max_gap_ms))
            return
        self._act(self._detector.timeout(now))
        self._reschedule(now)
