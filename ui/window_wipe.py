"""The window's part of the wipe: everything of a visit its widgets hold, dropped and checked.

A mixin of `KioskWindow`, apart because it is the safety path: each step runs on its own so
one failing never leaves the others undone, and the check (`_wipe_check`) fails closed on
anything a step could not prove gone (the terminal verifies after every wipe).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from kiosk.session import EndReason
from ui.wipe import clear_clipboard, destroy, leftovers

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtWidgets import QVBoxLayout

    from kiosk.terminal import Terminal
    from ui.idle import IdleWatch
    from ui.keyboard_dock import KeyboardDock
    from ui.overlays import TimeoutOverlay
    from ui.scanner import ScannerFilter
    from ui.speech import SpeechPlayer

log = logging.getLogger(__name__)


class WindowWipe:
    """What the window drops at every wipe, and its proof that it did."""

    terminal: Terminal
    page: QWidget | None
    player: SpeechPlayer | None
    scanner: ScannerFilter
    timeout_overlay: TimeoutOverlay
    idle: IdleWatch
    keyboard_dock: KeyboardDock
    _retired: list[QWidget]
    _call_problems: list[str]

    content: QVBoxLayout
    close_accessibility: Callable[[], None]

    def _wipe_widgets(self) -> None:
        """Everything of the visit in this window: page, overlays, half a scan, the speech
        that could repeat it, the keyboard, clipboards. Each step on its own, so one failing
        never leaves the others undone (the terminal verifies afterwards)."""
        for step in (self.scanner.reset, self._forget_speech, self.timeout_overlay.hide,
                     self.idle.countdown.stop, self.close_accessibility, self._drop_page,
                     self.keyboard_dock.reset, lambda: destroy(self._retired), clear_clipboard):
            try:
                step()
            except Exception as exc:  # noqa: BLE001 - the rest of the wipe must still run
                log.error("wipe step failed: %s", type(exc).__name__)

    def _forget_speech(self) -> None:
        if self.player is not None:
            self.player.forget()  # Repeat must never replay the last resident's answers

    def _retire_call(self, page: QWidget | None) -> None:
        """A live call page going away: its web view is torn down now, and verified."""
        retire = getattr(page, "retire_call", None)
        if callable(retire):
            retire()

    def _call_teardown_failed(self, problems: list[str]) -> None:
        """Something of a call may be left (its private folder): the visit ends, and the
        wipe's check fails closed on these."""
        self._call_problems += problems
        self.terminal.end(EndReason.START_AGAIN)

    def _drop_page(self) -> None:
        self._retire_call(self.page)
        if self.page is not None:
            self.content.removeWidget(self.page)
            self._retired.append(self.page)
            self.page = None

    def _wipe_check(self) -> list[str]:
        problems = leftovers() + self._call_problems
        if self.player is not None and self.player.holds_visit():
            problems.append("speech still holds the visit's words")
        return problems

