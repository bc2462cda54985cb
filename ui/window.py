"""The kiosk's one window: header, the current page, and overlays. Renders, never decides."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QHBoxLayout, QVBoxLayout, QWidget

from accessibility.themes import Theme
from kiosk.clock import Clock
from kiosk.journey.pages import (
    CheckAnswersPage,
    ConfirmationPage,
    ExitPage,
    PageModel,
    QuestionPage,
)
from kiosk.journey.validation import RawAnswer
from kiosk.resident import KioskParts, ResidentSession, SubmitOutcome
from kiosk.session import Change, EndReason, Phase, SessionLifecycle
from kiosk.texts import Texts
from ui.background import Background
from ui.idle import IdleWatch
from ui.overlays import FaultOverlay, Overlay, TimeoutOverlay
from ui.pages.attract import AttractPage
from ui.pages.base import Intents
from ui.pages.menu import MenuPage
from ui.pages.question import QuestionView
from ui.pages.summary import CheckAnswersView, ConfirmationView, ExitView
from ui.widgets import button, label
from ui.wipe import clear_clipboard, destroy, leftovers

log = logging.getLogger(__name__)


class KioskWindow(QWidget):
    def __init__(self, parts: KioskParts, texts: Texts, theme: Theme, clock: Clock,
                 *, on_quit: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.setObjectName("root")
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.parts, self.texts, self.theme, self.clock = parts, texts, theme, clock
        self.background = Background(self)
        self.lifecycle = SessionLifecycle(parts.profile.session)
        self.idle = IdleWatch(self.lifecycle, clock, self._lifecycle_changed, self)
        self.idle.countdown.timeout.connect(self._update_countdown)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.idle)  # every touch anywhere counts as activity
        self.session = ResidentSession(parts)
        self.session_serial = 0
        self.page: QWidget | None = None
        self._retired: list[QWidget] = []
        self.intents = Intents(
            start=self.start, choose_service=self.choose_service, answer=self.answer,
            back=self.back, change=self.change, submit=self.submit, finish=self.finish,
            start_again=self.start_again,
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._header())
        self.content = QVBoxLayout()
        self.content.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.content, 1)
        self.timeout_overlay = TimeoutOverlay(self, texts, theme, self.more_time,
                                              lambda: self.end(EndReason.START_AGAIN))
        self.fault_overlay = FaultOverlay(self, texts, theme)
        self.info_overlay = self._info_overlay()
        if parts.profile.demo_quit_shortcut and on_quit is not None:
            quit_key = QShortcut(QKeySequence("Ctrl+Shift+Q"), self)
            quit_key.setContext(Qt.ShortcutContext.ApplicationShortcut)
            quit_key.activated.connect(on_quit)
        self.show_attract()

    # ----- chrome --------------------------------------------------------------------------

    def _header(self) -> QWidget:
        header = QWidget()
        header.setObjectName("header")
        header.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        row = QHBoxLayout(header)
        m = self.theme.margin_px
        row.setContentsMargins(m, self.theme.gap_px, m, self.theme.gap_px)
        row.setSpacing(self.theme.gap_px * 2)
        lang = self.texts.language
        row.addWidget(label(self.parts.profile.council.name.get(lang), name="councilName",
                            wrap=False))
        row.addStretch(1)
        self.accessibility_button = button(self.texts("nav.accessibility"), "header",
                                           name="accessibility")
        self.accessibility_button.clicked.connect(lambda: self.info_overlay.cover())
        row.addWidget(self.accessibility_button)
        self.start_again_button = button(self.texts("nav.start_again"), "header",
                                         name="startAgain")
        self.start_again_button.clicked.connect(self.start_again)
        row.addWidget(self.start_again_button)
        return header

    def _info_overlay(self) -> Overlay:
        overlay = Overlay(self, self.theme)
        overlay.inner.addWidget(label(self.texts("nav.accessibility"), "heading"))
        overlay.inner.addWidget(label(self.texts("nav.accessibility_soon")))
        close = button(self.texts("nav.close"), "primary", name="closeInfo")
        close.clicked.connect(overlay.hide)
        overlay.inner.addWidget(close)
        return overlay

    def closeEvent(self, event: QCloseEvent) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.idle)
        super().closeEvent(event)

    def resizeEvent(self, event: object) -> None:
        for overlay in (self.timeout_overlay, self.fault_overlay, self.info_overlay):
            if overlay.isVisible():
                overlay.setGeometry(self.rect())

    # ----- showing pages -------------------------------------------------------------------

    def _swap(self, page: QWidget) -> None:
        if self.page is not None:
            self.content.removeWidget(self.page)
            self.page.hide()
            self.page.setParent(None)
            self._retired.append(self.page)
            self.page.deleteLater()
        self.page = page
        self.content.addWidget(page)
        page.show()
        page.setFocus()  # focus starts on the new page, never on a leftover header button

    def show_attract(self) -> None:
        lang = self.texts.language
        profile = self.parts.profile
        self.start_again_button.hide()
        self._swap(AttractPage(self.texts, self.theme, self.intents,
                               profile.council.name.get(lang), profile.site.name.get(lang)))

    def show_model(self, model: PageModel) -> None:
        t, th, i = self.texts, self.theme, self.intents
        view: QWidget
        if isinstance(model, QuestionPage):
            view = QuestionView(t, th, i, model)
        elif isinstance(model, CheckAnswersPage):
            view = CheckAnswersView(t, th, i, model)
        elif isinstance(model, ExitPage):
            view = ExitView(t, th, i, model)
        else:
            assert isinstance(model, ConfirmationPage)
            outcome = self.session.outcome
            view = ConfirmationView(t, th, i, model, printed=bool(outcome and outcome.printed),
                                    preview_png=outcome.preview_png if outcome else None)
        self._swap(view)

    # ----- intents -------------------------------------------------------------------------

    def start(self) -> None:
        if self.lifecycle.phase is not Phase.ATTRACT:
            return
        self.lifecycle.begin(self.clock.monotonic())
        self.idle.reschedule()
        self.start_again_button.show()
        self._swap(MenuPage(self.texts, self.theme, self.intents, self.session.services()))

    def choose_service(self, service_id: str) -> None:
        self.show_model(self.session.choose(service_id))

    def answer(self, page_id: str, raw: RawAnswer) -> None:
        if self.session.engine is not None:
            self.show_model(self.session.engine.answer(page_id, raw))

    def back(self) -> None:
        engine = self.session.engine
        if engine is None:
            return
        model = engine.back()
        if model is None:
            self.session.leave_service()
            self._swap(MenuPage(self.texts, self.theme, self.intents, self.session.services()))
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
        self.session = ResidentSession(self.parts)
        self.timeout_overlay.hide()
        self.info_overlay.hide()
        if self.page is not None:
            self.content.removeWidget(self.page)
            self._retired.append(self.page)
            self.page = None
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
