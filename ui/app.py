"""Composition root: builds the QApplication and wires core, peripherals, theme and views."""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtWidgets import QApplication

from accessibility.languages import Translator
from accessibility.themes import Theme, style_sheet
from kiosk.assembly import Assembly, assemble
from kiosk.clock import Clock, FakeClock, SystemClock
from kiosk.profile import LoadedProfile
from ui.window import KioskWindow

log = logging.getLogger(__name__)


@dataclass
class Kiosk:
    """Everything `run` builds, so tests and the tour can drive and then close it."""

    app: QApplication
    window: KioskWindow
    assembly: Assembly
    clock: Clock

    @property
    def theme(self) -> Theme:
        return self.window.theme

    def close(self) -> None:
        self.window.background.shutdown()
        self.window.close()
        self.assembly.close()


def application() -> QApplication:
    """One QApplication with a fixed argv: Qt parses argv, so never pass the real one (K12)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    return QApplication([sys.argv[0] if sys.argv else "kiosk"])


def build(loaded: LoadedProfile, state_dir: Path, *, clock: Clock | None = None,
          start_relay: bool | None = None) -> Kiosk:
    """Assemble the kiosk. The relay runs in-process only in demo mode unless told otherwise:
    in production it is its own service (systemd/civic-kiosk-relay.service)."""
    app = application()
    clock = clock or SystemClock()
    display = loaded.profile.display
    texts = Translator(loaded.profile.default_language)
    assembly = assemble(loaded, state_dir, clock=clock, texts=texts)
    if start_relay if start_relay is not None else loaded.profile.mode == "demo":
        assembly.start_relay()
    window = KioskWindow(assembly.parts, texts, clock, on_quit=app.quit)
    app.setStyleSheet(style_sheet(window.theme))
    window.resize(display.width_px, display.height_px)
    if app.platformName() == "offscreen":
        # No real screen to hold it: pin the panel's size so a page can never grow the window.
        window.setFixedSize(display.width_px, display.height_px)
    return Kiosk(app, window, assembly, clock)


def run(loaded: LoadedProfile, state_dir: Path, *, screenshots: Path | None = None) -> int:
    """Full screen on a display; with no display (or when asked) the screenshot tour."""
    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if screenshots is not None or headless:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from ui.tour import run_tour

        clock = FakeClock(datetime.now(UTC))
        kiosk = build(loaded, state_dir, clock=clock)
        try:
            return run_tour(kiosk, screenshots or state_dir)
        finally:
            kiosk.close()
    kiosk = build(loaded, state_dir)
    try:
        kiosk.window.showFullScreen()
        if loaded.profile.demo_quit_shortcut:
            print("Demo mode: press Ctrl+Shift+Q to quit.", flush=True)  # noqa: T201
        return kiosk.app.exec()
    finally:
        kiosk.close()
