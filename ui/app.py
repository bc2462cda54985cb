"""Composition root: builds the QApplication and wires core, peripherals, theme and views."""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLoggingCategory
from PySide6.QtWidgets import QApplication

from accessibility.languages import Translator
from accessibility.speech import EspeakSpeech, Speech, SpeechUnavailable
from accessibility.themes import Theme, style_sheet
from kiosk.assembly import Assembly, assemble
from kiosk.assist import StaffAssist
from kiosk.clock import Clock, FakeClock, SystemClock
from kiosk.profile import LoadedProfile
from ui.demo_controls import DemoStrip
from ui.quit_signals import quit_on_signals
from ui.staff.controller import StaffController
from ui.staff.maintenance import RESTART_EXIT_CODE
from ui.window import KioskWindow

log = logging.getLogger(__name__)


@dataclass
class Kiosk:
    """Everything `run` builds, so tests and the tour can drive and then close it."""

    app: QApplication
    window: KioskWindow
    assembly: Assembly
    clock: Clock
    speech: Speech | None = None

    @property
    def theme(self) -> Theme:
        return self.window.theme

    def close(self) -> None:
        if self.window.staff is not None:
            self.window.staff.shutdown()
        self.window.background.shutdown()
        if self.window.player is not None:
            self.window.player.shutdown()
        self.window.close()
        if isinstance(self.speech, EspeakSpeech):
            self.speech.close()
        self.assembly.close()


def application() -> QApplication:
    """One QApplication with a fixed argv: Qt parses argv, so never pass the real one (K12)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    # Audio back ends Qt probes and does not need (PipeWire), and offscreen window-manager
    # hints, are noise in the journal.
    QLoggingCategory.setFilterRules("qt.multimedia.symbolsresolver=false\n"
                                    "qt.qpa.window=false\nqt.qpa.plugin=false")
    return QApplication([sys.argv[0] if sys.argv else "kiosk"])


def default_speech() -> Speech | None:
    """espeak-ng, writing into a folder private to this process (0700, a unique name, in the
    runtime folder when there is one): what is said can be personal. `Kiosk.close` removes it,
    and `run` makes sure close runs on SIGTERM too."""
    try:
        return EspeakSpeech()
    except SpeechUnavailable as exc:
        log.warning("read aloud is not available: %s", exc)
        return None


_DEFAULT: Any = object()


def build(loaded: LoadedProfile, state_dir: Path, *, clock: Clock | None = None,
          start_relay: bool | None = None, speech: Speech | None = _DEFAULT,
          demo_controls: bool | None = None, animate: bool = True) -> Kiosk:
    """Assemble the kiosk. The relay runs in-process only in demo mode unless told otherwise:
    in production it is its own service (systemd/civic-kiosk-relay.service). The demo strip
    (simulate a staff card, run the printer out of paper) exists only in demo profiles."""
    is_demo = loaded.profile.mode == "demo"
    with_strip = demo_controls if demo_controls is not None else is_demo
    if with_strip and not is_demo:
        raise ValueError("demo controls exist only in demo profiles")
    app = application()
    clock = clock or SystemClock()
    display = loaded.profile.display
    texts = Translator(loaded.profile.default_language)
    assembly = assemble(loaded, state_dir, clock=clock, texts=texts)
    if start_relay if start_relay is not None else loaded.profile.mode == "demo":
        assembly.start_relay()
    if speech is _DEFAULT:
        speech = default_speech()
    window = KioskWindow(assembly.parts, texts, clock, on_quit=app.quit, speech=speech)
    assist = (StaffAssist(assembly.staff, assembly.audit, clock)
              if assembly.staff is not None else None)
    staff = StaffController(window, assist, assembly.health, reader=assembly.card_reader,
                            poll_seconds=loaded.profile.printer.status_poll_seconds,
                            restart=lambda: app.exit(RESTART_EXIT_CODE), animate=animate)
    window.attach_staff(staff)
    staff.start()
    if with_strip:
        window.outer.addWidget(DemoStrip(texts, assembly.printer, assembly.card_reader))
    app.setStyleSheet(style_sheet(window.theme))
    window.resize(display.width_px, display.height_px)
    if app.platformName() == "offscreen":
        # No real screen to hold it: pin the panel's size so a page can never grow the window.
        window.setFixedSize(display.width_px, display.height_px)
    return Kiosk(app, window, assembly, clock, speech)


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
        # SIGTERM (and Ctrl+C) end the event loop, so the `finally` below still runs.
        with quit_on_signals(kiosk.app):
            kiosk.window.showFullScreen()
            if loaded.profile.demo_quit_shortcut:
                print("Demo mode: press Ctrl+Shift+Q to quit.", flush=True)  # noqa: T201
            return kiosk.app.exec()
    finally:
        kiosk.close()
