"""The kiosk's one window: header, the current page, and overlays. Renders, never decides."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QHBoxLayout, QVBoxLayout, QWidget

from accessibility.languages import Translator, language
from accessibility.speech import Speech
from accessibility.themes import Theme, make_theme, style_sheet
from kiosk.announce import (
    timeout_script,
)
from kiosk.clock import Clock
from kiosk.journey.pages import PageModel
from kiosk.journey.validation import RawAnswer
from kiosk.preferences import Preferences, defaults
from kiosk.resident import KioskParts, ResidentSession, SubmitOutcome
from kiosk.session import Change, EndReason, Phase, SessionLifecycle
from ui.accessibility_panel import AccessibilityPanel
from ui.background import Background
from ui.idle import IdleWatch
from ui.keyboard import KeyboardDock, OnScreenKeyboard
from ui.overlays import FaultOverlay, TimeoutOverlay
from ui.pages.attract import AttractPage
from ui.pages.base import Intents
from ui.pages.menu import MenuPage
from ui.pages.question import QuestionView
from ui.pages.registry import view_for
from ui.pages.summary import CheckAnswersView
from ui.read_aloud import ReadAloud
from ui.scanner import ScannerFilter
from ui.speech import SpeechPlayer
from ui.staff.controller import StaffController
from ui.widgets import button, label
from ui.wipe import clear_clipboard, destroy, leftovers

log = logging.getLogger(__name__)


class KioskWindow(ReadAloud, QWidget):
    def __init__(self, parts: KioskParts, texts: Translator, clock: Clock,
                 *, on_quit: Callable[[], None] | None = None,
                 speech: Speech | None = None) -> None:
        super().__init__()
        self.setObjectName("root")
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.parts, self.texts, self.clock = parts, texts, clock
        self.prefs = defaults(parts.profile)
        self.theme = self._theme_for(self.prefs)
        self.texts.switch(self.prefs.language)
        self.background = Background(self)
        self.lifecycle = SessionLifecycle(parts.profile.session)
        self.idle = IdleWatch(self.lifecycle, clock, self._lifecycle_changed, self)
        # Read aloud: any touch interrupts speech (checklist CF-07); a new page replaces it.
        self.player = SpeechPlayer(speech, self) if speech is not None else None
        self._highlighted: QWidget | None = None
        if self.player is not None:
            self.player.speaking.connect(self._highlight)
            self.player.finished.connect(lambda: self._highlight(""))
            self.idle.touched.connect(self.player.stop)
        self.idle.countdown.timeout.connect(self._update_countdown)
        # Every touch anywhere in the window counts as activity. The filter sits on the
        # native window, which sees only input: on the application it would see every
        # style and layout event too (hundreds per page) and slow each tap.
        self.winId()
        handle = self.windowHandle()
        # A library card scanner "types" its number: recognised by its speed and never typed
        # into a field. Installed after the idle watch so it sees keys first (Qt runs the
        # newest filter first); typing it lets through still counts as activity.
        self.scanner = ScannerFilter(parent=self)
        self.scanner.scanned.connect(self._library_card_scanned)
        if handle is not None:
            handle.installEventFilter(self.idle)
            handle.installEventFilter(self.scanner)
        self.session = ResidentSession(parts)
        self.session_serial = 0
        self.page: QWidget | None = None
        self._retired: list[QWidget] = []
        self.intents = Intents(
            start=self.start, choose_service=self.choose_service, answer=self.answer,
            back=self.back, change=self.change, submit=self.submit, finish=self.finish,
            start_again=self.start_again,
        )
        self._render: Callable[[], QWidget] = self._attract_view
        self.outer = QVBoxLayout(self)
        self.outer.setContentsMargins(0, 0, 0, 0)
        self.outer.setSpacing(0)
        self.header: QWidget | None = None
        self.content = QVBoxLayout()
        self.content.setContentsMargins(0, 0, 0, 0)
        self.outer.addLayout(self.content, 1)
        # The keyboard lives in the root layout, below the page (never inside it: the page
        # takes focus on a click, and a key press must never steal focus from the field).
        self.keyboard = OnScreenKeyboard(texts, self.theme, parent=self)
        self.outer.addWidget(self.keyboard)
        self.keyboard_dock = KeyboardDock(self.keyboard, self)
        self.keyboard.key_pressed.connect(self._speak_key)
        self.panel: AccessibilityPanel | None = None
        self.staff: StaffController | None = None  # attached by the composition root
        self._build_chrome()
        if parts.profile.demo_quit_shortcut and on_quit is not None:
            quit_key = QShortcut(QKeySequence("Ctrl+Shift+Q"), self)
            quit_key.setContext(Qt.ShortcutContext.ApplicationShortcut)
            quit_key.activated.connect(on_quit)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusWindowChanged.connect(self._reclaim_focus)
        self.show_attract()

    def _reclaim_focus(self, window: object) -> None:
        """A kiosk has one window; if it loses activation (seen while audio starts playing
        on a session without a sound server), take it back so typing and the on-screen
        keyboard keep working."""
        if window is None and self.isVisible():
            QTimer.singleShot(0, self.activateWindow)

    # ----- chrome --------------------------------------------------------------------------

    def _theme_for(self, prefs: Preferences) -> Theme:
        display = self.parts.profile.display
        return make_theme(prefs.colours, prefs.text_size, display.width_px, display.height_px,
                          display.diagonal_inches, language(prefs.language).font)

    def _build_chrome(self) -> None:
        """Header and overlays, in the current language and theme (rebuilt when they change)."""
        if self.header is not None:
            self.outer.removeWidget(self.header)
            self._retired.append(self.header)
            self.header.hide()
            self.header.setParent(None)
            self.header.deleteLater()
        for name in ("timeout_overlay", "fault_overlay"):
            old = getattr(self, name, None)
            if old is not None:
                self._retired.append(old)
                old.hide()
                old.setParent(None)
                old.deleteLater()
        self.header = self._header()
        self.outer.insertWidget(0, self.header)
        self.header.show()
        self.timeout_overlay = TimeoutOverlay(self, self.texts, self.theme, self.more_time,
                                              lambda: self.end(EndReason.START_AGAIN))
        self.fault_overlay = FaultOverlay(self, self.texts, self.theme)

    def _header(self) -> QWidget:
        header = QWidget()
        header.setObjectName("header")
        header.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        row = QHBoxLayout(header)
        m = self.theme.margin_px
        row.setContentsMargins(m, self.theme.gap_px, m, self.theme.gap_px)
        row.setSpacing(self.theme.gap_px * 2)
        lang = self.texts.language
        self.logo = label(self.parts.profile.council.name.get(lang), name="councilName")
        row.addWidget(self.logo, 1)
        if self.staff is not None:
            self.staff.watch_logo(self.logo)
        speaking = self.prefs.read_aloud and self.player is not None
        for key, name, act in (("nav.repeat", "repeat", self.repeat),
                               ("nav.stop", "stopSpeech", self.stop_speech)):
            control = button(self.texts(key), "header", name=name)
            control.clicked.connect(act)
            control.setVisible(speaking)
            row.addWidget(control)
        self.accessibility_button = button(self.texts("nav.accessibility"), "header",
                                           name="accessibility")
        self.accessibility_button.clicked.connect(self.open_accessibility)
        row.addWidget(self.accessibility_button)
        self.start_again_button = button(self.texts("nav.start_again"), "header",
                                         name="startAgain")
        self.start_again_button.clicked.connect(self.start_again)
        self.start_again_button.setVisible(self.lifecycle.phase is not Phase.ATTRACT)
        row.addWidget(self.start_again_button)
        return header

    def _library_card_scanned(self, number: str) -> None:
        """Kept with the session (wiped with it) for journeys that take a library card number
        as an optional identifier; never logged."""
        if self.lifecycle.phase in (Phase.ACTIVE, Phase.WARNING):
            self.session.library_card = number
            self.lifecycle.touch(self.clock.monotonic())
            self.idle.reschedule()

    def attach_staff(self, staff: StaffController) -> None:
        """Staff sign-in (card, or holding the council name for the PIN pad) and the panel."""
        self.staff = staff
        staff.watch_logo(self.logo)

    # ----- accessibility -------------------------------------------------------------------

    def open_accessibility(self) -> None:
        self.close_accessibility()
        self.panel = AccessibilityPanel(self, self.texts, self.theme, self.prefs,
                                        self.set_preferences, self.close_accessibility)
        self.panel.cover()

    def close_accessibility(self) -> None:
        if self.panel is not None:
            self._retired.append(self.panel)
            self.panel.hide()
            self.panel.setParent(None)
            self.panel.deleteLater()
            self.panel = None

    def set_preferences(self, prefs: Preferences) -> None:
        """Apply at once; the page is rebuilt with every answer (and half-typed text) kept."""
        old, self.prefs = self.prefs, prefs
        panel_open = self.panel is not None
        if prefs.look != old.look or prefs.language != old.language:
            self.theme = self._theme_for(prefs)
            app = QApplication.instance()
            if isinstance(app, QApplication):
                app.setStyleSheet(style_sheet(self.theme))
        if prefs.language != old.language:
            self.texts.switch(prefs.language)
            self.keyboard.set_language(prefs.language)
        if prefs.look != old.look or prefs.language != old.language:
            self.keyboard.set_theme(self.theme)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            rtl = self.texts.right_to_left
            app.setLayoutDirection(Qt.LayoutDirection.RightToLeft if rtl
                                   else Qt.LayoutDirection.LeftToRight)
        if prefs != old:
            self._keep_typed()
            self._build_chrome()
            self._swap(self._render)
        if self.player is not None and not prefs.read_aloud:
            self.player.stop()
        if panel_open:
            self.open_accessibility()

    def _keep_typed(self) -> None:
        engine, view = self.session.engine, self.page
        if engine is not None and isinstance(view, QuestionView):
            engine.keep_typed(view.model.page_id, view.input.value())

    def closeEvent(self, event: QCloseEvent) -> None:
        handle = self.windowHandle()
        if handle is not None:
            handle.removeEventFilter(self.idle)
            handle.removeEventFilter(self.scanner)
        self.scanner.reset()
        super().closeEvent(event)

    def resizeEvent(self, event: object) -> None:
        staff = self.staff
        extra = (staff.panel, staff.pin_pad, staff.maintenance) if staff is not None else ()
        for overlay in (self.timeout_overlay, self.fault_overlay, self.panel, *extra):
            if overlay is not None and overlay.isVisible():
                overlay.setGeometry(self.rect())

    # ----- showing pages -------------------------------------------------------------------

    def _swap(self, render: Callable[[], QWidget]) -> None:
        """Show the page `render` builds; kept so a theme or language change can rebuild it."""
        self._render = render
        page = render()
        if self.page is not None:
            self.content.removeWidget(self.page)
            self.page.hide()
            self._retired.append(self.page)
            self.page.deleteLater()
        self.page = page
        self.content.addWidget(page)
        page.show()
        page.setFocus()  # focus starts on the new page, never on a leftover header button
        self._highlighted = None
        self.announce()

    def _attract_view(self) -> QWidget:
        lang = self.texts.language
        profile = self.parts.profile
        return AttractPage(self.texts, self.theme, self.intents,
                           profile.council.name.get(lang), profile.site.name.get(lang),
                           self.choose_language, self.welcome, self.clock.monotonic)

    def _menu_view(self) -> QWidget:
        return MenuPage(self.texts, self.theme, self.intents, self.session.services())

    def show_attract(self) -> None:
        self.start_again_button.hide()
        self._swap(self._attract_view)

    def choose_language(self, code: str) -> None:
        """From the attract screen: the language the session will start in."""
        self.set_preferences(self.prefs.with_(language=code))

    def show_model(self, model: PageModel) -> None:
        engine = self.session.engine
        first = [model]

        def render() -> QWidget:
            # First build uses the model just returned; rebuilds re-render in the new look.
            current = first.pop() if first else (engine.current() if engine else model)
            return self._view_for(current)

        self._swap(render)

    def _view_for(self, model: PageModel) -> QWidget:
        return view_for(model, self.texts, self.theme, self.intents, outcome=self.session.outcome)

    # ----- intents -------------------------------------------------------------------------

    def start(self) -> None:
        if self.lifecycle.phase is not Phase.ATTRACT:
            return
        self.lifecycle.begin(self.clock.monotonic())
        self.idle.reschedule()
        self.start_again_button.show()
        self._swap(self._menu_view)

    def choose_service(self, service_id: str) -> None:
        self.show_model(self.session.choose(service_id))

    def answer(self, page_id: str, raw: RawAnswer) -> None:
        if self.session.engine is not None:
            self.show_model(self.session.answer(page_id, raw))

    def back(self) -> None:
        engine = self.session.engine
        if engine is None:
            return
        model = engine.back()
        if model is None:
            self.session.leave_service()
            self._swap(self._menu_view)
        else:
            self.show_model(model)

    def change(self, page_id: str) -> None:
        if self.session.engine is not None:
            self.show_model(self.session.engine.change(page_id))

    def submit(self) -> None:
        view = self.page
        if not isinstance(view, CheckAnswersView) or self.background.busy:
            return
        view.sending()
        session, serial = self.session, self.session_serial
        submission = session.prepare_submission()

        def done(outcome: SubmitOutcome) -> None:
            if self.staff is not None:
                self.staff.after_print(outcome.printed)
            if serial != self.session_serial:
                return  # session ended meanwhile; the outbox row is safe and will be sent
            self.show_model(session.finish(outcome))

        def failed(error: BaseException) -> None:
            log.error("submission failed: %s", type(error).__name__)
            if serial == self.session_serial and isinstance(self.page, CheckAnswersView):
                self.page.failed()

        self.background.run(lambda: session.deliver_and_print(submission), done, failed)

    def finish(self) -> None:
        self.end(EndReason.FINISHED)

    def start_again(self) -> None:
        if self.lifecycle.phase in (Phase.ACTIVE, Phase.WARNING):
            self.end(EndReason.START_AGAIN)

    def more_time(self) -> None:
        if self.lifecycle.extend(self.clock.monotonic()) is not None:
            self.idle.countdown.stop()
            self.timeout_overlay.hide()
            self.idle.reschedule()

    # ----- lifecycle -----------------------------------------------------------------------

    def _lifecycle_changed(self, change: Change) -> None:
        if change.phase is Phase.WARNING:
            self._update_countdown()
            self.timeout_overlay.cover()
            self.idle.countdown.start()
            if self.player is not None and self.prefs.read_aloud:
                seconds = self.lifecycle.seconds_left(self.clock.monotonic())
                self.player.speak(timeout_script(self.texts, seconds, self.lifecycle.can_extend),
                                  slow=self.prefs.slow_speech)
        elif change.phase is Phase.ENDED:
            self._ended()

    def _update_countdown(self) -> None:
        seconds = self.lifecycle.seconds_left(self.clock.monotonic())
        self.timeout_overlay.show_seconds(seconds, self.lifecycle.can_extend)

    def end(self, reason: EndReason) -> None:
        if self.lifecycle.phase in (Phase.ACTIVE, Phase.WARNING):
            self.lifecycle.end(reason)
            self._ended()

    def _ended(self) -> None:
        self.idle.timer.stop()
        self.idle.countdown.stop()
        # Wipe after the current signal handler returns: the button pressed may be on the page.
        QTimer.singleShot(0, self.wipe)

    def wipe(self) -> bool:
        """Destroy every session widget, clear clipboards, drop the engine; verify; attract."""
        self.session_serial += 1
        if self.staff is not None:
            self.staff.session_ending()
        self.scanner.reset()  # half a scan held back is personal data too
        if self.player is not None:
            self.player.forget()  # Repeat must never replay the last resident's answers
        self.session = ResidentSession(self.parts)
        self.timeout_overlay.hide()
        self.close_accessibility()
        if self.prefs != defaults(self.parts.profile):
            self.set_preferences(defaults(self.parts.profile))
        if self.page is not None:
            self.content.removeWidget(self.page)
            self._retired.append(self.page)
            self.page = None
        self.keyboard_dock.reset()
        destroy(self._retired)
        clear_clipboard()
        problems = leftovers()
        if problems:
            log.error("session wipe incomplete: %s", ", ".join(problems))
            self.fault_overlay.cover()
            return False
        self.lifecycle.wiped()
        self.show_attract()
        return True
