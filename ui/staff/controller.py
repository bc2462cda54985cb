"""Staff beside the terminal, on screen: card and PIN sign-in, the panel, maintenance, and the
device status poller. Decisions are the terminal's staff desk (`kiosk.terminal_staff`, over
`kiosk.assist`); this is a view of it, drawn over the window (imported one way: the window
knows nothing of staff).

The panel closes when the card comes off the reader, when staff close it, or after a minute
without a touch on it. The resident's page under it is never rebuilt, so nothing they typed
is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

from kiosk.bookings.base import TodayOutcome, Unavailable
from kiosk.health import DeviceStatus, HealthMonitor
from kiosk.outbox import RelayUnavailable, RetryAnswer
from kiosk.reference import spaced
from kiosk.staff import PinResult
from kiosk.terminal import Terminal
from peripherals.cards import CardEvent, CardReader
from peripherals.printer.base import PrintResult
from ui.background import Background
from ui.card_events import CardEventBridge
from ui.staff.maintenance import MaintenanceScreen
from ui.staff.panel import PanelActions, PanelState, StaffPanel
from ui.staff.pin_pad import PinPadOverlay
from ui.window import KioskWindow

log = logging.getLogger(__name__)

LOGO_HOLD_SECONDS = 3.0
MAINTENANCE_IDLE_MS = 10 * 60 * 1000
FIRST_PROBE_MS = 3000


class StaffController(QObject):
    def __init__(self, window: KioskWindow, terminal: Terminal, health: HealthMonitor,
                 *, reader: CardReader | None = None, poll_seconds: int = 30,
                 restart: Callable[[], None] | None = None, animate: bool = True,
                 retry_dead_letter: Callable[[str], RetryAnswer] | None = None) -> None:
        super().__init__(window)
        self.window, self.terminal, self.health = window, terminal, health
        self.desk = terminal.staff
        # Asks the relay (its socket) to put a dead letter back; may block: run on `probes`.
        self._retry = retry_dead_letter
        self.restart_app = restart or (lambda: None)
        self.animate = animate
        self.panel: StaffPanel | None = None
        self.pin_pad: PinPadOverlay | None = None
        self.maintenance: MaintenanceScreen | None = None
        self._logo_pressed_at: float | None = None
        self.panel_timer = QTimer(self)
        self.panel_timer.setSingleShot(True)
        self.panel_timer.setInterval(self.desk.panel_seconds * 1000)
        self.panel_timer.timeout.connect(self.close_panel)
        self.maintenance_timer = QTimer(self)
        self.maintenance_timer.setSingleShot(True)
        self.maintenance_timer.setInterval(MAINTENANCE_IDLE_MS)
        self.maintenance_timer.timeout.connect(lambda: self.leave_maintenance("timeout"))
        # Probes can wait for a printer's or the hub's timeout: their own worker, so a slow
        # probe never delays a resident's submission on the session worker.
        self.probes = Background(self)
        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(poll_seconds * 1000)
        self.poll_timer.timeout.connect(self.refresh_health)
        self.first_probe = QTimer(self)
        self.first_probe.setSingleShot(True)
        self.first_probe.setInterval(FIRST_PROBE_MS)
        self.first_probe.timeout.connect(self.refresh_health)
        self.bridge: CardEventBridge | None = None
        if reader is not None:
            self.bridge = CardEventBridge(self)
            self.bridge.card_event.connect(self.on_card)
            self.bridge.attach(reader)
        # Staff leave with the visit; the overlays go with them.
        terminal.events.wiping.connect(self._session_wiped)
        terminal.events.printed.connect(self.after_print)
        window.chrome_rebuilt.connect(self._watch_logo)
        self._watch_logo()

    def start(self) -> None:
        """Poll from now on; the first look waits a moment so devices that connect in the
        background (the card reader's thread) are not logged as faults at every start."""
        self.poll_timer.start()
        self.first_probe.start()

    def shutdown(self) -> None:
        self.poll_timer.stop()
        self.first_probe.stop()
        if self.bridge is not None:
            self.bridge.detach()
        self.probes.shutdown()

    # --- who is acting ---------------------------------------------------------------------

    def on_card(self, event: CardEvent) -> None:
        if self.maintenance is not None:
            return
        if event.kind == "inserted":
            if self.desk.card_inserted(event.uid) is not None:
                self.close_pin_pad()
                self.open_panel()
        elif self.desk.card_removed():
            self.close_panel()

    # --- the council name: hold for three seconds for the PIN pad ---------------------------

    def _watch_logo(self) -> None:
        if self.desk.has_pins:
            self.window.logo.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        logo = isinstance(watched, QWidget) and watched.objectName() == "councilName"
        if kind == QEvent.Type.MouseButtonPress and logo:
            self._logo_pressed_at = self.window.clock.monotonic()
        elif kind == QEvent.Type.MouseButtonRelease and logo and self._logo_pressed_at is not None:
            held = self.window.clock.monotonic() - self._logo_pressed_at
            self._logo_pressed_at = None
            if held >= LOGO_HOLD_SECONDS:
                self.open_pin_pad()
                return True
        elif kind == QEvent.Type.MouseButtonPress and self.panel is not None:
            self.panel_timer.start()  # a touch on the panel keeps it open
        return False

    def open_pin_pad(self) -> None:
        if not self.desk.enabled or self.maintenance is not None:
            return
        self.close_pin_pad()
        self.window.stop_speech()
        self.pin_pad = PinPadOverlay(self.window, self.window.texts, self.window.theme,
                                     on_pin=self._try_pin, locked_for=self.desk.pin_locked_for,
                                     on_cancel=self.close_pin_pad)
        self.pin_pad.cover()
        self.pin_pad.setFocus()
        # A scan while the PIN pad is open is swallowed, never typed in as a PIN.
        self.window.scanner.set_enabled(False)

    def _try_pin(self, pin: str) -> PinResult:
        result = self.desk.try_pin(pin)
        if result is None:  # could not be audited: refused, and the pad says so
            return PinResult("refused", None)
        if result.outcome == "accepted":
            QTimer.singleShot(0, self._pin_accepted)
        return result

    def _pin_accepted(self) -> None:
        self.close_pin_pad()
        self.open_panel()

    def close_pin_pad(self) -> None:
        _retire(self.pin_pad)
        self.pin_pad = None
        self.window.scanner.set_enabled(True)

    # --- the panel -------------------------------------------------------------------------

    def do_end_call(self) -> None:
        """Staff end the resident's advisor call (queued or live); the visit goes on."""
        self.terminal.calls.end_call()
        self.close_panel()

    def open_panel(self) -> None:
        actor = self.desk.actor
        if actor is None:
            return
        self.close_panel()
        self.window.stop_speech()
        self.window.close_accessibility()
        session = self.terminal.session
        in_session = self.desk.reference() is not None
        commands = self.terminal.parts.profile.commands
        message = (commands.staff_message.get(self.window.texts.language)
                   if commands is not None and commands.staff_message is not None else "")
        state = PanelState(in_session=in_session, assisted=session.assisted,
                           can_reprint=self.desk.can_reprint(), message=message,
                           bookings=self.terminal.bookings.can_see_today(),
                           call=self.terminal.calls.phase)
        actions = PanelActions(assist=self.do_assist, end_session=self.do_end_session,
                               reprint=self.do_reprint, device_status=self.do_device_status,
                               maintenance=self.enter_maintenance, hand_back=self.hand_back,
                               close=self.close_panel, bookings_today=self.do_bookings_today,
                               end_call=self.do_end_call)
        self.panel = StaffPanel(self.window, self.window.texts, self.window.theme, actor, state,
                                actions)
        for child in (self.panel, *self.panel.findChildren(QWidget)):
            child.installEventFilter(self)
        self.panel.slide_in(self.animate and self.window.isVisible())
        self.panel_timer.start()

    def close_panel(self) -> None:
        self.panel_timer.stop()
        _retire(self.panel)
        self.panel = None

    def hand_back(self) -> None:
        self.desk.hand_back()
        self.close_panel()

    def do_assist(self) -> None:
        if self.desk.mark_assisted() and self.panel is not None:
            self.panel.mark_assisted()
            self.panel.say(self.window.texts("staff.assist_done"))

    def do_end_session(self) -> None:
        self.close_panel()
        self.desk.end_session()

    def do_reprint(self) -> None:
        if not self.desk.can_reprint():
            return
        printer = self.terminal.parts.printer
        panel, desk = self.panel, self.desk
        # Made on the GUI thread, run on the worker: the same document, so the same bytes.
        job = desk.reprint_job(printer)
        if job is None:
            return

        def done(result: PrintResult) -> None:
            if panel is not None and shiboken6.isValid(panel):
                panel.say(self.window.texts("staff.reprinted" if result.ok
                                            else "staff.reprint_failed"))
            if not result.ok:
                self.refresh_health(only=("printer",))

        self.window.background.run(
            job, done, lambda error: log.error("reprint failed: %s", type(error).__name__))

    def do_device_status(self) -> None:
        if not self.desk.enabled or self.panel is None:
            return
        self.desk.device_status()
        self.panel.show_status(self.health.latest)
        self.refresh_health()

    def do_bookings_today(self) -> None:
        """Today's bookings at this site, asked on the probes' worker (the hub may be slow)."""
        panel = self.panel
        job = self.terminal.bookings.today_job(self.window.texts.language)
        if panel is None or job is None:
            return
        panel.show_bookings(None)

        def done(outcome: TodayOutcome) -> None:
            if shiboken6.isValid(panel) and panel is self.panel:
                panel.show_bookings(outcome)

        self.probes.run(job, done, lambda error: done(Unavailable("bad_answer")))

    # --- maintenance -----------------------------------------------------------------------

    def enter_maintenance(self) -> None:
        self.close_panel()
        if self.desk.enter_maintenance():
            # After the wipe (deferred first), so the maintenance screen covers a clean
            # terminal.
            QTimer.singleShot(0, self._show_maintenance)

    def _show_maintenance(self) -> None:
        window = self.window
        self.maintenance = MaintenanceScreen(window, window.texts, window.theme,
                                             on_restart=self.restart, on_refresh=self.refresh_health,
                                             on_hand_back=lambda: self.leave_maintenance("manual"),
                                             on_retry=self.retry_dead_letter if self._retry
                                             else None)
        self.maintenance.show_status(self.health.latest)
        self.maintenance.cover()
        self.maintenance_timer.start()
        self.refresh_health()

    def retry_dead_letter(self, reference: str) -> None:
        """IT asked to send a dead letter again: the relay requeues it and sends it at once.
        The answer is said on the maintenance screen, and device status is looked at again."""
        retry, screen = self._retry, self.maintenance
        if retry is None or screen is None:
            return
        self.maintenance_timer.start()
        self.desk.dead_letter_retried(reference)

        def job() -> str:
            try:
                return retry(reference)
            except RelayUnavailable:
                return "no_relay"

        def done(result: str) -> None:
            key = {"requeued": "maintenance.retry_done",
                   "no_relay": "maintenance.retry_no_relay"}.get(result, "maintenance.retry_failed")
            if shiboken6.isValid(screen) and screen is self.maintenance:
                screen.say(self.window.texts(key, reference=spaced(reference)))
            self.refresh_health()

        self.probes.run(job, done,
                        lambda error: log.error("dead letter retry failed: %s", type(error).__name__))

    def restart(self) -> None:
        self.leave_maintenance("manual")
        self.restart_app()

    def leave_maintenance(self, reason: str) -> None:
        if self.maintenance is None:
            return
        self.maintenance_timer.stop()
        _retire(self.maintenance)
        self.maintenance = None
        self.desk.leave_maintenance(reason)

    # --- session end -----------------------------------------------------------------------

    def _session_wiped(self) -> None:
        """Staff left with the visit (the terminal handed them back); overlays go with it."""
        self.close_panel()
        self.close_pin_pad()

    # --- device status ---------------------------------------------------------------------

    def refresh_health(self, only: tuple[str, ...] | None = None) -> None:
        health = self.health
        self.probes.run(lambda: health.refresh(only), self._health_done,
                        lambda error: log.error("health refresh failed: %s", type(error).__name__))

    def _health_done(self, status: DeviceStatus) -> None:
        if self.panel is not None and self.panel.status_view is not None:
            self.panel.show_status(status)
        if self.maintenance is not None:
            self.maintenance.show_status(status)

    def after_print(self, printed: bool) -> None:
        """A failed receipt says more than a poll: look at the printer now."""
        if not printed:
            self.refresh_health(only=("printer",))


def _retire(widget: QWidget | None) -> None:
    if widget is not None and shiboken6.isValid(widget):
        widget.hide()
        widget.setParent(None)
        widget.deleteLater()
