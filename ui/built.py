"""What `ui.app.build` hands back: the running kiosk's parts, and how to close them.

A module of its own so the code that drives a built kiosk (the demo tour) can name it
without importing the composition root that imports the tour.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from accessibility.speech import EspeakSpeech, Speech

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from accessibility.themes import Theme
    from kiosk.assembly import Assembly
    from kiosk.clock import Clock
    from kiosk.terminal import Terminal
    from ui.crash_guard import CrashGuard
    from ui.lockdown import Lockdown
    from ui.staff.controller import StaffController
    from ui.window import KioskWindow


@dataclass
class Kiosk:
    """Everything `build` makes, so tests and the tour can drive and then close it."""

    app: QApplication
    terminal: Terminal
    window: KioskWindow
    staff: StaffController
    assembly: Assembly
    clock: Clock
    speech: Speech | None = None
    # What a resident cannot do (ui.lockdown): `lockdown.maintenance = True` lets IT close,
    # minimise or leave full screen. The crash guard is installed by `ui.app.build_into`.
    lockdown: Lockdown | None = None
    crash_guard: CrashGuard | None = None

    @property
    def theme(self) -> Theme:
        return self.window.theme

    def close(self) -> None:
        if self.crash_guard is not None:
            self.crash_guard.uninstall()
        if self.lockdown is not None and self.lockdown.window is self.window:
            self.lockdown.remove()  # the kiosk's own window; the start-up shell's stays
        self.staff.shutdown()
        self.window.release_input()
        self.window.background.shutdown()
        if self.window.player is not None:
            self.window.player.shutdown()
        self.window.close()
        if isinstance(self.speech, EspeakSpeech):
            self.speech.close()
        self.assembly.close()
