"""The maintenance screen (IT only): the resident session is already wiped; the terminal shows
device status, offers to retry each report the relay gave up on, to restart the app or to
hand the terminal back to residents.

It is still the kiosk's one window with no way out to the desktop: restarting exits with
`RESTART_EXIT_CODE` and systemd starts the app again (`Restart=always` in the unit).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from accessibility.themes import Theme
from kiosk.health import DeviceStatus
from kiosk.texts import Texts
from ui.overlays import Overlay
from ui.staff.dead_letters import DeadLetterActions, retryable
from ui.staff.device_status import DeviceStatusView, replace_status_view
from ui.widgets import button, label

RESTART_EXIT_CODE = 75  # EX_TEMPFAIL: "try again", which the unit restarts on


class MaintenanceScreen(Overlay):
    def __init__(self, parent: QWidget, texts: Texts, theme: Theme, *,
                 on_restart: Callable[[], None], on_refresh: Callable[[], None],
                 on_hand_back: Callable[[], None],
                 on_retry: Callable[[str], None] | None = None) -> None:
        super().__init__(parent, theme, tall=True)
        self.setObjectName("maintenance")
        self.texts, self.theme = texts, theme
        self.on_retry = on_retry
        self.inner.addWidget(label(texts("maintenance.title"), "heading", name="maintenanceTitle"))
        self.inner.addWidget(label(texts("maintenance.body")))
        self.note = label("", "value", name="maintenanceNote")
        self.note.hide()
        self.inner.addWidget(self.note)
        self.status_view: DeviceStatusView | None = None
        self.dead_letters: DeadLetterActions | None = None
        self.show_status(None)
        for key, act, role in (("refresh", on_refresh, ""), ("restart", on_restart, ""),
                               ("hand_back", on_hand_back, "primary")):
            widget = button(texts(f"maintenance.{key}"), role, name=f"maintenance-{key}")
            widget.clicked.connect(act)
            self.buttons.addWidget(widget)

    def show_status(self, status: DeviceStatus | None) -> None:
        self.status_view = replace_status_view(self.inner, self.status_view, self.texts,
                                               self.theme, status)
        references = retryable(status) if self.on_retry is not None else []
        if self.dead_letters is not None and self.dead_letters.references == references:
            # Unchanged: keep the buttons, so a refresh never pulls one from under a finger.
            self.inner.removeWidget(self.dead_letters)
            self.inner.addWidget(self.dead_letters)
            return
        old, self.dead_letters = self.dead_letters, None
        if old is not None:
            self.inner.removeWidget(old)
            old.hide()
            old.deleteLater()
        if references and self.on_retry is not None:
            self.dead_letters = DeadLetterActions(self.texts, self.theme, references,
                                                  self.on_retry)
            self.inner.addWidget(self.dead_letters)

    def say(self, text: str) -> None:
        self.note.setText(text)
        self.note.show()
