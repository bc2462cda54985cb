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

    @property
    def theme(self) -> Theme:
        return self.window.theme

    def close(self) -> None:
        self.staff.shutdown()
        self.window.release_input()
        self.window.background.shutdown()
        if self.window.player is not None:
            self.window.player.shutdown()
        self.window.close()
        if isinstance(self.speech, EspeakSpeech):
            self.speech.close()
        self.assembly.close()
