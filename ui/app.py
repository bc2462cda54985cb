"""Composition root: builds the QApplication and wires core, peripherals, theme and views."""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from accessibility.languages import Translator
from accessibility.speech import EspeakSpeech, Speech, SpeechUnavailable
from accessibility.themes import style_sheet
from kiosk.assembly import assemble
from kiosk.assist import StaffAssist
from kiosk.between_sessions import BetweenSessions, local_now
from kiosk.clock import Clock, FakeClock, SystemClock
from kiosk.device_identity import key_folder
from kiosk.first_frame import FirstFrame, remember
from kiosk.launch import launch_refusal
from kiosk.profile import LoadedProfile, Profile, load_device_profile, load_services
from kiosk.profile_trial import managed_store
from kiosk.remote_commands import CommandLedger
from kiosk.terminal import Terminal
from kiosk.terminal_staff import StaffDesk
from kiosk.usage_recorder import UsageRecorder
from ui.background import Background
from ui.boot import BootShell
from ui.built import Kiosk
from ui.call_devices import call_devices_ready
from ui.crash_guard import install_crash_guard
from ui.demo_controls import DemoStrip
from ui.lockdown import install_lockdown
from ui.qt_app import application
from ui.quit_signals import quit_on_signals
from ui.staff.controller import StaffController
from ui.staff.maintenance import RESTART_EXIT_CODE
from ui.window import KioskWindow

log = logging.getLogger(__name__)


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
          demo_controls: bool | None = None, animate: bool = True,
          parent: QWidget | None = None, texts: Translator | None = None) -> Kiosk:
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
    texts = texts or Translator(loaded.profile.default_language)
    assembly = assemble(loaded, state_dir, clock=clock, texts=texts)
    if start_relay if start_relay is not None else loaded.profile.mode == "demo":
        assembly.start_relay()
    if speech is _DEFAULT:
        speech = default_speech()
    assist = (StaffAssist(assembly.staff, assembly.audit, clock)
              if assembly.staff is not None else None)
    background = Background()
    terminal = Terminal(assembly.parts, runner=background,
                        defer=lambda callback: QTimer.singleShot(0, callback),
                        on_fatal=lambda problems: _wipe_failed(app),
                        staff=StaffDesk(assist, clock))
    terminal.calls.devices_ready = call_devices_ready(loaded.profile.calls)
    if assembly.usage is not None:  # usage events for the hub's report (kiosk.usage_recorder)
        UsageRecorder(terminal, assembly.usage, clock)
    between = BetweenSessions(loaded.profile.commands, CommandLedger(state_dir),
                              local_time=local_now,
                              restart=lambda: app.exit(RESTART_EXIT_CODE), reboot=_reboot,
                              profiles=managed_store(loaded.source, state_dir))
    between.started()
    terminal.events.between_sessions.connect(between.run)
    if loaded.profile.mode == "production":
        restart_after_a_call(terminal, lambda: app.exit(RESTART_EXIT_CODE))
    # A terminal nobody is using does not wait for a visit to end before taking a new profile.
    idle_check = QTimer(background)
    idle_check.setInterval(IDLE_APPLY_SECONDS * 1000)
    idle_check.timeout.connect(lambda: between.run() if terminal.idle else None)
    idle_check.start()
    window = KioskWindow(terminal, texts, on_quit=app.quit, speech=speech, background=background,
                         parent=parent)
    background.setParent(window)
    staff = StaffController(window, terminal, assembly.health, reader=assembly.card_reader,
                            poll_seconds=loaded.profile.printer.status_poll_seconds,
                            restart=lambda: app.exit(RESTART_EXIT_CODE), animate=animate,
                            retry_dead_letter=(assembly.relay_client.retry
                                               if assembly.relay_client is not None else None))
    staff.start()
    if with_strip:
        window.outer.addWidget(DemoStrip(texts, assembly.printer, assembly.card_reader))
    app.setStyleSheet(style_sheet(window.theme))
    # The top-level window (the start-up shell's, when built into it) refuses what a
    # resident must not do: escape chords, closing, leaving full screen (ui.lockdown).
    lockdown = install_lockdown(window, quit_chord=loaded.profile.demo_quit_shortcut)
    if parent is not None:
        return Kiosk(app, terminal, window, staff, assembly, clock, speech, lockdown)
    window.resize(display.width_px, display.height_px)
    if app.platformName() == "offscreen":
        # No real screen to hold it: pin the panel's size so a page can never grow the window.
        window.setFixedSize(display.width_px, display.height_px)
    return Kiosk(app, terminal, window, staff, assembly, clock, speech, lockdown)


WIPE_FAILED_EXIT_CODE = 76
IDLE_APPLY_SECONDS = 10


def _reboot() -> None:
    """IT asked for a reboot in the profile, between sessions, inside its window. The kiosk
    user may ask logind for one (systemd/50-civic-kiosk-reboot.rules); if it cannot, say so
    once and carry on serving residents."""
    try:
        subprocess.Popen(["systemctl", "reboot"], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError as exc:
        log.error("could not ask for the reboot IT asked for: %s", type(exc).__name__)


def _wipe_failed(app: QApplication) -> None:
    """A wipe that cannot be proved complete: the out-of-order cover is up; leave, so the
    service starts a fresh process (no attract screen that might hold the last visit)."""
    log.critical("session wipe could not be verified; exiting for a clean restart")
    app.exit(WIPE_FAILED_EXIT_CODE)


def run(loaded: LoadedProfile, state_dir: Path, *, screenshots: Path | None = None) -> int:
    """Full screen on a display. A demo profile with no display (or when asked) runs the
    screenshot tour; a production one refuses (`kiosk.launch.launch_refusal`), never tours."""
    refusal = launch_refusal(loaded.profile.mode, os.environ, screenshots=screenshots is not None)
    if refusal is not None:
        raise ValueError(refusal)
    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if loaded.profile.mode == "demo" and (screenshots is not None or headless):
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


def build_into(shell: BootShell, path: Path, profile: Profile | None, state_dir: Path) -> Kiosk:
    """After the first frame: the profile validated in full (when the first frame came from
    its remembered copy), the catalogue, the outbox, the devices and the kiosk window, built
    into the start-up shell (`ui.boot`). A bad catalogue raises ConfigError here."""
    if profile is None:
        profile = load_device_profile(path, key_folder=key_folder(state_dir))
    loaded = load_services(profile, path)
    remember(path, state_dir, FirstFrame.of(profile))
    kiosk = build(loaded, state_dir, parent=shell, texts=shell.texts)
    shell.adopt(kiosk.window, kiosk.window)
    # From now on an unhandled exception ends the visit with a verified wipe (ui.crash_guard).
    kiosk.crash_guard = install_crash_guard(kiosk.terminal, lambda: _wipe_failed(kiosk.app),
                                            parent=kiosk.window)
    return kiosk


def restart_after_a_call(terminal: Terminal, restart: Callable[[], None]) -> None:
    """After a visit that had a video call, start a fresh screen process between sessions
    (systemd does, `Restart=always`): QtWebEngine, once loaded, keeps ~190 MB and Chromium's
    helper processes for good, and a fresh process is the surest proof nothing of the call is
    left. The attract screen is back in the time of a cold start (docs/benchmarks.md)."""
    called = [False]

    def state(phase: str) -> None:
        if phase == "in_call":
            called[0] = True

    def between() -> None:
        if called[0]:
            log.info("a video call was made this visit: restarting the screen between sessions")
            restart()

    terminal.events.call_state.connect(state)
    terminal.events.between_sessions.connect(between)
