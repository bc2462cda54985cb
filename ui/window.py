"""The kiosk's one window: header, the current page, and overlays. Renders, never decides."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut, QWindow
from PySide6.QtWidgets import QApplication, QHBoxLayout, QVBoxLayout, QWidget

from accessibility.languages import Translator, language
from accessibility.speech import Speech
from accessibility.themes import Theme, make_theme, style_sheet
from kiosk.announce import timeout_script
from kiosk.calls.screens import CallConsentScreen, CallLiveScreen, CallOverScreen, CallQueueScreen
from kiosk.clock import Clock
from kiosk.journey.pages import PageModel
from kiosk.journey.validation import RawAnswer
from kiosk.preferences import Preferences
from kiosk.resident import KioskParts, ResidentSession
from kiosk.saved.screens import (
    ResumeGoneScreen,
    ResumeScreen,
    SavedDoneScreen,
    SavedWaitScreen,
    SaveWordScreen,
)
from kiosk.session import EndReason, SessionLifecycle
from kiosk.terminal import AttractScreen, MenuScreen, Shown, Terminal
from ui.accessibility_panel import AccessibilityPanel
from ui.background import Background
from ui.call_poll import CallPoll
from ui.idle import IdleWatch
from ui.keyboard import OnScreenKeyboard
from ui.keyboard_dock import KeyboardDock
from ui.overlays import FaultOverlay, TimeoutOverlay
from ui.pages.attract import AttractPage
from ui.pages.base import Intents, Page
from ui.pages.booking import BookingDoneView
from ui.pages.call import call_view
from ui.pages.info import ResultView
from ui.pages.menu import MenuPage
from ui.pages.question import QuestionView
from ui.pages.registry import view_for
from ui.pages.saved import SavedIntents, add_menu_entry, add_save_button, saved_view
from ui.pages.summary import CheckAnswersView
from ui.qt_app import panel_size
from ui.read_aloud import ReadAloud
from ui.scanner import ScannerFilter
from ui.speech import SpeechPlayer
from ui.widgets import button, label
from ui.window_wipe import WindowWipe

log = logging.getLogger(__name__)

# Text scale from which the header folds away while the on-screen keyboard is open.
FOLD_HEADER_SCALE = 1.5


class KioskWindow(WindowWipe, ReadAloud, QWidget):
    """A view of the `Terminal`: subscribes to its events, renders what it shows, forwards
    the resident's intents. Owns widgets only; every decision is the terminal's."""

    # The header (with the council name staff hold for the PIN pad) was rebuilt.
    chrome_rebuilt = Signal()

    def __init__(self, terminal: Terminal, texts: Translator,
                 *, on_quit: Callable[[], None] | None = None,
                 speech: Speech | None = None, background: Background | None = None,
                 parent: QWidget | None = None) -> None:
        # With a parent, this fills the start-up shell's one top-level window (ui.boot).
        super().__init__(parent)
        self.setObjectName("root" if parent is None else "kiosk")
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint, parent is None)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.terminal = terminal
        self.texts = texts
        self.theme = self._theme_for(terminal.prefs)
        self.texts.switch(terminal.prefs.language)
        self.background = background or Background(self)
        self.idle = IdleWatch(terminal, self)
        self.call_poll = CallPoll(terminal, self)
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
        top = self.window()
        top.winId()
        handle = top.windowHandle()
        self._input_handle: QWindow | None = handle
        # A library card scanner "types" its number: recognised by its speed and never typed
        # into a field. Installed after the idle watch so it sees keys first (Qt runs the
        # newest filter first); typing it lets through still counts as activity.
        self.scanner = ScannerFilter(parent=self)
        self.scanner.scanned.connect(terminal.library_card_scanned)
        if handle is not None:
            handle.installEventFilter(self.idle)
            handle.installEventFilter(self.scanner)
        self.page: QWidget | None = None
        self._retired: list[QWidget] = []
        # A call view whose teardown could not be verified: the wipe reports these.
        self._call_problems: list[str] = []
        # Plain functions, not the terminal's bound methods: PySide6 (6.11) keeps a weak
        # reference for every connection to a bound method of a non-QObject and never frees
        # it when the button is deleted (~120 bytes each, several per page built). Lambdas
        # are connected as plain functions and freed with their button.
        t = terminal
        self.intents = Intents(
            start=lambda: t.start(), choose_service=lambda sid: t.choose_service(sid),
            answer=lambda page_id, raw: t.answer(page_id, raw), back=lambda: t.back(),
            change=lambda page_id: t.change(page_id), submit=lambda: t.submit(),
            finish=lambda: t.finish(), start_again=lambda: t.start_again(),
            try_again=lambda: t.try_again(), print_page=lambda: t.print_page(),
            call_back=lambda: t.bookings.call_back(),
            take_offer=lambda: t.take_offer(),
            talk=(lambda: t.calls.talk()) if t.calls.offered else None,
            join_call=lambda interpreter, share: t.calls.join(interpreter, share),
            leave_call=lambda: t.calls.end_call(), close_call=lambda: t.calls.close(),
            call_back_instead=lambda: t.calls.call_back(),
            rate_visit=t.rate_visit, contacted_before=t.contacted_before,
            feedback_state=lambda: (t.feedback.rating, t.feedback.contacted),
        )
        self.saved_intents = SavedIntents(
            choose_word=lambda word: t.saved.choose_word(word),
            resume=lambda reference, word: t.saved.resume(reference, word),
            close=lambda: t.saved.close(), finish=lambda: t.saved.finish())
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
        self._header_folded = False
        self.keyboard_dock.opening.connect(self._fold_header)
        self.keyboard_dock.hidden.connect(self._unfold_header)
        self.panel: AccessibilityPanel | None = None
        self._build_chrome()
        if terminal.parts.profile.demo_quit_shortcut and on_quit is not None:
            quit_key = QShortcut(QKeySequence("Ctrl+Shift+Q"), self)
            quit_key.setContext(Qt.ShortcutContext.ApplicationShortcut)
            quit_key.activated.connect(on_quit)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusWindowChanged.connect(self._reclaim_focus)
        events = terminal.events
        events.page_changed.connect(self._page_changed)
        events.session_started.connect(self._session_started)
        events.preferences_changed.connect(self._preferences_changed)
        events.warning.connect(self._warning)
        events.warning_cleared.connect(self._warning_cleared)
        events.session_ended.connect(self._session_ended)
        events.wiping.connect(self._wipe_widgets)
        events.wipe_failed.connect(self._wipe_failed)
        events.submitting.connect(self._submitting)
        events.submit_failed.connect(self._submit_failed)
        events.page_printing.connect(lambda: self._print_state(None))
        events.page_printed.connect(self._print_state)
        terminal.add_wipe_check(self._wipe_check)
        self._swap(terminal.current())

    # ----- what tests and the staff panel read ---------------------------------------------

    @property
    def parts(self) -> KioskParts:
        return self.terminal.parts

    @property
    def clock(self) -> Clock:
        return self.terminal.clock

    @property
    def session(self) -> ResidentSession:
        return self.terminal.session

    @property
    def lifecycle(self) -> SessionLifecycle:
        return self.terminal.lifecycle

    @property
    def prefs(self) -> Preferences:
        return self.terminal.prefs

    def _reclaim_focus(self, window: object) -> None:
        """A kiosk has one window; if it loses activation (seen while audio starts playing
        on a session without a sound server), take it back so typing and the on-screen
        keyboard keep working."""
        if window is None and self.isVisible():
            QTimer.singleShot(0, self.activateWindow)

    # ----- chrome --------------------------------------------------------------------------

    def _theme_for(self, prefs: Preferences) -> Theme:
        display = self.terminal.parts.profile.display
        width, height = panel_size(display.width_px, display.height_px)
        return make_theme(prefs.colours, prefs.text_size, width, height,
                          display.diagonal_inches, language(prefs.language).font)

    def _build_chrome(self) -> None:
        """Header and overlays, in the current language and theme (rebuilt when they change)."""
        if self.header is not None:
            self.outer.removeWidget(self.header)
            self._retire(self.header)
        for name in ("timeout_overlay", "fault_overlay"):
            old = getattr(self, name, None)
            if old is not None:
                self._retire(old)
        self.header = self._header()
        self.outer.insertWidget(0, self.header)
        self.header.setVisible(not self._header_folded)
        self.timeout_overlay = TimeoutOverlay(self, self.texts, self.theme, self.more_time,
                                              self.start_again)
        self.fault_overlay = FaultOverlay(self, self.texts, self.theme)
        self.chrome_rebuilt.emit()

    def _fold_header(self) -> None:
        """In large print the keyboard, the header and the Continue bar leave no room for
        the question above its field (in extra-large print 214 px were left: less than a
        label and a field). So while the keyboard is open the header (Start again,
        Accessibility) and the page's action bar (Continue) fold away, and they come back as
        soon as it closes: Done, or a touch outside the field. The resident always sees what
        they are answering, and Continue is one tap (Done) away."""
        if self.theme.text_scale >= FOLD_HEADER_SCALE and self.header is not None:
            self._header_folded = True
            self.header.hide()
            self._fold_action_bar(True)

    def _unfold_header(self) -> None:
        if self._header_folded:
            self._header_folded = False
            if self.header is not None:
                self.header.show()
            self._fold_action_bar(False)

    def _fold_action_bar(self, folded: bool) -> None:
        if isinstance(self.page, Page):
            self.page.fold_actions(folded)

    def _retire(self, widget: QWidget) -> None:
        self._retired.append(widget)
        widget.hide()
        widget.setParent(None)
        widget.deleteLater()

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
        self.start_again_button.clicked.connect(self.start_again)  # this QObject's method
        self.start_again_button.setVisible(self.terminal.in_session)
        row.addWidget(self.start_again_button)
        return header

    # ----- accessibility -------------------------------------------------------------------

    def open_accessibility(self) -> None:
        self.close_accessibility()
        self.panel = AccessibilityPanel(self, self.texts, self.theme, self.prefs,
                                        self.set_preferences, self.close_accessibility)
        self.panel.cover()

    def close_accessibility(self) -> None:
        if self.panel is not None:
            self._retire(self.panel)
            self.panel = None

    def set_preferences(self, prefs: Preferences) -> None:
        """Apply at once; the page is rebuilt with every answer (and half-typed text) kept."""
        self.terminal.set_preferences(prefs)

    def _preferences_changed(self, prefs: Preferences, old: Preferences) -> None:
        panel_open = self.panel is not None
        app = QApplication.instance()
        if prefs.look != old.look or prefs.language != old.language:
            self.theme = self._theme_for(prefs)
            if isinstance(app, QApplication):
                app.setStyleSheet(style_sheet(self.theme))
        if prefs.language != old.language:
            self.texts.switch(prefs.language)
            self.keyboard.set_language(prefs.language)
        if prefs.look != old.look or prefs.language != old.language:
            self.keyboard.set_theme(self.theme)
        if isinstance(app, QApplication):
            rtl = self.texts.right_to_left
            app.setLayoutDirection(Qt.LayoutDirection.RightToLeft if rtl
                                   else Qt.LayoutDirection.LeftToRight)
        self._keep_typed()
        self._build_chrome()
        if self.page is not None:
            self._swap(self.terminal.current())
        if self.player is not None and not prefs.read_aloud:
            self.player.stop()
        if panel_open:
            self.open_accessibility()

    def _keep_typed(self) -> None:
        view = self.page
        if isinstance(view, QuestionView):
            self.terminal.keep_typed(view.model.page_id, view.input.value())

    def closeEvent(self, event: QCloseEvent) -> None:
        self.release_input()
        super().closeEvent(event)

    def release_input(self) -> None:
        """Stop watching the native window's input (it may outlive this widget: the shell)."""
        handle = self._input_handle
        if handle is not None:
            handle.removeEventFilter(self.idle)
            handle.removeEventFilter(self.scanner)
            self._input_handle = None
        self.scanner.reset()

    def resizeEvent(self, event: object) -> None:
        """Every overlay covers the whole window, whoever opened it (staff panel included)."""
        for child in self.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if child.property("overlay") and child.isVisible():
                child.setGeometry(self.rect())

    # ----- showing pages -------------------------------------------------------------------

    def _page_changed(self, shown: Shown) -> None:
        if isinstance(shown, AttractScreen):
            self.start_again_button.hide()
        self._swap(shown)

    def _swap(self, shown: Shown) -> None:
        if isinstance(shown, CallLiveScreen) and getattr(self.page, "call_screen", None) == shown:
            return  # the call goes on: re-rendering would hang up and call again
        self._retire_call(self.page)
        page = self._view_for(shown)
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

    def _view_for(self, shown: Shown) -> QWidget:
        t, th, i = self.texts, self.theme, self.intents
        lang = t.language
        profile = self.parts.profile
        if isinstance(shown, AttractScreen):
            return AttractPage(t, th, i, profile.council.name.get(lang), profile.site.name.get(lang),
                               self.choose_language, self.welcome, self.clock.monotonic,
                               out_of_service=self.terminal.out_of_service)
        if isinstance(shown, MenuScreen):
            menu = MenuPage(t, th, i, shown.services)
            if self.terminal.saved.offered:
                add_menu_entry(menu, t, lambda: self.terminal.saved.continue_saved())
            return menu
        if isinstance(shown, SaveWordScreen | SavedWaitScreen | SavedDoneScreen | ResumeScreen
                      | ResumeGoneScreen):
            return saved_view(shown, t, th, i, self.saved_intents)
        if isinstance(shown, CallConsentScreen | CallQueueScreen | CallLiveScreen | CallOverScreen):
            return call_view(shown, t, th, i, self.terminal.calls, self._call_teardown_failed)
        return self._model_view(shown)

    def _model_view(self, model: PageModel) -> QWidget:
        view = view_for(model, self.texts, self.theme, self.intents,
                        outcome=self.terminal.session.outcome)
        if isinstance(view, QuestionView) and self.terminal.saved.can_save(model):
            add_save_button(view, self.texts, lambda: self.terminal.saved.save_for_later())
        return view

    def show_attract(self) -> None:
        self.start_again_button.hide()
        self._swap(AttractScreen())

    def choose_language(self, code: str) -> None:
        """From the attract screen: the language the session will start in."""
        self.set_preferences(self.prefs.with_(language=code))

    # ----- intents (kept for the tour and tests; the terminal decides) ---------------------

    def start(self) -> None:
        self.terminal.start()

    def choose_service(self, service_id: str) -> None:
        self.terminal.choose_service(service_id)

    def answer(self, page_id: str, raw: RawAnswer) -> None:
        self.terminal.answer(page_id, raw)

    def back(self) -> None:
        self.terminal.back()

    def change(self, page_id: str) -> None:
        self.terminal.change(page_id)

    def submit(self) -> None:
        self.terminal.submit()

    def finish(self) -> None:
        self.terminal.finish()

    def start_again(self) -> None:
        self.terminal.start_again()

    def end(self, reason: EndReason) -> None:
        self.terminal.end(reason)

    def more_time(self) -> None:
        self.terminal.more_time()

    def wipe(self) -> bool:
        return self.terminal.wipe()

    # ----- what the terminal tells --------------------------------------------------------

    def _session_started(self) -> None:
        self.start_again_button.show()

    def _submitting(self) -> None:
        if isinstance(self.page, CheckAnswersView):
            self.page.sending()

    def _submit_failed(self) -> None:
        if isinstance(self.page, CheckAnswersView):
            self.page.failed()

    def _print_state(self, ok: bool | None) -> None:
        """"Print this": None while printing, then whether it printed."""
        if isinstance(self.page, ResultView | BookingDoneView):
            self.page.printing() if ok is None else self.page.printed(ok)

    def _warning(self, seconds: int, can_extend: bool) -> None:
        self._update_countdown()
        self.timeout_overlay.cover()
        self.idle.countdown.start()
        if self.player is not None and self.prefs.read_aloud:
            self.player.speak(timeout_script(self.texts, seconds, can_extend),
                              slow=self.prefs.slow_speech)

    def _warning_cleared(self) -> None:
        self.idle.countdown.stop()
        self.timeout_overlay.hide()

    def _update_countdown(self) -> None:
        self.timeout_overlay.show_seconds(self.terminal.seconds_left(),
                                          self.lifecycle.can_extend)

    def _session_ended(self, reason: EndReason) -> None:
        self.idle.countdown.stop()

    def _wipe_failed(self, problems: tuple[str, ...]) -> None:
        self.fault_overlay.cover()
