"""Paint first, load after: the attract screen from the profile alone, then the rest.

A cold start used to spend most of its second importing and opening what the attract screen
does not need: the catalogue, the journey code, the outbox, the printer, the card reader,
QtMultimedia and speech. The shell shows the attract screen from what it does need (council
and site names, theme, languages: a `FirstFrame`, from the validated profile or from the
copy remembered when this very profile was last validated) and the composition root builds
the kiosk into it after the first frame. This module imports nothing heavy, pydantic
included, so the first frame costs little more than a bare PySide6 window.

A touch that arrives before the kiosk is in is not lost and never reaches a part that is not
ready: it is kept, "Just a moment" shows, and it is replayed on the real window once it is.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QStackedLayout, QVBoxLayout, QWidget

from accessibility.languages import Translator, language
from accessibility.themes import Theme, make_theme, style_sheet
from kiosk.first_frame import FirstFrame
from ui.lockdown import install_lockdown
from ui.pages.attract import AttractPage
from ui.pages.base import Intents
from ui.pages.spinner import Spinner
from ui.qt_app import application, panel_size
from ui.quit_signals import quit_on_signals
from ui.watchdog import Watchdog
from ui.widgets import button, label

log = logging.getLogger(__name__)


class Started(Protocol):
    """What the composition root hands back: something to close when the app ends."""

    def close(self) -> None: ...


class Adoptable(Protocol):
    """The kiosk window as the shell needs it, to replay the touches it kept."""

    def start(self) -> None: ...

    def choose_language(self, code: str) -> None: ...

    def welcome(self) -> None: ...

    def open_accessibility(self) -> None: ...


def first_theme(frame: FirstFrame) -> Theme:
    """The theme of a new visit: the same one the kiosk window will compute."""
    width, height = panel_size(frame.width_px, frame.height_px)
    return make_theme(frame.colours, frame.text_size, width, height,
                      frame.diagonal_inches, language(frame.language).font)


class BootShell(QWidget):
    """The one top-level window. Shows the attract screen at once; holds the kiosk window
    once it is built (never a second top-level window: no flash, no focus change)."""

    ready = Signal()

    def __init__(self, frame: FirstFrame, texts: Translator, theme: Theme) -> None:
        super().__init__()
        self.setObjectName("root")
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.frame, self.texts, self.theme = frame, texts, theme
        self._kept: list[Callable[[Adoptable], None]] = []
        self._painted: list[Callable[[], None]] = []
        self.kiosk_window: QWidget | None = None
        self.stack = QStackedLayout(self)
        self.stack.setContentsMargins(0, 0, 0, 0)
        self.boot_page = self._boot_page()
        self.stack.addWidget(self.boot_page)

    def _boot_page(self) -> QWidget:
        page = QWidget()
        page.setObjectName("bootPage")
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        theme, texts, lang = self.theme, self.texts, self.texts.language
        # The window's header as it will look (council name, Accessibility), so nothing
        # moves when the kiosk window takes over.
        header = QWidget()
        header.setObjectName("header")
        header.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        row = QHBoxLayout(header)
        row.setContentsMargins(theme.margin_px, theme.gap_px, theme.margin_px, theme.gap_px)
        row.setSpacing(theme.gap_px * 2)
        row.addWidget(label(self.frame.council(lang), name="councilName"), 1)
        accessibility = button(texts("nav.accessibility"), "header", name="accessibility")
        accessibility.clicked.connect(lambda: self._keep(lambda w: w.open_accessibility()))
        row.addWidget(accessibility)
        column.addWidget(header)
        # "Just a moment" with a turning spinner: a touch was noticed, and is kept.
        self.waiting = QWidget()
        self.waiting.setObjectName("bootWaiting")
        waiting_row = QHBoxLayout(self.waiting)
        waiting_row.addStretch(1)
        waiting_row.addWidget(Spinner(theme))
        words = label(texts("boot.just_a_moment"), "heading")
        waiting_row.addWidget(words)
        waiting_row.addStretch(1)
        self.waiting.hide()
        column.addWidget(self.waiting)
        intents = Intents(start=lambda: self._keep(lambda w: w.start()),
                          choose_service=_nothing, answer=_nothing, back=_nothing,
                          change=_nothing, submit=_nothing, finish=_nothing,
                          start_again=_nothing)
        attract = AttractPage(texts, theme, intents, self.frame.council(lang),
                              self.frame.site(lang),
                              lambda code: self._keep(lambda w: w.choose_language(code)),
                              lambda: self._keep(lambda w: w.welcome()), time.monotonic)
        column.addWidget(attract, 1)
        return page

    def _keep(self, action: Callable[[Adoptable], None]) -> None:
        """A touch before the kiosk is in: kept for it, and the resident told to wait."""
        self._kept.append(action)
        self.waiting.show()

    def after_first_paint(self, callback: Callable[[], None]) -> None:
        """Call back once the first frame is on screen (not merely queued)."""
        self._painted.append(callback)
        self.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self and event.type() == QEvent.Type.Paint and self._painted:
            callbacks, self._painted = self._painted, []
            self.removeEventFilter(self)
            for callback in callbacks:
                # After this paint has been flushed to the screen.
                QTimer.singleShot(0, callback)
        return False

    def adopt(self, window: QWidget, target: Adoptable) -> None:
        """The kiosk window takes over; kept touches are replayed on it, in order."""
        self.kiosk_window = window
        self.stack.addWidget(window)
        self.stack.setCurrentWidget(window)
        self.stack.removeWidget(self.boot_page)
        self.boot_page.deleteLater()
        kept, self._kept = self._kept, []
        for action in kept:
            action(target)
        self.ready.emit()


def _nothing(*args: object) -> None:
    return None


def open_shell(frame: FirstFrame) -> BootShell:
    """The application and the shell, shown: the first frame follows as soon as the event
    loop runs."""
    app = application()
    texts = Translator(frame.language)
    theme = first_theme(frame)
    app.setStyleSheet(style_sheet(theme))
    shell = BootShell(frame, texts, theme)
    # Sized to the screen as well as full screen: with no window manager to honour "full
    # screen" (a bare X server), the window keeps the size it is given.
    shell.resize(*panel_size(frame.width_px, frame.height_px))
    if app.platformName() == "offscreen":
        shell.setFixedSize(frame.width_px, frame.height_px)
        shell.show()
    else:
        shell.showFullScreen()
    install_lockdown(shell, quit_chord=frame.demo_quit_shortcut)  # from the first frame on
    return shell


def run_painted_first(frame: FirstFrame, finish: Callable[[BootShell], Started],
                      on_error: Callable[[Exception], int]) -> int:
    """Show the attract screen, then `finish(shell)` builds the kiosk into it. An exception
    from `finish` (a bad catalogue, an unusable printer setting) is handed to `on_error`,
    whose return value becomes the exit code: reported precisely, never a traceback."""
    shell = open_shell(frame)
    app = application()
    started: list[Started] = []
    # systemd (Type=notify): READY=1 once the attract screen is painted, WATCHDOG=1 from
    # this thread's event loop, STOPPING=1 on the way out; nothing without $NOTIFY_SOCKET.
    watchdog = Watchdog(os.environ, parent=shell)
    watchdog.start()
    shell.after_first_paint(watchdog.ready)
    app.aboutToQuit.connect(watchdog.stopping)

    def load_rest() -> None:
        began = time.perf_counter()
        try:
            started.append(finish(shell))
        except Exception as exc:  # noqa: BLE001 - every start-up failure exits cleanly
            app.exit(on_error(exc))
            return
        log.info("kiosk ready %.0f ms after the first frame", (time.perf_counter() - began) * 1000)

    shell.after_first_paint(load_rest)
    try:
        # SIGTERM (systemd stopping the unit) and Ctrl+C end the event loop, so the kiosk is
        # still closed below: its speech folder removed, its devices released.
        with quit_on_signals(app):
            return int(app.exec())
    finally:
        for kiosk in started:
            kiosk.close()
        shell.close()
