"""The staff panel: slides over the resident's page (which stays exactly as it was) and offers
only what the signed-in role may do. It renders; `ui.staff.controller` decides."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEasingCurve, QPropertyAnimation, QRect
from PySide6.QtWidgets import QPushButton, QWidget

from accessibility.themes import Theme
from kiosk.bookings.base import TodayOutcome
from kiosk.health import DeviceStatus
from kiosk.staff import Actor, Permission, can
from kiosk.texts import Texts
from ui.overlays import Overlay
from ui.staff.bookings_today import TodaysBookingsView
from ui.staff.device_status import DeviceStatusView, replace_status_view
from ui.widgets import button, label


@dataclass(frozen=True)
class PanelActions:
    assist: Callable[[], None]
    end_session: Callable[[], None]
    reprint: Callable[[], None]
    device_status: Callable[[], None]
    maintenance: Callable[[], None]
    hand_back: Callable[[], None]
    close: Callable[[], None]
    bookings_today: Callable[[], None] = lambda: None
    end_call: Callable[[], None] = lambda: None


@dataclass(frozen=True)
class PanelState:
    """What the panel shows about the resident session under it."""

    in_session: bool
    assisted: bool
    can_reprint: bool
    message: str = ""  # IT's message for staff from the profile, in the panel's language
    bookings: bool = False  # today's bookings can be shown (a diary, a card on the reader)
    call: str = "idle"  # the advisor call: idle, joining, queued, in_call


class StaffPanel(Overlay):
    def __init__(self, parent: QWidget, texts: Texts, theme: Theme, actor: Actor,
                 state: PanelState, actions: PanelActions) -> None:
        super().__init__(parent, theme, tall=True)
        self.setObjectName("staffPanel")
        self.texts, self.theme = texts, theme
        role = texts(f"staff.role.{actor.role}")
        self.inner.addWidget(label(texts("staff.title"), "heading", name="staffTitle"))
        self.inner.addWidget(label(texts("staff.signed_in", label=actor.label, role=role),
                                   "caption", name="staffWho"))
        self.note = label("", "value", name="staffNote")
        self.note.hide()
        self.inner.addWidget(self.note)
        if state.message:
            # IT's message for staff, from the signed profile (commands.staff_message).
            self.inner.addWidget(label(texts("staff.message_from_it", message=state.message),
                                       "value", name="staffMessage"))
        self.call_button: QPushButton | None = None
        if state.call != "idle" and can(actor.role, "end_session"):
            key = "call.staff.in_call" if state.call == "in_call" else "call.staff.queued"
            self.inner.addWidget(label(texts(key), "value", name="staffCallState"))
            self.call_button = button(texts("call.staff.end"), "choice", name="staff-end_call")
            self.call_button.setMinimumHeight(theme.target_px)
            self.call_button.clicked.connect(actions.end_call)
            self.inner.addWidget(self.call_button)
        self.status_view: DeviceStatusView | None = None
        self.bookings_view: TodaysBookingsView | None = None
        self.action_buttons: dict[str, QPushButton] = {}
        rows: tuple[tuple[str, Permission | None, Callable[[], None], bool], ...] = (
            ("assist", "assist", actions.assist, state.in_session and not state.assisted),
            ("end_session", "end_session", actions.end_session, state.in_session),
            ("reprint", "reprint", actions.reprint, state.can_reprint),
            ("device_status", "device_status", actions.device_status, True),
            ("maintenance", "maintenance", actions.maintenance, True),
        )
        if state.bookings:
            rows = (*rows[:4], ("bookings_today", "assist", actions.bookings_today, True), *rows[4:])
        for key, permission, act, enabled in rows:
            if permission is not None and not can(actor.role, permission):
                continue  # not shown at all: staff never see IT's maintenance button
            text = texts("staff.assisting" if key == "assist" and state.assisted
                         else f"staff.{key}")
            widget = button(text, "choice", name=f"staff-{key}")
            widget.setMinimumHeight(theme.target_px)
            widget.setEnabled(enabled)
            widget.clicked.connect(act)
            self.inner.addWidget(widget)
            self.action_buttons[key] = widget
        self.inner.addStretch(1)
        hand_back = button(texts("staff.hand_back"), name="staffHandBack")
        hand_back.clicked.connect(actions.hand_back)
        self.buttons.addWidget(hand_back)
        close = button(texts("staff.close"), "primary", name="staffClose")
        close.clicked.connect(actions.close)
        self.buttons.addWidget(close)

    def say(self, text: str) -> None:
        self.note.setText(text)
        self.note.show()

    def mark_assisted(self) -> None:
        widget = self.action_buttons.get("assist")
        if widget is not None:
            widget.setText(self.texts("staff.assisting"))
            widget.setEnabled(False)

    def show_status(self, status: DeviceStatus | None) -> None:
        """Device status inside the panel, replacing an earlier one."""
        old, self.status_view = self.status_view, None
        if old is not None:
            self.inner.removeWidget(old)
        self.status_view = replace_status_view(self.inner, old, self.texts, self.theme, status,
                                               at=self.inner.count() - 1)

    def show_bookings(self, outcome: TodayOutcome | None) -> None:
        """Today's bookings inside the panel (None: still being fetched), replacing earlier."""
        old = self.bookings_view
        if old is not None:
            self.inner.removeWidget(old)
            old.hide()
            old.deleteLater()
        self.bookings_view = TodaysBookingsView(self.texts, self.theme, outcome)
        self.inner.insertWidget(self.inner.count() - 1, self.bookings_view)

    def slide_in(self, animate: bool) -> None:
        """Cover the window, sliding up from the bottom edge (skipped in tests and when the
        window is not shown, so nothing depends on the animation finishing)."""
        self.cover()
        parent = self.parentWidget()
        if not animate or parent is None:
            return
        end = parent.rect()
        start = QRect(end.x(), end.bottom(), end.width(), end.height())
        animation = QPropertyAnimation(self, b"geometry", self)
        animation.setDuration(180)
        animation.setStartValue(start)
        animation.setEndValue(end)
        animation.setEasingCurve(QEasingCurve.Type.OutCubic)
        animation.start(QPropertyAnimation.DeletionPolicy.DeleteWhenStopped)
